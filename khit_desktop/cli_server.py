"""``khit export-round`` and ``khit migrate-to``: the PostgreSQL mode's archive and move
(issue 9).

- ``export-round --year Y --out FILE.db``: one round to a read-only SQLite file
  (``services.archive``), from any database (a server or a file). Every role may export.
- ``migrate-to --from FILE.db --to URL``: a SQLite database into an empty PostgreSQL one
  (``services.transfer``), logged in against the file (an administrator's job); exit 5 when
  the counts or ``verify`` of either side disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cli_parser import EXIT_OK
from .services.audit import Actor
from .store.database import Database, open_database

COMMANDS = ("export-round",)
WITHOUT_DB = ("migrate-to",)  # opens its own two databases
EXIT_MISMATCH = 5


def add_commands(commands: Any, with_db: Any, login_option: Any) -> None:
    export = with_db(
        commands.add_parser(
            "export-round",
            help="xuất một kỳ đánh giá ra tệp SQLite chỉ đọc để lưu hồ sơ",
            description="Tệp xuất có kỳ đánh giá, cơ quan, phiếu, điểm, sổ tiếp nhận, khảo "
            "sát, giải trình, quyết định và toàn bộ nhật ký thay đổi; tài khoản chỉ giữ tên "
            "(không có mật khẩu). Chương trình mở tệp này ở chế độ chỉ đọc.",
        )
    )
    export.add_argument("--year", type=int, required=True, metavar="NĂM")
    export.add_argument("--out", required=True, metavar="TỆP", help="tệp mới (.db), không ghi đè")
    move = commands.add_parser(
        "migrate-to",
        help="chuyển cơ sở dữ liệu SQLite sang máy chủ PostgreSQL (trống)",
        description="Chép mọi bảng, giữ nguyên mã dòng và nhật ký thay đổi, rồi so số dòng "
        "từng bảng và kiểm tra toàn vẹn hai bên. Mã thoát 5 nếu có chỗ không khớp. Đăng nhập "
        "bằng tài khoản quản trị của tệp nguồn.",
    )
    move.add_argument("--from", dest="source", required=True, metavar="TỆP", help="tệp .db")
    move.add_argument(
        "--to", dest="target", required=True, metavar="URL", help="postgresql://…/tên_csdl"
    )
    login_option(move)


def run_export(ns: Any, db: Database, actor: Actor) -> int:
    from .services.archive import export_round

    report = export_round(db, ns.year, Path(ns.out), actor=actor)
    state = "toàn vẹn" if report.check.ok else "HỎNG: " + (report.check.first_problem() or "")
    print(
        f"Đã xuất kỳ đánh giá năm {ns.year} ra {report.path} (chỉ đọc; "
        f"{report.counts.get('score', 0)} dòng điểm, {report.counts.get('receipt', 0)} lần "
        f"tiếp nhận, {report.counts.get('audit_event', 0)} sự kiện nhật ký, "
        f"{report.attachments} tệp đính kèm). Kiểm tra tệp xuất: {state}.",
        file=sys.stderr,
    )
    return EXIT_OK if report.check.ok else EXIT_MISMATCH


def run_migrate(ns: Any, login: Callable[[Any, Database], Actor]) -> int:
    from .services.transfer import migrate_to, report_lines, source_path

    source = open_database(source_path(ns.source))
    try:
        actor = login(ns, source)
        report = migrate_to(source, ns.target, actor=actor)
    finally:
        source.dispose()
    for line in report_lines(report):
        print(line)
    return EXIT_OK if report.ok else EXIT_MISMATCH
