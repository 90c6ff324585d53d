"""Migration 0001 → 0002 (attachments) on real data: the demo database taken back to
revision 0001 with Alembic, then opened by the program, which backs it up and upgrades it
without losing a receipt, a score or an audit row."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from khit_desktop.cli_output import rank_json
from khit_desktop.domain.lateness import Channel
from khit_desktop.services import demo, receipts, results
from khit_desktop.services.audit import Actor
from khit_desktop.store.database import (
    SCHEMA_HEAD,
    current_revision,
    downgrade,
    head_revision,
    open_database,
)

YEAR = demo.DEMO_YEAR
KEPT = ("receipt", "score", "audit_event", "round", "round_agency", "round_holiday", "agency")


def sqlite_rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def table_names(path: Path) -> set[str]:
    return {
        name for (name,) in sqlite_rows(path, "SELECT name FROM sqlite_master WHERE type='table'")
    }


def columns(path: Path, table: str) -> set[str]:
    return {row[1] for row in sqlite_rows(path, f"PRAGMA table_info({table})")}


def counts(path: Path) -> dict[str, int]:
    return {t: sqlite_rows(path, f"SELECT count(*) FROM {t}")[0][0] for t in KEPT}


def dump(path: Path, table: str, cols: str) -> list[tuple]:
    return sqlite_rows(path, f"SELECT {cols} FROM {table} ORDER BY id")


RECEIPT_COLS = (
    "id, round_id, agency_id, channel, sent_date, received_date, doc_number, valid, "
    "invalid_reason, note, recorded_at, recorded_by"
)
SCORE_COLS = "id, agency_id, criterion_id, self_answer, self_points, appraised_answer, " + (
    "appraised_points, reason, source"
)
GENERAL_COLS = (
    "id, round_id, agency_id, code, self_value, appraised_value, reason, updated_at, updated_by"
)
AUDIT_COLS = "id, at_utc, user, action, entity, entity_id, old_json, new_json, reason"


def downgrade_to_0001(path: Path) -> None:
    """With the program's own engine (foreign keys on, WAL), as a user's file would see."""
    db = open_database(path)
    try:
        downgrade(db, "0001")
    finally:
        db.dispose()


@pytest.fixture
def old_demo(demo_template: Path, tmp_path: Path) -> Iterator[tuple[Path, list, dict]]:
    """A copy of the demo at revision 0001, with its ranking and counts taken at head."""
    path = tmp_path / "Dữ liệu cũ" / "khit 2020.db"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    db = open_database(path)
    try:
        assert db.backup_path is None  # already at head: no backup, no upgrade
        ranking = rank_json(results.ranking(db, YEAR))
        register = [
            (line.agency_code, line.decision.status, [r.id for r in line.receipts])
            for line in receipts.register(db, YEAR)
        ]
    finally:
        db.dispose()
    before = {
        "counts": counts(path),
        "receipts": dump(path, "receipt", RECEIPT_COLS),
        "scores": dump(path, "score", SCORE_COLS),
        "audit": dump(path, "audit_event", AUDIT_COLS),
        "register": register,
        # general data (schema 0003) does not exist at 0001; it is put back after the
        # upgrade so that the ranking can be compared
        "general": dump(path, "general_value", GENERAL_COLS),
    }
    downgrade_to_0001(path)
    yield path, ranking, before


def test_schema_head_is_alembics_head() -> None:
    assert SCHEMA_HEAD == head_revision()


def test_downgrade_to_0001_removes_the_attachments(old_demo) -> None:
    path, _, before = old_demo
    assert sqlite_rows(path, "SELECT version_num FROM alembic_version") == [("0001",)]
    tables = table_names(path)
    assert "attachment" not in tables
    assert "receipt" in tables
    assert "attachment_id" not in columns(path, "receipt")
    assert counts(path) == before["counts"]  # the downgrade itself keeps the data
    assert not [p for p in path.parent.iterdir() if ".truoc-nang-cap-" in p.name]


def test_opening_a_0001_database_backs_it_up_and_upgrades_it(old_demo) -> None:
    path, ranking_before, before = old_demo
    db = open_database(path)
    try:
        backup = db.backup_path
        assert backup is not None
        assert backup.parent == path.parent
        assert backup.name.startswith("khit 2020.truoc-nang-cap-0001.")
        assert backup.suffix == ".db"
        assert [p for p in path.parent.iterdir() if ".truoc-nang-cap-" in p.name] == [backup]
        assert current_revision(db.engine) == SCHEMA_HEAD

        # the program works on the upgraded file: same results as before the downgrade
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO general_value ({GENERAL_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                before["general"],
            )
        assert rank_json(results.ranking(db, YEAR)) == ranking_before
        register = [
            (line.agency_code, line.decision.status, [r.id for r in line.receipts])
            for line in receipts.register(db, YEAR)
        ]
        assert register == before["register"]
        assert all(
            r.attachment_id is None for line in receipts.register(db, YEAR) for r in line.receipts
        )
    finally:
        db.dispose()

    assert "attachment" in table_names(path)
    assert "attachment_id" in columns(path, "receipt")
    assert counts(path) == before["counts"]
    assert dump(path, "receipt", RECEIPT_COLS) == before["receipts"]
    assert dump(path, "score", SCORE_COLS) == before["scores"]
    assert dump(path, "audit_event", AUDIT_COLS) == before["audit"]
    assert sqlite_rows(path, "SELECT count(*) FROM attachment") == [(0,)]
    assert sqlite_rows(path, "PRAGMA foreign_key_check") == []
    assert sqlite_rows(path, "PRAGMA integrity_check") == [("ok",)]

    # the backup is the database as it was: revision 0001, every row
    assert sqlite_rows(backup, "SELECT version_num FROM alembic_version") == [("0001",)]
    assert "attachment" not in table_names(backup)
    assert counts(backup) == before["counts"]
    assert sqlite_rows(backup, "PRAGMA integrity_check") == [("ok",)]


def test_the_upgraded_database_takes_attachments(old_demo, tmp_path: Path) -> None:
    path, _, _ = old_demo
    db = open_database(path)
    try:
        source = tmp_path / "phiếu.pdf"
        source.write_bytes(b"%PDF-1.4 phieu")
        rid = receipts.add_receipt(
            db,
            YEAR,
            "KS",
            Channel.POST,
            date(2020, 11, 10),
            doc_number="1/KS",
            attachment=source,
            actor=Actor(user="tester", machine="test-machine"),
            today=date(2020, 12, 1),
        )
        line = next(x for x in receipts.register(db, YEAR) if x.agency_code == "KS")
        assert [(r.id, r.attachment_name) for r in line.receipts] == [(rid, "phiếu.pdf")]
    finally:
        db.dispose()
    assert sqlite_rows(path, "PRAGMA foreign_key_check") == []


def test_opening_again_makes_no_second_backup(old_demo) -> None:
    path, _, _ = old_demo
    open_database(path).dispose()
    db = open_database(path)
    try:
        assert db.backup_path is None
    finally:
        db.dispose()
    assert len([p for p in path.parent.iterdir() if ".truoc-nang-cap-" in p.name]) == 1
