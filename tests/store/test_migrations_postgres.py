"""The same migrations on PostgreSQL (issue 9): up from nothing, down to 0006 and up again
over data (0007 chains the events already there, 0008 adds the row versions), down to
nothing; the append-only triggers are there at every step that should have them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from khit_desktop.domain.lateness import Channel
from khit_desktop.services import catalog, receipts, rounds, scores
from khit_desktop.services.audit import Actor
from khit_desktop.services.integrity import verify
from khit_desktop.store.database import (
    SCHEMA_HEAD,
    Database,
    current_revision,
    downgrade,
    migrate,
    open_database,
)
from tests.postgres_server import SKIPPED, PostgresServer, server_url

ACTOR = Actor(user="tester", machine="test-machine")


@pytest.fixture
def server_db() -> Iterator[Database]:
    url = server_url()
    if url is None:
        pytest.skip(SKIPPED)
    server = PostgresServer(url)
    _name, db = server.open_new()
    try:
        yield db
    finally:
        db.dispose()
        server.close()


def triggers(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(
            conn.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                    "AND tgrelid = 'audit_event'::regclass"
                )
            ).scalars()
        )


def test_down_and_up_again_over_data(server_db: Database) -> None:
    db = server_db
    assert current_revision(db.engine) == SCHEMA_HEAD
    assert triggers(db) == {
        "audit_event_no_update",
        "audit_event_no_delete",
        "audit_event_no_truncate",
    }
    catalog.initialise(db)
    rounds.create_round(db, 2020, actor=ACTOR)
    receipts.add_receipt(
        db, 2020, "STP", Channel.POST, date(2020, 11, 10), actor=ACTOR, today=date(2020, 12, 1)
    )
    scores.set_self_score(db, 2020, "STP", "1.3", answer={"yes": True}, actor=ACTOR)
    head = verify(db).head

    downgrade(db, "0006")
    columns = {c["name"] for c in inspect(db.engine).get_columns("audit_event")}
    assert "sequence" not in columns and "hash" not in columns
    assert "version" not in {c["name"] for c in inspect(db.engine).get_columns("score")}
    assert triggers(db) >= {"audit_event_no_update", "audit_event_no_delete"}

    migrate(db)  # 0007 chains the events in id order, 0008 adds the versions
    assert current_revision(db.engine) == SCHEMA_HEAD
    report = verify(db)
    assert report.ok, report.first_problem()
    assert report.head == head  # the same events, chained the same way
    assert "audit_event_no_update" in triggers(db)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET reason = 'x'"))
    with db.engine.connect() as conn:
        assert set(conn.execute(text("SELECT DISTINCT version FROM score")).scalars()) == {1}

    downgrade(db, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    with db.engine.connect() as conn:
        functions = conn.execute(
            text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_event_append_only'")
        ).scalar()
    assert functions == 0
    migrate(db)
    assert current_revision(db.engine) == SCHEMA_HEAD


def test_a_newer_schema_on_the_server_is_refused(server_db: Database) -> None:
    with server_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    url = server_db.url.render_as_string(hide_password=False)
    with pytest.raises(Exception, match="mới hơn"):
        open_database(url)
