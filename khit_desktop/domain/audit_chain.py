"""The audit trail as a hash chain: each event's hash covers its own fields and the previous
event's hash, so changing, removing or inserting an event breaks every hash after it.

The hashed text is a canonical JSON of the fields as stored (strings exactly as written,
the time as ISO 8601 with microseconds), so verification needs nothing but the rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64  # the "previous hash" of the first event


@dataclass(frozen=True)
class ChainEvent:
    """One stored audit event, as the chain sees it."""

    sequence: int
    at_utc: datetime
    user: str
    machine: str
    action: str
    entity: str
    entity_id: int | None
    round_year: int | None
    old_json: str | None
    new_json: str | None
    reason: str
    prev_hash: str
    hash: str


def canonical(event: ChainEvent) -> bytes:
    """The bytes an event's hash is computed over (everything but the hash itself)."""
    fields = {
        "sequence": event.sequence,
        "at_utc": event.at_utc.isoformat(timespec="microseconds"),
        "user": event.user,
        "machine": event.machine,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "round_year": event.round_year,
        "old": event.old_json,
        "new": event.new_json,
        "reason": event.reason,
        "prev": event.prev_hash,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def event_hash(event: ChainEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first event where the chain does not hold, and why (Vietnamese, for the user)."""

    sequence: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    events: int
    head: str  # the last event's hash (GENESIS for an empty trail)
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(events: Iterable[ChainEvent]) -> ChainReport:
    """Walk the events in sequence order; report the first broken link."""
    previous = GENESIS
    expected = 1
    count = 0
    for event in events:
        count += 1
        if event.sequence != expected:
            what = "bị xóa hoặc thiếu" if event.sequence > expected else "bị chèn hoặc trùng"
            return ChainReport(
                count,
                previous,
                ChainBreak(
                    event.sequence,
                    f"Số thứ tự nhảy từ {expected - 1} sang {event.sequence}: có sự kiện {what}.",
                ),
            )
        if event.prev_hash != previous:
            return ChainReport(
                count,
                previous,
                ChainBreak(
                    event.sequence,
                    f"Sự kiện {event.sequence} không nối với sự kiện trước "
                    "(mã băm của sự kiện trước không khớp): sự kiện trước đã bị sửa hoặc xóa.",
                ),
            )
        if event_hash(event) != event.hash:
            return ChainReport(
                count,
                previous,
                ChainBreak(
                    event.sequence,
                    f"Nội dung sự kiện {event.sequence} ({event.action}, {event.entity} "
                    f"{event.entity_id if event.entity_id is not None else ''}) đã bị sửa sau khi "
                    "ghi: mã băm không khớp.",
                ),
            )
        previous = event.hash
        expected += 1
    return ChainReport(count, previous, None)
