"""The annex (Phụ lục) of the chairman's decision publishing the ranking: A4 landscape,
Nghị định 30/2020 layout, one section per group, then the footnotes that state every policy
behind a result (Điều 8.1, 8.3, 8.4, the tie rule, the rounded-down percentage).

Deterministic: reportlab's invariant mode and a creation date taken from the round (the
decision date, else 31/12 of the year), so the same data gives the same bytes.

The small print at the end matches the paper to the database: when and by whom the round was
finalised (Vietnam time) or that it is not yet, every reopening with its reason, and the
audit trail's head ("Mã đối chiếu nhật ký": the last event's hash, first 16 hex digits, and
the number of events), which ``khit verify --code`` finds in the trail.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from ..domain.classification import Classification
from ..domain.dates import format_date
from ..domain.lateness import LatenessStatus
from ..domain.numbers import format_percent, format_points
from ..domain.ranking import RANKING_POLICY_NOTE
from ..domain.rules import RULE_SOURCES, RoundRules
from .pdf_style import (
    DEMO_MARK,
    DEMO_RED,
    LANDSCAPE,
    Story,
    data_table,
    date_phrase,
    national_heading,
    para,
    section,
    styles,
    write_pdf,
)

if TYPE_CHECKING:
    from ..services.results import ResultRow

PROVINCE = "Khánh Hòa"
ISSUER = f"UBND tỉnh {PROVINCE}"
ANNEX_LINE = "Phụ lục"
DOTS = "……"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# (header, width in mm); the widths sum to the landscape text width, 297 − 30 − 15 mm.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("STT", 12),
    ("Cơ quan, đơn vị", 77),
    ("Tổng điểm tự đánh giá", 26),
    ("Tổng điểm thẩm định", 26),
    ("Điểm trừ", 20),
    ("Điểm cuối cùng", 24),
    ("Tỷ lệ (%)", 22),
    ("Xếp loại", 25),
    ("Xếp hạng", 20),
)
HEADERS = tuple(c[0] for c in COLUMNS)
SMALL_PRINT_GREY = colors.HexColor("#404040")  # the small print: readable, but clearly apart
# a note under the name of an agency whose line needs one
STATUS_NOTES = {
    LatenessStatus.LATE: "gửi phiếu trễ hạn không quá {grace} ngày",
    LatenessStatus.VERY_LATE: "gửi phiếu trễ hạn quá {grace} ngày",
    LatenessStatus.MISSING: "không gửi phiếu",
    LatenessStatus.NOT_RANKED: "không xếp hạng năm nay",
}


@dataclass(frozen=True)
class AnnexInfo:
    """What the annex prints besides the rows: the round's rules and the decision it is
    attached to (number and date blank until it is signed)."""

    year: int
    rules: RoundRules
    group_names: dict[int, str]
    decision_number: str = ""
    decision_date: date | None = None
    authority: str = ""  # who issues it; "" prints the province chairman
    final: bool = False  # the round is finalised ("đã chốt")
    published: bool = False  # a past year's published results, imported
    finalized_at: datetime | None = None  # UTC
    finalized_by: str = ""
    reopenings: tuple[tuple[datetime, str], ...] = ()  # (UTC time, reason)
    journal_code: str = ""  # the audit trail's head hash, first 16 hex digits
    journal_events: int = 0


NOT_FINAL = "Kỳ đánh giá chưa chốt — kết quả tạm tính"
VIETNAM_OFFSET = timedelta(hours=7)


def _vietnam(at_utc: datetime) -> datetime:
    return at_utc + VIETNAM_OFFSET  # Vietnam keeps UTC+7 all year (no summer time)


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def trail_lines(info: AnnexInfo) -> list[str]:
    """The small print under the notes: finalisation, reopenings, the trail's head."""
    if info.published:
        lines = ["Kết quả đã công bố, nhập vào chương trình từ bảng kết quả của tỉnh."]
    elif info.final and info.finalized_at is not None:
        when = _vietnam(info.finalized_at).strftime("%d/%m/%Y %H:%M")
        lines = [
            f"Kỳ đánh giá đã chốt lúc {when} (giờ Việt Nam, UTC+7), người chốt: "
            f"{info.finalized_by}."
        ]
    elif info.final:
        lines = ["Kỳ đánh giá đã chốt."]
    else:
        lines = [f"{NOT_FINAL}."]
    for at, reason in info.reopenings:
        text = reason.strip()
        end = "" if text.endswith((".", "!", "?", "…")) else "."
        lines.append(f"Đã mở lại ngày {_vietnam(at).strftime('%d/%m/%Y')} vì {text}{end}")
    if info.journal_code:
        lines.append(
            f"Mã đối chiếu nhật ký: {info.journal_code} ({_count(info.journal_events)} sự kiện)."
        )
    return lines


