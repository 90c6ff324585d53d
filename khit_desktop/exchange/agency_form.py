"""Phiếu đánh giá as an Excel workbook that an agency fills in (tự đánh giá), and its layout.

The workbook has three sheets:

* "Phiếu đánh giá": the title, the agency, its group and the deadline (Điều 6.1), block
  "I. SỐ LIỆU CHUNG" (one input per general datum) and block "II. ĐIỂM TỰ ĐÁNH GIÁ" (one row
  per criterion in tree order). Only the yellow input cells are unlocked; the sheet is
  protected *without* a password, so a clerk can lift it (Xem lại → Bỏ bảo vệ trang tính).
  Parents and the total are Excel formulas, so the agency sees its total while typing;
  the program never reads them back (it rescores from the inputs).
* "Danh mục" (hidden, only when needed): option lists too long for an inline list.
* "_khit" (very hidden): the identity of the form and the row of every code, so that the
  reader (``agency_form_reader``) never guesses positions from the visible text.

Written like the register (``register_xlsx``): Times New Roman 11, user text forced to text
cells, saved atomically.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from ..domain.collation import nfc
from ..domain.criteria import Criterion, FormTree, GeneralField, RuleKind
from ..domain.dates import format_date
from ..domain.form_spec import form_checksum
from ..domain.rule_syntax import ParentRule, format_rule
from .register_xlsx import FONT_NAME, FONT_SIZE, _save_atomically, _set_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMAT_VERSION = "khit-phieu-1"
FORM_SHEET = "Phiếu đánh giá"
LISTS_SHEET = "Danh mục"
META_SHEET = "_khit"

# (header, width in characters): the header cells the reader and the clerks rely on.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("Mã tiêu chí", 8.5),
    ("Nội dung tiêu chí", 50),
    ("Điểm tối đa", 8),
    ("Cách tính điểm", 24),
    ("Số liệu", 14),
    ("Điểm tự chấm", 10),
    ("Tài liệu kiểm chứng", 26),
)
HEADERS = tuple(header for header, _ in COLUMNS)
COL_CODE, COL_TITLE, COL_MAX, COL_RULE, COL_FIGURE, COL_POINTS, COL_EVIDENCE = range(1, 8)
GENERAL_COLUMN = COL_FIGURE  # the general data's input cells line up with "Số liệu"
LAST_COLUMN = get_column_letter(len(COLUMNS))

YES, NO = "Có", "Không"
INPUT_FILL = "FFFF99"  # yellow: type here
NO_INPUT_FILL = "D9D9D9"  # grey: nothing to type ("nhập" rules: the points are the figure)
HEADER_FILL = "D9D9D9"
AREA_FILL = "F2F2F2"
HINT_COLOUR = "404040"
POINTS_FORMAT = "0.00"
TEXT_FORMAT = "@"  # "a/b" stays text: Excel would turn 3/4 into a date
INLINE_LIST_LIMIT = 250  # Excel refuses inline lists over 255 characters
MAX_FROZEN_ROWS = 16  # freezing more rows than this would leave little room on a laptop

# _khit: rows (kind, key, value); the reader looks keys up, never positions.
META, CRITERION, GENERAL = "meta", "criterion", "general"
META_KEYS = (
    "format",
    "year",
    "agency_code",
    "agency_name",
    "group",
    "group_name",
    "form_id",
    "form_version",
    "form_name",
    "checksum",
    "deadline",
    "generated_at",
    "sheet",
    "header_row",
    "figure_column",
    "points_column",
    "general_column",
)

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
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


@dataclass(frozen=True, slots=True)
class FormIdentity:
    """Which form this is: for whom, which year, which criteria set (and its fingerprint)."""

    year: int
    agency_code: str
    agency_name: str
    group: int
    group_name: str
    form_id: int
    form_version: int
    form_name: str
    checksum: str  # form_checksum of the tree
    deadline: date

    @property
    def file_name(self) -> str:
        """'Phieu-2020-STTTT.xlsx': ASCII, safe as a Windows file name."""
        return f"Phieu-{self.year}-{ascii_code(self.agency_code)}.xlsx"


def ascii_code(code: str) -> str:
    """An agency code as a file-name part: no diacritics, only letters, digits, '-' '_' '.'."""
    folded = unicodedata.normalize("NFD", nfc(code).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", plain).strip("-.")
    return safe or "khong-ma"


def write_blank_form(
    tree: FormTree,
    identity: FormIdentity,
    path: str | os.PathLike[str],
    *,
    generated_at: datetime | None = None,
) -> Path:
    """Write the blank form of one agency to ``path`` (.xlsx) and return the path.

    Raises ValueError for a name not ending in .xlsx, or an identity whose checksum is not
    the tree's (the file would then be read against another criteria set).
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(
            f"Tệp '{target.name}' không phải tệp Excel .xlsx. Hãy chọn tên tệp có đuôi .xlsx."
        )
    workbook = build_blank_form(tree, identity, generated_at=generated_at)
    _save_atomically(workbook, target)
    return target


