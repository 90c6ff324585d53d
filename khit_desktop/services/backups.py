"""Backups of a SQLite database: automatic ones, and a manual one to a chosen file.

- Automatic backups: a consistent copy (SQLite's backup API), checked with ``PRAGMA
  integrity_check``, in a folder beside the database, pruned like Anki's
  (``domain.retention``). Taken on open, before imports, before finalising a round, and
  every 30 minutes while the data changes (``BackupSchedule``); the backup made before a
  schema upgrade (``store.database``) lies beside the database and is listed with them.
- A manual backup to a chosen file (``backup_to``); restoring one is ``services.restore``.

"Changed" is read from the audit chain's head (the last event's sequence and hash): every
change of data appends an event, and a backup taken, being no change, appends none.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ..domain.retention import RetentionPolicy, backups_to_keep
from ..store.database import Database, copy_sqlite, sqlite_integrity_ok
from ..store.models import AuditEvent
from .audit import Actor
from .errors import InputRefused, ServiceError
from .permissions import Permission

STAMP = "%Y%m%d-%H%M%S"
DEFAULT_POLICY = RetentionPolicy()
BACKUP_INTERVAL = timedelta(minutes=30)
_NAME = re.compile(r"^(?P<stem>.+)\.(?P<reason>[a-z0-9-]+)\.(?P<stamp>\d{8}-\d{6})(-\d+)?\.db$")
_UPGRADE = "truoc-nang-cap-"  # store.database's label for the copy made before a migration

REASON_LABELS = {
    "mo": "Khi mở chương trình",
    "dinh-ky": "Định kỳ (30 phút, khi dữ liệu thay đổi)",
    "nhap-phieu": "Trước khi nhập phiếu tự đánh giá",
    "nhap-ket-qua": "Trước khi nhập kết quả các năm trước",
    "chot-ky": "Trước khi chốt kỳ đánh giá",
    "truoc-phuc-hoi": "Trước khi phục hồi từ bản sao lưu",
    "thu-cong": "Sao lưu thủ công",
}

ChainHead = tuple[int, str]  # (sequence, hash) of the last audit event


class BackupFailed(ServiceError):
    """A backup could not be written, or the copy failed its integrity check."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    reason: str
    taken_at: datetime

    @property
    def label(self) -> str:
        """The reason in words, for the restore list."""
        if self.reason.startswith(_UPGRADE):
            return f"Trước khi nâng cấp dữ liệu (lược đồ {self.reason[len(_UPGRADE) :]})"
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def automatic(self) -> bool:
        """Pruned by the retention policy (the pre-upgrade copies are kept for good)."""
        return not self.reason.startswith(_UPGRADE)


def backups_dir(database: Path) -> Path:
    """``<folder of the database>/<name>-sao-luu``: beside the data, never in the install."""
    return database.parent / f"{database.stem}-sao-luu"


def open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def integrity_ok(path: Path) -> bool:
    return sqlite_integrity_ok(path)


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of a live SQLite file (backup API), checked afterwards. The copy is
    one self-contained file (rollback journal), so it can be copied or mailed as it is."""
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_sqlite(source, target)
    if not integrity_ok(target):
        target.unlink(missing_ok=True)
        raise BackupFailed(
            f"Bản sao lưu {target.name} không qua được kiểm tra toàn vẹn; đã xóa bản hỏng. "
            "Hãy chạy 'khit verify' trên cơ sở dữ liệu."
        )
    return target


def list_backups(database: Path) -> list[BackupFile]:
    """The backups of ``database`` (automatic ones, and those made before an upgrade),
    newest first."""
    found: list[BackupFile] = []
    for folder, upgrades in ((backups_dir(database), False), (database.parent, True)):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = _NAME.match(path.name)
            if not match or match["stem"] != database.stem:
                continue
            if match["reason"].startswith(_UPGRADE) != upgrades:
                continue
            taken = datetime.strptime(match["stamp"], STAMP)
            found.append(BackupFile(path, match["reason"], taken))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def take_backup(
    database: Path, reason: str, moment: datetime, policy: RetentionPolicy | None
) -> Path:
    folder = backups_dir(database)
    stamp = moment.strftime(STAMP)
    target = folder / f"{database.stem}.{reason}.{stamp}.db"
    counter = 1
    while target.exists():
        target = folder / f"{database.stem}.{reason}.{stamp}-{counter}.db"
        counter += 1
    try:
        copy_database(database, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupFailed(f"Không sao lưu được vào {folder}: {exc}") from exc
    if policy is not None:
        prune(database, policy)
    return target


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
    return take_backup(db.path, reason, now or datetime.now(), policy)


def prune(database: Path, policy: RetentionPolicy = DEFAULT_POLICY) -> list[Path]:
    """Delete the automatic backups the retention policy does not keep; the removed paths."""
    backups = [b for b in list_backups(database) if b.automatic]
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


# ---- when to back up ------------------------------------------------------------------------


def chain_head(db: Database) -> ChainHead | None:
    """The last audit event's (sequence, hash); None before the first event."""
    with db.session() as s:
        row = s.execute(
            select(AuditEvent.sequence, AuditEvent.hash)
            .where(AuditEvent.sequence.is_not(None))
            .order_by(AuditEvent.sequence.desc())
            .limit(1)
        ).first()
    return None if row is None or row[0] is None else (int(row[0]), str(row[1]))


