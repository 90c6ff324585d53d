"""``khit verify``: check that nothing was changed behind the program's back — the audit
trail's hash chain, SQLite's integrity and foreign keys, the append-only triggers, and the
data against the trail (``services.integrity``). Needs no login; writes nothing.

Exit codes: 0 intact; 5 (``EXIT_BROKEN``) anything broken; 4 the file cannot be opened at all.
``--code`` looks up an annex's "Mã đối chiếu nhật ký" in the trail (exit 5 when not found).
"""

from __future__ import annotations

import json
from typing import Any

from .cli_parser import EXIT_OK
from .store.database import Database

COMMANDS = ("verify",)
EXIT_BROKEN = 5
SHOWN_FINDINGS = 20


def add_commands(commands: Any, with_db: Any) -> None:
    verify = with_db(
        commands.add_parser(
            "verify",
            help="kiểm tra toàn vẹn dữ liệu: nhật ký thay đổi, tệp SQLite, khóa ngoại",
            description="Mã thoát: 0 dữ liệu toàn vẹn; 5 phát hiện hỏng hoặc bị sửa ngoài "
            "chương trình; 4 không mở được cơ sở dữ liệu.",
        )
    )
    verify.add_argument("--json", action="store_true", help="in dạng JSON")
    verify.add_argument(
        "--code",
        metavar="MÃ",
        help="mã đối chiếu nhật ký in trên phụ lục (16 chữ số hex): tìm trong nhật ký",
    )


def _lookup(db: Database, code: str) -> tuple[dict[str, Any], str]:
    """(JSON, sentence) of where an annex's code sits in the trail."""
    from .services.audit_history import format_moment, local_time
    from .services.integrity import find_code

    found = find_code(db, code)
    if found is None:
        sentence = f"Không tìm thấy mã đối chiếu {code} trong nhật ký của cơ sở dữ liệu này."
        return {"code": code, "found": False}, sentence
    event = found.event
    later = (
        f"; sau đó có thêm {found.later_events} sự kiện"
        if found.later_events
        else "; đó là sự kiện cuối cùng"
    )
    sentence = (
        f"Mã đối chiếu {code} khớp sự kiện số {event.sequence} (ghi lúc "
        f"{format_moment(local_time(event.at_utc))} bởi {event.user}){later}."
    )
    data = {
        "code": code,
        "found": True,
        "sequence": event.sequence,
        "at_utc": event.at_utc.isoformat(),
        "later_events": found.later_events,
    }
    return data, sentence


def run(ns: Any, db: Database) -> int:
    from .services.integrity import report_lines, verify

    report = verify(db)
    lookup = _lookup(db, ns.code) if ns.code else None
    if ns.json:
        data = report.to_json()
        if lookup is not None:
            data["code_lookup"] = lookup[0]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(report_lines(report, SHOWN_FINDINGS)))
        if lookup is not None:
            print(lookup[1])
    found = lookup is None or lookup[0]["found"]
    return EXIT_OK if report.ok and found else EXIT_BROKEN
