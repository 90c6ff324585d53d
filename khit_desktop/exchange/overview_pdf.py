"""Báo cáo tiến độ thẩm định: the overview on one A4 page (portrait, Nghị định 30/2020 layout)
for a council meeting — the calendar with days left, the forms per group, the appraisal, the
results so far (provisional until the round is finalised) and the open items.

One page always: the open items are listed from the top of the list while they fit, then
"… và N việc khác". The same overview and day give the same bytes (reportlab's invariant
mode, the creation date taken from the report's day).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table

from ..domain.classification import Classification
from ..domain.dates import format_date
from ..domain.numbers import format_points
from .pdf_style import (
    DEMO_MARK,
    DEMO_RED,
    PORTRAIT,
    data_table,
    markup,
    national_heading,
    para,
    place_date,
    styles,
    write_pdf,
)

if TYPE_CHECKING:
    from ..services.overview_model import GroupResults, Overview

PROVINCE = "Khánh Hòa"
TITLE = "BÁO CÁO TIẾN ĐỘ THẨM ĐỊNH"
CLASS_COLUMNS = (
    Classification.GOOD,
    Classification.FAIR,
    Classification.AVERAGE,
    Classification.WEAK,
    Classification.NOT_RANKED,
)
SMALL = 9  # the tables' size: the whole report holds on one page
GREY = colors.HexColor("#404040")


def _style(name: str, parent: str, **kw: Any) -> ParagraphStyle:
    base = styles()[parent]
    size = kw.pop("fontSize", SMALL)
    return ParagraphStyle(name, parent=base, fontSize=size, leading=size * 1.18, **kw)


def _cell(text: str, *, right: bool = False, bold: bool = False, head: bool = False) -> Any:
    if head:
        return para(text, _style("ov-head", "table_head", fontSize=8.5))
    style = _style("ov-num" if right else "ov-cell", "number" if right else "table")
    return para(text, style, bold=bold)


def _heading(text: str) -> Any:
    return para(text, _style("ov-section", "heading", fontSize=11, spaceBefore=4, spaceAfter=2))


def _table(rows: list[list[Any]], widths_mm: Sequence[float], width: float) -> Table:
    scale = width / (sum(widths_mm) * mm)
    table = data_table(
        rows,
        [w * mm * scale for w in widths_mm],
        1e6,
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    )
    return table


CALENDAR_LABELS = {  # short enough for one line of the table
    "districts": "Cấp huyện đánh giá đơn vị trực thuộc và cấp xã",
    "deadline": "Hạn gửi phiếu tự đánh giá",
    "grace_end": "Hạn chót gửi phiếu trễ",
    "publication": "Công bố kết quả xếp hạng",
}


def _calendar(ov: Overview, width: float) -> list[Flowable]:
    rows = [[_cell(h, head=True) for h in ("Mốc thời gian", "Ngày", "Còn lại", "Tình trạng")]]
    moved = []
    for d in ov.calendar:
        label = CALENDAR_LABELS.get(d.key, d.label)
        rows.append(
            [
                _cell(f"{label} ({d.article})"),
                _cell(d.day_text),
                _cell(d.days_text),
                _cell(d.status.label, bold=d.status.value == "overdue"),
            ]
        )
        if d.nominal is not None:
            moved.append(f"{label.split(' (')[0].lower()} {d.nominal:%d/%m} → {d.day_text}")
    out: list[Flowable] = [_heading("I. LỊCH THỰC HIỆN"), _table(rows, (92, 22, 27, 24), width)]
    if moved:
        text = "Dời theo Điều 148 BLDS 2015: " + "; ".join(moved) + "."
        out.append(
            para(text, _style("ov-moved", "plain", fontSize=8.5, spaceBefore=1, spaceAfter=0))
        )
    return out


def _forms(ov: Overview, width: float) -> list[Flowable]:
    heads = (
        "Nhóm",
        "Số cơ quan",
        "Đúng hạn",
        "Trễ ≤ 5 ngày",
        "Trễ > 5 ngày",
        "Chưa nhận",
        "Không xếp hạng",
        "Đã nhập phiếu",
        "Đang thẩm định",
        "Đã xong",
    )
    rows = [[_cell(h, head=True) for h in heads]]
    for f in ov.forms:
        label = f"Nhóm {f.group}" if f.group else f.group_name
        figures = (
            f.members,
            f.on_time,
            f.late,
            f.very_late,
            f.missing,
            f.exempt,
            f.imported,
            f.appraising,
            f.done,
        )
        total = f.group == 0
        rows.append(
            [_cell(label, bold=total)] + [_cell(str(n), right=True, bold=total) for n in figures]
        )
    return [_heading("II. TIẾP NHẬN PHIẾU TỰ ĐÁNH GIÁ"), _table(rows, (21,) + (16,) * 9, width)]


def _appraisal(ov: Overview, width: float) -> list[Flowable]:
    heads = (
        "Nhóm",
        "Tiêu chí điều chỉnh",
        "Số cơ quan",
        "Điểm tăng",
        "Điểm giảm",
        "Chênh lệch",
        "Chờ giải trình",
        "Chờ Hội đồng",
    )
    rows = [[_cell(h, head=True) for h in heads]]
    for a in ov.appraisal:
        label = f"Nhóm {a.group}" if a.group else a.group_name
        total = a.group == 0
        rows.append(
            [_cell(label, bold=total)]
            + [_cell(str(n), right=True, bold=total) for n in (a.changed, a.agencies_changed)]
            + [
                _cell(format_points(v), right=True, bold=total)
                for v in (a.raised, a.lowered, a.net)
            ]
            + [
                _cell(str(n), right=True, bold=total)
                for n in (a.explanations_awaited, a.decisions_pending)
            ]
        )
    sv = ov.surveys
    line = (
        f"Khảo sát thực tế: {sv.total} đợt — {sv.planned} chưa ghi kết quả, {sv.done} đã khảo "
        f"sát, {sv.applied} đã áp dụng xong; kết quả: {sv.findings_applied} đã áp dụng, "
        f"{sv.findings_pending} chờ áp dụng, {sv.findings_dismissed} không áp dụng."
    )
    return [
        _heading("III. THẨM ĐỊNH"),
        _table(rows, (21, 20, 17, 21, 21, 21, 20, 24), width),
        para(line, _style("ov-line", "plain", spaceBefore=1, spaceAfter=0)),
    ]


def _names(results: Sequence[Any]) -> str:
    return "; ".join(
        f"{r.rank}. {r.agency_name} ({format_points(r.final_score)}, {r.classification.value})"
        for r in results
    )


def _results(ov: Overview, width: float, numeral: str) -> list[Flowable]:
    res = ov.results
    heads = ["Nhóm", *(c.value for c in CLASS_COLUMNS)]
    if res.last_year is not None:
        heads += [f"Năm {res.last_year} (Tốt/Khá/TB/Yếu)", "Tăng/giảm/giữ/mới"]
    rows = [[_cell(h, head=True) for h in heads]]
    for g in res.groups:
        row = [_cell(f"Nhóm {g.group}")] + [
            _cell(str(g.counts[c]), right=True) for c in CLASS_COLUMNS
        ]
        if res.last_year is not None:
            row += [_cell(_then(g)), _cell(_moves(g))]
        rows.append(row)
    widths = (21, 13, 13, 16, 13, 18) + ((37, 34) if res.last_year is not None else ())
    title = f"{numeral}. KẾT QUẢ " + ("TẠM TÍNH" if res.provisional else "ĐÃ CHỐT")
    out: list[Flowable] = [_heading(title), _table(rows, widths, width)]
    note = _style("ov-note", "plain", fontSize=8, spaceBefore=1, spaceAfter=0)
    for g in res.groups:
        text = f"Nhóm {g.group} — cao nhất: {_names(g.top) or 'chưa có'}"
        if g.bottom:
            text += f"; thấp nhất: {_names(g.bottom)}"
        out.append(para(text + ".", note))
    out.append(
        para(res.note, _style("ov-note-i", "plain", fontSize=8.5, spaceAfter=0), italic=True)
    )
    return out


def _then(g: GroupResults) -> str:
    if g.last_year_counts is None:
        return "—"
    return "/".join(str(g.last_year_counts[c]) for c in CLASS_COLUMNS[:4])


def _moves(g: GroupResults) -> str:
    m = g.movement
    if m is None:
        return "—"
    text = f"{m.up}/{m.down}/{m.same}/{m.new}"
    return text + (f" (đổi nhóm {m.group_changed})" if m.group_changed else "")


SHORT_KINDS = {  # the to-do kinds in the summary line
    "missing_form": "chưa nhận phiếu",
    "not_imported": "chưa nhập phiếu",
    "not_appraised": "chưa thẩm định",
    "unexplained": "điều chỉnh chưa có lý do",
    "survey_not_recorded": "khảo sát chưa ghi kết quả",
    "finding_pending": "kết quả khảo sát chờ áp dụng",
    "explanation_awaited": "chờ giải trình",
    "decision_pending": "chờ Hội đồng quyết định",
    "appraisal_open": "chưa đánh dấu thẩm định xong",
    "decision_number": "chưa có số quyết định công bố",
}


def _todo(ov: Overview, shown: int, numeral: str) -> list[Flowable]:
    from ..services.overview_todo import ITEM_KINDS

    counts = ov.todo_counts()
    out: list[Flowable] = [_heading(f"{numeral}. VIỆC CẦN LÀM ({len(ov.todo)} việc)")]
    if not ov.todo:
        out.append(para("Không còn việc nào đang mở.", _style("ov-todo", "plain")))
        return out
    summary = "; ".join(f"{SHORT_KINDS.get(k, ITEM_KINDS[k][0])}: {n}" for k, n in counts.items())
    item = _style("ov-todo", "plain", fontSize=8.5, spaceAfter=0, leftIndent=3 * mm)
    out.append(
        para(summary[:1].upper() + summary[1:] + ".", _style("ov-todo-sum", "plain", spaceAfter=1))
    )
    out += [para(f"- {t.text}", item) for t in ov.todo[:shown]]
    if len(ov.todo) > shown:
        out.append(para(f"… và {len(ov.todo) - shown} việc khác.", item, italic=True))
    return out


def _top(ov: Overview, width: float) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = [
        national_heading(
            f"UBND tỉnh {PROVINCE}",
            "Hội đồng thẩm định",
            width,
            place_and_date=place_date(PROVINCE, ov.today),
        )
    ]
    if ov.demo:
        demo = ParagraphStyle("ov-demo", s.table_center, textColor=DEMO_RED, fontSize=9.5)
        out.append(para(DEMO_MARK, demo))
    out += [
        para(TITLE, ParagraphStyle("ov-title", s.title, spaceBefore=2, spaceAfter=0)),
        para(
            f"Đánh giá, xếp hạng mức độ ứng dụng CNTT năm {ov.year} — tình hình đến ngày "
            f"{format_date(ov.today)}",
            ParagraphStyle("ov-sub", s.subtitle, fontSize=11.5, leading=14, spaceAfter=2),
        ),
        _stage_line(ov),
    ]
    return out


def _stage_line(ov: Overview) -> Any:
    """'Bước: ● Tiếp nhận → ● Thẩm định → ○ Trình Hội đồng → ○ Đã chốt', the current step
    in bold, with who moved the round there and when."""
    parts = []
    for step in ov.stage.steps:
        text = f"{'●' if step.reached else '○'} {markup(step.label)}"
        parts.append(f"<b>{text}</b>" if step.key == ov.stage.current else text)
    current = next((s for s in ov.stage.steps if s.key == ov.stage.current), None)
    when = ""
    if current is not None and current.at is not None:
        when = markup(f" (từ {current.at_text}, {current.by})")
    style = _style("ov-stage", "plain", fontSize=10.5, alignment=1)
    return Paragraph("Bước: " + " → ".join(parts) + when, style)


def _height(flowables: list[Flowable], width: float) -> float:
    """The height ``flowables`` take in a frame: their own heights, and between two of them
    the larger of the space after the first and before the second (as a frame collapses
    them; nothing before the first)."""
    total, after = 0.0, None
    for f in flowables:
        before = f.getSpaceBefore()
        total += f.wrap(width, 1e6)[1] + (max(before, after) if after is not None else 0.0)
        after = f.getSpaceAfter()
    return total + (after or 0.0)


def overview_story(ov: Overview) -> Any:
    def story(width: float, height: float) -> list[Flowable]:
        fixed = [*_top(ov, width), *_calendar(ov, width)]
        if ov.published:  # no receipts, no appraisal in the program: only the results
            text = (
                f"Năm {ov.year}: kết quả đã công bố, nhập từ bảng kết quả của tỉnh; chương "
                "trình không có số liệu tiếp nhận phiếu và thẩm định của năm này."
            )
            fixed.append(para(text, _style("ov-published", "plain", fontSize=10, spaceBefore=4)))
        else:
            fixed += [*_forms(ov, width), *_appraisal(ov, width)]
        later = ("II", "III") if ov.published else ("IV", "V")
        fixed += _results(ov, width, later[0])
        small = _style("ov-small", "table", fontSize=8, textColor=GREY, spaceBefore=3)
        foot = [para(_footnote(ov), small)]

        def fits(shown: int) -> bool:
            return _height(fixed + _todo(ov, shown, later[1]) + foot, width) <= height - 2

        # the most items that fit: a line is at least 8 points, so no more than a page of them
        low, high = 0, min(len(ov.todo), int(height // 8))
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if fits(middle) else (low, middle - 1)
        return fixed + _todo(ov, low, later[1]) + foot

    return story


def _footnote(ov: Overview) -> str:
    return (
        f"Lập từ dữ liệu của chương trình KHIT ngày {format_date(ov.today)}. Tiêu chí điều "
        "chỉnh: điểm thẩm định khác điểm tự chấm."
    )


def creation_stamp(ov: Overview) -> str:
    """The PDF's creation date: the report's day (Vietnam time), not the moment it is written."""
    d = ov.today
    return f"D:{d.year:04d}{d.month:02d}{d.day:02d}000000+07'00'"


def write_overview(ov: Overview, path: str | os.PathLike[str]) -> Path:
    """Write the one-page report of ``ov`` to ``path`` (.pdf) through a temporary file beside
    it; return the path. ValueError for a name not ending in .pdf."""
    return write_pdf(
        path,
        overview_story(ov),
        title=f"Báo cáo tiến độ thẩm định năm {ov.year}",
        orientation=PORTRAIT,
        demo=ov.demo,
        stamp=creation_stamp(ov),
    )