def file_chain_head(path: Path) -> ChainHead | None:
    """The chain head stored in a database file (a backup); None if it has none."""
    try:
        conn = open_read_only(path)
        try:
            row = conn.execute(
                "SELECT sequence, hash FROM audit_event WHERE sequence IS NOT NULL "
                "ORDER BY sequence DESC LIMIT 1"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return None if row is None else (int(row[0]), str(row[1]))


def backup_on_open(
    db: Database, *, now: datetime | None = None, policy: RetentionPolicy = DEFAULT_POLICY
) -> Path | None:
    """The backup made when the window opens a database, unless the newest automatic backup
    already holds exactly this data (same chain head)."""
    if db.path is None or not db.path.exists():
        return None
    newest = next((b for b in list_backups(db.path) if b.automatic), None)
    if newest is not None and file_chain_head(newest.path) == chain_head(db):
        return None
    return automatic_backup(db, "mo", now=now, policy=policy)


@dataclass
class BackupSchedule:
    """Every ``interval`` while the data changes: due when the chain head differs from the
    one last backed up and the last backup (or failed try) is ``interval`` old."""

    last_at: datetime
    last_head: ChainHead | None
    interval: timedelta = BACKUP_INTERVAL

    def due(self, now: datetime, head: ChainHead | None) -> bool:
        return head != self.last_head and now - self.last_at >= self.interval

    def backed_up(self, now: datetime, head: ChainHead | None) -> None:
        self.last_at, self.last_head = now, head

    def failed(self, now: datetime) -> None:
        self.last_at = now  # try again after another interval, not at every tick


def backup_if_due(
    db: Database,
    schedule: BackupSchedule,
    *,
    now: datetime | None = None,
    policy: RetentionPolicy = DEFAULT_POLICY,
) -> Path | None:
    """The periodic backup ("dinh-ky") when ``schedule`` says it is due; None otherwise."""
    moment = now or datetime.now()
    head = chain_head(db)
    if not schedule.due(moment, head):
        return None
    try:
        path = automatic_backup(db, "dinh-ky", now=moment, policy=policy)
    except BackupFailed:
        schedule.failed(moment)
        raise
    schedule.backed_up(moment, head)
    return path


# ---- manual backup -------------------------------------------------------------------------


def _sqlite_path(db: Database) -> Path:
    if db.path is None:
        raise InputRefused(
            "Cơ sở dữ liệu trên máy chủ PostgreSQL được sao lưu bằng công cụ của máy chủ "
            "(pg_dump), không bằng chương trình."
        )
    return db.path


def backup_to(db: Database, target: Path, *, actor: Actor, overwrite: bool = False) -> Path:
    """Copy the database to a file the user chose (written whole, then put in place)."""
    actor.require(Permission.BACKUP)
    source = _sqlite_path(db)
    target = Path(target).resolve()
    if target == source:
        raise InputRefused("Hãy chọn một tệp khác với cơ sở dữ liệu đang mở.")
    if target.exists() and not overwrite:
        raise InputRefused(f"Tệp {target} đã có; hãy chọn tên khác (chương trình không ghi đè).")
    partial = target.with_name(target.name + ".dang-ghi")
    try:
        copy_database(source, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"Không sao lưu được vào {target}: {exc}") from exc
    return target


def manual_backup(db: Database, *, actor: Actor, now: datetime | None = None) -> Path:
    """A backup into the automatic folder, on request ("thu-cong")."""
    actor.require(Permission.BACKUP)
    source = _sqlite_path(db)
    return take_backup(source, "thu-cong", now or datetime.now(), DEFAULT_POLICY)
