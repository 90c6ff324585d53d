"""``khit export …``: the results of a year as an Excel workbook (.xlsx)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from .cli_parser import EXIT_OK
from .store.database import Database

COMMANDS = ("export",)


def add_commands(commands: Any, with_db: Any) -> None:
    export = with_db(
        commands.add_parser(
            "export", help="xuất kết quả xếp loại, xếp hạng và điểm chi tiết (tệp .xlsx)"
        )
    )
    export.add_argument("--year", type=int, required=True, metavar="NĂM")
    export.add_argument("--out", required=True, metavar="TỆP", help="tệp Excel: đuôi .xlsx")


def run(ns: Any, db: Database) -> int:
    from .services.results_export import export_results

    out = export_results(db, ns.year, Path(ns.out), as_of=date.today())
    print(f"Đã xuất kết quả {out}.", file=sys.stderr)
    print(out)
    return EXIT_OK
