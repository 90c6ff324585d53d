"""Sổ tiếp nhận phiếu đánh giá as an Excel workbook (.xlsx), for the council's file.

One sheet: the title, the date it was made, a "DỮ LIỆU MINH HỌA" banner for the demo, the
register table by group (Điều 2), a summary of the lateness statuses and two footnotes.
Dates are real Excel dates (sortable), statuses are colour and text, the page is A4
landscape one page wide. The file is written to a temporary file in the target folder and
then moved over the target, so a failed export never leaves half a file behind
(``xlsx_common``, which also holds the font: Times New Roman).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from ..domain.collation import nfc
from ..domain.dates import format_date
from ..domain.lateness import LatenessStatus
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

    from ..services.receipts import ReceiptView, RegisterLine

# ASCII: LibreOffice and older Excel builds handle it everywhere (print titles, links).
SHEET_NAME = "So tiep nhan"
DATE_FORMAT = "DD/MM/YYYY"
DEMO_BANNER = "DỮ LIỆU MINH HỌA — không phải số liệu chính thức"

# (header, width in characters); the explanation and the other receipts wrap.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("STT", 5),
    ("Mã", 10),
    ("Cơ quan, đơn vị", 32),
    ("Kênh gửi", 13),
    ("Ngày gửi", 11.5),
    ("Ngày nhận", 11.5),
    ("Số, ký hiệu văn bản", 14),
    ("Tình trạng", 15),
    ("Giải thích", 44),
    ("Các lần tiếp nhận khác", 32),
)
HEADERS = tuple(header for header, _ in COLUMNS)
LAST_COLUMN = get_column_letter(len(COLUMNS))
COL_NO, COL_CODE, COL_NAME, COL_CHANNEL, COL_SENT = 1, 2, 3, 4, 5
COL_RECEIVED, COL_DOC, COL_STATUS, COL_EXPLANATION, COL_OTHERS = 6, 7, 8, 9, 10

# status → (fill, font colour): Excel's "Good / Neutral / Bad" palette, plus grey and blue-grey.
STATUS_COLOURS: dict[LatenessStatus, tuple[str, str]] = {
    LatenessStatus.ON_TIME: ("C6EFCE", "006100"),
    LatenessStatus.LATE: ("FFEB9C", "9C5700"),
    LatenessStatus.VERY_LATE: ("FFC7CE", "9C0006"),
    LatenessStatus.MISSING: ("EDEDED", "404040"),
    LatenessStatus.NOT_RANKED: ("DDEBF7", "1F3864"),
}
DEMO_RED = "C00000"
HEADER_FILL = "D9D9D9"
SECTION_FILL = "F2F2F2"

_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="top", wrap_text=True)


def export_register(
    lines: Iterable[RegisterLine],
    path: str | os.PathLike[str],
    *,
    year: int,
    demo: bool,
    generated_on: date,
) -> Path:
    """Write the register of ``year`` to ``path`` (.xlsx) and return the path.

    ``lines`` in the order to print (by group, Vietnamese order inside a group), as the
    receipts service gives them. Raises ValueError for a name not ending in .xlsx.
    """
    target = xlsx_target(path)
    workbook = build_workbook(list(lines), year=year, demo=demo, generated_on=generated_on)
    save_atomically(workbook, target)
    return target


def build_workbook(
    lines: list[RegisterLine], *, year: int, demo: bool, generated_on: date
) -> Workbook:
    """The register as an openpyxl workbook, not yet saved."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_NAME
    title = f"Sổ tiếp nhận phiếu đánh giá mức độ ứng dụng CNTT năm {year}"
    wb.properties.title = f"{title} (dữ liệu minh họa)" if demo else title
    wb.properties.creator = "KHIT Desktop"

    for index, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    row = _write_titles(ws, year, demo, generated_on)
    header_row = row + 1
    _write_header(ws, header_row)
    last_row = _write_table(ws, lines, header_row + 1)
    ws.auto_filter.ref = f"A{header_row}:{LAST_COLUMN}{max(last_row, header_row)}"
    end = _write_summary(ws, lines, last_row + 2)
    end = _write_notes(ws, end + 2)
    _page_setup(ws, year, demo, header_row, end)
    return wb


