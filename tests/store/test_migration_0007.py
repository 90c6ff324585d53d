"""Migration 0006 → 0007 (accounts, comments, the audit hash chain, finalising) on a database
with events, and back."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from khit_desktop.domain.audit_chain import GENESIS, ChainEvent, verify_chain
from khit_desktop.domain.lateness import Channel
from khit_desktop.services import catalog, receipts, rounds, scores
from khit_desktop.services.audit import Actor
from khit_desktop.store.database import SCHEMA_HEAD, current_revision, downgrade, open_database
from tests.db_state import rows

ACTOR = Actor(user="tester", machine="test-machine")


def chain(path: Path) -> list[ChainEvent]:
    found = rows(
        path,
        "SELECT sequence, at_utc, user, machine, action, entity, entity_id, round_year, "
        "old_json, new_json, reason, prev_hash, hash FROM audit_event ORDER BY sequence",
    )
    return [
        ChainEvent(r[0], datetime.fromisoformat(r[1]), *r[2:10], r[10] or "", r[11], r[12])
        for r in found
    ]


@pytest.fixture
def at_0006(tmp_path: Path) -> Path:
    path = tmp_path / "Dữ liệu" / "khit.db"
    db = open_database(path)
    try:
        catalog.initialise(db)
        rounds.create_round(db, 2020, actor=ACTOR)
        receipts.add_receipt(
            db, 2020, "STP", Channel.POST, date(2020, 11, 10), actor=ACTOR, today=date(2020, 12, 1)
        )
        scores.set_self_score(db, 2020, "STP", "1.3", answer={"yes": True}, actor=ACTOR)
        downgrade(db, "0006")
    finally:
        db.dispose()
    return path


def test_upgrade_chains_the_events_already_there(at_0006: Path) -> None:
    before = rows(at_0006, "SELECT id, action FROM audit_event ORDER BY id")
    assert len(before) >= 3
    db = open_database(at_0006)
    try:
        assert current_revision(db.engine) == SCHEMA_HEAD
        events = chain(at_0006)
        assert [e.sequence for e in events] == list(range(1, len(before) + 1))
        assert events[0].prev_hash == GENESIS
        report = verify_chain(events)
        assert report.ok and report.events == len(before)
        # a new event continues the chain
        scores.set_self_score(db, 2020, "STP", "1.3", answer={"yes": False}, actor=ACTOR)
    finally:
        db.dispose()
    events = chain(at_0006)
    assert verify_chain(events).ok and len(events) == len(before) + 1
    assert rows(at_0006, "SELECT id, action FROM audit_event ORDER BY id")[: len(before)] == before
    # the append-only triggers are still there
    triggers = {r[0] for r in rows(at_0006, "SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert triggers == {"audit_event_no_update", "audit_event_no_delete"}
    conn = sqlite3.connect(str(at_0006))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_event SET reason = 'x' WHERE sequence = 1")
    conn.close()
    assert rows(at_0006, "PRAGMA integrity_check") == [("ok",)]
    assert rows(at_0006, "PRAGMA foreign_key_check") == []


def test_downgrade_keeps_the_events(at_0006: Path) -> None:
    db = open_database(at_0006)
    try:
        count = rows(at_0006, "SELECT count(*) FROM audit_event")[0][0]
        downgrade(db, "0006")
    finally:
        db.dispose()
    assert rows(at_0006, "SELECT count(*) FROM audit_event")[0][0] == count
    columns = {r[1] for r in rows(at_0006, "PRAGMA table_info(audit_event)")}
    assert "hash" not in columns and "sequence" not in columns
    tables = {r[0] for r in rows(at_0006, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "app_user" not in tables and "comment" not in tables
    triggers = {r[0] for r in rows(at_0006, "SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert triggers == {"audit_event_no_update", "audit_event_no_delete"}
