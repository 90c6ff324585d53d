"""The receipt register (sổ tiếp nhận phiếu): recording received forms, deciding lateness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.collation import nfc, vietnamese_key
from ..domain.dates import format_date
from ..domain.lateness import Channel, LatenessDecision, Receipt, decide_lateness
from ..store.database import Database
from ..store.models import Agency, ReceiptRow, Round, RoundAgency
from .audit import Actor, now_utc, record
from .errors import InputRefused, NotFound
from .rounds import get_round, rules_of


def member(session: Session, rnd: Round, agency_code: str) -> RoundAgency:
    code = agency_code.strip()
    found = session.scalar(
        select(RoundAgency).join(Agency).where(RoundAgency.round_id == rnd.id, Agency.code == code)
    )
    if found is None:
        raise NotFound(f"Không có cơ quan mã '{code}' trong kỳ đánh giá năm {rnd.year}.")
    return found


def _receipt_snapshot(row: ReceiptRow) -> dict[str, object]:
    return {
        "channel": row.channel,
        "sent_date": row.sent_date,
        "received_date": row.received_date,
        "doc_number": row.doc_number,
        "valid": row.valid,
        "invalid_reason": row.invalid_reason,
        "note": row.note,
    }


def check_receipt_dates(year: int, sent: date, received: date | None, today: date) -> None:
    """Dates a clerk can have meant; anything else is a typing slip to be refused."""
    if sent < date(year, 1, 1):
        raise InputRefused(
            f"Ngày gửi {format_date(sent)} trước năm đánh giá {year}: hãy kiểm tra lại ngày."
        )
    if sent > today:
        raise InputRefused(
            f"Ngày gửi {format_date(sent)} ở sau ngày hôm nay ({format_date(today)})."
        )
    if received is not None:
        if received < sent:
            raise InputRefused(
                f"Ngày nhận {format_date(received)} trước ngày gửi {format_date(sent)}."
            )
        if received > today:
            raise InputRefused(
                f"Ngày nhận {format_date(received)} ở sau ngày hôm nay ({format_date(today)})."
            )


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
    actor: Actor | None = None,
    today: date | None = None,
) -> int:
    """Record one received form; returns its id. Nothing is written if any check fails."""
    actor = actor or Actor()
    check_receipt_dates(year, sent_date, received_date, today or date.today())
    with db.session() as s:
        rnd = get_round(s, year)
        if rnd.state == "finalized":
            raise InputRefused(f"Kỳ đánh giá năm {year} đã chốt, không ghi nhận thêm phiếu.")
        m = member(s, rnd, agency_code)
        row = ReceiptRow(
            round_id=rnd.id,
            agency_id=m.agency_id,
            channel=channel.value,
            sent_date=sent_date,
            received_date=received_date,
            doc_number=nfc(doc_number).strip(),
            valid=True,
            invalid_reason="",
            note=nfc(note).strip(),
            recorded_at=now_utc(),
            recorded_by=actor.user,
        )
        s.add(row)
        s.flush()
        record(
            s,
            actor,
            "receipt.add",
            "receipt",
            row.id,
            year=year,
            new={"agency": m.agency.code, **_receipt_snapshot(row)},
        )
        return row.id


def invalidate_receipt(
    db: Database, receipt_id: int, reason: str, *, actor: Actor | None = None
) -> None:
    """Mark a receipt invalid (the next valid one then counts); a reason is required."""
    actor = actor or Actor()
    reason = nfc(reason).strip()
    if not reason:
        raise InputRefused("Cần ghi lý do khi đánh dấu phiếu không hợp lệ.")
    with db.session() as s:
        row = s.get(ReceiptRow, receipt_id)
        if row is None:
            raise NotFound(f"Không có lần tiếp nhận số {receipt_id}.")
        rnd = s.get(Round, row.round_id)
        assert rnd is not None
        if rnd.state == "finalized":
            raise InputRefused(f"Kỳ đánh giá năm {rnd.year} đã chốt, không sửa được.")
        old = _receipt_snapshot(row)
        row.valid = False
        row.invalid_reason = reason
        record(
            s,
            actor,
            "receipt.invalidate",
            "receipt",
            row.id,
            year=rnd.year,
            old=old,
            new=_receipt_snapshot(row),
            reason=reason,
        )


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


@dataclass(frozen=True)
class RegisterLine:
    """One agency in the register, with its lateness decision."""

    agency_code: str
    agency_name: str
    group: int
    receipts: tuple[ReceiptView, ...]
    decision: LatenessDecision


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
    result = {}
    for m in rnd.members:
        mine = by_agency.get(m.agency_id, [])
        receipts = [
            Receipt(Channel(r.channel), r.sent_date, r.received_date, r.valid, r.doc_number, r.id)
            for r in mine
        ]
        decision = decide_lateness(rules, receipts, exempt_reason=m.exempt_reason, as_of=as_of)
        result[m.agency_id] = (m, mine, decision)
    return result


def register(db: Database, year: int, *, as_of: date | None = None) -> list[RegisterLine]:
    """Every agency of the round by group, in Vietnamese order, with its receipts."""
    with db.session() as s:
        rnd = get_round(s, year)
        lines = []
        for m, rows, decision in lateness_by_agency(s, rnd, as_of).values():
            counted = decision.counted.key if decision.counted else None
            views = tuple(
                ReceiptView(
                    r.id,
                    Channel(r.channel),
                    r.sent_date,
                    r.received_date,
                    r.doc_number,
                    r.valid,
                    r.invalid_reason,
                    r.id == counted,
                )
                for r in rows
            )
            lines.append(RegisterLine(m.agency.code, m.name, m.group.number, views, decision))
    lines.sort(key=lambda line: (line.group, vietnamese_key(line.agency_name)))
    return lines
