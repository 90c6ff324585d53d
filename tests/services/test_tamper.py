"""Tamper tests on a copy of the demo database: someone holding the file changes it with
plain SQL (dropping the append-only triggers first where needed, and putting them back, as a
careful attacker would). ``verify`` and ``khit verify`` detect each change and name the
right event sequence or row."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from khit_desktop.domain.audit_chain import ChainEvent, event_hash
from khit_desktop.services import appraisal
from khit_desktop.services.audit import Actor
from khit_desktop.services.integrity import chain_head, find_code, verify
from khit_desktop.store.database import open_database
from tests.cli.test_cli_verify import khit_verify

SCORE = 100  # a score row of the demo (one agency's criterion)
MIDDLE = 500  # an event in the middle of the trail
TRIGGERS = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
)


@pytest.fixture
def copy(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "khit.db"
    shutil.copy(demo_template, path)
    return path


def run_sql(path: Path, *statements: str, triggers_off: bool = False) -> None:
    conn = sqlite3.connect(path)
    try:
        if triggers_off:
            conn.execute("DROP TRIGGER audit_event_no_update")
            conn.execute("DROP TRIGGER audit_event_no_delete")
        for statement in statements:
            conn.execute(statement)
        if triggers_off:
            for trigger in TRIGGERS:
                conn.execute(trigger)
        conn.commit()
    finally:
        conn.close()


def query(path: Path, statement: str) -> list[tuple]:  # type: ignore[type-arg]
    conn = sqlite3.connect(path)
    try:
        return conn.execute(statement).fetchall()
    finally:
        conn.close()


def last_event_of_score(path: Path, score_id: int) -> int:
    rows = query(
        path,
        f"SELECT max(sequence) FROM audit_event WHERE entity = 'score' AND entity_id = {score_id}",
    )
    return int(rows[0][0])


@dataclass(frozen=True)
class Expected:
    check: str  # the failing check's key
    sequence: int | None = None  # the first broken link / the event named
    row_id: int | None = None  # the row named
    words: str = ""  # in the message


def change_score(path: Path) -> Expected:
    run_sql(path, f"UPDATE score SET appraised_points = '29.50' WHERE id = {SCORE}")
    return Expected("scores", last_event_of_score(path, SCORE), SCORE, "điểm thẩm định")


def insert_score(path: Path) -> Expected:
    # KS sent no form: it has no score rows; one criterion of its group's form gets one
    ((agency, round_id, form_id),) = query(
        path,
        "SELECT ra.agency_id, ra.round_id, g.form_id FROM round_agency ra "
        "JOIN agency a ON a.id = ra.agency_id JOIN round_group g ON g.id = ra.group_id "
        "JOIN round r ON r.id = ra.round_id WHERE a.code = 'KS' AND r.year = 2020",
    )
    ((criterion,),) = query(
        path, f"SELECT min(id) FROM criterion WHERE form_id = {form_id} AND rule_json IS NOT NULL"
    )
    run_sql(
        path,
        "INSERT INTO score (round_id, agency_id, criterion_id, self_points, reason, source, "
        f"updated_at, updated_by) VALUES ({round_id}, {agency}, {criterion}, '30.00', '', "
        "'form', '2020-12-01 10:00:00.000000', 'ai-do')",
    )
    ((new_id,),) = query(path, "SELECT max(id) FROM score")
    return Expected("scores", None, int(new_id), "không có sự kiện nào")


def delete_score(path: Path) -> Expected:
    run_sql(path, f"DELETE FROM score WHERE id = {SCORE}")
    return Expected("scores", last_event_of_score(path, SCORE), SCORE, "bị xóa ngoài chương trình")


def delete_audit_row(path: Path) -> Expected:
    run_sql(path, f"DELETE FROM audit_event WHERE sequence = {MIDDLE}", triggers_off=True)
    return Expected("chain", MIDDLE + 1, None, f"nhảy từ {MIDDLE - 1} sang {MIDDLE + 1}")


def edit_audit_row(path: Path) -> Expected:
    run_sql(
        path,
        f"UPDATE audit_event SET reason = 'Theo ý kiến lãnh đạo' WHERE sequence = {MIDDLE}",
        triggers_off=True,
    )
    return Expected("chain", MIDDLE, None, "đã bị sửa sau khi ghi")


def swap_events(path: Path) -> Expected:
    run_sql(
        path,
        f"UPDATE audit_event SET sequence = -1 WHERE sequence = {MIDDLE}",
        f"UPDATE audit_event SET sequence = {MIDDLE} WHERE sequence = {MIDDLE + 1}",
        f"UPDATE audit_event SET sequence = {MIDDLE + 1} WHERE sequence = -1",
        triggers_off=True,
    )
    return Expected("chain", MIDDLE, None, "không nối với sự kiện trước")


def rehash_event(path: Path) -> Expected:
    """The edited event carries a correct hash of its new content: the next link breaks."""
    columns = (
        "sequence, at_utc, user, machine, action, entity, entity_id, round_year, old_json, "
        "new_json, reason, prev_hash"
    )
    (row,) = query(path, f"SELECT {columns} FROM audit_event WHERE sequence = {MIDDLE}")
    from datetime import datetime

    forged = ChainEvent(
        row[0],
        datetime.fromisoformat(row[1]),
        *row[2:10],
        "Theo ý kiến lãnh đạo",
        row[11],
        "",
    )
    digest = event_hash(forged)
    run_sql(
        path,
        f"UPDATE audit_event SET reason = 'Theo ý kiến lãnh đạo', hash = '{digest}' "
        f"WHERE sequence = {MIDDLE}",
        triggers_off=True,
    )
    return Expected("chain", MIDDLE + 1, None, "không nối với sự kiện trước")


def cut_the_tail(path: Path) -> Expected:
    """The last event (a score change) deleted: the chain alone cannot tell, the score can."""
    db = open_database(path)
    appraisal.set_appraised_points(
        db, 2020, "SNV", "1.8", Decimal(5), reason="Kiểm tra IPv6", actor=Actor("a", "b")
    )
    db.dispose()
    ((score_id, sequence),) = query(
        path, "SELECT entity_id, sequence FROM audit_event ORDER BY sequence DESC LIMIT 1"
    )
    run_sql(path, f"DELETE FROM audit_event WHERE sequence = {sequence}", triggers_off=True)
    return Expected("scores", last_event_of_score(path, score_id), int(score_id), "điểm thẩm định")


TAMPERS: dict[str, Callable[[Path], Expected]] = {
    "change-score": change_score,
    "insert-score": insert_score,
    "delete-score": delete_score,
    "delete-audit-row": delete_audit_row,
    "edit-audit-row": edit_audit_row,
    "swap-two-events": swap_events,
    "rehash-edited-event": rehash_event,
    "cut-the-tail": cut_the_tail,
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_verify_detects_and_names_the_place(
    name: str, copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = TAMPERS[name](copy)
    db = open_database(copy)
    try:
        report = verify(db)
    finally:
        db.dispose()
    assert not report.ok
    keys = [c.key for c in report.failed]
    assert "triggers" not in keys  # put back: the damage itself is found
    assert keys[0] == expected.check
    check = report.failed[0]
    first = check.findings[0]
    assert expected.words in first.message
    if expected.check == "chain":
        assert report.broken is not None and report.broken.sequence == expected.sequence
        assert report.broken.event is not None
        assert report.broken.event.sequence == expected.sequence
        assert f"sự kiện số {expected.sequence}" in report.broken.describe()
    else:
        assert report.broken is None
        assert (first.row_id, first.sequence) == (expected.row_id, expected.sequence)
        assert f"#{expected.row_id} " in first.message
    assert khit_verify(copy) == 5
    out = capsys.readouterr().out
    assert f"[LỖI] {check.title}" in out and expected.words in out


def test_the_intact_copy_verifies(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_database(copy)
    try:
        assert verify(db).ok
    finally:
        db.dispose()
    assert khit_verify(copy) == 0
    assert "DỮ LIỆU TOÀN VẸN" in capsys.readouterr().out


def test_a_change_after_printing_shows_on_the_printed_code(copy: Path) -> None:
    """Anyone holding the program (and a role that may) can append well-formed events: the
    chain and the data then agree. The annex printed before still names its own event, and
    the trail tells how many events came after it — the paper is matched to the database."""
    db = open_database(copy)
    try:
        printed = chain_head(db).code
        appraisal.set_appraised_points(
            db, 2020, "SNV", "1.8", Decimal(5), reason="Sau khi in", actor=Actor("x", "y")
        )
        assert verify(db).ok
        found = find_code(db, printed)
    finally:
        db.dispose()
    assert found is not None and found.later_events == 1
