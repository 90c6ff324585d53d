"""The results of a round as an Excel workbook (.xlsx): the ranking and each agency's criteria.

Sheet "Ket qua": the title, a "DỮ LIỆU MINH HỌA" banner for the demo, then group by group a
section row and a table with the ranking screen's columns, including each agency's movement
since the year before ("tăng 3 bậc"; empty when there is no year before). Then one sheet
"Chi tiet {code}" per agency that sent a form: its criteria, parents bold, titles indented by
depth.

Scores are number cells holding the Decimal itself (openpyxl writes its exact digits),
quantised to two decimals; texts typed by users go through ``set_text`` so that a name
starting with "=" stays text. Sheet names are ASCII (as the register's: LibreOffice and older
Excel builds handle them everywhere). A4 landscape, one page wide; saved atomically.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from ..domain.collation import nfc
from ..domain.movement import Movement, MovementKind
from ..domain.numbers import points
from .xlsx_common import (
    FONT_NAME,
    FONT_SIZE,
    THIN_BORDER,
    cell_font,
    landscape_one_page_wide,
    put,
    save_atomically,
    xlsx_target,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from ..services.results import ResultRow
    from ..services.score_grid import AgencySheet

RESULTS_SHEET = "Ket qua"
DETAIL_PREFIX = "Chi tiet "
MAX_SHEET_NAME = 31
DEMO_BANNER = "DỮ LIỆU MINH HỌA — không phải kết quả chính thức"
NUMBER_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00"
DEMO_RED = "C00000"
HEADER_FILL = "D9D9D9"
UP_GREEN = "006100"
DOWN_RED = "9C0006"
MOVEMENT_HEADER = "Thay đổi so với năm trước"
SECTION_FILL = "F2F2F2"

# Results table: columns before the areas, the areas ("Lĩnh vực n"), columns after them.
LEAD_HEADERS = ("Xếp hạng", "Cơ quan, đơn vị", "Nhóm")
TAIL_HEADERS = (
    "Tự đánh giá",
    "Thẩm định",
    "Điểm trừ",
    "Điểm cuối cùng",
    "Điểm tối đa",
    "Tỷ lệ (%)",
    "Xếp loại",
    MOVEMENT_HEADER,
    "Tình trạng gửi phiếu",
    "Giải thích",
)
DETAIL_HEADERS = (
    "Mã",
    "Tiêu chí",
    "Tối đa",
    "Tự chấm",
    "Theo số liệu",
    "Thẩm định",
    "Chênh lệch",
    "Lý do",
    "Nguồn",
)

# (minimum, maximum) width in characters, by header; others 10..14.
_WIDTHS: dict[str, tuple[float, float]] = {
    "Xếp hạng": (8, 8),
    "Cơ quan, đơn vị": (24, 42),
    "Nhóm": (6, 6),
    "Xếp loại": (10, 16),
    MOVEMENT_HEADER: (12, 16),
    "Tình trạng gửi phiếu": (14, 20),
    "Giải thích": (30, 50),
    "Mã": (8, 14),
    "Tiêu chí": (30, 60),
    "Lý do": (20, 40),
    "Nguồn": (12, 22),
}
_NUMBER_WIDTH = (10, 14)

_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="top")


def write_results_xlsx(
    rows: Sequence[ResultRow],
    details: Mapping[str, AgencySheet],
    path: str | os.PathLike[str],
    *,
    year: int,
    demo: bool,
    movements: Mapping[str, Movement] | None = None,
) -> Path:
    """Write the results of ``year`` to ``path`` (.xlsx) and return the path.

    ``rows`` as ``results.ranking`` orders them; ``details`` the criteria sheets to add, by
    agency code, in the order of ``rows``; ``movements`` each agency's movement since the
    year before, by agency code. ValueError for a name not ending in .xlsx.
    """
    target = xlsx_target(path)
    book = build_workbook(rows, details, year=year, demo=demo, movements=movements)
    save_atomically(book, target)
    return target


def build_workbook(
    rows: Sequence[ResultRow],
    details: Mapping[str, AgencySheet],
    *,
    year: int,
    demo: bool,
    movements: Mapping[str, Movement] | None = None,
) -> Workbook:
    """The results as an openpyxl workbook, not yet saved."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = RESULTS_SHEET
    title = f"Kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT năm {year}"
    wb.properties.title = f"{title} (dữ liệu minh họa)" if demo else title
    wb.properties.creator = "KHIT Desktop"
    _results_sheet(ws, rows, year, demo, movements or {})
    used = {RESULTS_SHEET.casefold()}
    for row in rows:
        sheet = details.get(row.agency_code)
        if sheet is None:
            continue
        name = sheet_name(DETAIL_PREFIX + row.agency_code, used)
        used.add(name.casefold())
        _detail_sheet(wb.create_sheet(name), sheet, year, demo)
    return wb


