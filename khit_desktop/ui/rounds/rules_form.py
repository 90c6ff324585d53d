"""The logic of the round-rules dialog, without widgets: read what the user typed, say what
is wrong next to which field, and build the ``RoundRules`` to save.

Field keys (also the keys of ``RulesCheck.errors``): ``deadline``, ``late_penalty``,
``thresholds``, ``reason``; ``holiday`` is the key of the "add a holiday" inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from ...domain.collation import nfc
from ...domain.dates import DateFormatError, Holiday, format_date, parse_date
from ...domain.lateness import deadlines
from ...domain.numbers import NumberFormatError, parse_decimal
from ...domain.rules import RoundRules, Thresholds

MAX_GRACE_DAYS = 60  # the service refuses more (services.rounds.update_rules)
MAX_DECIMALS = 2  # points and percentages are kept with two decimals


class FieldError(ValueError):
    """What is wrong with one field, as a Vietnamese sentence for the label beside it."""


def format_number(value: Decimal) -> str:
    """'85', '85,5', '100' — a setting as the user would type it (decimal comma)."""
    return f"{value.normalize():f}".replace(".", ",")


def parse_deadline(text: str, year: int) -> date:
    """The deadline typed dd/MM/yyyy; it must fall in the round's year (Điều 6.1)."""
    if not text.strip():
        raise FieldError("Chưa nhập hạn gửi phiếu (dd/MM/yyyy).")
    try:
        day = parse_date(text)
    except DateFormatError as exc:
        raise FieldError(str(exc)) from None
    if day.year != year:
        raise FieldError(f"Hạn gửi phiếu phải nằm trong năm {year}.")
    return day


def parse_amount(text: str, what: str) -> Decimal:
    """A non-negative number typed with a decimal comma ('100', '85,5'); a trailing '%' is
    allowed. ``what`` names the field in the message ('Điểm trừ', 'Ngưỡng Khá')."""
    raw = text.strip().removesuffix("%").strip()
    if not raw:
        raise FieldError(f"{what}: chưa nhập số.")
    try:
        value = parse_decimal(raw)
    except NumberFormatError:
        raise FieldError(
            f"{what}: '{text.strip()}' không phải là số (ví dụ 85 hoặc 85,5)."
        ) from None
    if value < 0:
        raise FieldError(f"{what} không được âm.")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise FieldError(f"{what}: chỉ ghi tối đa {MAX_DECIMALS} chữ số thập phân.")
    return value


def parse_thresholds(good: str, fair: str, average: str) -> Thresholds:
    """The three thresholds in percent; they must rise: 0 < Trung bình < Khá < Tốt ≤ 100
    (Điều 8.1)."""
    values = [
        parse_amount(good, "Ngưỡng Tốt"),
        parse_amount(fair, "Ngưỡng Khá"),
        parse_amount(average, "Ngưỡng Trung bình"),
    ]
    g, f, a = values
    if g > 100:
        raise FieldError("Ngưỡng Tốt không được quá 100 %.")
    if not Decimal(0) < a < f < g:
        raise FieldError(
            "Các ngưỡng phải tăng dần: 0 < Trung bình < Khá < Tốt ≤ 100 "
            f"(đang là Trung bình {format_number(a)}, Khá {format_number(f)}, "
            f"Tốt {format_number(g)})."
        )
    return Thresholds(good=g, fair=f, average=a)


def parse_holiday(date_text: str, name: str, existing: Iterable[Holiday], year: int) -> Holiday:
    """A holiday to add. Its year is the round's or the next (a grace period that starts
    late in December ends in January); its day must not be listed already."""
    if not date_text.strip():
        raise FieldError("Nhập ngày nghỉ (dd/MM/yyyy).")
    try:
        day = parse_date(date_text)
    except DateFormatError as exc:
        raise FieldError(str(exc)) from None
    if day.year not in (year, year + 1):
        raise FieldError(f"Ngày nghỉ phải thuộc năm {year} hoặc năm {year + 1}.")
    for holiday in existing:
        if holiday.day == day:
            raise FieldError(f"Ngày {format_date(day)} đã có trong danh sách ({holiday.name}).")
    clean = " ".join(nfc(name).split())
    if not clean:
        raise FieldError("Nhập tên ngày nghỉ (ví dụ: Nghỉ bù Quốc khánh).")
    return Holiday(day, clean)


def sorted_holidays(holidays: Iterable[Holiday]) -> tuple[Holiday, ...]:
    """By date: the order the store keeps them in, so that a mere reordering is no change."""
    return tuple(sorted(holidays, key=lambda h: h.day))


