"""``khit notice …`` (an agency's appraisal result, PDF or Excel) and ``khit survey minutes …``
(the minutes of a field survey, PDF)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from .cli_parser import EXIT_OK, Parser
from .store.database import Database

COMMANDS = ("notice", "survey")


def add_commands(commands: Any, with_db: Any) -> None:
    notice = with_db(
        commands.add_parser(
            "notice", help="kết quả thẩm định của một cơ quan (tệp .pdf hoặc .xlsx)"
        )
    )
    notice.add_argument("--year", type=int, required=True, metavar="NĂM")
    notice.add_argument("--agency", required=True, metavar="MÃ", help="mã cơ quan (ví dụ CR)")
    notice.add_argument(
        "--out", required=True, metavar="TỆP", help="tệp kết quả: đuôi .pdf hoặc .xlsx"
    )

    survey = commands.add_parser("survey", help="khảo sát thực tế")
    sub = survey.add_subparsers(dest="survey_command", metavar="LỆNH", parser_class=Parser)
    sub.required = True
    minutes = with_db(sub.add_parser("minutes", help="xuất biên bản khảo sát thực tế (PDF)"))
    minutes.add_argument("--survey", type=int, required=True, metavar="SỐ", help="số đợt khảo sát")
    minutes.add_argument("--out", required=True, metavar="TỆP", help="tệp .pdf")


def run(ns: Any, db: Database) -> int:
    from .services import notices

    if ns.command == "notice":
        out = notices.write_notice(db, ns.year, ns.agency, Path(ns.out), as_of=date.today())
    else:
        out = notices.write_survey_minutes(db, ns.survey, Path(ns.out))
    print(f"Đã xuất {out}.", file=sys.stderr)
    print(out)
    return EXIT_OK