def write_blank_forms(
    tree: FormTree,
    identities: Iterable[FormIdentity],
    folder: str | os.PathLike[str],
    *,
    generated_at: datetime | None = None,
) -> list[Path]:
    """One blank form per agency (a whole group) in ``folder``, named ``Phieu-{year}-{code}``.

    Raises ValueError before writing anything when two agencies would get the same file name
    (Windows compares names without case).
    """
    chosen = list(identities)
    seen: dict[str, str] = {}
    for identity in chosen:
        key = identity.file_name.casefold()
        if key in seen:
            raise ValueError(
                f"Hai cơ quan có cùng tên tệp '{identity.file_name}' (mã '{seen[key]}' và "
                f"'{identity.agency_code}'). Hãy sửa mã cơ quan cho khác nhau."
            )
        seen[key] = identity.agency_code
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    stamp = generated_at or datetime.now(UTC)
    return [
        write_blank_form(tree, identity, target / identity.file_name, generated_at=stamp)
        for identity in chosen
    ]


def build_blank_form(
    tree: FormTree, identity: FormIdentity, *, generated_at: datetime | None = None
) -> Workbook:
    """The blank form as an openpyxl workbook, not yet saved."""
    if identity.checksum != form_checksum(tree):
        raise ValueError(
            f"Thông tin phiếu của '{identity.agency_name}' ghi mã kiểm tra khác với bộ tiêu chí "
            "đang xuất; hãy xuất lại từ đúng bộ tiêu chí."
        )
    stamp = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    return _FormWriter(tree, identity, stamp).build()


def _font(*, bold: bool = False, italic: bool = False, size: float = FONT_SIZE) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


def plain_number(value: Decimal) -> str:
    """'30', '12.5': a Decimal as Excel formulas and validations write it (dot, no exponent)."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", nfc(text)).strip()


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (estimate: Times New
    Roman is narrower than the width unit, so about 1.2 characters per unit)."""
    per_line = max(int(width * 1.2), 1)
    return sum(max(math.ceil(len(part) / per_line), 1) for part in text.split("\n"))


def figure_hint(leaf: Criterion, general: dict[str, GeneralField]) -> str:
    """What to type in "Số liệu", shown under the title ('Số liệu: a / Tổng số CBCCVC …')."""
    rule = leaf.rule
    label = _clean(leaf.input_label)
    about = f" ({label})" if label else ""
    if rule is None:
        return ""
    match rule.kind:
        case RuleKind.TYPED:
            return "Không có số liệu: nhập thẳng điểm vào ô Điểm tự chấm."
        case RuleKind.YES_NO:
            return f"Số liệu: chọn {YES} hoặc {NO}{about}."
        case RuleKind.OPTIONS:
            return f"Số liệu: chọn một phương án{about}."
        case RuleKind.RATIO if rule.denominator:
            field = general.get(rule.denominator)
            below = field.label if field else rule.denominator
            numerator = label.split(" / ")[0].strip() if label else ""
            named = f"; a là {numerator}" if numerator else ""
            return f"Số liệu: a / {below} (mục I, mã {rule.denominator}){named}. Nhập a."
        case RuleKind.RATIO:
            return f"Số liệu: nhập a/b, ví dụ 45/50{about}."
        case RuleKind.TIERS | RuleKind.NORMALISED:
            return f"Số liệu: số không âm{about}."
        case RuleKind.PER_ITEM | RuleKind.DEDUCTION:
            return f"Số liệu: số nguyên không âm{about}."
    raise AssertionError(rule.kind)  # pragma: no cover


