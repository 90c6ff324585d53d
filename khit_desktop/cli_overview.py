"""``khit overview``: where a round stands (Tổng quan) — the calendar, the forms, the
appraisal, the results so far and the open items; ``--json`` for programs, ``--pdf`` for the
one-page "Báo cáo tiến độ thẩm định".

Wiring: ``add_commands(commands, with_db)``; ``ns.command in COMMANDS`` selects
``run(ns, db, actor)``. Reading needs ``Permission.READ`` (every account role has it), the
PDF ``Permission.EXPORT``.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from .cli_parser import EXIT_OK
from .domain.dates import DateFormatError, format_date, parse_date
from .domain.numbers import format_points, to_json_number
from .services.audit import Actor
from .services.errors import InputRefused
from .services.overview_model import CLASSES, Overview
from .services.permissions import Permission
from .store.database import Database

COMMANDS = ("overview",)
DEMO_LINE = "*** DỮ LIỆU MINH HỌA — không phải kết quả chính thức ***"


def add_commands(commands: Any, with_db: Any) -> None:
    overview = with_db(
        commands.add_parser(
            "overview",
            help="tổng quan tiến độ thẩm định của một năm (lịch, phiếu, thẩm định, kết quả "
            "tạm tính, việc cần làm)",
            description="In tổng quan; --pdf ghi thêm báo cáo một trang A4 “Báo cáo tiến độ "
            "thẩm định”.",
        )
    )
    overview.add_argument("--year", type=int, required=True, metavar="NĂM")
    overview.add_argument("--json", action="store_true", help="in dạng JSON")
    overview.add_argument("--pdf", metavar="TỆP", help="ghi báo cáo một trang (đuôi .pdf)")
    overview.add_argument(
        "--today",
        metavar="dd/MM/yyyy",
        help="ngày lập báo cáo, tính số ngày còn lại (mặc định: hôm nay)",
    )


def run(ns: Any, db: Database, actor: Actor) -> int:
    from .exchange.overview_pdf import write_overview
    from .services.overview import overview

    actor.require(Permission.READ)
    if ns.pdf:
        actor.require(Permission.EXPORT)
    today = date.today()
    if ns.today:
        try:
            today = parse_date(ns.today)
        except DateFormatError as exc:
            raise InputRefused(f"Ngày lập báo cáo: {exc}") from None
    ov = overview(db, ns.year, today=today)
    if ov.demo:
        print(DEMO_LINE, file=sys.stderr)
    if ns.pdf:
        out = write_overview(ov, Path(ns.pdf))
        print(f"Đã xuất báo cáo tiến độ thẩm định {out}.", file=sys.stderr)
    if ns.json:
        print(json.dumps(overview_json(ov), ensure_ascii=False, indent=2))
    else:
        print_overview(ov)
    return EXIT_OK


def _num(value: Any) -> str:
    return to_json_number(value)


def overview_json(ov: Overview) -> dict[str, Any]:
    """Every figure for programs: numbers as strings with 2 decimals, dates ISO 8601."""
    return {
        "year": ov.year,
        "today": ov.today.isoformat(),
        "demo": ov.demo,
        "published": ov.published,
        "stage": {
            "current": ov.stage.current,
            "label": ov.stage.current_label,
            "steps": [
                {
                    "key": s.key,
                    "label": s.label,
                    "reached": s.reached,
                    "at_utc": s.at.isoformat() if s.at else None,
                    "by": s.by,
                    "reason": s.reason,
                }
                for s in ov.stage.steps
            ],
        },
        "calendar": [
            {
                "key": d.key,
                "label": d.label,
                "article": d.article,
                "date": d.day.isoformat(),
                "nominal": d.nominal.isoformat() if d.nominal else None,
                "days_left": d.days_left,
                "status": d.status.value,
                "status_label": d.status.label,
                "note": d.note,
            }
            for d in ov.calendar
        ],
        "forms": [
            {
                "group": f.group,
                "group_name": f.group_name,
                "members": f.members,
                "on_time": f.on_time,
                "late": f.late,
                "very_late": f.very_late,
                "missing": f.missing,
                "exempt": f.exempt,
                "no_form": f.no_form,
                "imported": f.imported,
                "appraising": f.appraising,
                "done": f.done,
            }
            for f in ov.forms
        ],
        "appraisal": [
            {
                "group": a.group,
                "group_name": a.group_name,
                "changed": a.changed,
                "agencies_changed": a.agencies_changed,
                "raised": _num(a.raised),
                "lowered": _num(a.lowered),
                "net": _num(a.net),
                "unexplained": a.unexplained,
                "explanations_awaited": a.explanations_awaited,
                "explanations_answered": a.explanations_answered,
                "decisions_recorded": a.decisions_recorded,
                "decisions_pending": a.decisions_pending,
            }
            for a in ov.appraisal
        ],
        "surveys": vars(ov.surveys).copy(),
        "results": {
            "provisional": ov.results.provisional,
            "note": ov.results.note,
            "last_year": ov.results.last_year,
            "groups": [
                {
                    "group": g.group,
                    "group_name": g.group_name,
                    "counts": {c.value: g.counts[c] for c in CLASSES},
                    "last_year_counts": (
                        {c.value: g.last_year_counts[c] for c in CLASSES}
                        if g.last_year_counts is not None
                        else None
                    ),
                    "movement": vars(g.movement).copy() if g.movement else None,
                    "top": [_agency(r) for r in g.top],
                    "bottom": [_agency(r) for r in g.bottom],
                }
                for g in ov.results.groups
            ],
        },
        "todo": [
            {
                "kind": t.kind,
                "text": t.text,
                "screen": t.screen,
                "agency_code": t.agency_code,
                "criterion_code": t.criterion_code,
                "survey_id": t.survey_id,
                "finding_id": t.finding_id,
                "explanation_id": t.explanation_id,
                "group": t.group,
            }
            for t in ov.todo
        ],
        "decision": {
            "number": ov.decision_number,
            "date": ov.decision_date.isoformat() if ov.decision_date else None,
        },
    }


def _agency(r: Any) -> dict[str, Any]:
    return {
        "agency_code": r.agency_code,
        "agency_name": r.agency_name,
        "rank": r.rank,
        "final_score": _num(r.final_score),
        "percent": _num(r.percent),
        "classification": r.classification.value,
    }


def print_overview(ov: Overview) -> None:
    """The overview for people: dd/MM/yyyy, decimal commas."""
    print(f"TỔNG QUAN KỲ ĐÁNH GIÁ NĂM {ov.year} — tình hình đến ngày {format_date(ov.today)}")
    if ov.demo:
        print(DEMO_LINE)
    steps = " → ".join(
        f"[{s.label}]" if s.key == ov.stage.current else s.label for s in ov.stage.steps
    )
    print(f"Bước: {steps}")
    print("\nLịch thực hiện:")
    for d in ov.calendar:
        print(f"  {d.day_text}  {d.label} ({d.article}): {d.days_text} — {d.status.label}")
        if d.note:
            print(f"              {d.note}")
    print(
        "\nPhiếu tự đánh giá (đúng hạn / trễ ≤ 5 ngày / trễ > 5 ngày / chưa nhận / không xếp "
        "hạng; đã nhập / đang thẩm định / xong):"
    )
    for f in ov.forms:
        name = f"Nhóm {f.group}" if f.group else f.group_name
        print(
            f"  {name:<10} {f.members:>4} cơ quan: {f.on_time}/{f.late}/{f.very_late}/"
            f"{f.missing}/{f.exempt}; {f.imported}/{f.appraising}/{f.done}"
        )
    print("\nThẩm định (tiêu chí điều chỉnh, điểm tăng, điểm giảm, chờ giải trình, chờ Hội đồng):")
    for a in ov.appraisal:
        name = f"Nhóm {a.group}" if a.group else a.group_name
        print(
            f"  {name:<10} {a.changed} tiêu chí ({a.agencies_changed} cơ quan), "
            f"+{format_points(a.raised)} / −{format_points(a.lowered)}, "
            f"{a.explanations_awaited} chờ giải trình, {a.decisions_pending} chờ Hội đồng"
        )
    sv = ov.surveys
    print(
        f"  Khảo sát thực tế: {sv.planned} chưa ghi kết quả, {sv.done} đã khảo sát, "
        f"{sv.applied} đã áp dụng xong; kết quả chờ áp dụng: {sv.findings_pending}"
    )
    res = ov.results
    print(f"\nKết quả ({res.note}):")
    for g in res.groups:
        counts = ", ".join(f"{c.value} {g.counts[c]}" for c in CLASSES)
        print(f"  Nhóm {g.group}: {counts}")
        if g.last_year_counts is not None:
            before = ", ".join(f"{c.value} {g.last_year_counts[c]}" for c in CLASSES[:4])
            print(f"    năm {res.last_year}: {before}")
        for label, rows in (("cao nhất", g.top), ("thấp nhất", g.bottom)):
            if rows:
                names = "; ".join(
                    f"{r.rank}. {r.agency_name} ({format_points(r.final_score)}, "
                    f"{r.classification.value})"
                    for r in rows
                )
                print(f"    {label}: {names}")
    print(f"\nViệc cần làm ({len(ov.todo)}):")
    for t in ov.todo:
        print(f"  - {t.text}")
