"""Automatic backups of a SQLite database: a consistent copy (SQLite's backup API), checked
with ``PRAGMA integrity_check``, kept in a folder beside the database, pruned like Anki's
(``domain.retention``)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..domain.retention import RetentionPolicy, backups_to_keep
from ..store.database import Database
from .errors import ServiceError

_STAMP = "%Y%m%d-%H%M%S"
DEFAULT_POLICY = RetentionPolicy()
_NAME = re.compile(r"^(?P<stem>.+)\.(?P<reason>[a-z0-9-]+)\.(?P<stamp>\d{8}-\d{6})(-\d+)?\.db$")


class BackupFailed(ServiceError):
    """A backup could not be written, or the copy failed its integrity check."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    reason: str
    taken_at: datetime


def backups_dir(database: Path) -> Path:
    """``<folder of the database>/<name>-sao-luu``: beside the data, never in the install."""
    return database.parent / f"{database.stem}-sao-luu"


def integrity_ok(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a live SQLite file (backup API), checked afterwards."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(str(source))
    dest = sqlite3.connect(str(target))
    try:
        with dest:
            src.backup(dest)
    finally:
        dest.close()
        src.close()
    if not integrity_ok(target):
        target.unlink(missing_ok=True)
        raise BackupFailed(
            f"Bản sao lưu {target.name} không qua được kiểm tra toàn vẹn; đã xóa bản hỏng. "
            "Hãy chạy 'khit verify' trên cơ sở dữ liệu."
        )
    return target


def list_backups(database: Path) -> list[BackupFile]:
    """Automatic backups of ``database``, newest first."""
    folder = backups_dir(database)
    found: list[BackupFile] = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = _NAME.match(path.name)
            if match and match["stem"] == database.stem:
                taken = datetime.strptime(match["stamp"], _STAMP)
                found.append(BackupFile(path, match["reason"], taken))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def automatic_backup(
    db: Database,
    reason: str,
    *,
    now: datetime | None = None,
    policy: RetentionPolicy = DEFAULT_POLICY,
) -> Path | None:
    """Back the database up before ``reason`` ("mo", "nhap-phieu", "chot-ky", …), then prune
    older automatic backups. None for a database that is not a SQLite file."""
    if db.path is None or not db.path.exists():
        return None
    moment = now or datetime.now()
    folder = backups_dir(db.path)
    stamp = moment.strftime(_STAMP)
    target = folder / f"{db.path.stem}.{reason}.{stamp}.db"
    counter = 1
    while target.exists():
        target = folder / f"{db.path.stem}.{reason}.{stamp}-{counter}.db"
        counter += 1
    try:
        copy_database(db.path, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupFailed(f"Không sao lưu được vào {folder}: {exc}") from exc
    prune(db.path, policy)
    return target


def prune(database: Path, policy: RetentionPolicy = DEFAULT_POLICY) -> list[Path]:
    """Delete the automatic backups the retention policy does not keep; the removed paths."""
    backups = list_backups(database)
    keep = backups_to_keep([b.taken_at for b in backups], policy)
    removed: list[Path] = []
    kept_times: set[datetime] = set()
    for backup in backups:  # newest first: of several in one second, the newest stays
        if backup.taken_at in keep and backup.taken_at not in kept_times:
            kept_times.add(backup.taken_at)
            continue
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    return removed