INSTRUCTION = (
    "Nhập số liệu và điểm tự chấm vào các ô màu vàng; các ô khác đã khóa. Điểm tiêu chí cha "
    "và tổng điểm tự tính. Điểm tự chấm từ 0 đến điểm tối đa, tối đa 2 chữ số thập phân. "
    "Không chèn, xóa dòng và không sửa mã tiêu chí (xem ghi chú ở ô này)."
)
INSTRUCTION_NOTE = (
    "Cách nhập cột Số liệu:\n"
    "- Có/Không: chọn trong danh sách (cũng nhận co, khong, x).\n"
    "- Chọn phương án: chọn trong danh sách.\n"
    "- Tỷ lệ có mẫu số ở mục I: nhập tử số a (số nguyên ≥ 0); mẫu số lấy ở Số liệu chung.\n"
    "- Tỷ lệ a/b: gõ a/b, ví dụ 45/50 (ô định dạng Văn bản để Excel không đổi thành ngày; "
    "chỉ kiểm tra có dấu /); cần b > 0 và a ≤ b.\n"
    "- Bậc, chuẩn hóa: số ≥ 0. Số mục, số lần: số nguyên ≥ 0.\n"
    "- Tiêu chí nhập điểm: ô Số liệu màu xám, nhập điểm vào ô Điểm tự chấm.\n"
    "Trang tính được khóa không mật khẩu: Xem lại → Bỏ bảo vệ trang tính "
    "(Review → Unprotect Sheet) khi thật cần; không chèn, xóa dòng."
)


