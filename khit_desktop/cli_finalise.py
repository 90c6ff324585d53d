"""``khit round finalize`` and ``khit round reopen``: finalising a round (the chair) and
reopening it with a written reason (the admin), through ``services.finalise``.

Wiring: ``add_commands(round_commands, with_db)`` takes the subparsers of ``khit round``;
``ns.round_command in COMMANDS`` selects ``run(ns, db, actor)``. Refusals (no permission, no
decision number and date, a published year, data changed outside the program) raise
``InputRefused``: exit 3 as for every refusal.
"""

from __future__ import annotations

import sys
from typing import Any

from .cli_parser import EXIT_OK
from .services.audit import Actor
from .store.database import Database

COMMANDS = ("finalize", "reopen")


def add_commands(round_commands: Any, with_db: Any) -> None:
    finalize = with_db(
        round_commands.add_parser(
            "finalize",
            help="chốt kỳ đánh giá (Chủ tịch Hội đồng): sau đó không ai sửa được dữ liệu của kỳ",
            description="Sao lưu cơ sở dữ liệu rồi chốt kỳ. Cần số và ngày ký của quyết định "
            "công bố kết quả (khit round decision).",
        )
    )
    finalize.add_argument("--year", type=int, required=True, metavar="NĂM")
    reopen = with_db(
        round_commands.add_parser(
            "reopen",
            help="mở lại kỳ đánh giá đã chốt (Quản trị), bắt buộc ghi lý do",
            description="Lý do được ghi vào nhật ký và in trên mọi phụ lục sau này của kỳ.",
        )
    )
    reopen.add_argument("--year", type=int, required=True, metavar="NĂM")
    reopen.add_argument("--reason", required=True, metavar="LÝ_DO", help="lý do mở lại")


def run(ns: Any, db: Database, actor: Actor) -> int:
    from .services import finalise

    if ns.round_command == "finalize":
        for note in finalise.blockers(db, ns.year, check_integrity=False):
            if not note.blocking:
                print(f"Lưu ý: {note.text}", file=sys.stderr)
        backup = finalise.finalise(db, ns.year, actor=actor)
        if backup is not None:
            print(f"Đã sao lưu trước khi chốt: {backup}", file=sys.stderr)
        print(finalise.finalisation(db, ns.year).describe())
    else:
        finalise.reopen(db, ns.year, ns.reason, actor=actor)
        print(
            f"Đã mở lại kỳ đánh giá năm {ns.year}; lý do được ghi vào nhật ký và in trên các "
            "phụ lục sau này."
        )
    return EXIT_OK
