"""Published-results workbooks for the tests, built with openpyxl as the province's would be."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HEADER = ("STT", "Cơ quan, đơn vị", "Nhóm", "Tổng điểm", "Điểm tối đa", "Xếp hạng", "Xếp loại")
TITLE = "KẾT QUẢ XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CNTT NĂM 2019"


def write_book(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[Any] = HEADER,
    titles: Sequence[str] = (TITLE, "(Kèm theo Quyết định số 123/QĐ-UBND)"),
    sheet: str = "Kết quả",
    blank_after_titles: bool = True,
    extra_sheets: Sequence[str] = (),
) -> Path:
    """A workbook whose sheet ``sheet`` holds the title lines, a blank line, ``header`` and
    ``rows`` (each a full row, in the header's columns). Returns ``path``."""
    wb = Workbook()
    for name in extra_sheets:
        wb.create_sheet(name).append(["Ghi chú"])
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for title in titles:
        ws.append([title])
    if blank_after_titles and titles:
        ws.append([])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    if extra_sheets:
        wb.move_sheet(ws, offset=len(extra_sheets))
    wb.save(path)
    return path


def header_row(titles: int = 2, blank: bool = True) -> int:
    """The sheet row of the header written by ``write_book``."""
    return titles + (1 if blank and titles else 0) + 1


# The catalogue's agencies of a small published 2019 (names as the province wrote them).
ROWS_2019 = [
    [1, "Sở Tư pháp", 1, "900,50", 1000, 1, "Tốt"],
    [2, "Sở Tài chính", 1, 870, 1000, 2, "Tốt"],
    [3, "SỞ NỘI VỤ", 1, "800.25", 1000, 3, "Khá"],
    [4, "UBND TP. Nha Trang", 2, 810.5, 1000, 1, "khá"],
    [5, "UBND thị xã Ninh Hoà", "Nhóm 2", "760", "1.000", 2, "Kha"],
    [6, "Trường Đại học Khánh Hòa", 3, 650, 1000, 1, "Trung bình"],
]
