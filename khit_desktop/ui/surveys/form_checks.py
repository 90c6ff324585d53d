"""Reading what a clerk typed into the survey and council dialogs, field by field.

Each check writes one Vietnamese sentence per field into ``errors`` (shown next to that
field) and returns the value, or None when the field cannot be read. No widget here: these
and the forms built on them are tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from ...domain.dates import DateFormatError, format_date, parse_date
from ...domain.numbers import NumberFormatError, format_points, parse_decimal

T = TypeVar("T")
CENT = Decimal("0.01")


@dataclass
class Checked(Generic[T]):
    """The result of checking a form once: errors by field, or the data to save."""

    errors: dict[str, str] = field(default_factory=dict)
    data: T | None = None
    notes: dict[str, str] = field(default_factory=dict)  # what saving will do, not errors

    @property
    def valid(self) -> bool:
        return not self.errors and self.data is not None


def read_date(
    text: str,
    key: str,
    what: str,
    errors: dict[str, str],
    *,
    year: int | None = None,
    today: date | None = None,
) -> date | None:
    """A required date typed dd/MM/yyyy; not before the round's ``year``, not after ``today``."""
    if not text.strip():
        errors[key] = f"Nhập {what} (dd/MM/yyyy)."
        return None
    try:
        value = parse_date(text)
    except DateFormatError as exc:
        errors[key] = str(exc)
        return None
    if year is not None and value.year < year:
        errors[key] = f"{what.capitalize()} {format_date(value)} trước năm {year} của kỳ đánh giá."
        return None
    if today is not None and value > today:
        errors[key] = (
            f"{what.capitalize()} {format_date(value)} ở sau ngày hôm nay ({format_date(today)})."
        )
        return None
    return value


def read_points(
    text: str, key: str, maximum: Decimal, errors: dict[str, str], *, required: bool
) -> Decimal | None:
    """Points typed with a decimal comma or dot, between 0 and ``maximum``, two decimals."""
    if not text.strip():
        if required:
            errors[key] = f"Nhập số điểm (từ 0 đến {format_points(maximum)}, ví dụ 12,5)."
        return None
    try:
        value = parse_decimal(text)
    except NumberFormatError as exc:
        errors[key] = f"{exc} Gõ số điểm, ví dụ 12,5."
        return None
    if value < 0 or value > maximum:
        errors[key] = (
            f"Điểm {format_points(value)} ngoài khoảng 0 đến {format_points(maximum)} của tiêu chí."
        )
        return None
    if value != value.quantize(CENT):
        errors[key] = "Điểm chỉ có tối đa 2 chữ số thập phân (ví dụ 12,25)."
        return None
    return value.quantize(CENT)