def _font(
    *, bold: bool = False, italic: bool = False, size: float = FONT_SIZE, color: str = "000000"
) -> Font:
    return cell_font(bold=bold, italic=italic, size=size, color=color)


def _put(ws: Worksheet, row: int, column: int, value: Any, **style: Any) -> Any:
    """Write one cell: text safely (see ``set_text``), dates as Excel dates; style it."""
    if isinstance(value, date):
        style.setdefault("number_format", DATE_FORMAT)
    style.setdefault("font", _font())
    return put(ws, row, column, value, **style)


def _merged_line(ws: Worksheet, row: int, text: str, font: Font, height: float) -> None:
    _put(ws, row, 1, text, font=font, alignment=Alignment(horizontal="center", vertical="center"))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
    ws.row_dimensions[row].height = height


def _write_titles(ws: Worksheet, year: int, demo: bool, generated_on: date) -> int:
    """Title lines from row 1; returns the blank row that follows them."""
    title = f"SỔ TIẾP NHẬN PHIẾU ĐÁNH GIÁ MỨC ĐỘ ỨNG DỤNG CNTT NĂM {year}"
    _merged_line(ws, 1, title, _font(bold=True, size=14), 24)
    _merged_line(ws, 2, f"Lập ngày {format_date(generated_on)}", _font(italic=True), 18)
    if not demo:
        return 3
    _merged_line(ws, 3, DEMO_BANNER, _font(bold=True, size=13, color=DEMO_RED), 22)
    return 4


def _write_header(ws: Worksheet, row: int) -> None:
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for column, header in enumerate(HEADERS, start=1):
        _put(
            ws, row, column, header,
            font=_font(bold=True), fill=fill, border=THIN_BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )  # fmt: skip


def _write_table(ws: Worksheet, lines: list[RegisterLine], first_row: int) -> int:
    """Sections and agency rows from ``first_row``; returns the last row written."""
    row = first_row - 1
    group: int | None = None
    for number, line in enumerate(lines, start=1):
        if line.group != group:
            group = line.group
            row += 1
            _write_section(ws, row, line)
        row += 1
        _write_line(ws, row, number, line)
    return row


def _write_section(ws: Worksheet, row: int, line: RegisterLine) -> None:
    name = nfc(line.group_name).strip()
    text = f"Nhóm {line.group}: {name}" if name else f"Nhóm {line.group}"
    fill = PatternFill("solid", fgColor=SECTION_FILL)
    for column in range(1, len(COLUMNS) + 1):  # every merged cell bordered: full frame
        ws.cell(row=row, column=column).border = THIN_BORDER
        ws.cell(row=row, column=column).fill = fill
    _put(ws, row, 1, text, font=_font(bold=True), alignment=Alignment(vertical="center"))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))


def _write_line(ws: Worksheet, row: int, number: int, line: RegisterLine) -> None:
    counted = line.counted
    values: dict[int, Any] = {
        COL_NO: number,
        COL_CODE: line.agency_code,
        COL_NAME: line.agency_name,
        COL_EXPLANATION: line.decision.explanation,
        COL_OTHERS: "\n".join(_other_receipt(r, line) for r in line.receipts if not r.counted),
    }
    if counted is not None:
        values[COL_CHANNEL] = counted.channel.label
        values[COL_SENT] = counted.sent_date
        values[COL_RECEIVED] = counted.received_date
        values[COL_DOC] = counted.doc_number
    centred = {COL_NO, COL_SENT, COL_RECEIVED}
    for column in range(1, len(COLUMNS) + 1):
        _put(
            ws, row, column, values.get(column),
            border=THIN_BORDER, alignment=_CENTER if column in centred else _WRAP,
        )  # fmt: skip
    _status_cell(ws, row, COL_STATUS, line.decision.status)


def _status_cell(ws: Worksheet, row: int, column: int, status: LatenessStatus) -> None:
    """Colour and text together: the text alone must say it (printed in black and white)."""
    fill, ink = STATUS_COLOURS[status]
    _put(
        ws, row, column, status.label,
        font=_font(bold=True, color=ink), fill=PatternFill("solid", fgColor=fill),
        border=THIN_BORDER, alignment=_WRAP,
    )  # fmt: skip


