"""The values of a filled Phiếu's input cells, as the reader (``agency_form_reader``) uses them.

Each function takes a cell's raw value (as openpyxl gives it) and returns what it means, or
raises ``BadCell`` saying, in Vietnamese, why it cannot be used. ``figure_answer`` reads a
leaf's "Số liệu" cell by the leaf's rule into the shapes of ``criteria.ANSWER_KEYS``.

Excel stores numbers as binary floats; a float is read through its shortest repr, rounded
to Excel's 15 significant digits, so 0.1 stays 0.1 and 12.35 stays 12.35.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ..domain.collation import fold_diacritics, nfc
from ..domain.criteria import Criterion, FormTree, RuleKind
from ..domain.numbers import NumberFormatError, parse_decimal
from .agency_form import NO, YES
from .xlsx_common import plain_number

EXCEL_DIGITS = 15  # Excel keeps 15 significant digits
_YES_WORDS = frozenset({"co", "x", "yes"})
_NO_WORDS = frozenset({"khong", "no"})
_CHECK_AB = "Hãy kiểm tra lại a và b (cần b > 0 và a ≤ b)."


class BadCell(Exception):
    """One cell's content is unusable: the reason and, when it is specific, what to do (in
    Vietnamese); otherwise the caller says what the cell expects."""

    def __init__(self, reason: str, advice: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.advice = advice

    def say(self, default_advice: str) -> str:
        return f"{self.reason}. {self.advice or default_advice}"


def figure_answer(
    leaf: Criterion, raw: Any, general: Mapping[str, Decimal | None], tree: FormTree
) -> dict[str, Any]:
    """The answer a figure cell gives, or ``BadCell`` saying why it cannot be used."""
    rule = leaf.rule
    assert rule is not None
    match rule.kind:
        case RuleKind.YES_NO:
            return {"yes": yes_no(raw)}
        case RuleKind.OPTIONS:
            return {"option": option_label(leaf, raw)}
        case RuleKind.RATIO if rule.denominator:
            a = count_value(raw)
            b = general.get(rule.denominator)
            label = next((g.label for g in tree.general if g.code == rule.denominator), "")
            if b is not None and b == 0:
                raise BadCell(
                    f"mẫu số {rule.denominator} ({label}) ở mục I bằng 0",
                    f"Hãy kiểm tra số liệu chung {rule.denominator}.",
                )
            if b is not None and a > b:
                raise BadCell(
                    f"tử số {shown(a)} lớn hơn mẫu số {rule.denominator} = {shown(b)} ({label})",
                    f"Hãy kiểm tra lại tử số và số liệu chung {rule.denominator}.",
                )
            return {"numerator": plain_number(a)}
        case RuleKind.RATIO:
            a, b = fraction(raw)
            return {"numerator": plain_number(a), "denominator": plain_number(b)}
        case RuleKind.TIERS | RuleKind.NORMALISED:
            value = decimal_value(raw)
            if value < 0:
                raise BadCell(f"số âm ({shown(value)})")
            return {"value": plain_number(value)}
        case RuleKind.PER_ITEM | RuleKind.DEDUCTION:
            return {"count": plain_number(count_value(raw))}
    raise AssertionError(rule.kind)  # pragma: no cover


# ---- one cell -------------------------------------------------------------------------


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def shown(value: Decimal) -> str:
    """How a number reads in a Vietnamese message: '12,35'."""
    return plain_number(value).replace(".", ",")


def from_float(value: float) -> Decimal:
    """The decimal a user typed, from the float Excel stored (15 significant digits)."""
    if not math.isfinite(value):
        raise BadCell(f"'{value}' không phải là số")
    exact = Decimal(repr(value))
    if exact and len(exact.as_tuple().digits) > EXCEL_DIGITS:
        quantum = Decimal(1).scaleb(exact.adjusted() - EXCEL_DIGITS + 1)
        exact = exact.quantize(quantum, rounding=ROUND_HALF_EVEN)
    return Decimal(plain_number(exact))


def decimal_value(raw: Any) -> Decimal:
    """A number cell: numbers as such, numbers typed as text ('12,5', '1.000') parsed as a
    Vietnamese user writes them; anything else is ``BadCell``."""
    if isinstance(raw, bool):
        raise BadCell(f"giá trị {'TRUE' if raw else 'FALSE'} không phải là số")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return from_float(raw)
    if isinstance(raw, Decimal):
        return Decimal(plain_number(raw))
    if isinstance(raw, datetime | date | time | timedelta):
        raise BadCell(
            f"Excel đã hiểu giá trị là ngày/giờ ({_when(raw)}), không phải số",
            "Hãy định dạng ô là Số (Number) rồi nhập lại.",
        )
    text = nfc(str(raw)).strip()
    try:
        return Decimal(plain_number(parse_decimal(text)))
    except NumberFormatError:
        raise BadCell(f"'{text}' không phải là số") from None


def count_value(raw: Any) -> Decimal:
    value = decimal_value(raw)
    if value < 0:
        raise BadCell(f"số âm ({shown(value)})")
    if value != value.to_integral_value():
        raise BadCell(f"{shown(value)} không phải số nguyên")
    return value


def whole_number(raw: Any) -> int:
    if is_empty(raw):
        raise BadCell("trống")
    value = decimal_value(raw)
    if value != value.to_integral_value():
        raise BadCell("không phải số nguyên")
    return int(value)


def code_text(raw: Any) -> str:
    """A code cell as text ('1.1'; a number that Excel made of '1.10' reads back '1.1')."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        return plain_number(from_float(raw))
    return nfc(str(raw)).strip()


def yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):  # TRUE/FALSE typed into the cell
        return raw
    word = fold_diacritics(str(raw)) if isinstance(raw, str) else ""
    if word in _YES_WORDS:
        return True
    if word in _NO_WORDS:
        return False
    raise BadCell(f"'{cell_text(raw)}' không phải {YES} hoặc {NO}")


def option_label(leaf: Criterion, raw: Any) -> str:
    """The option's label as the form spells it; case, and accents when unambiguous, may
    differ ('day du' → 'Đầy đủ')."""
    assert leaf.rule is not None
    labels = [o.label for o in leaf.rule.options]
    text = plain_number(from_float(raw)) if isinstance(raw, float) else cell_text(raw)
    exact = [label for label in labels if nfc(label).casefold() == text.casefold()]
    loose = [label for label in labels if fold_diacritics(label) == fold_diacritics(text)]
    chosen = exact or loose
    if len(chosen) == 1:
        return chosen[0]
    listed = "; ".join(labels)
    raise BadCell(f"phương án '{text}' không có trong danh sách ({listed})")


def fraction(raw: Any) -> tuple[Decimal, Decimal]:
    """'45/50' → (45, 50), with b > 0 and a ≤ b."""
    if isinstance(raw, datetime | date):
        raise BadCell(
            f"Excel đã đổi tỷ lệ thành ngày {raw:%d/%m/%Y}",
            "Hãy định dạng ô là Văn bản (Text) rồi gõ lại dạng a/b, ví dụ 45/50.",
        )
    text = cell_text(raw)
    parts = text.split("/")
    if not isinstance(raw, str) or len(parts) != 2:
        raise BadCell(f"'{text}' không đúng dạng a/b")
    try:
        a, b = (Decimal(plain_number(parse_decimal(part))) for part in parts)
    except NumberFormatError:
        raise BadCell(f"'{text}': a và b phải là số") from None
    if a < 0 or b < 0:
        raise BadCell(f"'{text}': a và b không được âm")
    if b == 0:
        raise BadCell(f"'{text}': mẫu số b bằng 0, không tính được tỷ lệ", _CHECK_AB)
    if a > b:
        raise BadCell(f"'{text}': tử số a lớn hơn mẫu số b (tỷ lệ không quá 1)", _CHECK_AB)
    return a, b


def cell_text(raw: Any) -> str:
    """A cell's value as the user would read it, for messages and text answers."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and math.isfinite(raw):
        return shown(from_float(raw))
    if isinstance(raw, int):
        return str(raw)
    return nfc(str(raw)).strip()


def _when(raw: date | time | timedelta) -> str:
    """A date or time Excel made of a number, as a Vietnamese user reads it."""
    if isinstance(raw, datetime):
        return f"{raw:%d/%m/%Y}" if raw.time() == time() else f"{raw:%d/%m/%Y %H:%M}"
    if isinstance(raw, date):
        return f"{raw:%d/%m/%Y}"
    return str(raw)
