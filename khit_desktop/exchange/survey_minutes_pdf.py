"""Biên bản khảo sát thực tế (Điều 7.2.c) as a PDF: A4 portrait, NĐ 30/2020 layout.

The agency, date and place, the survey team, the criteria checked, the findings (criterion,
what the team saw, the figure, the points proposed), general remarks, the attachments and
two signatures: the agency's representative and the head of the survey team. Without a
visit date (a survey still planned) the date is left as dotted blanks and the findings
table has an empty row per planned criterion, to be filled in by hand on the visit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from ..domain.dates import format_date
from ..domain.numbers import format_points
from .pdf_style import (
    DEMO_MARK,
    DEMO_RED,
    PORTRAIT,
    SignatureBlock,
    data_table,
    national_heading,
    para,
    place_date,
    section,
    signature_table,
    styles,
    write_pdf,
)

if TYPE_CHECKING:
    from ..services.surveys import FindingView, SurveyView

TITLE = "BIÊN BẢN KHẢO SÁT THỰC TẾ"
COUNCIL = "Hội đồng thẩm định mức độ ứng dụng CNTT"
HEADERS = ("Mã tiêu chí", "Nội dung", "Ghi nhận của đoàn", "Số liệu", "Điểm đề xuất")
# widths in mm; their sum is the portrait text width (210 − 30 − 15 = 165 mm)
WIDTHS_MM = (19, 47, 58, 21, 20)
AGENCY_SIGNS = "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KHẢO SÁT"
TEAM_SIGNS = "TRƯỞNG ĐOÀN KHẢO SÁT"
DOTS = "…" * 60
COPIES = (
    "Biên bản được lập thành 02 bản có giá trị như nhau: đơn vị được khảo sát giữ 01 bản, "
    "đoàn khảo sát giữ 01 bản để báo cáo Hội đồng thẩm định."
)


def write_survey_minutes(
    view: SurveyView,
    roster_lines: Sequence[str],
    path: str | os.PathLike[str],
    *,
    province: str = "Khánh Hòa",
    demo: bool = False,
    leader: str | None = None,
    criterion_titles: Mapping[str, str] | None = None,
) -> Path:
    """Write the minutes of survey ``view`` to ``path`` (.pdf) and return the path.

    ``roster_lines``: the survey team, one roster line each, in roster order (the view's
    members when empty); ``leader``: the name of the head of the team who signs (by default
    the name in the first line). ``criterion_titles`` names the criteria checked that have
    no finding. ValueError for a name not ending in .pdf.
    """
    lines = [line for line in (roster_lines or view.members) if line.strip()]
    head = leader if leader is not None else (lines[0].split(" — ")[0] if lines else "")
    titles = dict(criterion_titles or {})
    titles.update({f.code: f.title for f in view.findings})

    def story(width: float, height: float) -> list[Flowable]:
        return _story(view, lines, head, titles, province, demo, width, height)

    return write_pdf(
        path,
        story,
        orientation=PORTRAIT,
        title=f"Biên bản khảo sát thực tế — {view.agency_name} — năm {view.year}",
        demo=demo,
    )


def _story(
    view: SurveyView,
    lines: list[str],
    leader: str,
    titles: dict[str, str],
    province: str,
    demo: bool,
    width: float,
    height: float,
) -> list[Flowable]:
    s = styles()
    when = view.visit_date
    out: list[Flowable] = [
        national_heading(
            f"UBND tỉnh {province}",
            "Hội đồng thẩm định",
            width,
            place_and_date=place_date(province, when),
        )
    ]
    if demo:
        out.append(para(DEMO_MARK, _red(s.table_center)))
    out += [
        para(TITLE, s.title),
        para(
            f"Mức độ ứng dụng công nghệ thông tin năm {view.year} tại {view.agency_name}",
            s.subtitle,
        ),
    ]
    day = f"ngày {format_date(when)}" if when else "ngày ….. /….. /………"
    planned = "" if when else f" (dự kiến ngày {format_date(view.planned_date)})"
    out.append(
        para(
            f"Thực hiện việc thẩm định mức độ ứng dụng công nghệ thông tin năm {view.year} "
            f"(điểm c khoản 2 Điều 7 của Quy định), hôm nay, {day}{planned}, tại "
            f"{view.agency_name} (mã {view.agency_code}), đoàn khảo sát của Hội đồng thẩm "
            "định đã tiến hành khảo sát thực tế, với thành phần như sau:",
            s.body,
        )
    )
    out += section("1. Đoàn khảo sát")
    if lines:
        out += [para(f"- {line}", s.plain) for line in lines]
    else:
        out.append(para("- ………………………………………………………………", s.plain))
    out += section(f"2. Đại diện {view.agency_name}")
    out += [para("- ……………………………………………… chức vụ: ……………………………", s.plain) for _ in (1, 2)]
    out += section("I. TIÊU CHÍ KHẢO SÁT")
    out += _criteria(view, titles)
    out += section("II. KẾT QUẢ KHẢO SÁT")
    out.append(_findings_table(view, titles, width, height))
    out += section("III. NHẬN XÉT CHUNG")
    if view.remarks or when:
        out.append(para(view.remarks or "Không có nhận xét khác.", s.body))
    else:
        out += [para(DOTS, s.plain) for _ in (1, 2)]
    out += section("IV. TÀI LIỆU KÈM THEO")
    if view.attachments:
        out += [para(f"{n}. {name}", s.plain) for n, (_, name) in enumerate(view.attachments, 1)]
    else:
        out.append(para("Không có tài liệu kèm theo." if when else DOTS, s.plain))
    out.append(Spacer(1, 4))
    copies = para(COPIES, s.body)
    signatures = signature_table(
        [SignatureBlock((AGENCY_SIGNS,)), SignatureBlock((TEAM_SIGNS,), name=leader)], width
    )
    out.append(KeepTogether([copies, Spacer(1, 6), signatures]))
    return out


def _red(style: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle("demo", parent=style, textColor=DEMO_RED, spaceBefore=4)


def _criteria(view: SurveyView, titles: dict[str, str]) -> list[Flowable]:
    s = styles()
    if not view.criteria:
        return [para("Không nêu tiêu chí cụ thể.", s.plain)]
    found = {f.code for f in view.findings}
    out: list[Flowable] = []
    for code in view.criteria:
        title = titles.get(code, "")
        text = f"- Tiêu chí {code}" + (f": {title}" if title else "")
        if view.visit_date and code not in found:
            text += " (đoàn không ghi nhận khác biệt so với phiếu tự đánh giá)"
        out.append(para(text, s.plain))
    return out


def _findings_table(view: SurveyView, titles: dict[str, str], width: float, height: float) -> Table:
    s = styles()
    rows: list[list[Any]] = [[para(h, s.table_head) for h in HEADERS]]
    for finding in view.findings:
        rows.append(_finding_row(finding))
    if not view.findings:
        if view.visit_date:
            empty = [para("Không có", s.table_center)] + [""] * (len(HEADERS) - 1)
            rows.append(empty)
        else:  # to be filled in by hand on the visit
            for code in view.criteria or ("",):
                rows.append([para(code, s.table_center), para(titles.get(code, ""), s.table)])
                rows[-1] += [""] * (len(HEADERS) - 2)
    scale = width / (sum(WIDTHS_MM) * mm)
    by_hand = not view.findings and not view.visit_date  # room to write on the visit
    heights = [0.0] + [16 * mm] * (len(rows) - 1) if by_hand else None
    return data_table(rows, [w * mm * scale for w in WIDTHS_MM], height, minRowHeights=heights)


def _finding_row(finding: FindingView) -> list[Any]:
    s = styles()
    content = finding.title
    if finding.max_points:
        maximum = format_points(finding.max_points).removesuffix(",00")
        content += f" (tối đa {maximum} điểm)"
    proposed = "" if finding.proposed_points is None else format_points(finding.proposed_points)
    return [
        para(finding.code, s.table_center),
        para(content, s.table),
        para(finding.seen, s.table),
        para(finding.figure, s.table),
        para(proposed, s.number),
    ]
