"""The criteria tree of a form (Phiếu đánh giá) and how each criterion is scored.

A form is data: a tree of criteria whose codes (1, 1.1, 1.1.2) give the structure. A leaf has a
scoring rule; a parent is the sum of its children, capped at its own maximum (optionally gated:
its other children count only when the gate child scores). Points are ``Decimal`` quantised to
two decimals, round half up. Inputs out of range are refused with a Vietnamese message, never
clamped silently.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from .numbers import ZERO, points


class ScoringError(ValueError):
    """An input a rule cannot score (the message is for the user, in Vietnamese)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"Tiêu chí {code}: {message}")
        self.code = code
        self.message = message


class RuleKind(Enum):
    """Cách tính điểm."""

    TYPED = "typed"  # nhập điểm 0..tối đa
    YES_NO = "yes_no"  # có/không: đủ điểm nếu có
    OPTIONS = "options"  # chọn một phương án, mỗi phương án một mức điểm
    RATIO = "ratio"  # tỷ lệ a/b × điểm tối đa
    TIERS = "tiers"  # bậc: giá trị đạt ngưỡng → điểm
    NORMALISED = "normalised"  # chuẩn hóa theo đơn vị cao nhất trong nhóm
    PER_ITEM = "per_item"  # mỗi mục n điểm, tối đa bằng điểm tối đa
    DEDUCTION = "deduction"  # bắt đầu từ điểm tối đa, trừ n điểm mỗi lần, không dưới 0


@dataclass(frozen=True, slots=True)
class Option:
    label: str
    points: Decimal


@dataclass(frozen=True, slots=True)
class Tier:
    minimum: Decimal
    points: Decimal


@dataclass(frozen=True, slots=True)
class Rule:
    """A leaf's scoring rule with its parameters."""

    kind: RuleKind
    options: tuple[Option, ...] = ()
    tiers: tuple[Tier, ...] = ()  # any order; the highest minimum reached applies
    per_item: Decimal | None = None  # PER_ITEM and DEDUCTION
    denominator: str | None = None  # RATIO: code of the general datum that is b, if any

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.options:
            data["options"] = [{"label": o.label, "points": str(o.points)} for o in self.options]
        if self.tiers:
            data["tiers"] = [{"min": str(t.minimum), "points": str(t.points)} for t in self.tiers]
        if self.per_item is not None:
            data["points"] = str(self.per_item)
        if self.denominator is not None:
            data["denominator"] = self.denominator
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rule:
        kind = RuleKind(data["kind"])
        options = tuple(
            Option(str(o["label"]), Decimal(str(o["points"]))) for o in data.get("options", ())
        )
        tiers = tuple(
            Tier(Decimal(str(t["min"])), Decimal(str(t["points"]))) for t in data.get("tiers", ())
        )
        per_item = Decimal(str(data["points"])) if "points" in data else None
        return cls(kind, options, tiers, per_item, data.get("denominator"))

    def describe(self, maximum: Decimal) -> str:
        """How the rule reads to a user ('Tỷ lệ a/b × 30')."""
        m = _num(maximum)
        match self.kind:
            case RuleKind.TYPED:
                return f"Nhập điểm từ 0 đến {m}"
            case RuleKind.YES_NO:
                return f"Có: {m} điểm; không: 0 điểm"
            case RuleKind.OPTIONS:
                return "Chọn: " + "; ".join(f"{o.label} = {_num(o.points)}" for o in self.options)
            case RuleKind.RATIO:
                return f"Tỷ lệ a/b × {m}"
            case RuleKind.TIERS:
                ordered = sorted(self.tiers, key=lambda t: t.minimum, reverse=True)
                return "Bậc: " + "; ".join(
                    f"≥ {_num(t.minimum)} → {_num(t.points)}" for t in ordered
                )
            case RuleKind.NORMALISED:
                return f"Giá trị ÷ giá trị cao nhất trong nhóm × {m}"
            case RuleKind.PER_ITEM:
                return f"Mỗi mục {_num(self.per_item or ZERO)} điểm, tối đa {m}"
            case RuleKind.DEDUCTION:
                return f"{m} điểm, trừ {_num(self.per_item or ZERO)} điểm mỗi lần, không dưới 0"
        raise AssertionError(self.kind)  # pragma: no cover


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return text.replace(".", ",")


