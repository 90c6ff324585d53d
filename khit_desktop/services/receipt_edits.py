"""Changing the register after the fact: editing or invalidating a receipt, exempting an
agency, and reading an agency's history. A change that would change the agency's status
needs a reason (the audit keeps it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..domain.collation import nfc
from ..domain.lateness import LatenessDecision, decide_lateness
from ..store.database import Database
from ..store.models import Agency, AuditEvent, ReceiptRow, Round, RoundAgency
from .attachments import add_attachment, check_attachment_file
from .audit import Actor, record
from .concurrency import check_version, overwrite_note, reported_as_conflict
from .errors import InputRefused, NotFound
from .permissions import Permission
from .receipts import (
    ReceiptInput,
    check_duplicate,
    check_receipt_dates,
    ensure_open,
    member,
    receipt_snapshot,
    to_domain,
)
from .rounds import get_round, rules_of


class StatusChangeNeedsReason(InputRefused):
    """The change would change the agency's status: confirm it with a reason."""

    def __init__(self, agency: str, old: LatenessDecision, new: LatenessDecision) -> None:
        super().__init__(
            f"Thay đổi này làm tình trạng của {agency} đổi từ «{old.status.label}» sang "
            f"«{new.status.label}». Cần xác nhận và ghi lý do."
        )
        self.old, self.new = old, new


def _decision(rnd: Round, m: RoundAgency, rows: list[ReceiptRow]) -> LatenessDecision:
    return decide_lateness(
        rules_of(rnd), [to_domain(r) for r in rows], exempt_reason=m.exempt_reason
    )


def _agency_rows(session: Session, rnd: Round, m: RoundAgency) -> list[ReceiptRow]:
    return list(
        session.scalars(
            select(ReceiptRow).where(
                ReceiptRow.round_id == rnd.id, ReceiptRow.agency_id == m.agency_id
            )
        ).all()
    )


def _load(session: Session, receipt_id: int) -> tuple[ReceiptRow, Round, RoundAgency]:
    # locked (PostgreSQL) so that two clerks' saves of one receipt queue: the second sees
    # the first's version (services.concurrency)
    row = session.get(ReceiptRow, receipt_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"Không có lần tiếp nhận số {receipt_id}.")
    rnd = session.get(Round, row.round_id)
    m = session.scalar(
        select(RoundAgency).where(
            RoundAgency.round_id == row.round_id, RoundAgency.agency_id == row.agency_id
        )
    )
    assert rnd is not None and m is not None
    return row, rnd, m


def _record(
    s: Session, actor: Actor, action: str, row: ReceiptRow, rnd: Round, old: object, reason: str
) -> None:
    record(
        s,
        actor,
        action,
        "receipt",
        row.id,
        year=rnd.year,
        old=old,
        new=receipt_snapshot(row),
        reason=reason,
    )


def update_receipt(
    db: Database,
    receipt_id: int,
    data: ReceiptInput,
    *,
    reason: str = "",
    actor: Actor | None = None,
    today: date | None = None,
    expected_version: int | None = None,
    overwrite_reason: str = "",
) -> None:
    """Correct a receipt's channel, dates, number, note or attachment. ``expected_version``
    is the version the screen showed (``ReceiptView.version``): another clerk's save in
    between is refused with ``EditConflict`` unless ``overwrite_reason`` is given."""
    actor = actor or Actor()
    actor.require(Permission.RECEIPTS)
    reason = nfc(reason).strip()
    if data.attachment is not None:
        check_attachment_file(data.attachment)
    with _conflicts(db, receipt_id), db.session() as s:
        row, rnd, m = _load(s, receipt_id)
        ensure_open(rnd)
        note = _guard(s, row, m, expected_version, overwrite_reason)
        check_receipt_dates(rnd.year, data.sent_date, data.received_date, today or date.today())
        check_duplicate(s, rnd, m, data, exclude=row.id)
        before = _decision(rnd, m, _agency_rows(s, rnd, m))
        old = receipt_snapshot(row)
        row.channel = data.channel.value
        row.sent_date, row.received_date = data.sent_date, data.received_date
        row.doc_number, row.note = nfc(data.doc_number).strip(), nfc(data.note).strip()
        after = _decision(rnd, m, _agency_rows(s, rnd, m))
        if after.status is not before.status and not reason:
            raise StatusChangeNeedsReason(m.name, before, after)
        if data.attachment is not None:  # copied only once every check has passed
            row.attachment = add_attachment(db, s, data.attachment, actor)
        _record(s, actor, "receipt.update", row, rnd, old, _joined(reason, note))


def invalidate_receipt(
    db: Database,
    receipt_id: int,
    reason: str,
    *,
    actor: Actor | None = None,
    expected_version: int | None = None,
    overwrite_reason: str = "",
) -> None:
    """Mark a receipt invalid (the next valid one then counts); a reason is required."""
    actor = actor or Actor()
    actor.require(Permission.RECEIPTS)
    reason = nfc(reason).strip()
    if not reason:
        raise InputRefused("Cần ghi lý do khi đánh dấu phiếu không hợp lệ.")
    with _conflicts(db, receipt_id), db.session() as s:
        row, rnd, m = _load(s, receipt_id)
        ensure_open(rnd)
        note = _guard(s, row, m, expected_version, overwrite_reason)
        if not row.valid:
            raise InputRefused(f"Lần tiếp nhận số {receipt_id} đã được đánh dấu không hợp lệ.")
        old = receipt_snapshot(row)
        row.valid = False
        row.invalid_reason = reason
        _record(s, actor, "receipt.invalidate", row, rnd, old, _joined(reason, note))


