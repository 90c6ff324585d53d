"""Attachments (tệp đính kèm): scans and e-mail files kept beside the database.

A file is copied (never moved) into ``<database name>.tep-dinh-kem/`` next to the database,
named by its SHA-256, so the same file sent twice is stored once and a changed file can be
told from the original.
"""

from __future__ import annotations

import hashlib
import shutil
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.collation import nfc
from ..domain.numbers import format_points
from ..store.database import Database
from ..store.models import Attachment
from .audit import Actor, now_utc
from .errors import InputRefused

MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024


ENV_ATTACHMENTS_DIR = "KHIT_ATTACHMENTS_DIR"


def attachments_dir(db: Database) -> Path:
    """The attachments folder of ``db``: a SQLite file's sibling. For a PostgreSQL server,
    ``KHIT_ATTACHMENTS_DIR`` (a folder every clerk's PC reaches, e.g. a share on the server:
    files are only ever added, under their SHA-256, never changed, so a share is safe for
    them as it is not for a SQLite file), else a folder per server database in the data
    folder of this PC."""
    if db.path is None:
        import os

        from ..paths import data_dir

        if not db.is_postgres:
            return data_dir() / "tep-dinh-kem"
        shared = os.environ.get(ENV_ATTACHMENTS_DIR, "").strip()
        if shared:
            return Path(shared)
        url = db.url
        return (
            data_dir() / "tep-dinh-kem" / f"{url.host or 'local'}-{url.port or 5432}-{url.database}"
        )
    return db.path.with_name(f"{db.path.stem}.tep-dinh-kem")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stored_path(db: Database, attachment: Attachment) -> Path:
    suffix = Path(attachment.original_name).suffix.lower()
    return attachments_dir(db) / attachment.sha256[:2] / f"{attachment.sha256}{suffix}"


def check_attachment_file(source: Path) -> None:
    if not source.is_file():
        raise InputRefused(f"Không tìm thấy tệp đính kèm {source}.")
    size = source.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise InputRefused(
            f"Tệp {source.name} quá lớn ({_megabytes(size)} MB); "
            f"chỉ nhận tệp đến {_megabytes(MAX_ATTACHMENT_BYTES)} MB."
        )


def _megabytes(size: int) -> str:
    """'100,01': rounded up to two decimals, so a file over the limit never reads as equal."""
    value = (Decimal(size) / Decimal(1024 * 1024)).quantize(Decimal("0.01"), ROUND_CEILING)
    return format_points(value).rstrip("0").rstrip(",")


def add_attachment(db: Database, session: Session, source: Path, actor: Actor) -> Attachment:
    """The stored attachment for ``source`` (copied in if new), inside ``session``."""
    check_attachment_file(source)
    sha = file_sha256(source)
    existing = session.scalar(select(Attachment).where(Attachment.sha256 == sha))
    if existing is not None:
        target = stored_path(db, existing)
        if not target.exists():  # the folder was cleaned by hand: put the file back
            _copy(source, target)
        return existing
    attachment = Attachment(
        sha256=sha,
        original_name=nfc(source.name),
        size=source.stat().st_size,
        added_at=now_utc(),
        added_by=actor.user,
    )
    _copy(source, stored_path(db, attachment))
    session.add(attachment)
    session.flush()
    return attachment


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    shutil.copyfile(source, partial)
    partial.replace(target)
