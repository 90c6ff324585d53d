"""Writing the criteria set as the published Excel table (``criteria_xlsx`` reads it back).

Sheet "Tiêu chí" (title, note, header row, one row per criterion in tree order, the total),
"Số liệu chung" when the set asks for general data, and "Hướng dẫn", which explains each
column and every phrase of "Cách tính điểm" (taken from ``domain.rule_syntax``'s table).

Callers import ``write_criteria_workbook`` from ``criteria_xlsx``, which re-exports it.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from ..domain import rule_syntax
from ..domain.collation import nfc
from ..domain.criteria import Criterion, FormTree, RuleKind
from ..domain.rule_syntax import ParentRule, RuleSyntaxError, format_rule, parse_rule
from .criteria_table import COLUMNS, SHEET_CRITERIA, SHEET_GENERAL, SHEET_GUIDE, shown_points
from .xlsx_common import (
    THIN_BORDER,
    cell_font,
    landscape_one_page_wide,
    put,
    save_atomically,
    xlsx_target,
)

_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_TOP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_criteria_workbook(tree: FormTree, path: str | os.PathLike[str], *, title: str) -> Path:
    """Write ``tree`` as the criteria table (+ "Số liệu chung", "Hướng dẫn") to ``path``.

    Raises ValueError for a name not ending in .xlsx; the file is replaced atomically."""
    target = xlsx_target(path)
    save_atomically(build_criteria_workbook(tree, title=title), target)
    return target


def build_criteria_workbook(tree: FormTree, *, title: str) -> Workbook:
    """The workbook of ``write_criteria_workbook``, not yet saved."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_CRITERIA
    wb.properties.title, wb.properties.creator = nfc(title), "KHIT Desktop"
    width = len(COLUMNS)
    _banner(ws, 1, title, width, cell_font(bold=True, size=14))
    note = (
        f"Tổng điểm tối đa: {shown_points(tree.max_points)} điểm. Mã tiêu chí là văn bản; cách ghi "
        f"cột 'Cách tính điểm' xem trang '{SHEET_GUIDE}'."
    )
    _banner(ws, 2, note, width, cell_font(italic=True))
    header = 4
    for c, (_, text, col_width) in enumerate(COLUMNS, start=1):
        _put(ws, header, c, text, font=cell_font(bold=True), fill=_HEADER_FILL, alignment=_CENTER)
        ws.column_dimensions[get_column_letter(c)].width = col_width
    ws.column_dimensions["A"].number_format = "@"  # codes typed later stay text too
    row = header
    for node in tree.walk():
        row += 1
        values = (node.code, node.title, node.max_points, _phrase(node), node.evidence,
                  node.verifier, node.input_label)  # fmt: skip
        for c, value in enumerate(values, start=1):
            _put(ws, row, c, value, font=cell_font(bold=bool(node.children)), alignment=_TOP)
        ws.cell(row, 1).number_format = "@"
        ws.cell(row, 2).alignment = Alignment(
            vertical="top", wrap_text=True, indent=node.code.count(".")
        )
        ws.cell(row, 3).alignment = Alignment(horizontal="center", vertical="top")
    row += 1
    _put(ws, row, 2, "Tổng cộng", font=cell_font(bold=True), alignment=_TOP)
    _put(ws, row, 3, tree.max_points, font=cell_font(bold=True), alignment=_CENTER)
    for c in (1, *range(4, width + 1)):
        ws.cell(row, c).border = THIN_BORDER
    _page_setup(ws, header, row, width)
    if tree.general:
        _general_sheet(wb.create_sheet(SHEET_GENERAL), tree)
    _guide_sheet(wb.create_sheet(SHEET_GUIDE))
    return wb


def _phrase(node: Criterion) -> str:
    """The rule's phrase; ValueError when it would not read back (an option named 'a; b')."""
    if node.children or node.rule is None:
        return format_rule(ParentRule(node.gate), node.max_points) if node.children else ""
    phrase = format_rule(node.rule, node.max_points)
    try:
        again = parse_rule(phrase, node.max_points)
    except RuleSyntaxError:
        again = None
    order = sorted(node.rule.tiers, key=lambda t: t.minimum, reverse=True)
    if again != replace(node.rule, tiers=tuple(order)):
        raise ValueError(
            f"Tiêu chí {node.code}: cách tính điểm '{phrase}' không ghi được thành cụm từ đọc "
            "lại được. Hãy bỏ dấu ';' và '=' khỏi tên các phương án rồi xuất lại."
        )
    return phrase


def _general_sheet(ws: Any, tree: FormTree) -> None:
    _banner(ws, 1, "SỐ LIỆU CHUNG", 2, cell_font(bold=True, size=13))
    for c, (text, col_width) in enumerate((("Mã", 10), ("Nội dung", 70)), start=1):
        _put(ws, 3, c, text, font=cell_font(bold=True), fill=_HEADER_FILL, alignment=_CENTER)
        ws.column_dimensions[get_column_letter(c)].width = col_width
    ws.column_dimensions["A"].number_format = "@"
    for r, datum in enumerate(tree.general, start=4):
        _put(ws, r, 1, datum.code, alignment=_TOP)
        _put(ws, r, 2, datum.label, alignment=_TOP)
    _page_setup(ws, 3, 3 + len(tree.general), 2)