def _guard(
    s: Session, row: ReceiptRow, m: RoundAgency, expected: int | None, overwrite_reason: str
) -> str:
    check_version(
        s,
        what=f"Lần tiếp nhận số {row.id} của {m.name}",
        entity="receipt",
        entity_id=row.id,
        current=row.version,
        expected=expected,
        overwrite=bool(overwrite_reason),
    )
    return overwrite_note(overwrite_reason, row.version) if overwrite_reason else ""


def _joined(reason: str, note: str) -> str:
    return f"{reason} — {note}" if reason and note else reason or note


def _conflicts(db: Database, receipt_id: int) -> Any:
    def find(s: Session) -> tuple[int, int] | None:
        row = s.get(ReceiptRow, receipt_id)
        return (row.id, row.version) if row is not None else None

    return reported_as_conflict(db, f"Lần tiếp nhận số {receipt_id}", "receipt", find)


def set_exempt(
    db: Database,
    year: int,
    agency_code: str,
    reason: str | None,
    *,
    actor: Actor | None = None,
    expected_version: int | None = None,
    overwrite_reason: str = "",
) -> None:
    """Mark an agency "không xếp hạng" this round (with a reason), or clear it (None).
    ``expected_version``: the membership's version the screen showed (``membership_versions``);
    another clerk's change of it in between is refused with EditConflict."""
    actor = actor or Actor()
    actor.require(Permission.RECEIPTS)
    text = nfc(reason).strip() if reason is not None else None
    if text == "":
        raise InputRefused("Cần ghi lý do không xếp hạng.")
    with _membership_conflicts(db, year, agency_code), db.session() as s:
        rnd = get_round(s, year)
        ensure_open(rnd)
        m = member(s, rnd, agency_code)
        s.refresh(m, with_for_update=True)  # two saves of one membership queue (PostgreSQL)
        check_version(
            s,
            what=f"Việc không xếp hạng {m.name}",
            entity="round_agency",
            entity_id=m.id,
            current=m.version,
            expected=expected_version,
            overwrite=bool(overwrite_reason),
        )
        note = overwrite_note(overwrite_reason, m.version) if overwrite_reason else ""
        if m.exempt_reason == text:
            return
        old = m.exempt_reason
        m.exempt_reason = text
        action = "membership.exempt" if text else "membership.unexempt"
        record(
            s,
            actor,
            action,
            "round_agency",
            m.id,
            year=year,
            old={"agency": m.agency.code, "exempt_reason": old},
            new={"agency": m.agency.code, "exempt_reason": text},
            reason=_joined(text or "", note),
        )


def membership_versions(db: Database, year: int) -> dict[str, int]:
    """Each member agency's membership version by agency code (issue 9), read by the register
    before its lines so a save never passes a version newer than what the screen shows."""
    with db.session() as s:
        rnd = get_round(s, year)
        return {
            code: version
            for code, version in s.execute(
                select(Agency.code, RoundAgency.version)
                .join(Agency, Agency.id == RoundAgency.agency_id)
                .where(RoundAgency.round_id == rnd.id)
            ).all()
        }


def _membership_conflicts(db: Database, year: int, agency_code: str) -> Any:
    def find(s: Session) -> tuple[int, int] | None:
        m = member(s, get_round(s, year), agency_code)
        return (m.id, m.version)

    return reported_as_conflict(db, f"Việc không xếp hạng {agency_code}", "round_agency", find)


ACTION_LABELS = {
    "receipt.add": "Ghi nhận phiếu",
    "receipt.update": "Sửa lần tiếp nhận",
    "receipt.invalidate": "Đánh dấu không hợp lệ",
    "membership.exempt": "Không xếp hạng",
    "membership.unexempt": "Bỏ không xếp hạng",
}


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime  # local time
    user: str
    action: str
    receipt_id: int | None
    reason: str
    details: dict[str, object]


def agency_history(db: Database, year: int, agency_code: str) -> list[HistoryEvent]:
    """Every recorded change to this agency's receipts and exemption, oldest first."""
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        receipt_ids = [r.id for r in _agency_rows(s, rnd, m)]
        events = s.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.round_year == year,
                or_(
                    (AuditEvent.entity == "receipt") & AuditEvent.entity_id.in_(receipt_ids),
                    (AuditEvent.entity == "round_agency") & (AuditEvent.entity_id == m.id),
                ),
            )
            .order_by(AuditEvent.id)
        ).all()
        return [
            HistoryEvent(
                at=e.at_utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None),
                user=e.user,
                action=ACTION_LABELS.get(e.action, e.action),
                receipt_id=e.entity_id if e.entity == "receipt" else None,
                reason=e.reason,
                details=json.loads(e.new_json) if e.new_json else {},
            )
            for e in events
        ]
