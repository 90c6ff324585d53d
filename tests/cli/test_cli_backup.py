"""`khit backup` and `khit restore` (``cli_backup``), driven the way ``cli.py`` drives a
command module: parse, open the database unless the command runs without it, run."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from khit_desktop import cli_backup
from khit_desktop.cli_parser import EXIT_OK, Parser
from khit_desktop.services.audit import Actor
from khit_desktop.services.backups import list_backups
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.permissions import PermissionDenied, Role
from khit_desktop.services.scores import set_self_score
from khit_desktop.store.database import open_database
from khit_desktop.store.lock import DatabaseInUse, acquire

ADMIN = Actor(user="quan-tri", machine="may-1", role=Role.ADMIN)
CLERK = Actor(user="can-bo-a", machine="may-1", role=Role.CLERK)


def parser() -> Parser:
    root = Parser(prog="khit")
    commands = root.add_subparsers(dest="command", parser_class=Parser)

    def with_db(p: Parser) -> Parser:
        p.add_argument("--db", metavar="TỆP")
        return p

    cli_backup.add_commands(commands, with_db)
    return root


def khit(args: list[str], actor: Actor = ADMIN) -> int:
    ns = parser().parse_args(args)
    assert ns.command in cli_backup.COMMANDS
    if ns.command in cli_backup.WITHOUT_DB:
        return cli_backup.run(ns, None, actor)
    db = open_database(ns.db)
    try:
        return cli_backup.run(ns, db, actor)
    finally:
        db.dispose()


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def scores(path: Path) -> int:
    return count(path, "score")


def events(path: Path) -> int:
    return count(path, "audit_event")


@pytest.fixture
def database(demo_path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "Dữ liệu của Nguyễn Văn A"
    folder.mkdir()
    return demo_path.rename(folder / "khit minh họa.db")


def test_backup_to_a_file_and_to_the_automatic_folder(database: Path, tmp_path: Path, capsys):
    out = tmp_path / "USB của chị Lan" / "khit sao lưu.db"
    out.parent.mkdir()
    assert khit(["backup", "--db", str(database), "--out", str(out)], CLERK) == EXIT_OK
    printed = capsys.readouterr()
    assert printed.out.strip() == str(out)
    assert "Đã sao lưu" in printed.err
    assert scores(out) == scores(database) > 0
    with pytest.raises(InputRefused, match="đã có"):
        khit(["backup", "--db", str(database), "--out", str(out)], CLERK)

    assert khit(["backup", "--db", str(database)], CLERK) == EXIT_OK
    written = Path(capsys.readouterr().out.strip())
    assert written.parent.name == "khit minh họa-sao-luu" and ".thu-cong." in written.name
    assert khit(["backup", "--db", str(database), "--list"]) == EXIT_OK
    listing = capsys.readouterr().out
    assert "Sao lưu thủ công" in listing and str(written) in listing
    with pytest.raises(PermissionDenied):
        khit(["backup", "--db", str(database)], Actor(user="b", role=Role.MEMBER))


def test_backup_usage_errors(database: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        parser().parse_args(["backup", "--out", "a.db", "--list"])
    assert stopped.value.code == 2
    assert "không dùng cùng tham số" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser().parse_args(["restore", "--db", str(database)])  # the file is required


def test_restore_with_yes(database: Path, tmp_path: Path, capsys) -> None:
    backup = tmp_path / "bản sao lưu.db"
    khit(["backup", "--db", str(database), "--out", str(backup)])
    db = open_database(database)
    try:
        set_self_score(db, 2020, "STP", "2.4", answer={"yes": False})
    finally:
        db.dispose()
    assert events(database) > events(backup)
    capsys.readouterr()
    assert khit(["restore", "--db", str(database), str(backup), "--yes"]) == EXIT_OK
    printed = capsys.readouterr()
    assert printed.out.strip() == str(database)
    assert "Đã phục hồi" in printed.err and "truoc-phuc-hoi" in printed.err
    assert events(database) == events(backup) + 1  # the backup's trail and the restore
    assert [b.reason for b in list_backups(database)][:1] == ["truoc-phuc-hoi"]


def test_restore_asks_first(database: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    backup = tmp_path / "bản sao lưu.db"
    khit(["backup", "--db", str(database), "--out", str(backup)])
    # not a terminal and no --yes: refused, nothing written
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(InputRefused, match="--yes"):
        khit(["restore", "--db", str(database), str(backup)])
    assert list_backups(database) == []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("khong\n"))
    assert khit(["restore", "--db", str(database), str(backup)]) == EXIT_OK
    assert "Đã hủy" in capsys.readouterr().err
    assert list_backups(database) == []
    monkeypatch.setattr("sys.stdin", Terminal("có\n"))
    assert khit(["restore", "--db", str(database), str(backup)]) == EXIT_OK
    assert [b.reason for b in list_backups(database)] == ["truoc-phuc-hoi"]


def test_restore_refuses_while_a_window_has_it_open(database: Path, tmp_path: Path) -> None:
    backup = tmp_path / "bản sao lưu.db"
    khit(["backup", "--db", str(database), "--out", str(backup)])
    with acquire(database), pytest.raises(DatabaseInUse, match="đang được mở"):
        khit(["restore", "--db", str(database), str(backup), "--yes"])
    with pytest.raises(PermissionDenied, match="Quản trị"):
        khit(["restore", "--db", str(database), str(backup), "--yes"], CLERK)
    with pytest.raises(InputRefused, match="SQLite"):
        khit(["restore", "--db", "postgresql://may-chu/khit", str(backup), "--yes"])


def test_restore_of_a_database_that_no_longer_opens(database: Path, tmp_path: Path) -> None:
    backup = tmp_path / "bản sao lưu.db"
    khit(["backup", "--db", str(database), "--out", str(backup)])
    with database.open("r+b") as handle:  # a disk error: the database is damaged
        handle.seek(4096 * 2)
        handle.write(b"\xde\xad" * 8192)
    assert khit(["restore", "--db", str(database), str(backup), "--yes"]) == EXIT_OK
    assert scores(database) == scores(backup)
    assert list((database.parent / "khit minh họa-sao-luu").glob("*.bi-hong.*.db-hong"))