class _FormWriter:
    """Writes one blank form; keeps the row of every code for the _khit map."""

    def __init__(self, tree: FormTree, identity: FormIdentity, generated_at: str) -> None:
        self.tree = tree
        self.identity = identity
        self.generated_at = generated_at
        self.general = {g.code: g for g in tree.general}
        self.wb = Workbook()
        ws = self.wb.active
        assert ws is not None
        ws.title = FORM_SHEET
        self.ws: Worksheet = ws
        self.lists: Worksheet | None = None
        self.list_count = 0
        self.validations: dict[tuple[Any, ...], DataValidation] = {}
        self.criterion_rows: dict[str, int] = {}
        self.general_rows: dict[str, int] = {}

    def build(self) -> Workbook:
        ws, identity = self.ws, self.identity
        self.wb.properties.title = f"Phiếu đánh giá năm {identity.year} — {identity.agency_name}"
        self.wb.properties.creator = "KHIT Desktop"
        for index, (_, width) in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        row = self._titles()
        if self.tree.general:  # block I only when the form asks for general data
            row = self._general_block(row + 1)
        header_row = self._criteria_header(row + 1)
        last = self._criteria(header_row + 1)
        last = self._totals(last + 1)
        last = self._signatures(last + 2)
        self._page_setup(header_row, last)
        self._protect()
        self._meta(header_row)
        return self.wb

    # ---- cells ---------------------------------------------------------------------------

    def _put(self, row: int, column: int, value: Any, **style: Any) -> Any:
        cell = self.ws.cell(row=row, column=column)
        if isinstance(value, str):
            _set_text(cell, value)
        else:
            cell.value = value
        cell.font = style.pop("font", _font())
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def _line(self, row: int, text: str, font: Font, *, height: float = 17) -> Any:
        cell = self._put(
            row, 1, text, font=font, alignment=Alignment(vertical="center", wrap_text=True)
        )
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        self.ws.row_dimensions[row].height = height
        return cell

    def _input(self, cell: Any, *, text: bool = False) -> None:
        cell.fill = PatternFill("solid", fgColor=INPUT_FILL)
        cell.protection = _UNLOCKED
        cell.border = _BORDER
        cell.font = _font()
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.number_format = TEXT_FORMAT if text else "General"

    def _validate(self, key: tuple[Any, ...], cell: Any, **spec: Any) -> None:
        """Add ``cell`` to the validation ``key`` (one rule object per distinct check)."""
        validation = self.validations.get(key)
        if validation is None:
            validation = DataValidation(
                allow_blank=True, showErrorMessage=True, showInputMessage=True, **spec
            )
            self.ws.add_data_validation(validation)
            self.validations[key] = validation
        validation.add(cell)

    # ---- blocks --------------------------------------------------------------------------

    def _titles(self) -> int:
        identity = self.identity
        title = f"PHIẾU ĐÁNH GIÁ XẾP LOẠI MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM {identity.year}"
        cell = self._line(1, title, _font(bold=True, size=13), height=22)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        self._line(
            2,
            f"Cơ quan, đơn vị: {_clean(identity.agency_name)} (mã {_clean(identity.agency_code)})",
            _font(bold=True),
        )
        group = f"Nhóm {identity.group}" + (
            f": {_clean(identity.group_name)}" if identity.group_name.strip() else ""
        )
        form = f"{_clean(identity.form_name)}, phiên bản {identity.form_version}"
        self._line(3, f"{group}. Bộ tiêu chí: {form}", _font())
        self._line(
            4,
            f"Hạn gửi phiếu: {format_date(identity.deadline)} (theo Điều 6.1 Quy định đánh giá, "
            "xếp loại mức độ ứng dụng công nghệ thông tin)",
            _font(),
        )
        note = self._line(5, INSTRUCTION, _font(italic=True), height=32)
        note.comment = Comment(INSTRUCTION_NOTE, "KHIT Desktop", width=460, height=260)
        return 5

    def _general_block(self, row: int) -> int:
        """Block I from ``row``; returns its last row."""
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        self._put(row, 1, "I. SỐ LIỆU CHUNG", font=_font(bold=True), fill=fill, border=_BORDER)
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=COL_RULE)
        self._put(
            row, GENERAL_COLUMN, "Số liệu", font=_font(bold=True), fill=fill, border=_BORDER,
            alignment=Alignment(horizontal="center"),
        )  # fmt: skip
        for field in self.tree.general:
            row += 1
            self.general_rows[field.code] = row
            self._put(row, COL_CODE, field.code, border=_BORDER,
                      alignment=Alignment(horizontal="center", vertical="center"))  # fmt: skip
            for column in range(COL_TITLE, COL_RULE + 1):
                self.ws.cell(row=row, column=column).border = _BORDER
            self._put(row, COL_TITLE, field.label, border=_BORDER,
                      alignment=Alignment(vertical="center", wrap_text=True))  # fmt: skip
            self.ws.merge_cells(
                start_row=row, start_column=COL_TITLE, end_row=row, end_column=COL_RULE
            )
            width = sum(w for _, w in COLUMNS[COL_TITLE - 1 : COL_RULE])
            self.ws.row_dimensions[row].height = 15.75 * _lines(field.label, width) + 2
            cell = self.ws.cell(row=row, column=GENERAL_COLUMN)
            self._input(cell)
            self._validate(("general",), cell, **_GENERAL_CHECK)
        return row

    def _criteria_header(self, row: int) -> int:
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        self._put(row, 1, "II. ĐIỂM TỰ ĐÁNH GIÁ", font=_font(bold=True), fill=fill, border=_BORDER)
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        row += 1
        for column, header in enumerate(HEADERS, start=1):
            self._put(
                row, column, header, font=_font(bold=True), fill=fill, border=_BORDER,
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            )  # fmt: skip
        self.ws.row_dimensions[row].height = 32
        return row

    def _criteria(self, first_row: int) -> int:
        """One row per criterion in tree order; returns the last row."""
        row = first_row - 1
        for node in self.tree.walk():
            row += 1
            self.criterion_rows[node.code] = row
        for node in self.tree.walk():
            self._criterion(self.criterion_rows[node.code], node)
        return row

    def _criterion(self, row: int, node: Criterion) -> None:
        depth = node.code.count(".")
        fill = PatternFill("solid", fgColor=AREA_FILL) if depth == 0 else PatternFill()
        bold = not node.is_leaf
        top = Alignment(vertical="top", wrap_text=True)
        self._put(row, COL_CODE, node.code, font=_font(bold=bold), border=_BORDER, fill=fill,
                  alignment=Alignment(horizontal="center", vertical="top"))  # fmt: skip
        title = self.ws.cell(row=row, column=COL_TITLE)
        hint = figure_hint(node, self.general) if node.is_leaf else ""
        if hint:
            title.value = self._title_text(node.title, hint, bold)
        else:
            _set_text(title, node.title)
        title.font = _font(bold=bold)
        title.border, title.fill = _BORDER, fill
        title.alignment = Alignment(vertical="top", wrap_text=True, indent=depth)
        self._put(row, COL_MAX, node.max_points, font=_font(bold=bold), border=_BORDER,
                  fill=fill, alignment=Alignment(horizontal="center", vertical="top"))  # fmt: skip
        phrase = format_rule(node.rule if node.rule else ParentRule(node.gate), node.max_points)
        self._put(row, COL_RULE, phrase, border=_BORDER, fill=fill, alignment=top)
        self._put(row, COL_EVIDENCE, node.evidence, border=_BORDER, fill=fill, alignment=top)
        figure = self.ws.cell(row=row, column=COL_FIGURE)
        points = self.ws.cell(row=row, column=COL_POINTS)
        figure.border = points.border = _BORDER
        figure.fill = points.fill = fill
        if node.is_leaf:
            self._leaf_inputs(node, figure, points)
        else:
            points.value = self._parent_formula(node)
            points.font = _font(bold=True)
            points.number_format = POINTS_FORMAT
            points.alignment = Alignment(horizontal="center", vertical="top")
        widths = {COL_TITLE: COLUMNS[1][1], COL_RULE: COLUMNS[3][1], COL_EVIDENCE: COLUMNS[6][1]}
        texts = {
            COL_TITLE: node.title + ("\n" + hint if hint else ""),
            COL_RULE: phrase,
            COL_EVIDENCE: node.evidence,
        }
        lines = max(_lines(texts[c], widths[c] - 1.5 * (depth if c == COL_TITLE else 0))
                    for c in widths)  # fmt: skip
        self.ws.row_dimensions[row].height = 15.75 * lines + 2

    @staticmethod
    def _title_text(title: str, hint: str, bold: bool) -> CellRichText:
        """The title, then the figure hint in grey italics on its own line (rich text)."""
        plain = InlineFont(rFont=FONT_NAME, sz=FONT_SIZE, b=bold)
        grey = InlineFont(rFont=FONT_NAME, sz=FONT_SIZE - 1, i=True, color=HINT_COLOUR)
        return CellRichText(TextBlock(plain, _clean(title) + "\n"), TextBlock(grey, _clean(hint)))

    def _leaf_inputs(self, leaf: Criterion, figure: Any, points: Any) -> None:
        assert leaf.rule is not None
        rule, maximum = leaf.rule, plain_number(leaf.max_points).replace(".", ",")
        key: tuple[Any, ...]
        self._input(points)
        prompt = f"Từ 0 đến {maximum} điểm, tối đa 2 chữ số thập phân."
        spec = _check("decimal", "between", "Điểm tự chấm", prompt)
        spec["formula2"] = plain_number(leaf.max_points)
        self._validate(("points", leaf.max_points), points, **spec)
        if rule.kind is RuleKind.TYPED:
            figure.fill = PatternFill("solid", fgColor=NO_INPUT_FILL)
            return
        self._input(figure, text=rule.kind is RuleKind.RATIO and not rule.denominator)
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
        self._validate(key, figure, **spec)

    def _option_list(self, leaf: Criterion) -> str:
        """Inline '"a,b,c"' when Excel allows it, else a range of the hidden "Danh mục"."""
        assert leaf.rule is not None
        labels = [_clean(o.label) for o in leaf.rule.options]
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
        _set_text(header, f"Tiêu chí {leaf.code}")
        header.font = _font(bold=True)
        for offset, label in enumerate(labels, start=2):
            cell = sheet.cell(row=offset, column=column)
            _set_text(cell, label)
            cell.font = _font()
        last = len(labels) + 1
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"

    def _parent_formula(self, node: Criterion) -> str:
        """=MIN(SUM(children), max); gated: 0 while the gate child scores 0."""
        column = get_column_letter(COL_POINTS)
        cells = ",".join(f"{column}{self.criterion_rows[c.code]}" for c in node.children)
        capped = f"MIN(SUM({cells}),{plain_number(node.max_points)})"
        if node.gate is None:
            return f"={capped}"
        gate = f"{column}{self.criterion_rows[node.gate]}"
        return f"=IF(N({gate})=0,0,{capped})"

    def _totals(self, row: int) -> int:
        """TỔNG CỘNG and the percentage of the maximum (rounded down, as the program shows)."""
        column = get_column_letter(COL_POINTS)
        areas = ",".join(f"{column}{self.criterion_rows[a.code]}" for a in self.tree.areas)
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        for r in (row, row + 1):
            for c in range(1, len(COLUMNS) + 1):
                cell = self.ws.cell(row=r, column=c)
                cell.border, cell.fill = _BORDER, fill
        self._put(row, COL_TITLE, "TỔNG CỘNG", font=_font(bold=True), fill=fill, border=_BORDER)
        self._put(row, COL_MAX, self.tree.max_points, font=_font(bold=True), fill=fill,
                  border=_BORDER, alignment=Alignment(horizontal="center"))  # fmt: skip
        total = self.ws.cell(row=row, column=COL_POINTS)
        total.value = f"=SUM({areas})"
        total.font = _font(bold=True)
        total.number_format = POINTS_FORMAT
        total.alignment = Alignment(horizontal="center")
        label = "Tỷ lệ so với điểm tối đa (%, làm tròn xuống)"
        self._put(row + 1, COL_TITLE, label, font=_font(italic=True), fill=fill, border=_BORDER)
        max_cell = f"{get_column_letter(COL_MAX)}{row}"
        percent = self.ws.cell(row=row + 1, column=COL_POINTS)
        percent.value = f"=ROUNDDOWN({column}{row}*100/{max_cell},2)"
        percent.font = _font(bold=True)
        percent.number_format = POINTS_FORMAT
        percent.alignment = Alignment(horizontal="center")
        return row + 1

    def _signatures(self, row: int) -> int:
        """Who made the form and the head of the agency sign under the table."""
        lines = (
            ("", "……, ngày …… tháng …… năm ……", _font(italic=True)),
            ("NGƯỜI LẬP PHIẾU", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", _font(bold=True)),
            ("(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)", _font(italic=True)),
        )
        centred = Alignment(horizontal="center")
        for offset, (left, right, font) in enumerate(lines):
            self._put(row + offset, COL_TITLE, left, font=font, alignment=centred)
            self._put(row + offset, COL_FIGURE, right, font=font, alignment=centred)
            self.ws.merge_cells(
                start_row=row + offset,
                start_column=COL_FIGURE,
                end_row=row + offset,
                end_column=COL_EVIDENCE,
            )
        return row + 6  # room to sign

    def _page_setup(self, header_row: int, last_row: int) -> None:
        """A4 landscape (seven columns with long texts), one page wide, header repeated."""
        ws = self.ws
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(
            left=0.5, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3
        )
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.print_area = f"A1:{LAST_COLUMN}{last_row}"
        if header_row <= MAX_FROZEN_ROWS:
            ws.freeze_panes = f"A{header_row + 1}"
        footer = f"Phiếu đánh giá năm {self.identity.year} — {_clean(self.identity.agency_code)}"
        ws.oddFooter.left.text = footer.replace("&", "&&")
        ws.oddFooter.left.font = FONT_NAME
        ws.oddFooter.right.text = "Trang &P/&N"
        ws.oddFooter.right.font = FONT_NAME
        ws.sheet_view.zoomScale = 100

    def _protect(self) -> None:
        """Locked without a password; columns and rows may be resized, cells formatted."""
        protection = self.ws.protection
        protection.sheet = True
        protection.formatCells = False  # False = allowed
        protection.formatColumns = False
        protection.formatRows = False
        protection.selectLockedCells = False
        protection.selectUnlockedCells = False
        # Sheets cannot be renamed, deleted or unhidden by accident (no password either).
        self.wb.security = WorkbookProtection(lockStructure=True)

    def _meta(self, header_row: int) -> None:
        identity = self.identity
        values: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "year": identity.year,
            "agency_code": identity.agency_code,
            "agency_name": identity.agency_name,
            "group": identity.group,
            "group_name": identity.group_name,
            "form_id": identity.form_id,
            "form_version": identity.form_version,
            "form_name": identity.form_name,
            "checksum": identity.checksum,
            "deadline": identity.deadline.isoformat(),
            "generated_at": self.generated_at,
            "sheet": FORM_SHEET,
            "header_row": header_row,
            "figure_column": COL_FIGURE,
            "points_column": COL_POINTS,
            "general_column": GENERAL_COLUMN,
        }
        rows: list[Sequence[Any]] = [(META, key, values[key]) for key in META_KEYS]
        rows += [(CRITERION, code, row) for code, row in self.criterion_rows.items()]
        rows += [(GENERAL, code, row) for code, row in self.general_rows.items()]
        sheet = self.wb.create_sheet(META_SHEET)
        for number, (kind, key, value) in enumerate(rows, start=1):
            for column, item in enumerate((kind, key, value), start=1):
                cell = sheet.cell(row=number, column=column)
                if isinstance(item, str):
                    _set_text(cell, item)
                else:
                    cell.value = item
        sheet.sheet_state = "veryHidden"
        sheet.protection.sheet = True
