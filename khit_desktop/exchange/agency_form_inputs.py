"""The input cells of a blank Phiếu đánh giá (written by ``agency_form_write``).

Each input cell is yellow and unlocked on the otherwise protected sheet, and carries a data
validation whose prompt says what it accepts and whose refusal repeats it; option lists too
long for an inline list go to the hidden "Danh mục" sheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.criteria import Criterion, RuleKind
from .agency_form import (
    INLINE_LIST_LIMIT,
    INPUT_FILL,
    LISTS_SHEET,
    NO,
    NO_INPUT_FILL,
    TEXT_FORMAT,
    YES,
)
from .xlsx_common import THIN_BORDER, cell_font, clean_text, plain_number, set_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

_UNLOCKED = Protection(locked=False)


def _check(kind: str, operator: str | None, title: str, prompt: str) -> dict[str, Any]:
    """A data validation spec: the prompt shows on the cell, and a refusal repeats it."""
    spec: dict[str, Any] = {
        "type": kind,
        "formula1": "0",
        "promptTitle": title,
        "prompt": prompt[:255],
        "errorTitle": "Giá trị không hợp lệ",
        "error": prompt[:255],
    }
    if operator:
        spec["operator"] = operator
    return spec


_WHOLE_CHECK = _check("whole", "greaterThanOrEqual", "Số liệu", "Nhập số nguyên không âm.")
_GENERAL_CHECK = _check("whole", "greaterThanOrEqual", "Số liệu chung", "Nhập số nguyên không âm.")
_DECIMAL_CHECK = _check("decimal", "greaterThanOrEqual", "Số liệu", "Nhập số không âm.")
_YES_NO_CHECK = {**_check("list", None, "Số liệu", f"Chọn {YES} hoặc {NO}."),
                 "formula1": f'"{YES},{NO}"'}  # fmt: skip
_LIST_CHECK = _check("list", None, "Số liệu", "Chọn một phương án trong danh sách.")


class InputCells:
    """The input cells of one form sheet; one validation object per distinct check."""

    def __init__(self, wb: Workbook, ws: Worksheet) -> None:
        self.wb = wb
        self.ws = ws
        self.lists: Worksheet | None = None
        self.list_count = 0
        self.validations: dict[tuple[Any, ...], DataValidation] = {}

    def general(self, cell: Any) -> None:
        """The input of a general datum: a whole number, not negative."""
        self.unlock(cell)
        self.validate(("general",), cell, **_GENERAL_CHECK)

    def unlock(self, cell: Any, *, text: bool = False) -> None:
        """Yellow and unlocked; ``text``: the cell keeps what is typed as text."""
        cell.fill = PatternFill("solid", fgColor=INPUT_FILL)
        cell.protection = _UNLOCKED
        cell.border = THIN_BORDER
        cell.font = cell_font()
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.number_format = TEXT_FORMAT if text else "General"

    def validate(self, key: tuple[Any, ...], cell: Any, **spec: Any) -> None:
        """Add ``cell`` to the validation ``key`` (one rule object per distinct check)."""
        validation = self.validations.get(key)
        if validation is None:
            validation = DataValidation(
                allow_blank=True, showErrorMessage=True, showInputMessage=True, **spec
            )
            self.ws.add_data_validation(validation)
            self.validations[key] = validation
        validation.add(cell)

    def leaf(self, leaf: Criterion, figure: Any, points: Any) -> None:
        """The "Số liệu" and "Điểm tự chấm" cells of a leaf, checked as its rule asks."""
        assert leaf.rule is not None
        rule, maximum = leaf.rule, plain_number(leaf.max_points).replace(".", ",")
        key: tuple[Any, ...]
        self.unlock(points)
        prompt = f"Từ 0 đến {maximum} điểm, tối đa 2 chữ số thập phân."
        spec = _check("decimal", "between", "Điểm tự chấm", prompt)
        spec["formula2"] = plain_number(leaf.max_points)
        self.validate(("points", leaf.max_points), points, **spec)
        if rule.kind is RuleKind.TYPED:
            figure.fill = PatternFill("solid", fgColor=NO_INPUT_FILL)
            return
        self.unlock(figure, text=rule.kind is RuleKind.RATIO and not rule.denominator)
        match rule.kind:
            case RuleKind.YES_NO:
                key, spec = ("yes_no",), _YES_NO_CHECK
            case RuleKind.OPTIONS:
                key, spec = ("options", leaf.code), {**_LIST_CHECK}
                spec["formula1"] = self._option_list(leaf)
            case RuleKind.RATIO if not rule.denominator:
                key = ("fraction", figure.coordinate)
                spec = _check("custom", None, "Tỷ lệ a/b", "Gõ a/b, ví dụ 45/50 (b > 0, a ≤ b).")
                spec["formula1"] = f'ISNUMBER(FIND("/",{figure.coordinate}))'
            case RuleKind.TIERS | RuleKind.NORMALISED:
                key, spec = ("decimal",), _DECIMAL_CHECK
            case _:  # RATIO over a general datum (the numerator), PER_ITEM, DEDUCTION
                key, spec = ("whole",), _WHOLE_CHECK
        self.validate(key, figure, **spec)

    def _option_list(self, leaf: Criterion) -> str:
        """Inline '"a,b,c"' when Excel allows it, else a range of the hidden "Danh mục"."""
        assert leaf.rule is not None
        labels = [clean_text(o.label) for o in leaf.rule.options]
        inline = ",".join(labels)
        if len(inline) <= INLINE_LIST_LIMIT and all("," not in x and '"' not in x for x in labels):
            return f'"{inline}"'
        if self.lists is None:
            self.lists = self.wb.create_sheet(LISTS_SHEET)
            self.lists.sheet_state = "hidden"
            self.lists.protection.sheet = True
        self.list_count += 1
        column = self.list_count
        sheet = self.lists
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 40
        header = sheet.cell(row=1, column=column)
        set_text(header, f"Tiêu chí {leaf.code}")
        header.font = cell_font(bold=True)
        for offset, label in enumerate(labels, start=2):
            cell = sheet.cell(row=offset, column=column)
            set_text(cell, label)
            cell.font = cell_font()
        last = len(labels) + 1
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"
