"""The scoring rule of a criterion written as a short Vietnamese phrase (cột "Cách tính điểm").

Grammar (case and diacritics are not significant; numbers take a decimal comma or dot):

| phrase                                   | rule                                               |
|------------------------------------------|----------------------------------------------------|
| ``nhập``                                 | points typed by the assessor, 0..max               |
| ``có/không``                             | full points if yes, else 0                         |
| ``tỷ lệ``                                | a/b × max; the figure is typed "a/b"               |
| ``tỷ lệ trên CB``                        | a/b × max; a typed, b is general datum CB          |
| ``bậc: 4=20; 3=15; 2=10; 1=5``           | the highest threshold reached gives its points     |
| ``chuẩn hóa theo đơn vị cao nhất``       | value ÷ the group's largest value × max            |
| ``mỗi mục 2, tối đa 10``                 | n × 2, capped at max (``tối đa`` must equal max)   |
| ``chọn: Đại học=20; Cao đẳng=15``        | the option chosen gives its points                 |
| ``trừ 10 mỗi lần``                       | max − 10 × n, not below 0                          |
| ``tổng`` (or empty), ``tổng; điều kiện: 1.6.1`` | a parent: sum of children, capped (gated)  |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .collation import fold_diacritics, nfc
from .criteria import Option, Rule, RuleKind, Tier
from .numbers import NumberFormatError, parse_decimal


class RuleSyntaxError(ValueError):
    """A phrase that is not a rule (the message says what is expected, in Vietnamese)."""


@dataclass(frozen=True, slots=True)
class ParentRule:
    """What a parent's cell says: sum of children, optionally gated by one child."""

    gate: str | None = None


EXAMPLES = (
    "nhập; có/không; tỷ lệ; tỷ lệ trên CB; bậc: 4=20; 3=15; chuẩn hóa theo đơn vị cao nhất; "
    "mỗi mục 2, tối đa 10; chọn: Đại học=20; Cao đẳng=15; trừ 10 mỗi lần"
)


def _number(text: str, what: str) -> Decimal:
    try:
        return parse_decimal(text)
    except NumberFormatError:
        raise RuleSyntaxError(f"{what} '{text.strip()}' không phải là số.") from None


