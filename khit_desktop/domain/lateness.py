"""Lateness of an agency's self-assessment form (Điều 6.1, 8.3, 8.4).

The date that counts is the sending date: the postmark, the date the form reached the
e-office system, or the official e-mail's sending date. Among the valid receipts of one
agency in one round, the one sent earliest counts (clerks do not always record them in the
order they were sent; an invalid one — marked so with a reason — never counts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from .dates import day_off_reason, format_date, next_working_day
from .rules import RoundRules


class Channel(Enum):
    """Kênh gửi phiếu."""

    POST = "post"
    EOFFICE = "eoffice"
    EMAIL = "email"
    HAND = "hand"

    @property
    def label(self) -> str:
        return _CHANNEL_LABELS[self]

    @property
    def via(self) -> str:
        """As it reads after 'Gửi ngày … ' in a sentence."""
        return _CHANNEL_VIA[self]


_CHANNEL_LABELS = {
    Channel.POST: "Bưu điện",
    Channel.EOFFICE: "Phần mềm QLVB&ĐH",
    Channel.EMAIL: "Thư điện tử công vụ",
    Channel.HAND: "Nộp trực tiếp",
}
_CHANNEL_VIA = {
    Channel.POST: "qua bưu điện",
    Channel.EOFFICE: "qua phần mềm QLVB&ĐH",
    Channel.EMAIL: "qua thư điện tử công vụ",
    Channel.HAND: "nộp trực tiếp",
}


class LatenessStatus(Enum):
    """Tình trạng gửi phiếu."""

    ON_TIME = "on_time"
    LATE = "late"
    VERY_LATE = "very_late"
    MISSING = "missing"
    NOT_RANKED = "not_ranked"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    LatenessStatus.ON_TIME: "Đúng hạn",
    LatenessStatus.LATE: "Trễ ≤ 5 ngày (−100 điểm)",
    LatenessStatus.VERY_LATE: "Trễ > 5 ngày (xếp loại Yếu)",
    LatenessStatus.MISSING: "Chưa nhận",
    LatenessStatus.NOT_RANKED: "Không xếp hạng",
}


@dataclass(frozen=True, slots=True)
class Receipt:
    """Một lần tiếp nhận phiếu (one received copy of the form)."""

    channel: Channel
    sent_date: date
    received_date: date | None = None
    valid: bool = True
    doc_number: str = ""
    key: int | None = None  # the store's id, so callers can tell which receipt counted


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The dates that apply in a round, after the working-day rule."""

    nominal: date
    effective: date
    nominal_reason: str | None  # why the nominal deadline moved ('Chủ nhật'), None if it didn't
    grace_nominal: date
    grace_end: date
    grace_reason: str | None


def deadlines(rules: RoundRules) -> Deadlines:
    """Deadline and end of the grace period actually applied (Điều 6.1, 8.3; Điều 148 BLDS)."""
    nominal = rules.deadline
    effective = nominal
    nominal_reason = None
    if rules.shift_to_working_day:
        nominal_reason = day_off_reason(nominal, rules.holidays)
        effective = next_working_day(nominal, rules.holidays)
    grace_nominal = effective + timedelta(days=rules.grace_days)
    grace_end = grace_nominal
    grace_reason = None
    if rules.shift_to_working_day and rules.grace_days > 0:
        grace_reason = day_off_reason(grace_nominal, rules.holidays)
        grace_end = next_working_day(grace_nominal, rules.holidays)
    return Deadlines(nominal, effective, nominal_reason, grace_nominal, grace_end, grace_reason)


@dataclass(frozen=True, slots=True)
class LatenessDecision:
    """The lateness of one agency in one round, with its explanation."""

    status: LatenessStatus
    penalty: Decimal
    forced_weak: bool
    days_late: int
    counted: Receipt | None
    explanation: str


def counted_receipt(receipts: Iterable[Receipt]) -> Receipt | None:
    """The valid receipt sent earliest (ties: the one received earliest, then first listed)."""
    valid = [r for r in receipts if r.valid]
    if not valid:
        return None
    return min(valid, key=lambda r: (r.sent_date, r.received_date or date.max))


def decide_lateness(
    rules: RoundRules,
    receipts: Iterable[Receipt],
    *,
    exempt_reason: str | None = None,
    as_of: date | None = None,
) -> LatenessDecision:
    """On time, late (−penalty), very late (Yếu), missing (Yếu), or not ranked (exempt).

    ``as_of`` only changes the wording for a missing form: before the grace period ends the
    form is still awaited; after it, the agency did not send it (Điều 8.4).
    """
    if exempt_reason is not None:
        reason = exempt_reason.strip().rstrip(".") or "miễn đánh giá năm nay"
        text = f"Không xếp hạng: {reason}."
        return LatenessDecision(LatenessStatus.NOT_RANKED, Decimal(0), False, 0, None, text)
    d = deadlines(rules)
    receipt = counted_receipt(receipts)
    if receipt is None:
        return _missing(d, as_of)
    sent = f"Gửi ngày {format_date(receipt.sent_date)} {receipt.channel.via}"
    deadline_text = _deadline_phrase(d)
    days_late = max(0, (receipt.sent_date - d.effective).days)
    if receipt.sent_date <= d.effective:
        text = f"{sent}; {deadline_text}: đúng hạn (Điều 6.1)."
        return LatenessDecision(LatenessStatus.ON_TIME, Decimal(0), False, 0, receipt, text)
    grace_text = _grace_phrase(rules, d)
    if receipt.sent_date <= d.grace_end:
        penalty = rules.late_penalty
        text = (
            f"{sent}; {deadline_text}; trễ {days_late} ngày, còn trong {grace_text}: "
            f"trừ {_plain(penalty)} điểm (Điều 8.3)."
        )
        return LatenessDecision(LatenessStatus.LATE, penalty, False, days_late, receipt, text)
    text = (
        f"{sent}; {deadline_text}; trễ {days_late} ngày, quá {grace_text}: xếp loại Yếu (Điều 8.4)."
    )
    return LatenessDecision(LatenessStatus.VERY_LATE, Decimal(0), True, days_late, receipt, text)


def _missing(d: Deadlines, as_of: date | None) -> LatenessDecision:
    if as_of is not None and as_of <= d.grace_end:
        text = (
            f"Chưa nhận phiếu; hạn gửi {format_date(d.effective)}, "
            f"chậm nhất {format_date(d.grace_end)} (Điều 6.1, 8.3)."
        )
    else:
        text = "Không gửi phiếu đánh giá: xếp loại Yếu (Điều 8.4)."
    return LatenessDecision(LatenessStatus.MISSING, Decimal(0), True, 0, None, text)


def _deadline_phrase(d: Deadlines) -> str:
    if d.effective == d.nominal:
        return f"hạn {format_date(d.nominal)}"
    return (
        f"hạn {format_date(d.nominal)} là {d.nominal_reason} nên dời sang "
        f"{format_date(d.effective)} (Điều 148 BLDS 2015)"
    )


def _grace_phrase(rules: RoundRules, d: Deadlines) -> str:
    if d.grace_end == d.grace_nominal:
        return f"thời hạn trễ tối đa {rules.grace_days} ngày (đến hết {format_date(d.grace_end)})"
    return (
        f"thời hạn trễ tối đa {rules.grace_days} ngày ({format_date(d.grace_nominal)} là "
        f"{d.grace_reason} nên kéo dài đến hết {format_date(d.grace_end)})"
    )


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")
