"""A round exported to a read-only SQLite file (``khit export-round``), so the council can
archive a finalised year from the server (issue 9).

The file holds what the year's documents need: the round with its rules, groups, members,
receipts, scores, general data, imports, cross-checks, roster, surveys, explanations,
council decisions, published results and comments; the forms those use; all agencies and
the group catalogue; the attachments it refers to (files copied beside it); and the whole
audit trail — so its hash chain verifies and the code printed on an annex ("Mã đối chiếu
nhật ký") can be found in it. Accounts are kept for their names only: password hashes are
blanked and the accounts disabled, so no password leaves the server and nobody logs in.

The file is marked ``meta.read_only`` = '1' and ``meta.archive_year``: the program opens it
read-only (``store.read_only``: every change refused), ``verify`` checks its data against
its year's events, and anyone may read and export it (``reader_actor``).
"""

from __future__ import annotations

import getpass
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ..store.database import Database, open_database
from ..store.models import (
    Attachment,
    FormImport,
    Meta,
    ReceiptRow,
    Round,
    RoundGroup,
    Survey,
    SurveyAttachment,
)
from ..store.read_only import ARCHIVE_YEAR_KEY, READ_ONLY_KEY
from .attachments import stored_path
from .audit import Actor
from .errors import NotFound
from .integrity import VerifyReport, verify
from .permissions import Permission, Role
from .transfer import TransferRefused, copy_rows, row_counts, tables

# tables whose rows belong to one round through ``round_id``
_BY_ROUND = (
    "round_holiday",
    "round_group",
    "round_agency",
    "receipt",
    "score",
    "general_value",
    "form_import",
    "cross_check",
    "council_member",
    "survey",
    "explanation",
    "council_decision",
    "published_result",
    "comment",
)
_WHOLE = ("meta", "group_catalog", "agency", "audit_event", "app_user")


@dataclass(frozen=True)
class ExportReport:
    path: Path
    year: int
    counts: dict[str, int]
    attachments: int
    check: VerifyReport


def reader_actor() -> Actor:
    """Who reads an archive: the computer's user, allowed to read and export only."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "không rõ"
    return Actor(user=user, role=Role.READER)


def _filters(src: Connection, year: int) -> dict[str, ColumnElement[bool] | None]:
    """Per table, which rows go into the archive of ``year``."""
    round_id = src.execute(select(Round.id).where(Round.year == year)).scalar()
    if round_id is None:
        raise NotFound(f"Không có kỳ đánh giá năm {year}.")
    forms = {
        f
        for f in src.execute(select(RoundGroup.form_id).where(RoundGroup.round_id == round_id))
        .scalars()
        .all()
        if f is not None
    } | set(
        src.execute(select(FormImport.form_id).where(FormImport.round_id == round_id)).scalars()
    )
    surveys = set(src.execute(select(Survey.id).where(Survey.round_id == round_id)).scalars())
    attached = (
        set(
            src.execute(
                select(ReceiptRow.attachment_id).where(ReceiptRow.round_id == round_id)
            ).scalars()
        )
        | set(
            src.execute(
                select(FormImport.attachment_id).where(FormImport.round_id == round_id)
            ).scalars()
        )
        | set(
            src.execute(
                select(SurveyAttachment.attachment_id).where(
                    SurveyAttachment.survey_id.in_(surveys or {-1})
                )
            ).scalars()
        )
    ) - {None}
    by_name = {t.name: t for t in tables()}
    chosen: dict[str, ColumnElement[bool] | None] = {name: None for name in _WHOLE}
    chosen["round"] = by_name["round"].c.id == round_id
    for name in _BY_ROUND:
        chosen[name] = by_name[name].c.round_id == round_id
    chosen["form"] = by_name["form"].c.id.in_(forms or {-1})
    chosen["criterion"] = by_name["criterion"].c.form_id.in_(forms or {-1})
    chosen["survey_finding"] = by_name["survey_finding"].c.survey_id.in_(surveys or {-1})
    chosen["survey_attachment"] = by_name["survey_attachment"].c.survey_id.in_(surveys or {-1})
    chosen["attachment"] = by_name["attachment"].c.id.in_(attached or {-1})
    missing = set(by_name) - set(chosen)
    assert not missing, f"archive: no rule for tables {missing}"
    return chosen


def export_round(db: Database, year: int, out: Path, *, actor: Actor) -> ExportReport:
    """Write round ``year`` of ``db`` to the new SQLite file ``out``, marked read-only."""
    actor.require(Permission.EXPORT)
    out = Path(out).expanduser().resolve()
    if out.exists():
        raise TransferRefused(f"Tệp {out} đã có; hãy chọn tên khác (chương trình không ghi đè).")
    partial = out.with_name(out.name + ".dang-ghi")
    partial.unlink(missing_ok=True)
    archive = open_database(partial)
    try:
        with db.engine.connect() as src, archive.engine.begin() as dst:
            if src.dialect.name == "postgresql":  # one snapshot while clerks write
                src.execution_options(isolation_level="REPEATABLE READ")
            chosen = _filters(src, year)
            for table in tables():
                _copy(src, dst, table, chosen[table.name])
            _mark(dst, db, year)
            counts = row_counts(dst)
            files = [
                (a.sha256, a.original_name)
                for a in dst.execute(select(Attachment.sha256, Attachment.original_name))
            ]
            src.rollback()
        copied = _copy_files(db, files, out)
    finally:
        archive.dispose()
    _single_file(partial)
    os.replace(partial, out)
    reopened = open_database(out)
    try:
        check = verify(reopened)
    finally:
        reopened.dispose()
    return ExportReport(out, year, counts, copied, check)


def _copy(
    src: Connection, dst: Connection, table: Table, where: ColumnElement[bool] | None
) -> None:
    if table.name == "app_user":  # names only: no password leaves the server
        copy_rows(src, dst, table, where, {"password_hash": "", "active": False})
    elif table.name == "meta":
        copy_rows(src, dst, table, Meta.key.not_in([READ_ONLY_KEY, ARCHIVE_YEAR_KEY]))
    else:
        copy_rows(src, dst, table, where)


def _mark(dst: Connection, db: Database, year: int) -> None:
    facts = {
        ARCHIVE_YEAR_KEY: str(year),
        "archive_source": db.display_name,
        "archive_made_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        READ_ONLY_KEY: "1",  # last: from here on the file refuses every change
    }
    for key, value in facts.items():
        dst.execute(insert(Meta), {"key": key, "value": value})


def _copy_files(db: Database, files: list[tuple[str, str]], out: Path) -> int:
    target = out.with_name(f"{out.stem}.tep-dinh-kem")
    copied = 0
    for sha, name in files:
        source = stored_path(db, Attachment(sha256=sha, original_name=name))
        if source.is_file():
            place = target / source.relative_to(source.parent.parent)
            place.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, place)
            copied += 1
    return copied


def _single_file(path: Path) -> None:
    """Checkpoint the WAL into the file and leave WAL: one file that can be copied as it is."""
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
