"""Migration 0005 → 0006 (published results of past years) on a database with data, and back."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from khit_desktop.cli_output import rank_json
from khit_desktop.domain.lateness import Channel
from khit_desktop.services import catalog, history, receipts, results, rounds, scores
from khit_desktop.services.audit import Actor
from khit_desktop.store.database import SCHEMA_HEAD, current_revision, downgrade, open_database
from tests.db_state import rows
from tests.history_book import ROWS_2019, write_book

ACTOR = Actor(user="tester", machine="test-machine")
KEPT = ("round", "round_agency", "round_group", "agency", "receipt", "score", "audit_event")


def columns(path: Path, table: str) -> set[str]:
    return {row[1] for row in rows(path, f"PRAGMA table_info({table})")}


def tables(path: Path) -> set[str]:
    return {name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type='table'")}


def counts(path: Path) -> dict[str, int]:
    return {t: rows(path, f"SELECT count(*) FROM {t}")[0][0] for t in KEPT}


@pytest.fixture
def at_0005(tmp_path: Path) -> tuple[Path, list]:
    """A database with round 2020 (a receipt, a score), taken back to revision 0005."""
    path = tmp_path / "Dữ liệu" / "khit.db"
    db = open_database(path)
    try:
        catalog.initialise(db)
        rounds.create_round(db, 2020, actor=ACTOR)
        receipts.add_receipt(
            db, 2020, "STP", Channel.POST, date(2020, 11, 10), actor=ACTOR, today=date(2020, 12, 1)
        )
        scores.set_self_score(db, 2020, "STP", "1.3", answer={"yes": True}, actor=ACTOR)
        ranking = rank_json(results.ranking(db, 2020))
        downgrade(db, "0005")
    finally:
        db.dispose()
    return path, ranking


def test_downgraded_database_has_no_published_results(at_0005) -> None:
    path, _ = at_0005
    assert rows(path, "SELECT version_num FROM alembic_version") == [("0005",)]
    assert "published_result" not in tables(path)
    assert "kind" not in columns(path, "round")


def test_upgrade_keeps_the_data_and_marks_rounds_appraised(at_0005, tmp_path: Path) -> None:
    path, ranking = at_0005
    before = counts(path)
    db = open_database(path)
    try:
        assert db.backup_path is not None and ".truoc-nang-cap-0005." in db.backup_path.name
        assert current_revision(db.engine) == SCHEMA_HEAD
        assert rank_json(results.ranking(db, 2020)) == ranking
        assert [s.kind for s in rounds.list_rounds(db)] == ["appraised"]
        file = history.read_history(write_book(tmp_path / "kq.xlsx", ROWS_2019))
        report = history.import_history(db, 2019, file, actor=ACTOR)
        assert report.imported == len(ROWS_2019)
    finally:
        db.dispose()
    assert rows(path, "SELECT year, kind FROM round ORDER BY year") == [
        (2019, "published"),
        (2020, "appraised"),
    ]
    assert rows(path, "SELECT count(*) FROM published_result") == [(len(ROWS_2019),)]
    after = counts(path)
    assert after["receipt"] == before["receipt"] and after["score"] == before["score"]
    assert rows(path, "PRAGMA foreign_key_check") == []
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]


def test_downgrade_from_head_drops_the_published_figures_only(at_0005, tmp_path: Path) -> None:
    path, ranking = at_0005
    db = open_database(path)
    try:
        file = history.read_history(write_book(tmp_path / "kq.xlsx", ROWS_2019))
        history.import_history(db, 2019, file, actor=ACTOR)
        downgrade(db, "0005")
    finally:
        db.dispose()
    assert "published_result" not in tables(path)
    assert "kind" not in columns(path, "round")
    assert rows(path, "SELECT year FROM round ORDER BY year") == [(2019,), (2020,)]
    assert rows(path, "PRAGMA foreign_key_check") == []
    copy = tmp_path / "lai.db"
    shutil.copy(path, copy)
    again = open_database(copy)
    try:
        assert rank_json(results.ranking(again, 2020)) == ranking
    finally:
        again.dispose()
