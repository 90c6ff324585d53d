"""What the Excel writers of ``exchange`` share: font, border, safe text cells, A4 pages and
saving without ever leaving half a file behind.

Fonts: Times New Roman, the font of Vietnamese administrative documents (Nghị định
30/2020/NĐ-CP, Phụ lục I), present on every Windows PC with all Vietnamese letters.
"""

from __future__ import annotations

import math
import os
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Border, Font, Side
from openpyxl.worksheet.page import PageMargins

from ..domain.collation import nfc

FONT_NAME = "Times New Roman"
FONT_SIZE = 11

# A text starting with one of these is a formula to Excel (or becomes one when the cell is
# edited): such cells are stored as text and flagged "quote prefix", Excel's own apostrophe.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

THIN = Side(style="thin", color="000000")
THIN_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def cell_font(
    *, bold: bool = False, italic: bool = False, size: float = FONT_SIZE, color: str | None = None
) -> Font:
    """Times New Roman, 11 points unless told otherwise."""
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, color=color)


def clean_text(text: str) -> str:
    """``text`` for a label: NFC, without the control characters the file format forbids and
    without blanks around it."""
    return ILLEGAL_CHARACTERS_RE.sub("", nfc(text)).strip()


def set_text(cell: Any, text: str) -> None:
    """Store ``text`` as text, never as a formula or an error value.

    openpyxl makes any string starting with "=" a formula and "#N/A"-like strings error
    values; forcing the type "s" writes them as inline strings instead. Texts that Excel would
    read as a formula on editing (= + - @, a tab or line break) also get the quote-prefix flag,
    the invisible apostrophe Excel itself sets when a user types '=…, so that F2 + Enter in
    Excel keeps them text. NFC, and control characters the file format forbids are dropped.
    """
    clean = ILLEGAL_CHARACTERS_RE.sub("", nfc(text))
    if not clean:
        cell.value = None
        return
    cell.value = clean
    cell.data_type = "s"
    if clean.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def put(ws: Any, row: int, column: int, value: Any, **style: Any) -> Any:
    """Write one cell: text safely (see ``set_text``), anything else as it is; then style it
    with ``style`` (cell attributes; ``font`` defaults to ``cell_font()``). Returns the cell."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
    cell.font = style.pop("font") if "font" in style else cell_font()
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def plain_number(value: Decimal) -> str:
    """'30', '12.5': a Decimal as Excel formulas and validations write it (dot, no exponent)."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (estimate: Times New
    Roman is narrower than the width unit, so about 1.2 characters per unit)."""
    per_line = max(int(width * 1.2), 1)
    return sum(max(math.ceil(len(part) / per_line), 1) for part in text.split("\n"))


def landscape_one_page_wide(ws: Any, margins: PageMargins) -> None:
    """A4 landscape, one page wide and as many pages tall as needed, "Trang 1/3" bottom right."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = margins
    ws.oddFooter.right.text = "Trang &P/&N"
    ws.oddFooter.right.font = FONT_NAME


def xlsx_target(path: str | os.PathLike[str]) -> Path:
    """``path`` as the file to write; ValueError for a name not ending in .xlsx."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(
            f"Tệp '{target.name}' không phải tệp Excel .xlsx. Hãy chọn tên tệp có đuôi .xlsx."
        )
    return target


def save_atomically(workbook: Workbook, target: Path) -> None:
    """Save to a temporary file beside ``target``, flush it to disk, then replace ``target``."""
    temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with temporary.open("xb") as stream:
            workbook.save(stream)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.replace(temporary, target)
        except PermissionError as exc:  # on Windows: the target is open in Excel
            raise PermissionError(
                exc.errno,
                f"Không ghi được tệp '{target.name}', có thể tệp đang mở trong Excel. "
                "Hãy đóng tệp rồi xuất lại.",
                str(target),
            ) from exc
    finally:
        temporary.unlink(missing_ok=True)
