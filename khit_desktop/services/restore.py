"""Restoring a database from a backup file (``restore``): the file is checked first (a KHIT
database, intact, not newer than the program), what it replaces is kept as a backup (or,
when damaged, moved aside), the content is replaced with SQLite's backup API, and the
restore is recorded in the restored audit trail — which otherwise stays exactly as it was
in the backup, so the chain continues from it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ..domain.audit_chain import ChainEvent, ChainReport, verify_chain
from ..store.database import (
    SCHEMA_HEAD,
    Database,
    inspect_sqlite_file,
    known_revisions,
    open_database,
)
from ..store.errors import DatabaseError
from ..store.location import refuse_network_share
from ..store.lock import DatabaseLock, acquire
from ..store.models import AuditEvent
from .audit import Actor, record
from .backups import STAMP, BackupFailed, backups_dir, open_read_only, prune, take_backup
from .errors import InputRefused
from .permissions import Permission


class RestoreRefused(InputRefused):
    """The chosen file cannot be restored (nothing was changed)."""


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    source: Path
    kept: Path | None  # the backup of what was replaced ("truoc-phuc-hoi")
    set_aside: Path | None  # a damaged database moved aside instead of backed up
    revision: str  # the schema revision of the file restored
    chain: ChainReport  # the restored audit trail, before the restore event was added


def check_restore_source(source: Path) -> str:
    """The schema revision of a file fit to restore; RestoreRefused otherwise."""
    if not source.is_file():
        raise RestoreRefused(f"Không tìm thấy tệp sao lưu {source}.")
    try:
        inspect_sqlite_file(source)
        conn = open_read_only(source)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            rows = (
                conn.execute("SELECT version_num FROM alembic_version").fetchall()
                if "alembic_version" in tables
                else []
            )
            intact = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    except DatabaseError as exc:
        raise RestoreRefused(str(exc)) from None
    except sqlite3.Error as exc:
        raise RestoreRefused(f"Không đọc được tệp {source} ({exc}).") from None
    if len(rows) != 1:
        raise RestoreRefused(
            f"Tệp {source} không phải bản sao lưu của KHIT Desktop (không có dữ liệu)."
        )
    if not intact:
        raise RestoreRefused(
            f"Tệp {source} bị hỏng (không qua được kiểm tra toàn vẹn). Hãy chọn bản sao lưu khác."
        )
    revision = str(rows[0][0])
    if revision != SCHEMA_HEAD and revision not in known_revisions():
        raise RestoreRefused(
            f"Tệp {source} được tạo bởi phiên bản KHIT Desktop mới hơn (lược đồ '{revision}'). "
            "Hãy cài phiên bản mới nhất của chương trình rồi phục hồi."
        )
    return revision


def _target_damaged(database: Path) -> bool:
    """Whether the database to replace is a damaged KHIT file (moved aside, not copied);
    RestoreRefused for a file that is not a KHIT database at all."""
    with database.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise RestoreRefused(
                f"Tệp {database} không phải cơ sở dữ liệu SQLite; chương trình không ghi đè lên nó."
            )
    try:
        conn = open_read_only(database)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            intact = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    except sqlite3.Error:
        return True
    if tables and "alembic_version" not in tables:
        raise RestoreRefused(
            f"Tệp {database} không phải cơ sở dữ liệu của KHIT Desktop; không ghi đè lên nó."
        )
    return not intact


def _set_aside(database: Path, moment: datetime) -> Path:
    """Move a damaged database (and its journal files) into the backups folder, unpruned."""
    folder = backups_dir(database)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{database.stem}.bi-hong.{moment.strftime(STAMP)}.db-hong"
    for suffix in ("-wal", "-shm", "-journal"):
        companion = Path(f"{database}{suffix}")
        if companion.exists():
            os.replace(companion, Path(f"{target}{suffix}"))
    os.replace(database, target)
    return target


def _replace_content(database: Path, source: Path) -> None:
    """Write ``source`` into ``database`` with the backup API (never a file copy over a live
    WAL database); the result is checked."""
    database.parent.mkdir(parents=True, exist_ok=True)
    src = open_read_only(source)
    dest = sqlite3.connect(str(database))
    try:
        dest.execute("PRAGMA busy_timeout=10000")
        src_page = src.execute("PRAGMA page_size").fetchone()[0]
        if dest.execute("PRAGMA page_size").fetchone()[0] != src_page:
            # a WAL database only takes pages of its own size: leave WAL for the copy
            dest.execute("PRAGMA journal_mode=DELETE")
        src.backup(dest)
        dest.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if dest.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise BackupFailed(
                f"Cơ sở dữ liệu {database} không qua được kiểm tra toàn vẹn sau khi phục hồi. "
                "Hãy phục hồi lại từ bản sao lưu 'Trước khi phục hồi'."
            )
    finally:
        dest.close()
        src.close()


def read_chain(db: Database) -> ChainReport:
    with db.session() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.sequence.is_not(None)).order_by(AuditEvent.sequence)
        ).all()
        return verify_chain(
            ChainEvent(
                sequence=e.sequence or 0,
                at_utc=e.at_utc,
                user=e.user,
                machine=e.machine,
                action=e.action,
                entity=e.entity,
                entity_id=e.entity_id,
                round_year=e.round_year,
                old_json=e.old_json,
                new_json=e.new_json,
                reason=e.reason,
                prev_hash=e.prev_hash or "",
                hash=e.hash or "",
            )
            for e in rows
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def restore(
    database: Path,
    source: Path,
    *,
    actor: Actor,
    lock: DatabaseLock | None = None,
    now: datetime | None = None,
) -> RestoreResult:
    """Replace the content of ``database`` with the backup ``source``.

    Refused (nothing changed) unless ``source`` is a KHIT database that passes the integrity
    check and is not newer than the program. What is replaced is first kept as a backup
    ("truoc-phuc-hoi"), or, when damaged, moved aside. The database must not be open in a
    window: the caller passes the window's own ``lock`` (its engine disposed), otherwise the
    lock is taken here. An older backup is upgraded, and the restore is recorded in the
    restored audit trail (which is otherwise exactly the backup's)."""
    actor.require(Permission.RESTORE)
    database = Path(database).resolve()
    source = Path(source).resolve()
    if source == database:
        raise RestoreRefused("Tệp sao lưu chính là cơ sở dữ liệu cần phục hồi; hãy chọn tệp khác.")
    refuse_network_share(database)
    revision = check_restore_source(source)
    moment = now or datetime.now()
    owned = None
    if lock is None:
        owned = lock = acquire(database)
    elif not lock.held or lock.database != database:
        raise RestoreRefused(f"Chương trình không giữ khóa của cơ sở dữ liệu {database}.")
    try:
        kept = set_aside = None
        if database.exists() and database.stat().st_size > 0:
            if _target_damaged(database):
                set_aside = _set_aside(database, moment)
            else:
                kept = take_backup(database, "truoc-phuc-hoi", moment, None)
        sha = _sha256(source)
        _replace_content(database, source)
        db = open_database(database)  # upgrades an older backup, itself backed up first
        try:
            chain = read_chain(db)
            with db.session() as s:
                record(
                    s,
                    actor,
                    "database.restore",
                    "database",
                    None,
                    old={
                        "kept": str(kept) if kept else None,
                        "set_aside": str(set_aside) if set_aside else None,
                    },
                    new={
                        "file": str(source),
                        "sha256": sha,
                        "revision": revision,
                        "events": chain.events,
                        "head": chain.head,
                    },
                )
        finally:
            db.dispose()
        prune(database)
    finally:
        if owned is not None:
            owned.release()
    return RestoreResult(database, source, kept, set_aside, revision, chain)