def _pairs(body: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for part in body.split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise RuleSyntaxError(
                f"Mỗi {what} viết dạng 'giá trị=điểm', ví dụ '4=20'; gặp '{part.strip()}'."
            )
        left, _, right = part.partition("=")
        pairs.append((nfc(left).strip(), right.strip()))
    if not pairs:
        raise RuleSyntaxError(f"Chưa có {what} nào.")
    return pairs


def parse_rule(text: str, max_points: Decimal) -> Rule | ParentRule:
    """The rule a phrase names; ``max_points`` checks the amounts it holds."""
    raw = nfc(text or "").strip()
    folded = fold_diacritics(raw)
    head, _, body = raw.partition(":")
    folded_head = fold_diacritics(head)
    if folded in ("", "tong", "tong cac tieu chi con"):
        return ParentRule()
    if folded_head.startswith("tong") and ";" in raw:
        condition = raw.split(";", 1)[1]
        key, _, code = condition.partition(":")
        if fold_diacritics(key) != "dieu kien" or not code.strip():
            raise RuleSyntaxError("Điều kiện viết dạng 'tổng; điều kiện: 1.6.1'.")
        return ParentRule(gate=code.strip())
    if folded in ("nhap", "nhap diem"):
        return Rule(RuleKind.TYPED)
    if folded in ("co/khong", "co / khong", "co hoac khong"):
        return Rule(RuleKind.YES_NO)
    if folded == "ty le":
        return Rule(RuleKind.RATIO)
    words = raw.split()
    if [fold_diacritics(w) for w in words[:3]] == ["ty", "le", "tren"] and len(words) > 3:
        return Rule(RuleKind.RATIO, denominator=" ".join(words[3:]))
    if folded.startswith("chuan hoa"):
        return Rule(RuleKind.NORMALISED)
    if folded_head.strip() == "bac":
        tiers = tuple(
            Tier(_number(left, "Ngưỡng"), _number(right, "Điểm"))
            for left, right in _pairs(body, "bậc")
        )
        _check_amounts([t.points for t in tiers], max_points)
        return Rule(RuleKind.TIERS, tiers=tiers)
    if folded_head.strip() == "chon":
        options = tuple(
            Option(left, _number(right, "Điểm")) for left, right in _pairs(body, "phương án")
        )
        labels = [fold_diacritics(o.label) for o in options]
        if len(set(labels)) != len(labels) or not all(labels):
            raise RuleSyntaxError("Tên các phương án phải khác nhau và không để trống.")
        _check_amounts([o.points for o in options], max_points)
        return Rule(RuleKind.OPTIONS, options=options)
    match = re.fullmatch(r"moi muc ([0-9.,]+)(?:\s*,\s*toi da ([0-9.,]+))?", folded)
    if match:
        each = _number(match.group(1), "Điểm mỗi mục")
        if match.group(2) is not None and _number(match.group(2), "Tối đa") != max_points:
            raise RuleSyntaxError(
                f"'tối đa {match.group(2)}' khác điểm tối đa của tiêu chí ({_plain(max_points)})."
            )
        if each <= 0:
            raise RuleSyntaxError("Điểm mỗi mục phải lớn hơn 0.")
        return Rule(RuleKind.PER_ITEM, per_item=each)
    match = re.fullmatch(r"tru ([0-9.,]+) moi lan(?:\s*,\s*khong duoi 0)?", folded)
    if match:
        each = _number(match.group(1), "Điểm trừ mỗi lần")
        if each <= 0:
            raise RuleSyntaxError("Điểm trừ mỗi lần phải lớn hơn 0.")
        return Rule(RuleKind.DEDUCTION, per_item=each)
    raise RuleSyntaxError(f"Không hiểu cách tính điểm '{raw}'. Các dạng được hiểu: {EXAMPLES}.")


def _check_amounts(amounts: list[Decimal], max_points: Decimal) -> None:
    for amount in amounts:
        if amount < 0 or amount > max_points:
            raise RuleSyntaxError(
                f"Mức điểm {_plain(amount)} ngoài khoảng 0 đến điểm tối đa {_plain(max_points)}."
            )


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return text.replace(".", ",")


def format_rule(rule: Rule | ParentRule, max_points: Decimal) -> str:
    """The canonical phrase of a rule (``parse_rule`` reads it back to the same rule)."""
    if isinstance(rule, ParentRule):
        return f"tổng; điều kiện: {rule.gate}" if rule.gate else "tổng"
    match rule.kind:
        case RuleKind.TYPED:
            return "nhập"
        case RuleKind.YES_NO:
            return "có/không"
        case RuleKind.RATIO:
            return f"tỷ lệ trên {rule.denominator}" if rule.denominator else "tỷ lệ"
        case RuleKind.TIERS:
            ordered = sorted(rule.tiers, key=lambda t: t.minimum, reverse=True)
            return "bậc: " + "; ".join(f"{_plain(t.minimum)}={_plain(t.points)}" for t in ordered)
        case RuleKind.NORMALISED:
            return "chuẩn hóa theo đơn vị cao nhất"
        case RuleKind.PER_ITEM:
            return f"mỗi mục {_plain(rule.per_item or Decimal(0))}, tối đa {_plain(max_points)}"
        case RuleKind.OPTIONS:
            return "chọn: " + "; ".join(f"{o.label}={_plain(o.points)}" for o in rule.options)
        case RuleKind.DEDUCTION:
            return f"trừ {_plain(rule.per_item or Decimal(0))} mỗi lần"
    raise AssertionError(rule.kind)  # pragma: no cover