def annex_title(year: int) -> str:
    return (
        "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN CỦA CÁC CƠ QUAN, "
        f"ĐƠN VỊ, ĐỊA PHƯƠNG TRÊN ĐỊA BÀN TỈNH {PROVINCE.upper()} NĂM {year}"
    )


def reference_line(number: str, day: date | None, authority: str = "") -> str:
    """'(Kèm theo Quyết định số 123/QĐ-UBND ngày 30 tháng 12 năm 2020 của Chủ tịch …)';
    dotted blanks for what is not known before signing. A number given with its own symbol
    ('12/QĐ-CTUBND') is printed as given; a bare number gets '/QĐ-UBND'."""
    number = number.strip()
    if "/" not in number:
        number = f"{number or DOTS}/QĐ-UBND"
    when = date_phrase(day) if day else f"ngày {DOTS} tháng {DOTS} năm {DOTS}"
    issuer = authority.strip() or f"Chủ tịch Ủy ban nhân dân tỉnh {PROVINCE}"
    return f"(Kèm theo Quyết định số {number} {when} của {issuer})"


def section_heading(index: int, name: str) -> str:
    numeral = ROMAN[index] if index < len(ROMAN) else str(index + 1)
    return f"{numeral}. {name}"


def _number(value: Decimal) -> str:
    """'85', '85,5': a threshold or a penalty without trailing zeros."""
    text = format_points(value)
    return text.rstrip("0").rstrip(",") if "," in text else text


def footnotes(info: AnnexInfo, rows: Sequence[ResultRow]) -> list[str]:
    """The policies behind the results, with the round's values and their sources."""
    r, t = info.rules, info.rules.thresholds
    good, fair, average = _number(t.good), _number(t.fair), _number(t.average)
    lines = [
        f"Xếp loại theo tỷ lệ điểm cuối cùng so với tổng điểm tối đa ({RULE_SOURCES['thresholds']}"
        f"): Tốt từ {good} % trở lên; Khá từ {fair} % đến dưới {good} %; Trung bình từ "
        f"{average} % đến dưới {fair} %; Yếu dưới {average} %.",
        f"Hạn gửi phiếu tự đánh giá: ngày {format_date(r.deadline)} "
        f"({RULE_SOURCES['deadline']}). Gửi trễ hạn không quá {r.grace_days} ngày: tổng điểm "
        f"bị trừ {_number(r.late_penalty)} điểm (Điều 8.3); gửi trễ hạn quá {r.grace_days} "
        "ngày hoặc không gửi phiếu: xếp loại Yếu (Điều 8.4).",
        f"Xếp hạng: {RANKING_POLICY_NOTE}",
        "Điểm làm tròn đến 2 chữ số thập phân; tỷ lệ (%) làm tròn xuống 2 chữ số thập phân, "
        "để tỷ lệ ghi trong bảng không mâu thuẫn với xếp loại.",
    ]
    if any(row.classification is Classification.NOT_RANKED for row in rows):
        lines.append(
            "Cơ quan, đơn vị ghi “Không xếp hạng” không tham gia đánh giá năm nay, không xếp hạng."
        )
    return lines


def _name_cell(row: ResultRow, grace: int) -> list[Any]:
    s = styles()
    cell: list[Any] = [para(row.agency_name, s.table)]
    note = STATUS_NOTES.get(row.status)
    if note:
        cell.append(para(f"({note.format(grace=grace)})", s.table, italic=True))
    return cell


