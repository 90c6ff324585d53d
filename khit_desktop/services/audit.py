"""Writing the audit trail: every change of a score or a receipt leaves an event."""

from __future__ import annotations

import getpass
import json
import socket
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.audit_chain import GENESIS, ChainEvent, event_hash
from ..store.models import AuditEvent
from .permissions import Permission, Role, require

_HEAD = "khit.audit_head"  # session.info key: (sequence, hash) of the last event appended
# PostgreSQL advisory lock that serialises appends to the chain (an arbitrary fixed 64-bit
# key: "KHITAUDT" in ASCII); held until the transaction ends, released by the server if the
# client dies
AUDIT_LOCK_KEY = 0x4B48495441554454


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "không rõ"


@dataclass(frozen=True)
class Actor:
    """Who is acting, on which machine, with which role. The window and `khit` build it from
    the logged-in account; without one (the demo builder, first initialisation, tests of
    other things) the program acts as the system, which may do everything."""

    user: str = field(default_factory=_default_user)
    machine: str = field(default_factory=socket.gethostname)
    role: Role = Role.SYSTEM

    def require(self, permission: Permission) -> None:
        """PermissionDenied unless this actor's role allows ``permission``."""
        require(self.role, permission, self.user)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    year: int | None = None,
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain: its sequence follows the last event's, and its hash
    covers its fields and the last event's hash. The head is read once per transaction
    (every append of the transaction goes through here) and the unique sequence refuses a
    fork if two writers ever raced.

    On PostgreSQL several clerks write at once: the first append of a transaction takes an
    advisory lock (held to commit or rollback) before reading the head, so appends queue up
    and the chain stays one gap-free line. On SQLite the database's write lock already lets
    one writer at a time."""
    head = session.info.get(_HEAD)
    if head is None:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))
        last = session.execute(
            select(AuditEvent.sequence, AuditEvent.hash)
            .where(AuditEvent.sequence.is_not(None))
            .order_by(AuditEvent.sequence.desc())
            .limit(1)
        ).first()
        head = (last.sequence, last.hash) if last is not None else (0, GENESIS)
    sequence, previous = head[0] + 1, head[1]
    draft = ChainEvent(
        sequence=sequence,
        at_utc=now_utc(),
        user=actor.user,
        machine=actor.machine,
        action=action,
        entity=entity,
        entity_id=entity_id,
        round_year=year,
        old_json=to_json(old),
        new_json=to_json(new),
        reason=reason,
        prev_hash=previous,
        hash="",
    )
    digest = event_hash(draft)
    event = AuditEvent(
        sequence=sequence,
        prev_hash=previous,
        hash=digest,
        at_utc=draft.at_utc,
        user=draft.user,
        machine=draft.machine,
        action=action,
        entity=entity,
        entity_id=entity_id,
        round_year=year,
        old_json=draft.old_json,
        new_json=draft.new_json,
        reason=reason,
    )
    session.add(event)
    session.info[_HEAD] = (sequence, digest)
    return event
