"""How ``khit`` prints registers and rankings: JSON for programs, text for people."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .domain.dates import format_date
from .domain.movement import Movement
from .domain.numbers import format_percent, format_points, to_json_number
from .services.receipts import RegisterLine
from .services.results import ResultRow


def receipts_json(lines: list[RegisterLine]) -> list[dict[str, Any]]:
    return [
        {
            "agency_code": line.agency_code,
            "agency_name": line.agency_name,
            "group": line.group,
            "status": line.decision.status.value,
            "status_label": line.decision.status.label,
            "penalty": to_json_number(line.decision.penalty),
            "explanation": line.decision.explanation,
            "receipts": [
                {
                    "id": r.id,
                    "channel": r.channel.value,
                    "channel_label": r.channel.label,
                    "sent_date": r.sent_date.isoformat(),
                    "received_date": r.received_date.isoformat() if r.received_date else None,
                    "doc_number": r.doc_number,
                    "valid": r.valid,
                    "invalid_reason": r.invalid_reason,
                    "counted": r.counted,
                }
                for r in line.receipts
            ],
        }
        for line in lines
    ]


def _num(value: Any) -> str | None:
    return None if value is None else to_json_number(value)


def rank_json(
    rows: list[ResultRow], movements: Mapping[str, Movement] | None = None
) -> list[dict[str, Any]]:
    """The ranking for programs; with ``movements``, each row also has "movement" (kind,
    steps, the phrase; null when there is no year before to compare with)."""
    return [
        _with_movement(
            r.agency_code,
            movements,
            {
                "agency_code": r.agency_code,
                "agency_name": r.agency_name,
                "group": r.group,
                "group_name": r.group_name,
                "self_total": _num(r.self_total),
                "appraised_total": _num(r.appraised_total),
                "area_totals": [to_json_number(a) for a in r.area_totals],
                "penalty": to_json_number(r.penalty),
                "final_score": to_json_number(r.final_score),
                "max_points": to_json_number(r.max_points),
                "percent": to_json_number(r.percent),
                "classification": r.classification.value,
                "rank": r.rank,
                "status": r.status.value,
                "explanation": r.explanation,
            },
        )
        for r in rows
    ]


def _with_movement(
    code: str, movements: Mapping[str, Movement] | None, row: dict[str, Any]
) -> dict[str, Any]:
    if movements is None:
        return row
    found = movements.get(code)
    row["movement"] = (
        None
        if found is None
        else {"kind": found.kind.value, "steps": found.steps, "text": found.text}
    )
    return row


def _banner(title: str, demo: bool) -> None:
    print(title)
    if demo:
        print("*** DỮ LIỆU MINH HỌA — không phải kết quả chính thức ***")


def print_receipts(lines: list[RegisterLine], year: int, demo: bool) -> None:
    _banner(f"SỔ TIẾP NHẬN PHIẾU ĐÁNH GIÁ NĂM {year}", demo)
    group = None
    for line in lines:
        if line.group != group:
            group = line.group
            print(f"\nNhóm {group}")
        print(f"  [{line.agency_code}] {line.agency_name} — {line.decision.status.label}")
        for r in line.receipts:
            mark = "→" if r.counted else ("✗" if not r.valid else " ")
            received = format_date(r.received_date) if r.received_date else "—"
            extra = f" (không hợp lệ: {r.invalid_reason})" if not r.valid else ""
            print(
                f"     {mark} #{r.id} {r.channel.label}: gửi {format_date(r.sent_date)}, "
                f"nhận {received}, số {r.doc_number or '—'}{extra}"
            )
        print(f"     {line.decision.explanation}")


def print_rank(
    rows: list[ResultRow],
    year: int,
    demo: bool,
    movements: Mapping[str, Movement] | None = None,
) -> None:
    _banner(f"KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ ỨNG DỤNG CNTT NĂM {year}", demo)
    if movements:
        print(f"(trong ngoặc: thay đổi thứ hạng so với năm {year - 1})")
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            print(f"\nNhóm {group}: {r.group_name}")
            print(
                f"{'Hạng':>4}  {'Cơ quan':<48} {'Tự chấm':>9} {'Thẩm định':>9} "
                f"{'Trừ':>7} {'Cuối cùng':>9} {'Tỷ lệ':>8}  Xếp loại"
            )
        rank = str(r.rank) if r.rank is not None else "—"
        self_total = format_points(r.self_total) if r.self_total is not None else "—"
        appraised = format_points(r.appraised_total) if r.appraised_total is not None else "—"
        print(
            f"{rank:>4}  {r.agency_name[:48]:<48} {self_total:>9} {appraised:>9} "
            f"{format_points(r.penalty):>7} {format_points(r.final_score):>9} "
            f"{format_percent(r.percent):>8}  {r.classification.value}{_moved(r, movements)}"
        )
        print(f"{'':6}{r.explanation}")


def _moved(row: ResultRow, movements: Mapping[str, Movement] | None) -> str:
    found = movements.get(row.agency_code) if movements else None
    return f" ({found.text})" if found and found.text else ""
