"""What must hold after every kill: the database opens, passes SQLite's integrity and
foreign-key checks, its audit chain verifies, nobody holds its lock, and every transaction
is there whole or not at all."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from khit_desktop.services.attachments import stored_path
from khit_desktop.services.audit import to_json
from khit_desktop.services.integrity import verify
from khit_desktop.services.restore import read_chain
from khit_desktop.services.scores import _snapshot
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.lock import is_locked
from khit_desktop.store.models import Attachment, AuditEvent, FormImport, ScoreRow
from tests.faults.worker import BATCH


@dataclass(frozen=True)
class State:
    """What a kill left: the complete transactions of the worker's kind."""

    transactions: int
    events: int


def _sqlite_checks(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("PRAGMA foreign_keys=ON")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def _verify(db: Database) -> int:
    """What `khit verify` checks (chain, SQLite integrity, foreign keys, stored state), and
    the chain once more through the domain's own walk."""
    report = verify(db)
    assert report.ok, report.first_problem()
    chain = read_chain(db)
    assert chain.ok and chain.events == report.events, chain.broken
    return chain.events


def _scores_match_their_last_event(session: Any) -> None:
    """Each score row is what its latest audit event says it became."""
    latest: dict[int, dict[str, Any]] = {}
    for e in session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "score").order_by(AuditEvent.sequence)
    ):
        latest[e.entity_id] = json.loads(e.new_json)
    for row in session.scalars(select(ScoreRow)):
        snapshot = json.loads(to_json(_snapshot(row)) or "{}")
        recorded = {k: v for k, v in latest[row.id].items() if k not in ("agency", "criterion")}
        assert snapshot == recorded, (row.id, snapshot, recorded)


def _imports_whole(db: Database, session: Any) -> int:
    """Each import transaction is [general.self…, score.self…, form.import] of one agency,
    with its form_import row (replacing the agency's previous one) and its attachment."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(("general.self", "score.self", "form.import")))
        .order_by(AuditEvent.sequence)
    ).all()
    block: list[AuditEvent] = []
    imports_seen = []
    for e in events:
        block.append(e)
        if e.action == "form.import":
            agency = json.loads(e.new_json)["agency"]
            assert all(json.loads(b.new_json)["agency"] == agency for b in block), agency
            assert any(b.action == "score.self" for b in block)
            imports_seen.append(e.entity_id)
            block = []
    assert block == [], "events of an import without its form.import: a partial transaction"
    rows = session.scalars(select(FormImport).order_by(FormImport.id)).all()
    assert [r.id for r in rows] == imports_seen
    current = Counter(r.agency_id for r in rows if r.replaced_by_id is None)
    assert set(current.values()) <= {1}, current
    by_agency: dict[int, list[FormImport]] = defaultdict(list)
    for r in rows:
        by_agency[r.agency_id].append(r)
    for chain in by_agency.values():
        for earlier, later in itertools.pairwise(chain):
            assert earlier.replaced_by_id == later.id
    for attachment in session.scalars(select(Attachment)):
        assert stored_path(db, attachment).exists()
    return len(rows)


def _edit_batches_whole(session: Any) -> int:
    """Score edits come in batches of BATCH, one transaction each, numbered without gaps."""
    reasons = [
        e.reason
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "score.appraise")
            .order_by(AuditEvent.sequence)
        )
    ]
    batches = Counter(r.split(":")[0] for r in reasons)
    assert set(batches.values()) <= {BATCH}, batches
    assert sorted(int(b.split()[1]) for b in batches) == list(range(1, len(batches) + 1))
    return len(batches)


def check_after_kill(path: Path, kind: str) -> State:
    assert not is_locked(path), "the killed worker's lock outlived it"
    db = open_database(path)  # opens: SQLite rolls back what was not committed
    try:
        _sqlite_checks(path)
        events = _verify(db)
        with db.session() as s:
            _scores_match_their_last_event(s)
            done = _imports_whole(db, s) if kind == "import" else _edit_batches_whole(s)
    finally:
        db.dispose()
    _sqlite_checks(path)
    return State(done, events)