@dataclass(frozen=True, slots=True)
class Criterion:
    """Tiêu chí: a leaf (with a rule) or a parent (with children)."""

    code: str
    title: str
    max_points: Decimal
    rule: Rule | None = None
    children: tuple[Criterion, ...] = ()
    gate: str | None = None  # parent only: code of the child that must score for the rest
    evidence: str = ""  # tài liệu kiểm chứng
    verifier: str = ""  # đơn vị xác minh
    input_label: str = ""  # what the figure is ('Số CBCCVC có máy tính / tổng số CBCCVC')

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def area(self) -> int:
        return int(self.code.split(".")[0])

    def walk(self) -> Iterator[Criterion]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class GeneralField:
    """Số liệu chung: a figure asked once per form (e.g. CB = total staff), which ratio rules
    can name as their denominator ('tỷ lệ trên CB')."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class FormTree:
    """Phiếu đánh giá: the top-level criteria are the areas (lĩnh vực) of Điều 5."""

    areas: tuple[Criterion, ...]
    general: tuple[GeneralField, ...] = ()
    _index: dict[str, Criterion] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.code: c for c in self.walk()})

    @property
    def max_points(self) -> Decimal:
        """Điểm tối đa (Điều 8.2): the sum of the areas' maxima."""
        return sum((a.max_points for a in self.areas), ZERO)

    def walk(self) -> Iterator[Criterion]:
        for area in self.areas:
            yield from area.walk()

    def leaves(self) -> Iterator[Criterion]:
        return (c for c in self.walk() if c.is_leaf)

    def get(self, code: str) -> Criterion:
        return self._index[code]

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def problems(self) -> list[str]:
        """What is wrong with the tree itself (Vietnamese), empty when it is sound."""
        found: list[str] = []
        general = {g.code for g in self.general}
        if len(general) != len(self.general):
            found.append("Mã số liệu chung bị trùng.")
        for c in self.walk():
            found.extend(_criterion_problems(c))
            if c.rule and c.rule.denominator and c.rule.denominator not in general:
                found.append(
                    f"Tiêu chí {c.code}: mẫu số '{c.rule.denominator}' không có trong "
                    "danh sách số liệu chung."
                )
        return found

    def capped_parents(self) -> list[str]:
        """Warnings: parents whose children's maxima add up to more than their own (the sum is
        capped — allowed, but worth a look when a criteria set is imported)."""
        return [
            f"Tiêu chí {c.code}: tổng điểm các tiêu chí con "
            f"({_num(sum((ch.max_points for ch in c.children), ZERO))}) vượt điểm tối đa "
            f"({_num(c.max_points)}); điểm được giới hạn ở {_num(c.max_points)}."
            for c in self.walk()
            if c.children and sum((ch.max_points for ch in c.children), ZERO) > c.max_points
        ]


def _criterion_problems(c: Criterion) -> list[str]:
    out: list[str] = []
    if c.max_points <= 0:
        out.append(f"Tiêu chí {c.code}: điểm tối đa phải lớn hơn 0.")
    if c.is_leaf and c.rule is None:
        out.append(f"Tiêu chí {c.code}: chưa có cách tính điểm.")
    if not c.is_leaf:
        total = sum((ch.max_points for ch in c.children), ZERO)
        if total < c.max_points:
            out.append(
                f"Tiêu chí {c.code}: tổng điểm các tiêu chí con ({_num(total)}) nhỏ hơn "
                f"điểm tối đa ({_num(c.max_points)})."
            )
        if c.gate is not None and c.gate not in {ch.code for ch in c.children}:
            out.append(f"Tiêu chí {c.code}: điều kiện '{c.gate}' không phải tiêu chí con.")
    rule = c.rule
    if rule is not None:
        if rule.kind is RuleKind.OPTIONS and not rule.options:
            out.append(f"Tiêu chí {c.code}: chưa có phương án nào để chọn.")
        if rule.kind is RuleKind.TIERS and not rule.tiers:
            out.append(f"Tiêu chí {c.code}: chưa có bậc nào.")
        if rule.kind in (RuleKind.PER_ITEM, RuleKind.DEDUCTION) and not (rule.per_item or 0) > 0:
            out.append(f"Tiêu chí {c.code}: số điểm mỗi mục phải lớn hơn 0.")
        over = [o.points for o in rule.options] + [t.points for t in rule.tiers]
        if any(p > c.max_points or p < 0 for p in over):
            out.append(f"Tiêu chí {c.code}: có mức điểm ngoài khoảng 0 đến điểm tối đa.")
    return out


# ---- answers (inputs) -------------------------------------------------------------------


