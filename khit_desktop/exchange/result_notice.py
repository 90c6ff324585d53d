"""Kết quả thẩm định of one agency, sent to it before the council finalises the ranking: a
PDF (A4 landscape, NĐ 30/2020 layout) and its Excel twin.

Both show every criterion of the agency's Phiếu as a tree (parents bold): max points, the
self-assessed points, the appraised points, the difference, and — only where the two
differ or the appraisal set its own value — the reason and its source; then the lateness
decision, the total, the penalty, the final score, the percentage and the classification,
and a note that the result is provisional until the council finalises it. The PDF also
lists the explanations asked of the agency and the council's decisions on its criteria.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table

from ..domain.criteria import RuleKind
from ..domain.dates import format_date
from ..domain.numbers import format_percent, format_points
from .pdf_style import (
    DEMO_RED,
    LANDSCAPE,
    SignatureBlock,
    data_table,
    national_heading,
    para,
    place_date,
    recipients,
    section,
    signature_table,
    styles,
    table_style,
    write_pdf,
)

if TYPE_CHECKING:
    from ..services.explanations import DecisionView, ExplanationView
    from ..services.score_grid import AgencySheet, GridRow

PROVISIONAL = (
    "Kết quả trên là kết quả thẩm định của Tổ giúp việc, chỉ có giá trị tạm thời cho đến khi "
    "Hội đồng thẩm định thống nhất và Chủ tịch UBND tỉnh ban hành quyết định công bố kết quả "
    "xếp loại, xếp hạng (Điều 6.2, 7.1). Đề nghị cơ quan, đơn vị kiểm tra và phản hồi nếu có "
    "ý kiến khác."
)
DEMO_BANNER = "DỮ LIỆU MINH HỌA — không phải kết quả chính thức"
# (header, PDF width in mm, Excel width in characters); PDF widths sum to 297 − 30 − 15 mm.
COLUMNS: tuple[tuple[str, float, float], ...] = (
    ("Mã", 15, 8),
    ("Tiêu chí", 84, 60),
    ("Điểm tối đa", 17, 10),
    ("Tự đánh giá", 19, 11),
    ("Thẩm định", 19, 11),
    ("Chênh lệch", 19, 11),
    ("Lý do điều chỉnh", 57, 50),
    ("Nguồn", 22, 18),
)
HEADERS = tuple(c[0] for c in COLUMNS)


def notice_title(year: int) -> str:
    return f"KẾT QUẢ THẨM ĐỊNH MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM {year}"


def changed(row: GridRow) -> bool:
    """The appraisal set its own value, or the appraised points differ from the agency's."""
    return row.adjusted or bool(row.difference)


def reason_and_source(row: GridRow, sheet: AgencySheet) -> tuple[str, str]:
    """What the reason and source columns print: empty for an unchanged row and for a parent
    (its children carry the reasons); for a leaf recomputed without a reason of its own, what
    recomputed it (a corrected general datum, the group's best, the agency's own figures)."""
    if not changed(row) or not row.is_leaf:
        return "", ""
    if row.reason.strip():
        return row.reason.strip(), row.source
    corrected = [g.label for g in sheet.general if g.appraised_value not in (None, g.self_value)]
    if row.kind is RuleKind.RATIO and corrected:
        text = ", ".join(corrected)
        return f"Tính lại theo số liệu chung đã thẩm định: {text} (xem mục IV)", "Đối chiếu số liệu"
    if row.code in sheet.normalised:
        return "Tính lại theo đơn vị có số liệu cao nhất trong nhóm", row.source
    if row.flagged:
        figure = f" ({row.self_figure})" if row.self_figure else ""
        return f"Tính lại theo số liệu đơn vị kê khai{figure}", "Phiếu tự đánh giá"
    return "Tính lại theo số liệu thẩm định", row.source


def _num(value: Decimal | None) -> str:
    return "" if value is None else format_points(value)


