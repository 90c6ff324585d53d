"""Writing the audit trail: every change of a score or a receipt leaves an event."""

from __future__ import annotations

import getpass
import json
import socket
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ..store.models import AuditEvent


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "không rõ"


@dataclass(frozen=True)
class Actor:
    """Who is acting, and on which machine (accounts come with the integrity issue)."""

    user: str = field(default_factory=_default_user)
    machine: str = field(default_factory=socket.gethostname)


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
    event = AuditEvent(
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
    )
    session.add(event)
    return event
