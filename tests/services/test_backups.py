"""Backups: automatic ones (on open, before imports, every 30 minutes while the data
changes), retention over many timestamps, a manual copy to a chosen file, and the schedule."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from khit_desktop.domain.retention import RetentionPolicy, backups_to_keep
from khit_desktop.services import backups, form_exchange, history, scores
from khit_desktop.services.audit import Actor
from khit_desktop.services.backups import (
    BackupFailed,
    BackupSchedule,
    automatic_backup,
    backup_if_due,
    backup_on_open,
    backup_to,
    backups_dir,
    chain_head,
    file_chain_head,
    list_backups,
    manual_backup,
    prune,
)
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.permissions import PermissionDenied, Role
from khit_desktop.store.database import Database, backup_sqlite, open_database
from tests.db_state import rows
from tests.history_book import ROWS_2019, write_book
from tests.services.test_form_exchange import fill

NOW = datetime(2020, 11, 20, 9, 0, 0)
CLERK = Actor(user="can-bo-a", machine="may-1", role=Role.CLERK)
MEMBER = Actor(user="uy-vien-b", machine="may-2", role=Role.MEMBER)


@pytest.fixture
def db(round_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "Dữ liệu của Nguyễn Văn A" / "khit 2020.db"
    path.parent.mkdir()
    shutil.copy(round_template, path)
    opened = open_database(path)
    yield opened
    opened.dispose()


def edit(db: Database, yes: bool = True) -> None:
    scores.set_self_score(db, 2020, "STP", "1.3", answer={"yes": yes})


def test_an_automatic_backup_is_a_checked_self_contained_copy(db: Database) -> None:
    assert db.path is not None
    edit(db)
    path = automatic_backup(db, "mo", now=NOW)
    assert path is not None
    assert path.parent == backups_dir(db.path) == db.path.parent / "khit 2020-sao-luu"
    assert path.name == "khit 2020.mo.20201120-090000.db"
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(path, "PRAGMA journal_mode") == [("delete",)]  # one file, nothing beside it
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert rows(path, "SELECT count(*) FROM score") == [(1,)]
    assert file_chain_head(path) == chain_head(db)
    again = automatic_backup(db, "mo", now=NOW)  # the same second: a new name, never replaced
    assert again is not None and again.name == "khit 2020.mo.20201120-090000-1.db"
    (only,) = [b for b in list_backups(db.path) if b.path == path]
    assert (only.reason, only.taken_at, only.label) == ("mo", NOW, "Khi mở chương trình")


def test_a_copy_failing_its_check_is_removed(db: Database, monkeypatch) -> None:
    assert db.path is not None
    monkeypatch.setattr(backups, "integrity_ok", lambda _path: False)
    with pytest.raises(BackupFailed, match="kiểm tra toàn vẹn"):
        automatic_backup(db, "mo", now=NOW)
    assert list(backups_dir(db.path).iterdir()) == []


def test_retention_over_many_timestamps(tmp_path: Path) -> None:
    """A year and a half of backups every three hours (fake files): what survives is exactly
    what the policy keeps, the pre-upgrade copies are never pruned, other files stay."""
    database = tmp_path / "Dữ liệu của Nguyễn Văn A" / "khit.db"
    folder = backups_dir(database)
    folder.mkdir(parents=True)
    times = [NOW - timedelta(hours=3 * i) for i in range(4400)]
    for moment in times:
        (folder / f"khit.dinh-ky.{moment:%Y%m%d-%H%M%S}.db").touch()
    (folder / "khit.mo.20201120-090000-1.db").touch()  # two in the newest second
    upgrade = database.parent / "khit.truoc-nang-cap-0006.20190101-080000.db"
    upgrade.touch()
    (folder / "ghi chú.txt").touch()
    (folder / "khac.mo.20201120-090000.db").touch()  # another database's backup
    policy = RetentionPolicy()
    removed = prune(database, policy)
    kept = [b for b in list_backups(database) if b.automatic]
    expected = backups_to_keep(times, policy)
    assert {b.taken_at for b in kept} == expected
    assert len(kept) == len(expected) <= 10 + 14 + 8 + 12
    assert len(removed) == 4401 - len(kept)
    assert [b.path.name for b in kept if b.taken_at == NOW] == ["khit.mo.20201120-090000-1.db"]
    assert min(expected) < NOW - timedelta(days=300)  # about a year back, monthly
    assert upgrade.exists() and list_backups(database)[-1].path == upgrade
    assert list_backups(database)[-1].label == "Trước khi nâng cấp dữ liệu (lược đồ 0006)"
    assert (folder / "ghi chú.txt").exists() and (folder / "khac.mo.20201120-090000.db").exists()


def test_every_automatic_backup_prunes(db: Database) -> None:
    assert db.path is not None
    policy = RetentionPolicy(recent=2, daily=1, weekly=1, monthly=1)
    for i in range(6):
        automatic_backup(db, "dinh-ky", now=NOW + timedelta(minutes=30 * i), policy=policy)
    assert [b.taken_at for b in list_backups(db.path)] == [
        NOW + timedelta(minutes=150),
        NOW + timedelta(minutes=120),
    ]


def test_the_migration_backup_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "Dữ liệu của Nguyễn Văn A" / "khit.db"
    opened = open_database(path)
    opened.dispose()
    copy = backup_sqlite(path, "truoc-nang-cap-0006")
    assert rows(copy, "PRAGMA integrity_check") == [("ok",)]
    (listed,) = list_backups(path)
    assert listed.path == copy and not listed.automatic
    assert sorted(p.name for p in path.parent.iterdir() if "truoc-nang-cap" in p.name) == [
        copy.name
    ]


def test_backup_on_open_only_when_the_data_changed(db: Database) -> None:
    assert db.path is not None
    first = backup_on_open(db, now=NOW)
    assert first is not None and ".mo." in first.name
    assert backup_on_open(db, now=NOW + timedelta(hours=1)) is None  # same data
    edit(db)
    second = backup_on_open(db, now=NOW + timedelta(hours=2))
    assert second is not None and file_chain_head(second) == chain_head(db)


def test_the_schedule_without_a_database() -> None:
    head = (5, "a" * 64)
    schedule = BackupSchedule(NOW, head)
    assert not schedule.due(NOW + timedelta(hours=5), head)  # no change, no backup
    changed = (6, "b" * 64)
    assert not schedule.due(NOW + timedelta(minutes=29, seconds=59), changed)
    assert schedule.due(NOW + timedelta(minutes=30), changed)
    schedule.backed_up(NOW + timedelta(minutes=30), changed)
    assert not schedule.due(NOW + timedelta(minutes=90), changed)
    # a different chain with the same length (a restore, then new edits) is a change too
    assert schedule.due(NOW + timedelta(minutes=60), (6, "c" * 64))
    schedule.failed(NOW + timedelta(minutes=61))  # a failed try waits a whole interval
    assert not schedule.due(NOW + timedelta(minutes=90), (7, "d" * 64))
    assert schedule.due(NOW + timedelta(minutes=91), (7, "d" * 64))
    first = BackupSchedule(NOW, None)  # a database without any event yet
    assert first.due(NOW + timedelta(minutes=30), (1, "e" * 64))


def test_backup_if_due_follows_the_audit_head(db: Database) -> None:
    assert db.path is not None
    schedule = BackupSchedule(NOW, chain_head(db))
    ticks = [NOW + timedelta(minutes=m) for m in range(0, 181, 1)]
    taken = []
    for tick in ticks:
        if tick == NOW + timedelta(minutes=10):
            edit(db, yes=True)
        elif tick == NOW + timedelta(minutes=100):
            edit(db, yes=False)
        path = backup_if_due(db, schedule, now=tick)
        if path is not None:
            taken.append(tick)
    # the first change waits until the last backup is 30 minutes old; the second comes when
    # it is older already, so it is backed up at the next tick; no change, no backup
    assert taken == [NOW + timedelta(minutes=30), NOW + timedelta(minutes=100)]
    assert [b.reason for b in list_backups(db.path)] == ["dinh-ky", "dinh-ky"]


def test_backup_to_a_chosen_file(db: Database, tmp_path: Path) -> None:
    assert db.path is not None
    edit(db)
    target = tmp_path / "USB của chị Lan" / "khit sao lưu.db"
    target.parent.mkdir()
    written = backup_to(db, target, actor=CLERK)
    assert written == target
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert rows(target, "SELECT count(*) FROM score") == [(1,)]
    assert sorted(p.name for p in target.parent.iterdir()) == ["khit sao lưu.db"]
    with pytest.raises(InputRefused, match="đã có"):
        backup_to(db, target, actor=CLERK)
    edit(db, yes=False)
    backup_to(db, target, actor=CLERK, overwrite=True)  # the window's dialog asked already
    assert file_chain_head(target) == chain_head(db)
    with pytest.raises(InputRefused, match="khác với cơ sở dữ liệu"):
        backup_to(db, db.path, actor=CLERK, overwrite=True)
    with pytest.raises(PermissionDenied, match="Quản trị hoặc Cán bộ Tổ giúp việc"):
        backup_to(db, tmp_path / "khac.db", actor=MEMBER)
    assert not (tmp_path / "khac.db").exists()


def test_manual_backup_goes_to_the_automatic_folder(db: Database) -> None:
    assert db.path is not None
    path = manual_backup(db, actor=CLERK, now=NOW)
    assert path.parent == backups_dir(db.path) and ".thu-cong." in path.name
    assert list_backups(db.path)[0].label == "Sao lưu thủ công"
    with pytest.raises(PermissionDenied):
        manual_backup(db, actor=MEMBER)


def test_a_forms_import_backs_up_first(db: Database, tmp_path: Path) -> None:
    assert db.path is not None
    (blank,) = form_exchange.write_blank_forms(db, 2020, tmp_path / "phiếu", agency="KS")
    fill(blank, figures={}, points={"1.8": 10}, general={"CB": 50, "MT": 45})
    before = chain_head(db)
    (result,) = form_exchange.import_paths(db, 2020, [blank])
    assert result.state == "imported"
    (backup,) = list_backups(db.path)
    assert backup.reason == "nhap-phieu"
    assert file_chain_head(backup.path) == before != chain_head(db)


def test_a_history_import_backs_up_first(db: Database, tmp_path: Path) -> None:
    assert db.path is not None
    book = history.read_history(write_book(tmp_path / "kết quả 2019.xlsx", ROWS_2019))
    history.import_history(db, 2019, book)
    (backup,) = list_backups(db.path)
    assert backup.reason == "nhap-ket-qua"
    assert rows(backup.path, "SELECT count(*) FROM round WHERE year = 2019") == [(0,)]