def _decimal(code: str, value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ScoringError(code, f"{what} phải là số thập phân chính xác.")
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ScoringError(code, f"{what} '{value}' không phải là số.") from None
    if not result.is_finite():
        raise ScoringError(code, f"{what} '{value}' không phải là số.")
    return result


def _count(code: str, value: Any, what: str) -> int:
    number = _decimal(code, value, what)
    if number != number.to_integral_value():
        raise ScoringError(code, f"{what} phải là số nguyên.")
    if number < 0:
        raise ScoringError(code, f"{what} không được âm.")
    return int(number)


def score_leaf(
    criterion: Criterion, answer: Mapping[str, Any], best: Decimal | None = None
) -> Decimal:
    """Points of one leaf from its answer (see ``answer_keys``); ``best`` is the group's
    largest value for a NORMALISED rule."""
    rule = criterion.rule
    code = criterion.code
    maximum = criterion.max_points
    if rule is None:
        raise ScoringError(code, "là tiêu chí cha, điểm là tổng các tiêu chí con.")
    try:
        match rule.kind:
            case RuleKind.TYPED:
                value = _decimal(code, answer["points"], "Điểm")
                if value < 0 or value > maximum:
                    raise ScoringError(
                        code, f"điểm {_num(value)} ngoài khoảng 0 đến {_num(maximum)}."
                    )
                if value != value.quantize(Decimal("0.01")):
                    raise ScoringError(code, "điểm chỉ có tối đa 2 chữ số thập phân.")
                return points(value)
            case RuleKind.YES_NO:
                yes = answer["yes"]
                if not isinstance(yes, bool):
                    raise ScoringError(code, "câu trả lời phải là có hoặc không.")
                return points(maximum if yes else 0)
            case RuleKind.OPTIONS:
                chosen = str(answer["option"]).strip()
                for option in rule.options:
                    if option.label.casefold() == chosen.casefold():
                        return points(option.points)
                labels = ", ".join(o.label for o in rule.options)
                raise ScoringError(
                    code, f"phương án '{chosen}' không có trong danh sách ({labels})."
                )
            case RuleKind.RATIO:
                a = _decimal(code, answer["numerator"], "Tử số")
                b = _decimal(code, answer["denominator"], "Mẫu số")
                if a < 0 or b < 0:
                    raise ScoringError(code, "tử số và mẫu số không được âm.")
                if b == 0:
                    raise ScoringError(code, "mẫu số bằng 0, không tính được tỷ lệ.")
                if a > b:
                    raise ScoringError(
                        code, f"tỷ lệ {_num(a)}/{_num(b)} lớn hơn 1 (tử số vượt mẫu số)."
                    )
                return points(a * maximum / b)  # multiply first: 1/48 × 30 is exactly 0,625
            case RuleKind.TIERS:
                value = _decimal(code, answer["value"], "Giá trị")
                if value < 0:
                    raise ScoringError(code, "giá trị không được âm.")
                reached = [t for t in rule.tiers if value >= t.minimum]
                if not reached:
                    return points(ZERO)
                return points(max(reached, key=lambda t: t.minimum).points)
            case RuleKind.NORMALISED:
                value = _decimal(code, answer["value"], "Giá trị")
                if value < 0:
                    raise ScoringError(code, "giá trị không được âm.")
                if best is None or best < value:
                    raise ScoringError(code, "thiếu giá trị cao nhất của nhóm để chuẩn hóa.")
                return points(ZERO if best == 0 else value * maximum / best)
            case RuleKind.PER_ITEM:
                n = _count(code, answer["count"], "Số mục")
                return points(min(n * (rule.per_item or ZERO), maximum))
            case RuleKind.DEDUCTION:
                n = _count(code, answer["count"], "Số lần")
                return points(max(maximum - n * (rule.per_item or ZERO), ZERO))
    except KeyError as missing:
        raise ScoringError(code, f"thiếu số liệu '{missing.args[0]}'.") from None
    raise AssertionError(rule.kind)  # pragma: no cover


ANSWER_KEYS: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.TYPED: ("points",),
    RuleKind.YES_NO: ("yes",),
    RuleKind.OPTIONS: ("option",),
    RuleKind.RATIO: ("numerator", "denominator"),
    RuleKind.TIERS: ("value",),
    RuleKind.NORMALISED: ("value",),
    RuleKind.PER_ITEM: ("count",),
    RuleKind.DEDUCTION: ("count",),
}


def group_bests(
    form: FormTree, answers: Mapping[Any, Mapping[str, Mapping[str, Any]]]
) -> dict[str, Decimal]:
    """For each NORMALISED leaf, the largest value among the agencies' answers (Điều 7.2:
    one agency's correction changes everyone's score on such a criterion)."""
    bests: dict[str, Decimal] = {}
    for leaf in form.leaves():
        if leaf.rule is None or leaf.rule.kind is not RuleKind.NORMALISED:
            continue
        values = [
            _decimal(leaf.code, a[leaf.code]["value"], "Giá trị")
            for a in answers.values()
            if leaf.code in a and "value" in a[leaf.code]
        ]
        bests[leaf.code] = max(values, default=ZERO)
    return bests


@dataclass(frozen=True, slots=True)
class TreeTotals:
    """Points of every node after caps and gates; ``total`` is the form's total."""

    by_code: dict[str, Decimal]
    total: Decimal

    def area(self, number: int) -> Decimal:
        return self.by_code.get(str(number), ZERO)


def tree_totals(form: FormTree, leaf_points: Mapping[str, Decimal]) -> TreeTotals:
    """Sum leaf points up the tree: a parent is the sum of its children capped at its max."""
    by_code: dict[str, Decimal] = {}

    def visit(node: Criterion) -> Decimal:
        if node.is_leaf:
            value = points(leaf_points.get(node.code, ZERO))
            if value < 0 or value > node.max_points:
                raise ScoringError(node.code, f"điểm {_num(value)} vượt điểm tối đa.")
        else:
            child_points = {child.code: visit(child) for child in node.children}
            if node.gate is not None and child_points.get(node.gate, ZERO) == 0:
                child_points = {k: (v if k == node.gate else ZERO) for k, v in child_points.items()}
                by_code.update(child_points)  # gated children count for nothing
            value = min(sum(child_points.values(), ZERO), node.max_points)
        by_code[node.code] = value
        return value

    total = sum((visit(area) for area in form.areas), ZERO)
    return TreeTotals(by_code, points(total))