def sheet_name(wanted: str, used: set[str]) -> str:
    """``wanted`` as a valid sheet name (no []:*?/\\, no edge apostrophe, at most 31
    characters), made unique against ``used`` (casefolded names) with " (2)", " (3)"…"""
    base = _INVALID_SHEET_CHARS.sub("_", nfc(wanted)).strip().strip("'").strip()
    base = base[:MAX_SHEET_NAME] or "Sheet"
    name, number = base, 1
    while name.casefold() in used:
        number += 1
        suffix = f" ({number})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    return name


# ---------------------------------------------------------------- cells


def _font(*, bold: bool = False, italic: bool = False, size: float = FONT_SIZE) -> Font:
    return cell_font(bold=bold, italic=italic, size=size, color="000000")


def _number(ws: Worksheet, row: int, column: int, value: Decimal | None, fmt: str) -> None:
    """A score as a number cell: the Decimal itself, two decimals; empty for None."""
    put(
        ws, row, column, None if value is None else points(value),
        number_format=fmt, border=THIN_BORDER, alignment=_RIGHT,
    )  # fmt: skip


def _text(ws: Worksheet, row: int, column: int, text: str, **style: Any) -> None:
    style.setdefault("border", THIN_BORDER)
    style.setdefault("alignment", _WRAP)
    put(ws, row, column, text, **style)


def _merged_line(ws: Worksheet, row: int, width: int, text: str, font: Font) -> None:
    put(ws, row, 1, text, font=font, alignment=Alignment(horizontal="center", vertical="center"))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 22


def _titles(ws: Worksheet, width: int, lines: Sequence[str], demo: bool) -> int:
    """Title lines from row 1, the demo banner after them; returns the next free row."""
    row = 0
    for number, line in enumerate(lines):
        row += 1
        font = _font(bold=True, size=14) if number == 0 else _font(italic=True)
        _merged_line(ws, row, width, line, font)
    if demo:
        row += 1
        banner = cell_font(bold=True, size=13, color=DEMO_RED)
        _merged_line(ws, row, width, DEMO_BANNER, banner)
    return row + 1


def _header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for column, header in enumerate(headers, start=1):
        put(
            ws, row, column, header,
            font=_font(bold=True), fill=fill, border=THIN_BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )  # fmt: skip


def _section(ws: Worksheet, row: int, width: int, text: str) -> None:
    fill = PatternFill("solid", fgColor=SECTION_FILL)
    for column in range(1, width + 1):  # every merged cell bordered: full frame
        ws.cell(row=row, column=column).border = THIN_BORDER
        ws.cell(row=row, column=column).fill = fill
    put(ws, row, 1, text, font=_font(bold=True), alignment=Alignment(vertical="center"))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


# ---------------------------------------------------------------- results sheet


def results_headers(area_count: int) -> tuple[str, ...]:
    """The results table's headers with ``area_count`` area columns."""
    areas = tuple(f"Lĩnh vực {n}" for n in range(1, area_count + 1))
    return (*LEAD_HEADERS, *areas, *TAIL_HEADERS)


def _results_sheet(
    ws: Worksheet,
    rows: Sequence[ResultRow],
    year: int,
    demo: bool,
    movements: Mapping[str, Movement],
) -> None:
    area_count = max((len(r.area_totals) for r in rows), default=0)
    headers = results_headers(area_count)
    width = len(headers)
    title = f"KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM {year}"
    row = _titles(ws, width, [title], demo)
    first_header: int | None = None
    group: int | None = None
    for result in rows:
        if result.group != group:
            group = result.group
            row += 1
            name = nfc(result.group_name).strip()
            _section(ws, row, width, f"Nhóm {group}: {name}" if name else f"Nhóm {group}")
            row += 1
            _header(ws, row, headers)
            first_header = first_header or row
        row += 1
        _result_line(ws, row, result, area_count, movements.get(result.agency_code))
    header_row = first_header or row + 1
    if first_header is None:  # no agency in the round: the header alone
        _header(ws, header_row, headers)
    _fit_widths(ws, headers, header_row)
    _page_setup(ws, headers, header_row, max(row, header_row), freeze_column=3)
    footer = f"Kết quả đánh giá, xếp hạng năm {year}"
    _footer(ws, footer, demo)


def _result_line(
    ws: Worksheet, row: int, r: ResultRow, area_count: int, moved: Movement | None
) -> None:
    put(ws, row, 1, r.rank, border=THIN_BORDER, alignment=_CENTER, number_format="0")
    _text(ws, row, 2, r.agency_name)
    put(ws, row, 3, r.group, border=THIN_BORDER, alignment=_CENTER, number_format="0")
    sent = r.self_total is not None
    column = 3
    for index in range(area_count):
        column += 1
        value = r.area_totals[index] if sent and index < len(r.area_totals) else None
        _number(ws, row, column, value, NUMBER_FORMAT)
    for value in (r.self_total, r.appraised_total, r.penalty, r.final_score, r.max_points):
        column += 1
        _number(ws, row, column, value, NUMBER_FORMAT)
    _number(ws, row, column + 1, r.percent, PERCENT_FORMAT)
    _text(ws, row, column + 2, r.classification.value, alignment=_CENTER)
    _movement(ws, row, column + 3, moved)
    _text(ws, row, column + 4, r.status.label)
    _text(ws, row, column + 5, r.explanation)