def _group_table(rows: Sequence[ResultRow], grace: int, width: float, height: float) -> Table:
    s = styles()
    cells: list[list[Any]] = [[para(h, s.table_head) for h in HEADERS]]
    for index, row in enumerate(rows, start=1):
        sent = row.appraised_total is not None

        def figure(value: Decimal | None, *, shown: bool = sent) -> str:
            return format_points(value) if shown and value is not None else "—"

        cells.append(
            [
                para(str(index), s.table_center),
                _name_cell(row, grace),
                para(figure(row.self_total), s.number),
                para(figure(row.appraised_total), s.number),
                para(figure(row.penalty) if row.penalty else "", s.number),
                para(figure(row.final_score), s.number_bold),
                para(format_percent(row.percent) if sent else "—", s.number),
                para(row.classification.value, s.table_center),
                para("" if row.rank is None else str(row.rank), s.table_center, bold=True),
            ]
        )
    scale = width / (sum(c[1] for c in COLUMNS) * mm)
    widths = [c[1] * mm * scale for c in COLUMNS]
    return data_table(cells, widths, height, ("VALIGN", (0, 0), (-1, 0), "MIDDLE"))


def annex_story(rows: Sequence[ResultRow], info: AnnexInfo, *, demo: bool = False) -> Story:
    def story(width: float, height: float) -> list[Flowable]:
        s = styles()
        out: list[Flowable] = [national_heading("", ISSUER, width)]
        if demo:
            out.append(
                para(DEMO_MARK, ParagraphStyle("annex-demo", s.table_center, textColor=DEMO_RED))
            )
        out += [
            Spacer(1, 4 * mm),
            para(ANNEX_LINE, ParagraphStyle("annex-line", s.title, spaceBefore=0)),
            para(annex_title(info.year), ParagraphStyle("annex-title", s.title, spaceBefore=2)),
            para(
                reference_line(info.decision_number, info.decision_date, info.authority),
                ParagraphStyle("annex-ref", s.place_date, spaceAfter=8),
            ),
        ]
        groups = sorted({row.group for row in rows})
        for index, number in enumerate(groups):
            mine = [row for row in rows if row.group == number]
            name = info.group_names.get(number) or mine[0].group_name
            out += section(section_heading(index, name), 45 * mm)
            out.append(_group_table(mine, info.rules.grace_days, width, height))
        notes = footnotes(info, rows)
        head = ParagraphStyle("annex-notes-head", s.note, alignment=0, spaceBefore=8)
        note = ParagraphStyle("annex-note", s.note, fontSize=11.5, leading=13.8, spaceBefore=1)
        items = [para(f"{i}. {text}", note) for i, text in enumerate(notes, start=1)]
        out.append(KeepTogether([para("Ghi chú:", head, bold=True), *items[:1]]))
        out += items[1:]
        small = ParagraphStyle(
            "annex-trail",
            s.table,
            fontSize=9,
            leading=11,
            textColor=SMALL_PRINT_GREY,
            spaceBefore=0,
        )
        trail = [para(line, small) for line in trail_lines(info)]
        out.append(KeepTogether([Spacer(1, 2 * mm), *trail]))
        return out

    return story


def creation_stamp(info: AnnexInfo) -> str:
    """The PDF's creation and modification date: the decision date, else 31/12 of the year
    (Vietnam time), so that the file does not depend on when it was written."""
    day = info.decision_date or date(info.year, 12, 31)
    return f"D:{day.year:04d}{day.month:02d}{day.day:02d}000000+07'00'"


def write_annex_pdf(
    rows: Sequence[ResultRow],
    info: AnnexInfo,
    path: str | os.PathLike[str],
    *,
    demo: bool = False,
) -> Path:
    """Write the annex of ``rows`` (in ranking order, as ``results.ranking`` gives them) to
    ``path`` (.pdf) through a temporary file beside it; return the path. ValueError for a
    name not ending in .pdf."""
    return write_pdf(
        path,
        annex_story(rows, info, demo=demo),
        title=f"Phụ lục kết quả xếp hạng ứng dụng CNTT năm {info.year}",
        orientation=LANDSCAPE,
        demo=demo,
        stamp=creation_stamp(info),
    )
