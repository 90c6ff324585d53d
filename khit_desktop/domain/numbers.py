"""Exact points and percentages (điểm, tỷ lệ phần trăm) in Decimal, and how users read them.

Every score is a ``Decimal`` quantised to two decimals, rounded half up; percentages shown to
users are rounded *down* so that a printed figure never contradicts the classification beside
it (849,99 of 1.000 reads 84,99 %, Khá — never 85,00 %).
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


_NUMBER_CHARS = re.compile(r"^[+-]?[0-9.,]+$")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d*)?$")


class NumberFormatError(ValueError):
    """A text that is not a number a user may type."""


def points(value: Decimal | int | str) -> Decimal:
    """Quantise a score to two decimals, rounding half up (0,005 → 0,01)."""
    if isinstance(value, float):  # pragma: no cover - guarded by type hints and tests
        raise TypeError("scores are never floats")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_floor(score: Decimal, maximum: Decimal) -> Decimal:
    """Score as a percentage of ``maximum``, rounded down to two decimals."""
    if maximum <= 0:
        raise ValueError("maximum must be positive")
    return (score * HUNDRED / maximum).quantize(CENT, rounding=ROUND_DOWN)


def parse_decimal(text: str) -> Decimal:
    """Read a number as a Vietnamese user types it: '842,5', '1.000', '1.000,25', '842.5'.

    A comma is the decimal separator; dots are thousands separators when a comma is present or
    when they group exactly three digits ('1.000'); otherwise a single dot is a decimal point.
    """
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    if not raw:
        raise NumberFormatError("Chưa nhập số.")
    if not _NUMBER_CHARS.match(raw):
        raise NumberFormatError(f"'{text}' không phải là số hợp lệ.")
    if "," in raw:
        if raw.count(",") > 1:
            raise NumberFormatError(f"'{text}' không phải là số hợp lệ.")
        raw = raw.replace(".", "").replace(",", ".")
    elif raw.count(".") > 1:
        if not _GROUPED.match(raw.lstrip("+-")):
            raise NumberFormatError(f"'{text}' không phải là số hợp lệ.")
        raw = raw.replace(".", "")
    elif _is_thousands_grouping(raw):
        raw = raw.replace(".", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise NumberFormatError(f"'{text}' không phải là số hợp lệ.") from None
    if not value.is_finite():
        raise NumberFormatError(f"'{text}' không phải là số hợp lệ.")
    return value


def _is_thousands_grouping(raw: str) -> bool:
    body = raw.lstrip("+-")
    parts = body.split(".")
    return len(parts) == 2 and parts[0].isdigit() and len(parts[1]) == 3 and parts[0] != "0"


def format_points(value: Decimal, decimals: int = 2) -> str:
    """Vietnamese display: thousands dot, decimal comma ('1.000,00', '842,50')."""
    quantum = Decimal(1).scaleb(-decimals)
    q = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    integer, _, fraction = f"{abs(q):f}".partition(".")
    groups: list[str] = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = sign + ".".join(groups)
    return f"{text},{fraction}" if decimals > 0 else text


def format_percent(value: Decimal) -> str:
    """'84,99 %' (value already a percentage, already rounded as wanted)."""
    return f"{format_points(value)} %"


def to_json_number(value: Decimal) -> str:
    """Machine form: two decimals with a dot ('842.50')."""
    return f"{points(value):f}"