def _diff(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + format_points(value)


def summary_lines(sheet: AgencySheet) -> list[tuple[str, str]]:
    """(label, value) pairs of the result, figures with a decimal comma."""
    return [
        ("Tổng điểm tự đánh giá", f"{format_points(sheet.self_total)} điểm"),
        ("Tổng điểm thẩm định", f"{format_points(sheet.appraised_total)} điểm"),
        ("Trừ điểm do gửi phiếu trễ hạn (Điều 8.3)", f"{format_points(sheet.penalty)} điểm"),
        (
            "Điểm cuối cùng",
            f"{format_points(sheet.final_score)} / {format_points(sheet.max_points)} điểm",
        ),
        ("Tỷ lệ so với điểm tối đa", format_percent(sheet.percent)),
        ("Xếp loại", sheet.classification.label),
    ]


def council_lines(
    sheet: AgencySheet,
    decisions: Sequence[DecisionView],
    explanations: Sequence[ExplanationView],
) -> list[str]:
    """Explanations asked, the council's decisions and corrected general data, one line each."""
    lines: list[str] = []
    for e in explanations:
        if e.agency_code != sheet.agency_code:
            continue
        text = (
            f"Văn bản số {e.letter_number} ngày {format_date(e.letter_date)} đề nghị giải "
            f"trình tiêu chí {', '.join(e.criteria)}"
        )
        text += f": {e.question.rstrip('.')}" if e.question else ""
        if e.answer_date is None:
            text += " — đang chờ giải trình."
        else:
            number = f" số {e.answer_number}" if e.answer_number else ""
            text += (
                f" — đơn vị đã giải trình tại văn bản{number} ngày "
                f"{format_date(e.answer_date)}: {e.answer}"
            )
        lines.append(text)
    for d in decisions:
        if d.agency_code == sheet.agency_code:
            lines.append(
                f"Tiêu chí {d.code}: Hội đồng thẩm định họp ngày {format_date(d.meeting_date)} "
                f"quyết định: {d.decision.rstrip('.')}; điểm thẩm định {format_points(d.points)}."
            )
    for g in sheet.general:
        if g.appraised_value is not None and g.appraised_value != g.self_value:
            own = "" if g.self_value is None else f" (đơn vị kê khai {_plain(g.self_value)})"
            why = f": {g.reason.strip()}" if g.reason.strip() else ""
            lines.append(f"Số liệu chung {g.label} tính là {_plain(g.appraised_value)}{own}{why}")
    return lines


def _plain(value: Decimal) -> str:
    text = format_points(value)
    return text[:-3] if text.endswith(",00") else text


def write_result_notice_pdf(
    sheet: AgencySheet,
    path: str | os.PathLike[str],
    *,
    decisions: Sequence[DecisionView],
    explanations: Sequence[ExplanationView],
    demo: bool = False,
    issued_on: date | None = None,
    province: str = "Khánh Hòa",
    signer: str = "",
) -> Path:
    """Write the notice of ``sheet`` to ``path`` (.pdf, A4 landscape) and return the path:
    dated ``issued_on`` (today), signed for the council by ``signer`` (its chair). ValueError
    for a name not ending in .pdf."""
    day = issued_on or date.today()

    def story(width: float, height: float) -> list[Flowable]:
        s = styles()
        out: list[Flowable] = [
            national_heading(f"UBND tỉnh {province}", "Hội đồng thẩm định", width,
                             place_and_date=place_date(province, day)),
        ]  # fmt: skip
        if demo:
            out.append(
                para(DEMO_BANNER, ParagraphStyle("demo", s.table_center, textColor=DEMO_RED))
            )
        who = f"Cơ quan, đơn vị: {sheet.agency_name} (mã {sheet.agency_code}) — Nhóm {sheet.group}"
        out += [
            para(notice_title(sheet.year), s.title),
            para(who, s.subtitle),
            *section("I. TÌNH TRẠNG GỬI PHIẾU TỰ ĐÁNH GIÁ"),
            para(f"{sheet.lateness.status.label}. {sheet.lateness.explanation}", s.body),
            *section("II. KẾT QUẢ", 60 * mm),
            _summary_table(sheet),
            *section("III. KẾT QUẢ THẨM ĐỊNH THEO TIÊU CHÍ", 45 * mm),
            _criteria_table(sheet, width, height),
        ]
        lines = council_lines(sheet, decisions, explanations)
        if lines:
            out += section("IV. GIẢI TRÌNH, QUYẾT ĐỊNH CỦA HỘI ĐỒNG")
            out += [para(f"- {line}", s.plain) for line in lines]
        sent_to = [
            f"- {sheet.agency_name};",
            "- Thành viên Hội đồng thẩm định;",
            "- Lưu: Tổ giúp việc.",
        ]
        block = SignatureBlock(("TM. Hội đồng thẩm định", "Chủ tịch"), name=signer, note="")
        signatures = signature_table([recipients(sent_to), block], width)
        return [*out, KeepTogether([para(PROVISIONAL, s.note), signatures])]

    title = f"Kết quả thẩm định năm {sheet.year} — {sheet.agency_name}"
    return write_pdf(path, story, title=title, orientation=LANDSCAPE, demo=demo)


def _summary_table(sheet: AgencySheet) -> Table:
    s = styles()
    rows = [
        [para(label, s.table), para(value, s.table_bold)] for label, value in summary_lines(sheet)
    ]
    table = Table(rows, colWidths=[90 * mm, 60 * mm], hAlign="LEFT")
    table.setStyle(table_style())
    return table


def _criteria_table(sheet: AgencySheet, width: float, height: float) -> Table:
    s = styles()
    rows: list[list[Any]] = [[para(h, s.table_head) for h in HEADERS]]
    for row in sheet.rows:
        bold = not row.is_leaf
        text, number = (s.table_bold, s.number_bold) if bold else (s.table, s.number)
        indented = ParagraphStyle(f"t{row.depth}{bold}", text, leftIndent=6 * row.depth)
        figures = (row.max_points, row.self_points, row.appraised)
        rows.append(
            [para(row.code, text), para(row.title, indented)]
            + [para(_num(v), number) for v in figures]
            + [para(_diff(row.difference), number)]
            + [para(v, s.table) for v in reason_and_source(row, sheet)]
        )
    totals = (sheet.max_points, sheet.self_total, sheet.appraised_total)
    rows.append(
        [para("Tổng cộng", s.table_bold), ""]
        + [para(_num(v), s.number_bold) for v in totals]
        + [para(_diff(sheet.appraised_total - sheet.self_total), s.number_bold), "", ""]
    )
    scale = width / (sum(c[1] for c in COLUMNS) * mm)
    widths = [c[1] * mm * scale for c in COLUMNS]
    return data_table(rows, widths, height, ("SPAN", (0, -1), (1, -1)))


# ---------------------------------------------------------------------------------- Excel


def write_result_notice_xlsx(
    sheet: AgencySheet, path: str | os.PathLike[str], *, demo: bool = False
) -> Path:
    """The same notice as an Excel workbook (.xlsx, A4 landscape one page wide); numbers are
    numbers. ValueError for a name not ending in .xlsx."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    from .xlsx_common import (
        THIN_BORDER,
        cell_font,
        landscape_one_page_wide,
        put,
        save_atomically,
        wrapped_lines,
        xlsx_target,
    )

    target = xlsx_target(path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Ket qua tham dinh"
    wb.properties.title = f"Kết quả thẩm định năm {sheet.year} — {sheet.agency_name}"
    wb.properties.creator = "KHIT Desktop"
    last, span = len(COLUMNS), sum(c[2] for c in COLUMNS)
    for index, (_, _, chars) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = chars
    wrap = Alignment(vertical="top", wrap_text=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def line(row: int, text: str, height: float, **style: Any) -> None:
        style.setdefault("alignment", Alignment(horizontal="center", vertical="center"))
        put(ws, row, 1, text, **style)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        ws.row_dimensions[row].height = height

    row = 1
    line(row, notice_title(sheet.year), 24, font=cell_font(bold=True, size=14))
    row += 1
    agency = f"Cơ quan, đơn vị: {sheet.agency_name} (mã {sheet.agency_code}) — Nhóm {sheet.group}"
    line(row, agency, 20, font=cell_font(bold=True, size=13))
    if demo:
        row += 1
        line(row, DEMO_BANNER, 20, font=cell_font(bold=True, size=13, color="C00000"))
    row += 1
    lateness = f"Tình trạng gửi phiếu: {sheet.lateness.status.label}. {sheet.lateness.explanation}"
    line(row, lateness, 16 * wrapped_lines(lateness, span), alignment=wrap)
    row += 2
    header_row = row
    for column, header in enumerate(HEADERS, start=1):
        put(
            ws, row, column, header, font=cell_font(bold=True), border=THIN_BORDER,
            alignment=centre, fill=PatternFill("solid", fgColor="D9D9D9"),
        )  # fmt: skip
    numbers = "#,##0.00"
    signed = "+#,##0.00;-#,##0.00;0.00"
    for item in sheet.rows:
        row += 1
        reason, source = reason_and_source(item, sheet)
        values = [
            item.code, item.title, item.max_points, item.self_points, item.appraised,
            item.difference, reason, source,
        ]  # fmt: skip
        for column, value in enumerate(values, start=1):
            style: dict[str, Any] = {
                "font": cell_font(bold=not item.is_leaf),
                "border": THIN_BORDER,
                "alignment": Alignment(vertical="top", wrap_text=True, indent=item.depth)
                if column == 2
                else wrap,
            }
            if 3 <= column <= 6:
                style["number_format"] = signed if column == 6 else numbers
            put(ws, row, column, value, **style)
    row += 1
    totals: list[Any] = ["Tổng cộng", None, sheet.max_points, sheet.self_total]
    totals += [sheet.appraised_total, sheet.appraised_total - sheet.self_total, None, None]
    for column, value in enumerate(totals, start=1):
        fmt = signed if column == 6 else numbers
        put(ws, row, column, value, font=cell_font(bold=True), border=THIN_BORDER,
            number_format=fmt)  # fmt: skip
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    last_table_row = row
    row += 1
    summary: list[tuple[str, Any, str]] = [
        ("Tổng điểm tự đánh giá", sheet.self_total, numbers),
        ("Tổng điểm thẩm định", sheet.appraised_total, numbers),
        ("Trừ điểm do gửi phiếu trễ hạn (Điều 8.3)", sheet.penalty, numbers),
        ("Điểm cuối cùng", sheet.final_score, numbers),
        ("Điểm tối đa", sheet.max_points, numbers),
        ("Tỷ lệ so với điểm tối đa (%)", sheet.percent, numbers),
        ("Xếp loại", sheet.classification.label, "General"),
    ]
    for label, value, fmt in summary:
        row += 1
        put(ws, row, 2, label, font=cell_font(bold=True), border=THIN_BORDER)
        put(ws, row, 3, value, font=cell_font(bold=True), border=THIN_BORDER, number_format=fmt)
    row += 2
    tall = 16 * wrapped_lines(PROVISIONAL, span)
    line(row, PROVISIONAL, tall, font=cell_font(italic=True), alignment=wrap)
    margins = PageMargins(left=1.18, right=0.59, top=0.79, bottom=0.79, header=0.3, footer=0.3)
    landscape_one_page_wide(ws, margins)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{get_column_letter(last)}{row}"
    ws.freeze_panes = f"C{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(last)}{last_table_row - 1}"
    save_atomically(wb, target)
    return target
