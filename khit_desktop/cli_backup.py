"""``khit backup …`` and ``khit restore …``: a consistent copy of the database, and putting
one back.

``restore`` runs without the target database open (it may be damaged, or missing): the
caller passes ``db=None`` for the commands in ``WITHOUT_DB``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .cli_parser import EXIT_OK
from .paths import default_database_path
from .services.audit import Actor
from .services.errors import InputRefused
from .store.database import Database

COMMANDS = ("backup", "restore")
WITHOUT_DB = ("restore",)  # run before (and without) opening the database


def add_commands(commands: Any, with_db: Any) -> None:
    backup = with_db(
        commands.add_parser(
            "backup",
            help="sao lưu cơ sở dữ liệu (bản sao nhất quán, đã kiểm tra toàn vẹn)",
            description="Không có --out: bản sao lưu vào thư mục sao lưu tự động bên cạnh cơ "
            "sở dữ liệu (TÊN-sao-luu), được dọn theo lịch giữ bản sao lưu. Có --out: một tệp "
            "riêng, giữ lâu dài (không ghi đè tệp đã có).",
        )
    )
    what = backup.add_mutually_exclusive_group()
    what.add_argument("--out", metavar="TỆP", help="ghi bản sao lưu vào tệp này (.db)")
    what.add_argument(
        "--list", action="store_true", help="liệt kê các bản sao lưu tự động, mới nhất trước"
    )
    restore = with_db(
        commands.add_parser(
            "restore",
            help="phục hồi cơ sở dữ liệu từ một bản sao lưu",
            description="Thay toàn bộ dữ liệu bằng bản sao lưu TỆP. Dữ liệu đang có được giữ "
            "lại trong một bản sao lưu 'truoc-phuc-hoi'. Cửa sổ chương trình phải đóng.",
        )
    )
    restore.add_argument("file", metavar="TỆP", help="tệp sao lưu (.db)")
    restore.add_argument("--yes", action="store_true", help="không hỏi lại trước khi phục hồi")


def _target(ns: Any) -> Path:
    target = str(ns.db) if ns.db else str(default_database_path())
    if "://" in target:
        raise InputRefused(
            "Chỉ phục hồi được cơ sở dữ liệu SQLite (tệp .db); với PostgreSQL hãy dùng công cụ "
            "của máy chủ."
        )
    return Path(target)


def _confirmed(ns: Any, database: Path) -> bool:
    if ns.yes:
        return True
    question = (
        f"Phục hồi sẽ thay toàn bộ dữ liệu của {database} bằng bản sao lưu {ns.file} "
        "(dữ liệu hiện tại được giữ lại trong một bản sao lưu)."
    )
    if not sys.stdin.isatty():
        raise InputRefused(f"{question} Thêm --yes để xác nhận.")
    print(f"{question}\nGõ 'co' để tiếp tục: ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("co", "có")


def _backup(ns: Any, db: Database, actor: Actor) -> int:
    from .services import backups

    if ns.list:
        if db.path is None:
            raise InputRefused("Cơ sở dữ liệu trên máy chủ không có bản sao lưu tự động.")
        for item in backups.list_backups(db.path):
            print(f"{item.taken_at.strftime('%d/%m/%Y %H:%M:%S')}\t{item.label}\t{item.path}")
        return EXIT_OK
    if ns.out:
        out = backups.backup_to(db, Path(ns.out), actor=actor)
    else:
        out = backups.manual_backup(db, actor=actor)
    print(f"Đã sao lưu {db.display_name} vào {out}.", file=sys.stderr)
    print(out)
    return EXIT_OK


def run(ns: Any, db: Database | None, actor: Actor) -> int:
    if ns.command == "backup":
        assert db is not None, "khit backup needs the database open"
        return _backup(ns, db, actor)
    from .services.restore import restore

    database = _target(ns)
    if db is not None:
        db.dispose()  # restore writes through its own connection
    if not _confirmed(ns, database):
        print("Đã hủy; không thay đổi gì.", file=sys.stderr)
        return EXIT_OK
    result = restore(database, Path(ns.file), actor=actor)
    print(f"Đã phục hồi {result.database} từ {result.source}.", file=sys.stderr)
    if result.kept is not None:
        print(f"Dữ liệu trước khi phục hồi được giữ tại {result.kept}.", file=sys.stderr)
    if result.set_aside is not None:
        print(f"Tệp dữ liệu hỏng được chuyển sang {result.set_aside}.", file=sys.stderr)
    if not result.chain.ok and result.chain.broken is not None:
        print(
            f"Cảnh báo: nhật ký thay đổi của bản sao lưu không toàn vẹn — sự kiện "
            f"{result.chain.broken.sequence}: {result.chain.broken.reason}",
            file=sys.stderr,
        )
    print(result.database)
    return EXIT_OK
