"""What a refused call must leave alone: row counts and the values users see."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from khit_desktop.store.database import Database
from khit_desktop.store.models import (
    Attachment,
    AuditEvent,
    ReceiptRow,
    Round,
    RoundAgency,
    RoundHoliday,
)


def db_state(db: Database) -> dict[str, Any]:
    with db.session() as s:
        counts = {
            model.__tablename__: s.scalar(select(func.count()).select_from(model))
            for model in (ReceiptRow, Attachment, AuditEvent, RoundAgency, RoundHoliday)
        }
        receipts = [
            (
                r.id,
                r.agency_id,
                r.channel,
                r.sent_date,
                r.received_date,
                r.doc_number,
                r.valid,
                r.invalid_reason,
                r.note,
                r.attachment_id,
            )
            for r in s.scalars(select(ReceiptRow).order_by(ReceiptRow.id))
        ]
        attachments = [
            (a.id, a.sha256, a.original_name, a.size)
            for a in s.scalars(select(Attachment).order_by(Attachment.id))
        ]
        members = list(
            s.execute(
                select(RoundAgency.id, RoundAgency.exempt_reason).order_by(RoundAgency.id)
            ).all()
        )
        rounds = list(
            s.execute(
                select(
                    Round.year,
                    Round.state,
                    Round.deadline,
                    Round.grace_days,
                    Round.late_penalty,
                    Round.threshold_good,
                    Round.threshold_fair,
                    Round.threshold_average,
                    Round.shift_to_working_day,
                ).order_by(Round.year)
            ).all()
        )
        holidays = [
            (h.id, h.round_id, h.day, h.name)
            for h in s.scalars(select(RoundHoliday).order_by(RoundHoliday.id))
        ]
    return {
        "counts": counts,
        "receipts": receipts,
        "attachments": attachments,
        "members": members,
        "rounds": rounds,
        "holidays": holidays,
    }


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """What a query gives on the SQLite file at ``path``, read-only (the program's own
    connection is not used: the file as it is on disk)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
