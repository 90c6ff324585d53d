"""The receipt register (sổ tiếp nhận phiếu): recording received forms, deciding lateness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..domain.collation import nfc, vietnamese_key
from ..domain.dates import format_date
from ..domain.lateness import Channel, LatenessDecision, Receipt, decide_lateness
from ..domain.rules import RoundRules
from ..store.database import Database
from ..store.models import Agency, ReceiptRow, Round, RoundAgency
from .attachments import add_attachment, check_attachment_file
from .audit import Actor, now_utc, record
from .errors import InputRefused, NotFound
from .permissions import Permission
from .rounds import get_round, hold_round, rules_of


@dataclass(frozen=True)
class ReceiptInput:
    """What a clerk types for one received form."""

    channel: Channel
    sent_date: date
    received_date: date | None = None
    doc_number: str = ""
    note: str = ""
    attachment: Path | None = None  # a file to copy in; None keeps what there is


def member(session: Session, rnd: Round, agency_code: str) -> RoundAgency:
    code = agency_code.strip()
    found = session.scalar(
        select(RoundAgency).join(Agency).where(RoundAgency.round_id == rnd.id, Agency.code == code)
    )
    if found is None:
        raise NotFound(f"Không có cơ quan mã '{code}' trong kỳ đánh giá năm {rnd.year}.")
    return found


def receipt_snapshot(row: ReceiptRow) -> dict[str, object]:
    return {
        "channel": row.channel,
        "sent_date": row.sent_date,
        "received_date": row.received_date,
        "doc_number": row.doc_number,
        "valid": row.valid,
        "invalid_reason": row.invalid_reason,
        "note": row.note,
        "attachment": row.attachment.sha256 if row.attachment else None,
    }


def check_receipt_dates(year: int, sent: date, received: date | None, today: date) -> None:
    """Dates a clerk can have meant; anything else is a typing slip to be refused."""
    for problem in receipt_date_problems(year, sent, received, today).values():
        raise InputRefused(problem)


def receipt_date_problems(
    year: int, sent: date | None, received: date | None, today: date
) -> dict[str, str]:
    """Problems per field ('sent', 'received'), in Vietnamese; empty when the dates are fine."""
    problems: dict[str, str] = {}
    if sent is not None:
        if sent < date(year, 1, 1):
            problems["sent"] = (
                f"Ngày gửi {format_date(sent)} trước năm đánh giá {year}: hãy kiểm tra lại."
            )
        elif sent > today:
            problems["sent"] = (
                f"Ngày gửi {format_date(sent)} ở sau ngày hôm nay ({format_date(today)})."
            )
    if received is not None:
        if received > today:
            problems["received"] = (
                f"Ngày nhận {format_date(received)} ở sau ngày hôm nay ({format_date(today)})."
            )
        elif sent is not None and received < sent:
            problems["received"] = (
                f"Ngày nhận {format_date(received)} trước ngày gửi {format_date(sent)}."
            )
    return problems


def _same_document(row: ReceiptRow, data: ReceiptInput) -> bool:
    return (
        row.channel == data.channel.value
        and row.sent_date == data.sent_date
        and nfc(row.doc_number).strip().casefold() == nfc(data.doc_number).strip().casefold()
    )


def check_duplicate(
    session: Session, rnd: Round, m: RoundAgency, data: ReceiptInput, exclude: int | None = None
) -> None:
    rows = session.scalars(
        select(ReceiptRow).where(ReceiptRow.round_id == rnd.id, ReceiptRow.agency_id == m.agency_id)
    ).all()
    for row in rows:
        if row.id != exclude and _same_document(row, data):
            raise InputRefused(
                f"Phiếu này đã được ghi nhận (lần tiếp nhận số {row.id}: "
                f"{Channel(row.channel).label}, gửi ngày {format_date(row.sent_date)}, "
                f"số {row.doc_number or '—'}). Nếu là bản gửi lại, hãy ghi số văn bản khác."
            )


def ensure_open(rnd: Round) -> None:
    """Refuse a finalised round (read under a shared lock on PostgreSQL: ``hold_round``)."""
    hold_round(rnd)
    if rnd.state == "finalized":
        raise InputRefused(f"Kỳ đánh giá năm {rnd.year} đã chốt, không sửa được sổ tiếp nhận.")


def add_receipt(
    db: Database,
    year: int,
    agency_code: str,
    channel: Channel,
    sent_date: date,
    *,
    received_date: date | None = None,
    doc_number: str = "",
    note: str = "",
    attachment: Path | None = None,
    actor: Actor | None = None,
    today: date | None = None,
) -> int:
    """Record one received form; returns its id. Nothing is written if any check fails."""
    data = ReceiptInput(channel, sent_date, received_date, doc_number, note, attachment)
    return add_receipt_input(db, year, agency_code, data, actor=actor, today=today)


def add_receipt_input(
    db: Database,
    year: int,
    agency_code: str,
    data: ReceiptInput,
    *,
    actor: Actor | None = None,
    today: date | None = None,
) -> int:
    actor = actor or Actor()
    actor.require(Permission.RECEIPTS)
    check_receipt_dates(year, data.sent_date, data.received_date, today or date.today())
    if data.attachment is not None:
        check_attachment_file(data.attachment)
    with db.session() as s:
        rnd = get_round(s, year)
        ensure_open(rnd)
        m = member(s, rnd, agency_code)
        check_duplicate(s, rnd, m, data)
        row = ReceiptRow(
            round_id=rnd.id,
            agency_id=m.agency_id,
            channel=data.channel.value,
            sent_date=data.sent_date,
            received_date=data.received_date,
            doc_number=nfc(data.doc_number).strip(),
            valid=True,
            invalid_reason="",
            note=nfc(data.note).strip(),
            recorded_at=now_utc(),
            recorded_by=actor.user,
        )
        if data.attachment is not None:
            row.attachment = add_attachment(db, s, data.attachment, actor)
        s.add(row)
        s.flush()
        record(
            s,
            actor,
            "receipt.add",
            "receipt",
            row.id,
            year=year,
            new={"agency": m.agency.code, **receipt_snapshot(row)},
        )
        return row.id


@dataclass(frozen=True)
class ReceiptView:
    id: int
    channel: Channel
    sent_date: date
    received_date: date | None
    doc_number: str
    valid: bool
    invalid_reason: str
    counted: bool
    note: str = ""
    attachment_name: str | None = None
    attachment_id: int | None = None
    version: int = 0  # the row's version, for expected_version (services.concurrency)


@dataclass(frozen=True)
class RegisterLine:
    """One agency in the register, with its lateness decision."""

    agency_code: str
    agency_name: str
    group: int
    receipts: tuple[ReceiptView, ...]
    decision: LatenessDecision
    group_name: str = ""
    exempt_reason: str | None = None

    @property
    def counted(self) -> ReceiptView | None:
        return next((r for r in self.receipts if r.counted), None)


def to_domain(row: ReceiptRow) -> Receipt:
    return Receipt(
        Channel(row.channel), row.sent_date, row.received_date, row.valid, row.doc_number, row.id
    )


def lateness_by_agency(
    session: Session, rnd: Round, as_of: date | None = None
) -> dict[int, tuple[RoundAgency, list[ReceiptRow], LatenessDecision]]:
    """Each member's receipts and lateness decision, keyed by agency id."""
    rules = rules_of(rnd)
    rows = session.scalars(
        select(ReceiptRow).where(ReceiptRow.round_id == rnd.id).order_by(ReceiptRow.id)
    ).all()
    by_agency: dict[int, list[ReceiptRow]] = {}
    for row in rows:
        by_agency.setdefault(row.agency_id, []).append(row)
    # the members' agencies in one query, set on each member: callers read ``m.agency``,
    # which would otherwise cost one query per member (2,000 in a large round)
    agencies = {
        a.id: a
        for a in session.scalars(
            select(Agency)
            .join(RoundAgency, RoundAgency.agency_id == Agency.id)
            .where(RoundAgency.round_id == rnd.id)
        )
    }
    result = {}
    for m in rnd.members:
        if "agency" in inspect(m).unloaded and m.agency_id in agencies:
            set_committed_value(m, "agency", agencies[m.agency_id])
        mine = by_agency.get(m.agency_id, [])
        decision = decide_lateness(
            rules, [to_domain(r) for r in mine], exempt_reason=m.exempt_reason, as_of=as_of
        )
        result[m.agency_id] = (m, mine, decision)
    return result


