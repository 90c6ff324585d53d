"""Two clerks editing the same row (issue 9): optimistic concurrency with row versions.

Each row two users may edit at once carries ``version`` (``store.models``, SQLAlchemy's
``version_id_col``): +1 on every UPDATE. A screen keeps the version it showed and passes it
as ``expected_version`` when saving. If the row has moved on since, the save is refused with
``EditConflict``, which says who changed it, when, and what (old → new, from the audit
trail); nothing of the second save is written. The window then offers:

- "Tải lại": read the row again (the grid and the register carry the new version);
- "Ghi đè có lý do": save again with ``overwrite_reason``: the version check is skipped for
  the version named in the conflict, and the event records that it overwrote the other
  clerk's change and why.

Rows are locked (``SELECT … FOR UPDATE`` on PostgreSQL) before the check, so two saves at the
same moment queue: the second sees the first's version and gets the conflict. Should a save
still race past (a path that did not lock), ``version_id_col`` refuses its UPDATE
(``store.errors.ConcurrentEditError``, turned into an ``EditConflict`` here). Rows of
different agencies never share a version, so their edits never conflict.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.collation import nfc
from ..store.database import Database
from ..store.errors import StaleRowError
from ..store.models import AuditEvent
from .audit_history import action_label, describe_event, format_moment, local_time
from .errors import InputRefused

SHOWN_CHANGES = 3  # the latest changes named in the message (all are in the history view)


@dataclass(frozen=True)
class OtherChange:
    """One change another user made since the screen was loaded."""

    at: datetime  # local time
    user: str
    machine: str
    action: str  # Vietnamese label
    what: str  # "Điểm thẩm định: 4,00 → 3,00"
    reason: str

    def describe(self) -> str:
        where = f" (máy {self.machine})" if self.machine else ""
        what = f": {self.what}" if self.what else ""
        reason = f' — lý do: "{self.reason}"' if self.reason else ""
        return f"{self.user}{where} lúc {format_moment(self.at)}, {self.action}{what}{reason}"


class EditConflict(InputRefused):
    """Xung đột: someone else saved the same row after this screen read it. Nothing was
    written; reload (``current_version``) or save again with ``overwrite_reason``."""

    def __init__(
        self,
        what: str,
        entity: str,
        entity_id: int | None,
        expected_version: int | None,
        current_version: int | None,
        changes: tuple[OtherChange, ...],
    ) -> None:
        self.what, self.entity, self.entity_id = what, entity, entity_id
        self.expected_version, self.current_version = expected_version, current_version
        self.changes = changes
        shown = changes[-SHOWN_CHANGES:]
        told = "; ".join(c.describe() for c in shown) if shown else "không rõ ai (chưa có nhật ký)"
        more = (
            f" (và {len(changes) - len(shown)} thay đổi trước đó)"
            if len(changes) > len(shown)
            else ""
        )
        super().__init__(
            f"{what} vừa được người khác sửa sau khi bạn mở: {told}{more}. Thay đổi của bạn "
            "chưa được lưu. Hãy «Tải lại» để xem dữ liệu mới, hoặc «Ghi đè» (cần ghi lý do)."
        )

    @property
    def latest(self) -> OtherChange | None:
        return self.changes[-1] if self.changes else None


def overwrite_note(reason: str, conflict_version: int | None) -> str:
    """The reason recorded for an overwrite: says it overwrote and why."""
    text = nfc(reason).strip()
    if not text:
        raise InputRefused("Ghi đè thay đổi của người khác cần ghi lý do.")
    version = f" (phiên bản {conflict_version})" if conflict_version else ""
    return f"Ghi đè thay đổi của người khác{version}: {text}"


def other_changes(
    session: Session, entity: str, entity_id: int | None, since_version: int | None, now: int
) -> tuple[OtherChange, ...]:
    """The audit events of the row's last ``now - since_version`` changes, oldest first (each
    change of a versioned row writes one event)."""
    if entity_id is None:
        return ()
    count = max(1, now - (since_version or 0))
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.sequence.desc())
            .limit(count)
        )
    )
    return tuple(_change(e) for e in reversed(events))


def _change(event: AuditEvent) -> OtherChange:
    old: Any = json.loads(event.old_json) if event.old_json else None
    new: Any = json.loads(event.new_json) if event.new_json else None
    return OtherChange(
        local_time(event.at_utc),
        event.user,
        event.machine,
        action_label(event.action),
        describe_event(event.action, old, new),
        event.reason,
    )


def check_version(
    session: Session,
    *,
    what: str,
    entity: str,
    entity_id: int | None,
    current: int | None,
    expected: int | None,
    overwrite: bool,
) -> None:
    """EditConflict when the row's version (``current``; None = no row yet) is not the one the
    screen showed (``expected``; 0 = "there was no row"). ``expected=None`` means no check
    (programs, imports); ``overwrite`` accepts whatever is there now."""
    if expected is None or overwrite:
        return
    if (current or 0) == expected:
        return
    raise EditConflict(
        what,
        entity,
        entity_id,
        expected,
        current,
        other_changes(session, entity, entity_id, expected, current or 0),
    )


@contextmanager
def reported_as_conflict(
    db: Database, what: str, entity: str, find_id: Any = None
) -> Iterator[None]:
    """Turn a race lost at commit (a stale version, the same new row inserted by two users)
    into an ``EditConflict`` naming the other user's change. ``find_id(session)`` gives the
    row's id and version for the message. Two transactions that merely collided (SQLite's
    write lock, a deadlock) stay ``ConcurrentEditError``: nothing was written, try again."""
    try:
        yield
    except (StaleRowError, IntegrityError) as exc:
        if isinstance(exc, IntegrityError) and "unique" not in str(exc.orig).lower():
            raise
        with db.session() as s:
            found = find_id(s) if find_id is not None else None
            row_id, version = found if found is not None else (None, None)
            changes = other_changes(s, entity, row_id, (version or 1) - 1, version or 0)
        raise EditConflict(what, entity, row_id, None, version, changes) from None