def _movement(ws: Worksheet, row: int, column: int, moved: Movement | None) -> None:
    """The phrase, green when up and red when down (the words say it without colour)."""
    colour = {MovementKind.UP: UP_GREEN, MovementKind.DOWN: DOWN_RED}.get(
        moved.kind if moved else MovementKind.NONE, "000000"
    )
    font = cell_font(color=colour)
    _text(ws, row, column, moved.text if moved else "", font=font, alignment=_CENTER)


# ---------------------------------------------------------------- detail sheets


def _detail_sheet(ws: Worksheet, sheet: AgencySheet, year: int, demo: bool) -> None:
    width = len(DETAIL_HEADERS)
    name = nfc(sheet.agency_name).strip()
    lines = [
        f"CHI TIẾT ĐIỂM THẨM ĐỊNH NĂM {year}",
        f"{sheet.agency_code} — {name} (Nhóm {sheet.group})" if name else sheet.agency_code,
    ]
    row = _titles(ws, width, lines, demo)
    row = _summary(ws, row, sheet)
    header_row = row + 1
    _header(ws, header_row, DETAIL_HEADERS)
    row = header_row
    for line in sheet.rows:
        row += 1
        font = _font(bold=not line.is_leaf)
        _text(ws, row, 1, line.code, font=font)
        indent = Alignment(vertical="top", wrap_text=True, indent=min(line.depth * 2, 15))
        _text(ws, row, 2, line.title, font=font, alignment=indent)
        values = (line.max_points, line.self_points, line.computed, line.appraised)
        for column, value in enumerate((*values, line.difference), start=3):
            _number(ws, row, column, value, NUMBER_FORMAT)
            ws.cell(row=row, column=column).font = font
        _text(ws, row, 8, line.reason)
        _text(ws, row, 9, line.source)
    _fit_widths(ws, DETAIL_HEADERS, header_row, indents=True)
    _page_setup(ws, DETAIL_HEADERS, header_row, row, freeze_column=3)
    _footer(ws, f"Chi tiết điểm năm {year} — {sheet.agency_code}", demo)


def _summary(ws: Worksheet, row: int, sheet: AgencySheet) -> int:
    """The agency's totals under its title, one "label | figure" line each (label right-aligned
    in the wide title column); returns the last row written."""
    figures: tuple[tuple[str, Decimal | str, str], ...] = (
        ("Tự đánh giá", sheet.self_total, NUMBER_FORMAT),
        ("Thẩm định", sheet.appraised_total, NUMBER_FORMAT),
        ("Điểm trừ", sheet.penalty, NUMBER_FORMAT),
        ("Điểm cuối cùng", sheet.final_score, NUMBER_FORMAT),
        ("Điểm tối đa", sheet.max_points, NUMBER_FORMAT),
        ("Tỷ lệ (%)", sheet.percent, PERCENT_FORMAT),
        ("Xếp loại", sheet.classification.value, ""),
        ("Tình trạng gửi phiếu", sheet.lateness.status.label, ""),
    )
    for label, value, fmt in figures:
        row += 1
        put(ws, row, 2, label, font=_font(bold=True), alignment=_RIGHT)
        if isinstance(value, Decimal):
            put(ws, row, 3, points(value), number_format=fmt, alignment=_RIGHT)
        else:
            put(ws, row, 3, value)
    return row


# ---------------------------------------------------------------- layout


def _fit_widths(
    ws: Worksheet, headers: Sequence[str], header_row: int, *, indents: bool = False
) -> None:
    """Each column as wide as its longest header word or value, within its bounds."""
    for index, header in enumerate(headers, start=1):
        low, high = _WIDTHS.get(header, _NUMBER_WIDTH)
        longest = max(len(word) for word in header.split()) + 2
        for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
            value = cell.value
            if value is None:
                continue
            if isinstance(value, Decimal):
                text = f"{value:,.2f}"
            else:
                text = str(value)
            extra = cell.alignment.indent if indents and cell.alignment is not None else 0
            longest = max(longest, len(text) + 2 + int(extra))
        ws.column_dimensions[get_column_letter(index)].width = max(low, min(high, longest))


def _page_setup(
    ws: Worksheet, headers: Sequence[str], header_row: int, last_row: int, *, freeze_column: int
) -> None:
    """A4 landscape, one page wide, header repeated on each page and frozen on screen."""
    margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    landscape_one_page_wide(ws, margins)
    ws.print_options.horizontalCentered = True
    last_column = get_column_letter(len(headers))
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{last_column}{last_row}"
    ws.freeze_panes = f"{get_column_letter(freeze_column)}{header_row + 1}"


def _footer(ws: Worksheet, text: str, demo: bool) -> None:
    ws.oddFooter.left.text = text.replace("&", "&&")  # "&" starts a code in a footer
    ws.oddFooter.left.font = FONT_NAME
    if demo:  # on every printed page, not only the first
        ws.oddHeader.center.text = DEMO_BANNER
        ws.oddHeader.center.font = f"{FONT_NAME},Bold"
        ws.oddHeader.center.color = DEMO_RED
        ws.sheet_properties.tabColor = DEMO_RED