@dataclass(frozen=True)
class RulesInput:
    """What the dialog's fields hold, as typed."""

    deadline: str
    grace_days: int
    late_penalty: str
    good: str
    fair: str
    average: str
    shift_to_working_day: bool
    holidays: Sequence[Holiday] = ()
    reason: str = ""

    @classmethod
    def from_rules(cls, rules: RoundRules) -> RulesInput:
        """The fields filled with stored rules."""
        t = rules.thresholds
        return cls(
            deadline=format_date(rules.deadline),
            grace_days=rules.grace_days,
            late_penalty=format_number(rules.late_penalty),
            good=format_number(t.good),
            fair=format_number(t.fair),
            average=format_number(t.average),
            shift_to_working_day=rules.shift_to_working_day,
            holidays=sorted_holidays(rules.holidays),
        )


@dataclass(frozen=True)
class RulesCheck:
    """The outcome of reading the fields: the rules (None while any field is wrong), the
    error of each wrong field, and whether anything differs from the stored rules."""

    rules: RoundRules | None
    errors: dict[str, str] = field(default_factory=dict)
    changed: bool = False
    preview: str = ""  # the "Hạn áp dụng: …" line; empty while the deadline is wrong

    @property
    def valid(self) -> bool:
        return self.rules is not None


def _comparable(rules: RoundRules) -> tuple[object, ...]:
    t = rules.thresholds
    return (
        rules.deadline, rules.grace_days, rules.late_penalty, t.good, t.fair, t.average,
        rules.shift_to_working_day, sorted_holidays(rules.holidays),
    )  # fmt: skip


def rules_changed(before: RoundRules, after: RoundRules) -> bool:
    """Whether saving ``after`` over ``before`` changes anything the dialog edits."""
    return _comparable(before) != _comparable(after)


def applied_deadline_text(rules: RoundRules) -> str:
    """'Hạn áp dụng: 16/11/2020 (15/11/2020 là Chủ nhật); gửi trễ đến hết 23/11/2020
    (21/11/2020 là Thứ Bảy)' — the dates the working-day rule actually gives."""
    d = deadlines(rules)
    text = f"Hạn áp dụng: {format_date(d.effective)}"
    if d.effective != d.nominal:
        text += f" ({format_date(d.nominal)} là {d.nominal_reason})"
    if rules.grace_days == 0:
        return text + "; không nhận phiếu gửi trễ"
    text += f"; gửi trễ đến hết {format_date(d.grace_end)}"
    if d.grace_end != d.grace_nominal:
        text += f" ({format_date(d.grace_nominal)} là {d.grace_reason})"
    return text


def check_rules(original: RoundRules, typed: RulesInput) -> RulesCheck:
    """Read every field; collect the error of each wrong one. The reason is not checked
    here: it is needed only when saving a change (see ``reason_error``)."""
    errors: dict[str, str] = {}
    deadline: date | None = None
    penalty: Decimal | None = None
    thresholds: Thresholds | None = None
    try:
        deadline = parse_deadline(typed.deadline, original.year)
    except FieldError as exc:
        errors["deadline"] = str(exc)
    try:
        penalty = parse_amount(typed.late_penalty, "Điểm trừ")
    except FieldError as exc:
        errors["late_penalty"] = str(exc)
    try:
        thresholds = parse_thresholds(typed.good, typed.fair, typed.average)
    except FieldError as exc:
        errors["thresholds"] = str(exc)
    grace = min(max(typed.grace_days, 0), MAX_GRACE_DAYS)
    holidays = sorted_holidays(typed.holidays)
    preview = ""
    if deadline is not None:
        timing = replace(
            original,
            deadline=deadline,
            grace_days=grace,
            shift_to_working_day=typed.shift_to_working_day,
            holidays=holidays,
        )
        preview = applied_deadline_text(timing)
    if deadline is None or penalty is None or thresholds is None:
        return RulesCheck(None, errors, preview=preview)
    rules = replace(
        original,
        deadline=deadline,
        grace_days=grace,
        late_penalty=penalty,
        thresholds=thresholds,
        shift_to_working_day=typed.shift_to_working_day,
        holidays=holidays,
    )
    return RulesCheck(rules, errors, rules_changed(original, rules), preview)


def reason_error(check: RulesCheck, reason: str) -> str | None:
    """The audit keeps a reason for every change of a round's rules."""
    if check.changed and not nfc(reason).strip():
        return "Cần ghi lý do thay đổi (ví dụ: theo Thông báo nghỉ bù số …)."
    return None
