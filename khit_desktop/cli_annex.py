"""``khit annex …``: the annex of the decision publishing a year's ranking (PDF)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .cli_parser import EXIT_OK
from .store.database import Database

COMMANDS = ("annex",)


def add_commands(commands: Any, with_db: Any) -> None:
    annex = with_db(
        commands.add_parser(
            "annex", help="phụ lục kết quả xếp loại, xếp hạng kèm theo quyết định (tệp .pdf)"
        )
    )
    annex.add_argument("--year", type=int, required=True, metavar="NĂM")
    annex.add_argument("--out", required=True, metavar="TỆP", help="tệp phụ lục: đuôi .pdf")


def run(ns: Any, db: Database) -> int:
    from .services.annex import write_annex

    out = write_annex(db, ns.year, Path(ns.out))
    print(f"Đã xuất phụ lục {out}.", file=sys.stderr)
    print(out)
    return EXIT_OK