def _views(rows: list[ReceiptRow], decision: LatenessDecision) -> tuple[ReceiptView, ...]:
    counted = decision.counted.key if decision.counted else None
    return tuple(
        ReceiptView(
            r.id,
            Channel(r.channel),
            r.sent_date,
            r.received_date,
            r.doc_number,
            r.valid,
            r.invalid_reason,
            r.id == counted,
            r.note,
            r.attachment.original_name if r.attachment else None,
            r.attachment_id,
            r.version,
        )
        for r in rows
    )


def register(db: Database, year: int, *, as_of: date | None = None) -> list[RegisterLine]:
    """Every agency of the round by group, in Vietnamese order, with its receipts."""
    with db.session() as s:
        rnd = get_round(s, year)
        lines = [
            RegisterLine(
                m.agency.code,
                m.name,
                m.group.number,
                _views(rows, decision),
                decision,
                m.group.name,
                m.exempt_reason,
            )
            for m, rows, decision in lateness_by_agency(s, rnd, as_of).values()
        ]
    lines.sort(key=lambda line: (line.group, vietnamese_key(line.agency_name)))
    return lines


@dataclass(frozen=True)
class ReceiptContext:
    """What a receipt dialog needs to preview the status live, without the database."""

    year: int
    rules: RoundRules
    agency_code: str
    agency_name: str
    others: tuple[Receipt, ...]  # the agency's other receipts
    exempt_reason: str | None

    def preview(self, candidate: Receipt | None, as_of: date | None = None) -> LatenessDecision:
        receipts = (*self.others, candidate) if candidate is not None else self.others
        return decide_lateness(self.rules, receipts, exempt_reason=self.exempt_reason, as_of=as_of)


def receipt_context(
    db: Database, year: int, agency_code: str, *, exclude: int | None = None
) -> ReceiptContext:
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        rows = s.scalars(
            select(ReceiptRow).where(
                ReceiptRow.round_id == rnd.id, ReceiptRow.agency_id == m.agency_id
            )
        ).all()
        others = tuple(to_domain(r) for r in rows if r.id != exclude)
        return ReceiptContext(year, rules_of(rnd), m.agency.code, m.name, others, m.exempt_reason)
