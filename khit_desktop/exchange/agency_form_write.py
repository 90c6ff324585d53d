"""Writing the blank Phiếu đánh giá of an agency (the layout is ``agency_form``'s).

``write_blank_form`` writes one agency's form, ``write_blank_forms`` those of a whole group
into one folder; ``build_blank_form`` gives the workbook unsaved. Only the yellow input
cells are unlocked, with a data validation that says what they accept; parents and the
total are formulas; the "_khit" sheet records where every code was written.

Callers import these from ``agency_form``, which re-exports them by importing this module
at its end. This module (and ``agency_form_inputs``) imports the layout from there, so it
cannot be the first of them imported: import ``agency_form``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.page import PageMargins

from ..domain.criteria import Criterion, FormTree
from ..domain.dates import format_date
from ..domain.form_spec import form_checksum
from ..domain.rule_syntax import ParentRule, format_rule
from .agency_form import (
    AREA_FILL,
    COL_CODE,
    COL_EVIDENCE,
    COL_FIGURE,
    COL_MAX,
    COL_POINTS,
    COL_RULE,
    COL_TITLE,
    COLUMNS,
    FORM_SHEET,
    GENERAL_COLUMN,
    HEADER_FILL,
    HEADERS,
    HINT_COLOUR,
    INSTRUCTION,
    INSTRUCTION_NOTE,
    LAST_COLUMN,
    MAX_FROZEN_ROWS,
    META_SHEET,
    POINTS_FORMAT,
    FormIdentity,
    figure_hint,
    meta_rows,
)
from .agency_form_inputs import InputCells
from .xlsx_common import (
    FONT_NAME,
    FONT_SIZE,
    THIN_BORDER,
    cell_font,
    clean_text,
    landscape_one_page_wide,
    plain_number,
    put,
    save_atomically,
    set_text,
    wrapped_lines,
    xlsx_target,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


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
    target = xlsx_target(path)
    workbook = build_blank_form(tree, identity, generated_at=generated_at)
    save_atomically(workbook, target)
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
        self.inputs = InputCells(self.wb, ws)
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
        return put(self.ws, row, column, value, **style)

    def _line(self, row: int, text: str, font: Font, *, height: float = 17) -> Any:
        cell = self._put(
            row, 1, text, font=font, alignment=Alignment(vertical="center", wrap_text=True)
        )
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        self.ws.row_dimensions[row].height = height
        return cell

    # ---- blocks --------------------------------------------------------------------------

    def _titles(self) -> int:
        identity = self.identity
        title = f"PHIẾU ĐÁNH GIÁ XẾP LOẠI MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM {identity.year}"
        cell = self._line(1, title, cell_font(bold=True, size=13), height=22)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        agency = f"{clean_text(identity.agency_name)} (mã {clean_text(identity.agency_code)})"
        self._line(2, f"Cơ quan, đơn vị: {agency}", cell_font(bold=True))
        group = f"Nhóm {identity.group}" + (
            f": {clean_text(identity.group_name)}" if identity.group_name.strip() else ""
        )
        form = f"{clean_text(identity.form_name)}, phiên bản {identity.form_version}"
        self._line(3, f"{group}. Bộ tiêu chí: {form}", cell_font())
        self._line(
            4,
            f"Hạn gửi phiếu: {format_date(identity.deadline)} (theo Điều 6.1 Quy định đánh giá, "
            "xếp loại mức độ ứng dụng công nghệ thông tin)",
            cell_font(),
        )
        note = self._line(5, INSTRUCTION, cell_font(italic=True), height=32)
        note.comment = Comment(INSTRUCTION_NOTE, "KHIT Desktop", width=460, height=260)
        return 5

    def _general_block(self, row: int) -> int:
        """Block I from ``row``; returns its last row."""
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        self._put(
            row, 1, "I. SỐ LIỆU CHUNG", font=cell_font(bold=True), fill=fill, border=THIN_BORDER
        )
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=COL_RULE)
        self._put(
            row, GENERAL_COLUMN, "Số liệu", font=cell_font(bold=True), fill=fill,
            border=THIN_BORDER, alignment=Alignment(horizontal="center"),
        )  # fmt: skip
        for field in self.tree.general:
            row += 1
            self.general_rows[field.code] = row
            self._put(row, COL_CODE, field.code, border=THIN_BORDER,
                      alignment=Alignment(horizontal="center", vertical="center"))  # fmt: skip
            for column in range(COL_TITLE, COL_RULE + 1):
                self.ws.cell(row=row, column=column).border = THIN_BORDER
            self._put(row, COL_TITLE, field.label, border=THIN_BORDER,
                      alignment=Alignment(vertical="center", wrap_text=True))  # fmt: skip
            self.ws.merge_cells(
                start_row=row, start_column=COL_TITLE, end_row=row, end_column=COL_RULE
            )
            width = sum(w for _, w in COLUMNS[COL_TITLE - 1 : COL_RULE])
            self.ws.row_dimensions[row].height = 15.75 * wrapped_lines(field.label, width) + 2
            self.inputs.general(self.ws.cell(row=row, column=GENERAL_COLUMN))
        return row

    def _criteria_header(self, row: int) -> int:
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        self._put(
            row, 1, "II. ĐIỂM TỰ ĐÁNH GIÁ", font=cell_font(bold=True), fill=fill, border=THIN_BORDER
        )
        self.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        row += 1
        for column, header in enumerate(HEADERS, start=1):
            self._put(
                row, column, header, font=cell_font(bold=True), fill=fill, border=THIN_BORDER,
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
        self._put(row, COL_CODE, node.code, font=cell_font(bold=bold), border=THIN_BORDER,
                  fill=fill, alignment=Alignment(horizontal="center", vertical="top"))  # fmt: skip
        title = self.ws.cell(row=row, column=COL_TITLE)
        hint = figure_hint(node, self.general) if node.is_leaf else ""
        if hint:
            title.value = self._title_text(node.title, hint, bold)
        else:
            set_text(title, node.title)
        title.font = cell_font(bold=bold)
        title.border, title.fill = THIN_BORDER, fill
        title.alignment = Alignment(vertical="top", wrap_text=True, indent=depth)
        self._put(row, COL_MAX, node.max_points, font=cell_font(bold=bold), border=THIN_BORDER,
                  fill=fill, alignment=Alignment(horizontal="center", vertical="top"))  # fmt: skip
        phrase = format_rule(node.rule if node.rule else ParentRule(node.gate), node.max_points)
        self._put(row, COL_RULE, phrase, border=THIN_BORDER, fill=fill, alignment=top)
        self._put(row, COL_EVIDENCE, node.evidence, border=THIN_BORDER, fill=fill, alignment=top)
        figure = self.ws.cell(row=row, column=COL_FIGURE)
        points = self.ws.cell(row=row, column=COL_POINTS)
        figure.border = points.border = THIN_BORDER
        figure.fill = points.fill = fill
        if node.is_leaf:
            self.inputs.leaf(node, figure, points)
        else:
            points.value = self._parent_formula(node)
            points.font = cell_font(bold=True)
            points.number_format = POINTS_FORMAT
            points.alignment = Alignment(horizontal="center", vertical="top")
        widths = {COL_TITLE: COLUMNS[1][1], COL_RULE: COLUMNS[3][1], COL_EVIDENCE: COLUMNS[6][1]}
        texts = {
            COL_TITLE: node.title + ("\n" + hint if hint else ""),
            COL_RULE: phrase,
            COL_EVIDENCE: node.evidence,
        }
        lines = max(wrapped_lines(texts[c], widths[c] - 1.5 * (depth if c == COL_TITLE else 0))
                    for c in widths)  # fmt: skip
        self.ws.row_dimensions[row].height = 15.75 * lines + 2

    @staticmethod
    def _title_text(title: str, hint: str, bold: bool) -> CellRichText:
        """The title, then the figure hint in grey italics on its own line (rich text)."""
        plain = InlineFont(rFont=FONT_NAME, sz=FONT_SIZE, b=bold)
        grey = InlineFont(rFont=FONT_NAME, sz=FONT_SIZE - 1, i=True, color=HINT_COLOUR)
        return CellRichText(
            TextBlock(plain, clean_text(title) + "\n"), TextBlock(grey, clean_text(hint))
        )

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
                cell.border, cell.fill = THIN_BORDER, fill
        self._put(
            row, COL_TITLE, "TỔNG CỘNG", font=cell_font(bold=True), fill=fill, border=THIN_BORDER
        )
        self._put(row, COL_MAX, self.tree.max_points, font=cell_font(bold=True), fill=fill,
                  border=THIN_BORDER, alignment=Alignment(horizontal="center"))  # fmt: skip
        total = self.ws.cell(row=row, column=COL_POINTS)
        total.value = f"=SUM({areas})"
        total.font = cell_font(bold=True)
        total.number_format = POINTS_FORMAT
        total.alignment = Alignment(horizontal="center")
        label = "Tỷ lệ so với điểm tối đa (%, làm tròn xuống)"
        self._put(
            row + 1, COL_TITLE, label, font=cell_font(italic=True), fill=fill, border=THIN_BORDER
        )
        max_cell = f"{get_column_letter(COL_MAX)}{row}"
        percent = self.ws.cell(row=row + 1, column=COL_POINTS)
        percent.value = f"=ROUNDDOWN({column}{row}*100/{max_cell},2)"
        percent.font = cell_font(bold=True)
        percent.number_format = POINTS_FORMAT
        percent.alignment = Alignment(horizontal="center")
        return row + 1

    def _signatures(self, row: int) -> int:
        """Who made the form and the head of the agency sign under the table."""
        lines = (
            ("", "……, ngày …… tháng …… năm ……", cell_font(italic=True)),
            ("NGƯỜI LẬP PHIẾU", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", cell_font(bold=True)),
            ("(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)", cell_font(italic=True)),
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
        margins = PageMargins(left=0.5, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
        landscape_one_page_wide(ws, margins)
        ws.print_options.horizontalCentered = True
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.print_area = f"A1:{LAST_COLUMN}{last_row}"
        if header_row <= MAX_FROZEN_ROWS:
            ws.freeze_panes = f"A{header_row + 1}"
        footer = (
            f"Phiếu đánh giá năm {self.identity.year} — {clean_text(self.identity.agency_code)}"
        )
        ws.oddFooter.left.text = footer.replace("&", "&&")
        ws.oddFooter.left.font = FONT_NAME
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
        rows = meta_rows(
            self.identity,
            generated_at=self.generated_at,
            header_row=header_row,
            criterion_rows=self.criterion_rows,
            general_rows=self.general_rows,
        )
        sheet = self.wb.create_sheet(META_SHEET)
        for number, (kind, key, value) in enumerate(rows, start=1):
            for column, item in enumerate((kind, key, value), start=1):
                cell = sheet.cell(row=number, column=column)
                if isinstance(item, str):
                    set_text(cell, item)
                else:
                    cell.value = item
        sheet.sheet_state = "veryHidden"
        sheet.protection.sheet = True