def _other_receipt(receipt: ReceiptView, line: RegisterLine) -> str:
    """'#33 Thư điện tử công vụ, gửi 12/11/2020, nhận 12/11/2020, số 667/SYT-VP — …'."""
    parts = [f"#{receipt.id} {receipt.channel.label}", f"gửi {format_date(receipt.sent_date)}"]
    if receipt.received_date is not None:
        parts.append(f"nhận {format_date(receipt.received_date)}")
    if receipt.doc_number.strip():
        parts.append(f"số {receipt.doc_number.strip()}")
    text = ", ".join(parts)
    if not receipt.valid:
        reason = receipt.invalid_reason.strip()
        return f"{text} — không hợp lệ: {reason}" if reason else f"{text} — không hợp lệ"
    if line.decision.status is LatenessStatus.NOT_RANKED:
        return f"{text} — không xét (đơn vị không xếp hạng)"
    return f"{text} — không tính (tính lần hợp lệ gửi sớm nhất)"


def _write_summary(ws: Worksheet, lines: list[RegisterLine], first_row: int) -> int:
    """Counts per status and group, then the number of agencies; returns the last row."""
    groups = sorted({line.group for line in lines})
    counts = Counter((line.group, line.decision.status) for line in lines)
    _put(ws, first_row, COL_NAME, "TỔNG HỢP THEO TÌNH TRẠNG", font=_font(bold=True))
    row = first_row + 1
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    headings = ["Tình trạng", *(f"Nhóm {g}" for g in groups), "Cộng"]
    for offset, heading in enumerate(headings):
        _put(
            ws, row, COL_NAME + offset, heading,
            font=_font(bold=True), fill=header_fill, border=THIN_BORDER, alignment=_CENTER,
        )  # fmt: skip
    for status in LatenessStatus:
        row += 1
        _status_cell(ws, row, COL_NAME, status)
        figures = [counts[(g, status)] for g in groups]
        for offset, figure in enumerate([*figures, sum(figures)], start=1):
            _put(ws, row, COL_NAME + offset, figure, border=THIN_BORDER, alignment=_CENTER)
    row += 1
    totals = [sum(1 for line in lines if line.group == g) for g in groups]
    _put(ws, row, COL_NAME, "Tổng số cơ quan, đơn vị", font=_font(bold=True), border=THIN_BORDER)
    for offset, figure in enumerate([*totals, len(lines)], start=1):
        _put(
            ws, row, COL_NAME + offset, figure,
            font=_font(bold=True), border=THIN_BORDER, alignment=_CENTER,
        )  # fmt: skip
    return row


NOTES = (
    "Ghi chú: Ngày gửi là ngày tính hạn: ngày theo dấu bưu điện, ngày văn bản đến trên phần "
    "mềm Quản lý văn bản và điều hành hoặc ngày gửi thư điện tử công vụ (Điều 8.3).",
    "Khi một cơ quan gửi phiếu nhiều lần, lần được tính là lần hợp lệ có ngày gửi sớm nhất "
    "(quy ước của Tổ giúp việc; Quy định không nêu).",
)


def _write_notes(ws: Worksheet, first_row: int) -> int:
    row = first_row - 1
    for note in NOTES:
        row += 1
        _put(ws, row, 1, note, font=_font(italic=True), alignment=Alignment(vertical="top"))
    return row


def _page_setup(ws: Worksheet, year: int, demo: bool, header_row: int, last_row: int) -> None:
    """A4 landscape, one page wide, header row repeated on every page and frozen on screen."""
    margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    landscape_one_page_wide(ws, margins)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{LAST_COLUMN}{last_row}"
    # Below the header, right of the agency name: scrolling keeps both in sight.
    ws.freeze_panes = f"{get_column_letter(COL_NAME + 1)}{header_row + 1}"
    ws.oddFooter.left.text = f"Sổ tiếp nhận phiếu đánh giá năm {year}"
    ws.oddFooter.left.font = FONT_NAME
    if demo:  # on every printed page, not only the first
        ws.oddHeader.center.text = DEMO_BANNER
        ws.oddHeader.center.font = f"{FONT_NAME},Bold"
        ws.oddHeader.center.color = DEMO_RED
        ws.sheet_properties.tabColor = DEMO_RED
