"""Restoring from a backup: what is refused (and left untouched), what is kept, and the audit
trail of the restored database (the backup's own, continued by a restore event)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from khit_desktop.domain.audit_chain import verify_chain
from khit_desktop.services import scores
from khit_desktop.services.audit import Actor
from khit_desktop.services.backups import automatic_backup, backup_to, list_backups
from khit_desktop.services.permissions import PermissionDenied, Role
from khit_desktop.services.restore import RestoreRefused, read_chain, restore
from khit_desktop.store.database import (
    SCHEMA_HEAD,
    Database,
    current_revision,
    downgrade,
    open_database,
)
from khit_desktop.store.lock import DatabaseInUse, acquire
from tests.db_state import rows

NOW = datetime(2020, 11, 20, 9, 0, 0)
ADMIN = Actor(user="quan-tri", machine="may-chu-tinh", role=Role.ADMIN)
CLERK = Actor(user="can-bo-a", machine="may-1", role=Role.CLERK)


def audit(path: Path) -> list[tuple]:
    return rows(path, "SELECT sequence, action, hash FROM audit_event ORDER BY sequence")


def self_points(path: Path) -> list[tuple]:
    return rows(path, "SELECT criterion_id, self_answer FROM score ORDER BY id")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "Dữ liệu của Nguyễn Văn A"
    path.mkdir()
    return path


@pytest.fixture
def db(round_template: Path, folder: Path) -> Iterator[Database]:
    path = folder / "khit 2020.db"
    shutil.copy(round_template, path)
    opened = open_database(path)
    yield opened
    opened.dispose()


def edit(db: Database, code: str, yes: bool) -> None:
    scores.set_self_score(db, 2020, "STP", code, answer={"yes": yes})


@pytest.fixture
def backed_up(db: Database, folder: Path) -> tuple[Database, Path]:
    """One edit, a backup, then two more edits the restore will take away."""
    edit(db, "1.3", True)
    backup = backup_to(db, folder / "bản sao lưu 20-11.db", actor=ADMIN)
    edit(db, "1.3", False)
    edit(db, "2.4", True)
    return db, backup


def test_restore_brings_back_the_backup_and_keeps_what_it_replaced(
    backed_up: tuple[Database, Path],
) -> None:
    db, backup = backed_up
    assert db.path is not None
    database = db.path
    trail_in_backup = audit(backup)
    replaced = audit(database)
    replaced_scores = self_points(database)
    db.dispose()

    result = restore(database, backup, actor=ADMIN, now=NOW)

    assert result.database == database and result.source == backup
    assert result.revision == SCHEMA_HEAD and result.set_aside is None
    assert result.chain.ok and result.chain.events == len(trail_in_backup)
    assert self_points(database) == self_points(backup)
    # the restored trail is the backup's, continued by one event naming who and which file
    after = audit(database)
    assert after[:-1] == trail_in_backup
    assert after[-1][:2] == (len(trail_in_backup) + 1, "database.restore")
    (event,) = rows(
        database,
        "SELECT user, machine, new_json, old_json FROM audit_event "
        "WHERE action = 'database.restore'",
    )
    assert event[:2] == ("quan-tri", "may-chu-tinh")
    new, old = json.loads(event[2]), json.loads(event[3])
    assert new["file"] == str(backup) and new["events"] == len(trail_in_backup)
    assert new["head"] == trail_in_backup[-1][2]
    assert old["kept"] == str(result.kept)
    # what was replaced is kept, whole, as an automatic backup "truoc-phuc-hoi"
    assert result.kept is not None and ".truoc-phuc-hoi.20201120-090000" in result.kept.name
    assert audit(result.kept) == replaced and self_points(result.kept) == replaced_scores
    assert [b.label for b in list_backups(database)] == ["Trước khi phục hồi từ bản sao lưu"]
    # the database opens, its chain verifies, and work continues on it
    reopened = open_database(database)
    try:
        assert read_chain(reopened).ok and read_chain(reopened).events == len(after)
        edit(reopened, "2.4", False)
        assert read_chain(reopened).ok
    finally:
        reopened.dispose()
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]
    assert rows(database, "PRAGMA foreign_key_check") == []


def test_the_window_passes_its_own_lock(backed_up: tuple[Database, Path]) -> None:
    db, backup = backed_up
    assert db.path is not None
    lock = acquire(db.path)
    try:
        with pytest.raises(DatabaseInUse):  # without the lock: someone has it open
            restore(db.path, backup, actor=ADMIN)
        db.dispose()  # the window's engine lets go first
        result = restore(db.path, backup, actor=ADMIN, lock=lock)
        assert lock.held and result.kept is not None
    finally:
        lock.release()


def test_nothing_changes_when_refused(backed_up: tuple[Database, Path], folder: Path) -> None:
    db, backup = backed_up
    assert db.path is not None
    database = db.path
    before = audit(database)

    not_sqlite = folder / "bảng điểm.xlsx"
    not_sqlite.write_bytes(b"PK\x03\x04 not a database")
    foreign = folder / "danh bạ.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE contact (name TEXT)")
    conn.commit()
    conn.close()
    empty = folder / "rỗng.db"
    empty.touch()
    newer = folder / "bản mới hơn.db"
    shutil.copy(backup, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    damaged = folder / "bản hỏng.db"
    shutil.copy(backup, damaged)
    with damaged.open("r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\xff" * 4096 * 4)

    cases = [
        (not_sqlite, "không phải cơ sở dữ liệu SQLite"),
        (foreign, "không phải cơ sở dữ liệu của KHIT"),
        (empty, "không phải cơ sở dữ liệu SQLite"),
        (newer, "phiên bản KHIT Desktop mới hơn"),
        (damaged, "bị hỏng|không đọc được|Không đọc được"),
        (folder / "không có.db", "Không tìm thấy"),
        (database, "chính là cơ sở dữ liệu"),
    ]
    for source, words in cases:
        with pytest.raises(RestoreRefused, match=words):
            restore(database, source, actor=ADMIN)
    with pytest.raises(PermissionDenied, match="Quản trị"):
        restore(database, backup, actor=CLERK)
    assert audit(database) == before
    assert list_backups(database) == []  # not even the "truoc-phuc-hoi" copy


def test_restore_over_a_damaged_database_sets_it_aside(
    backed_up: tuple[Database, Path],
) -> None:
    db, backup = backed_up
    assert db.path is not None
    database = db.path
    db.dispose()
    with database.open("r+b") as handle:
        handle.seek(4096 * 2)
        handle.write(b"\x00\xff" * 4096 * 6)
    result = restore(database, backup, actor=ADMIN, now=NOW)
    assert result.kept is None and result.set_aside is not None
    assert result.set_aside.name == "khit 2020.bi-hong.20201120-090000.db-hong"
    assert result.set_aside.exists()  # moved, never deleted
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]
    assert self_points(database) == self_points(backup)


def test_restore_into_a_missing_database(backed_up: tuple[Database, Path], folder: Path) -> None:
    _db, backup = backed_up
    target = folder / "máy mới" / "khit.db"
    result = restore(target, backup, actor=ADMIN)
    assert result.kept is None and result.set_aside is None
    assert self_points(target) == self_points(backup)
    assert audit(target)[-1][1] == "database.restore"


def test_an_older_backup_is_upgraded_and_its_trail_chained(
    backed_up: tuple[Database, Path], folder: Path
) -> None:
    db, backup = backed_up
    assert db.path is not None
    old = folder / "bản cũ 0006.db"
    shutil.copy(backup, old)
    older = open_database(old)
    try:
        downgrade(older, "0006")
    finally:
        older.dispose()
    assert rows(old, "SELECT version_num FROM alembic_version") == [("0006",)]
    database = db.path
    db.dispose()
    result = restore(database, old, actor=ADMIN)
    assert result.revision == "0006"
    reopened = open_database(database)
    try:
        assert current_revision(reopened.engine) == SCHEMA_HEAD
        report = read_chain(reopened)
        assert report.ok
    finally:
        reopened.dispose()
    actions = [a for _s, a, _h in audit(database)]
    assert actions[-1] == "database.restore"
    assert self_points(database) == self_points(backup)


def test_an_automatic_backup_is_restored_from_its_folder(
    backed_up: tuple[Database, Path],
) -> None:
    db, _backup = backed_up
    assert db.path is not None
    first = automatic_backup(db, "mo", now=NOW)
    assert first is not None
    expected = self_points(first)
    edit(db, "3.9", True)
    database = db.path
    db.dispose()
    result = restore(database, first, actor=ADMIN, now=datetime(2020, 11, 20, 10, 0))
    assert self_points(database) == expected
    assert [b.path for b in list_backups(database)] == [result.kept, first]
    reopened = open_database(database)
    try:
        events = read_chain(reopened)
    finally:
        reopened.dispose()
    assert events.ok and verify_chain([]).ok