def rule_phrases() -> list[str]:
    """Every phrase of the table in ``domain.rule_syntax``'s docstring, in order."""
    phrases: list[str] = []
    for line in (rule_syntax.__doc__ or "").splitlines():
        if line.startswith("|") and "``" in line:
            phrases.extend(re.findall(r"``(.+?)``", line.split("|")[1]))
    return phrases


def phrase_meaning(phrase: str) -> tuple[Decimal, str]:
    """(an example maximum, what the phrase means in Vietnamese) for the guide."""
    at_most = re.search(r"(?:tối đa|toi da)\s+([0-9]+)", phrase)
    amounts = [Decimal(n) for n in re.findall(r"=\s*([0-9]+)", phrase)]
    maximum = Decimal(at_most.group(1)) if at_most else max(amounts, default=Decimal(30))
    rule = parse_rule(phrase, maximum)
    if isinstance(rule, ParentRule):
        meaning = "Tiêu chí cha: tổng điểm các tiêu chí con, không vượt điểm tối đa"
        if rule.gate:
            meaning += f"; các tiêu chí con khác chỉ được tính khi tiêu chí {rule.gate} có điểm"
        return maximum, meaning
    meaning = rule.describe(maximum)
    if rule.kind is RuleKind.RATIO:
        meaning += (
            f"; đơn vị nhập a, b là số liệu chung có mã {rule.denominator}"
            if rule.denominator
            else "; đơn vị nhập cả a và b (dạng a/b)"
        )
    return maximum, meaning


GUIDE_COLUMNS = (
    "Mã phân cấp: 1, 2, 3… là lĩnh vực; 1.1, 1.2 là tiêu chí của lĩnh vực 1; 1.6.1 là tiêu "
    "chí con của 1.6. Gõ mã dạng văn bản (định dạng cột là Text, hoặc gõ dấu nháy đơn ở đầu: "
    "'1.10) vì Excel tự đổi số 1.10 thành 1.1.",
    "Tên, nội dung của tiêu chí.",
    "Số điểm tối đa, lớn hơn 0; số lẻ dùng dấu phẩy (2,5). Tổng điểm tối đa các tiêu chí con "
    "không được nhỏ hơn điểm tối đa của tiêu chí cha; nếu lớn hơn, điểm được giới hạn.",
    "Một trong các cách ghi ở bảng dưới; tiêu chí cha ghi 'tổng' hoặc để trống.",
    "Tài liệu đơn vị gửi kèm để chứng minh số liệu (không bắt buộc).",
    "Cơ quan đối chiếu, xác minh số liệu theo Điều 7.2 (không bắt buộc).",
    "Số liệu đơn vị phải nhập cho tiêu chí, ví dụ 'Số CBCCVC có máy tính / Tổng số CBCCVC' "
    "(không bắt buộc).",
)


_GENERAL_NOTE = (
    f"Trang '{SHEET_GENERAL}' (nếu có): số liệu hỏi một lần cho cả phiếu (cột Mã, Nội dung); "
    "'tỷ lệ trên CB' lấy mẫu số là số liệu có mã CB."
)


def _guide_sheet(ws: Any) -> None:
    for c, col_width in enumerate((34, 12, 80), start=1):
        ws.column_dimensions[get_column_letter(c)].width = col_width
    _put(ws, 1, 1, "HƯỚNG DẪN LẬP BẢNG TIÊU CHÍ", font=cell_font(bold=True, size=13))
    lines: list[tuple[Any, ...]] = [
        (),
        (f"Trang '{SHEET_CRITERIA}': mỗi tiêu chí một dòng, dưới dòng tiêu đề cột.",),
        ("Cột", "", "Ý nghĩa"),
        *((header, "", text) for (_, header, _), text in zip(COLUMNS, GUIDE_COLUMNS, strict=True)),
        (),
        (_GENERAL_NOTE,),
        (),
        ("Cách ghi cột 'Cách tính điểm'", "Ví dụ điểm tối đa", "Nghĩa"),
        *((p, *phrase_meaning(p)) for p in rule_phrases()),
        (),
        ("Chữ hoa, chữ thường và dấu không phân biệt; số lẻ dùng dấu phẩy hoặc dấu chấm.",),
    ]
    for r, values in enumerate(lines, start=2):
        heading = values[:1] in (("Cột",), ("Cách ghi cột 'Cách tính điểm'",))
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value, font=cell_font(bold=heading), alignment=_TOP,
                 border=THIN_BORDER if len(values) == 3 else None)  # fmt: skip
    _page_setup(ws, 0, len(lines) + 1, 3)


def _put(ws: Any, row: int, column: int, value: Any, **style: Any) -> Any:
    """One cell: text stored as text (never a formula), numbers as numbers; bordered."""
    style["border"] = style.pop("border", THIN_BORDER) or Border()
    return put(ws, row, column, value, **style)  # "=…" stays text, never a formula


def _banner(ws: Any, row: int, text: str, width: int, font: Font) -> None:
    _put(ws, row, 1, text, font=font, alignment=_CENTER, border=None)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 22 if font.b else 30


def _page_setup(ws: Any, header: int, last_row: int, width: int) -> None:
    """A4 landscape, one page wide; the header row repeated on each page and frozen."""
    landscape_one_page_wide(ws, PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6))
    ws.print_area = f"A1:{get_column_letter(width)}{max(last_row, 1)}"
    if header:
        ws.print_title_rows = f"{header}:{header}"
        ws.freeze_panes = f"C{header + 1}" if width > 2 else f"A{header + 1}"
