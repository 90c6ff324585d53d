"""Writing a published-results sheet as the province lays it out (for the demo and the sample).

Title lines, the header row ("STT", "Cơ quan, đơn vị", "Nhóm", "Tổng điểm", "Điểm tối đa",
"Xếp hạng", "Xếp loại"), then group by group a section row ("I. CÁC SỞ, BAN, NGÀNH") and the
agencies: exactly what ``history_xlsx`` reads back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

from ..domain.rules import DEFAULT_GROUP_NAMES
from .history_rows import SheetRow
from .xlsx_common import THIN_BORDER, cell_font, put, save_atomically, xlsx_target

SHEET_TITLE = "Ket qua"
HEADERS = ("STT", "Cơ quan, đơn vị", "Nhóm", "Tổng điểm", "Điểm tối đa", "Xếp hạng", "Xếp loại")
WIDTHS = (6, 52, 8, 12, 12, 10, 12)
ROMAN = ("I", "II", "III", "IV", "V")


def write_published_sheet(
    path: str | os.PathLike[str],
    year: int,
    rows: Sequence[SheetRow],
    *,
    group_names: Mapping[int, str] = DEFAULT_GROUP_NAMES,
    subtitle: str = "",
) -> Path:
    """Write ``rows`` (in the order given within each group) to ``path`` (.xlsx)."""
    target = xlsx_target(path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    title = f"KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM {year}"
    for line, (text, font) in enumerate(
        ((title, cell_font(bold=True, size=13)), (subtitle, cell_font(italic=True))), start=1
    ):
        put(ws, line, 1, text, font=font, alignment=center)
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=len(HEADERS))
    row = 4
    for column, header in enumerate(HEADERS, start=1):
        put(ws, row, column, header, font=cell_font(bold=True), alignment=center)
        ws.cell(row=row, column=column).border = THIN_BORDER
    for index, group in enumerate(sorted({r.group for r in rows})):
        row += 1
        label = f"{ROMAN[index]}. {group_names.get(group, f'Nhóm {group}').upper()}"
        put(ws, row, 2, label, font=cell_font(bold=True))
        for number, item in enumerate((r for r in rows if r.group == group), start=1):
            row += 1
            values = (
                number,
                item.name,
                item.group,
                item.total,
                item.max_points,
                item.rank,
                item.classification.value if item.classification else None,
            )
            for column, value in enumerate(values, start=1):
                cell = put(ws, row, column, value)
                cell.border = THIN_BORDER
                if isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[chr(64 + column)].width = width
    wb.properties.creator = "KHIT Desktop"
    save_atomically(wb, target)
    return target
