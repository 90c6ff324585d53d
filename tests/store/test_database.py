"""The store: opening, migrating and backing up a database, pragmas, exact decimals, the
append-only audit table and frozen forms. Every test uses its own SQLite file."""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, StatementError

from khit_desktop.paths import migrations_dir
from khit_desktop.services import catalog, rounds, scores
from khit_desktop.services.audit import Actor, record
from khit_desktop.store import database as database_module
from khit_desktop.store.database import (
    BUSY_TIMEOUT_MS,
    backup_sqlite,
    current_revision,
    head_revision,
    open_database,
)
from khit_desktop.store.errors import (
    DatabaseError,
    DatabaseTooNewError,
    FormFrozenError,
    NotAKhitDatabaseError,
)
from khit_desktop.store.models import AuditEvent, CriterionRow, Form, Round

ACTOR = Actor(user="tester", machine="test-machine")

KHIT_TABLES = {
    "agency",
    "app_user",
    "comment",
    "alembic_version",
    "audit_event",
    "criterion",
    "form",
    "attachment",
    "general_value",
    "cross_check",
    "form_import",
    "council_member",
    "survey",
    "survey_finding",
    "survey_attachment",
    "explanation",
    "council_decision",
    "published_result",
    "group_catalog",
    "meta",
    "receipt",
    "round",
    "round_agency",
    "round_group",
    "round_holiday",
    "score",
}


def sqlite_rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def table_names(path: Path) -> set[str]:
    return {
        name
        for (name,) in sqlite_rows(
            path, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    }


def backups_beside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if ".truoc-nang-cap-" in p.name)


def make_round(year: int = 2020) -> Round:
    return Round(
        year=year,
        deadline=datetime(year, 11, 15).date(),
        grace_days=5,
        late_penalty=Decimal(100),
        threshold_good=Decimal(85),
        threshold_fair=Decimal(70),
        threshold_average=Decimal(50),
        shift_to_working_day=True,
        state="receiving",
        is_demo=False,
        created_at=datetime(2020, 1, 1),
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "x.db"


@pytest.fixture
def db(db_path: Path):
    opened = open_database(db_path)
    yield opened
    opened.dispose()


@pytest.fixture
def scored_db(db):
    """An initialised database with round 2020 and one score on the sample form."""
    catalog.initialise(db)
    rounds.create_round(db, 2020, actor=ACTOR)
    scores.set_self_score(db, 2020, "STP", "1.3", answer={"yes": True}, actor=ACTOR)
    return db


# ---- migrations ----------------------------------------------------------------------------


def test_empty_file_is_migrated_to_head(db, db_path: Path) -> None:
    assert db.backup_path is None
    assert table_names(db_path) == KHIT_TABLES
    assert sqlite_rows(db_path, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert current_revision(db.engine) == head_revision()
    triggers = {
        name
        for (name,) in sqlite_rows(db_path, "SELECT name FROM sqlite_master WHERE type='trigger'")
    }
    assert {"audit_event_no_update", "audit_event_no_delete"} <= triggers
    assert backups_beside(db_path) == []


def test_reopening_an_up_to_date_database_makes_no_backup(db, db_path: Path) -> None:
    catalog.initialise(db)
    db.dispose()
    again = open_database(db_path)
    try:
        assert again.backup_path is None
        assert current_revision(again.engine) == head_revision()
        assert catalog.is_initialised(again)
    finally:
        again.dispose()
    assert backups_beside(db_path) == []


def test_open_without_upgrade_leaves_an_empty_file_empty(db_path: Path) -> None:
    opened = open_database(db_path, upgrade=False)
    try:
        assert opened.backup_path is None
        assert current_revision(opened.engine) is None
    finally:
        opened.dispose()
    assert table_names(db_path) == set()


def test_database_of_a_newer_program_is_refused_and_left_unchanged(db, db_path: Path) -> None:
    catalog.initialise(db)
    db.dispose()
    conn = sqlite3.connect(str(db_path))
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    conn.close()
    assert not Path(f"{db_path}-wal").exists()  # checkpointed: the main file holds everything
    before_bytes = db_path.read_bytes()
    before_mtime = db_path.stat().st_mtime_ns

    with pytest.raises(DatabaseTooNewError, match="ffff9999"):
        open_database(db_path)

    assert db_path.read_bytes() == before_bytes
    assert db_path.stat().st_mtime_ns == before_mtime
    assert sqlite_rows(db_path, "SELECT version_num FROM alembic_version") == [("ffff9999",)]
    assert backups_beside(db_path) == []


def _foreign_sqlite_file(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    with conn:
        conn.execute("CREATE TABLE khach_hang (id INTEGER PRIMARY KEY, ten TEXT)")
        conn.execute("INSERT INTO khach_hang (ten) VALUES ('Nguyễn Văn A')")
    conn.close()


def test_sqlite_file_of_another_program_is_refused(db_path: Path) -> None:
    _foreign_sqlite_file(db_path)
    with pytest.raises(NotAKhitDatabaseError, match="không phải cơ sở dữ liệu của KHIT"):
        open_database(db_path)
    assert table_names(db_path) == {"khach_hang"}
    assert sqlite_rows(db_path, "SELECT ten FROM khach_hang") == [("Nguyễn Văn A",)]
    assert backups_beside(db_path) == []


def test_sqlite_file_of_another_program_is_not_written_at_all(db_path: Path) -> None:
    _foreign_sqlite_file(db_path)
    before = db_path.read_bytes()
    with pytest.raises(NotAKhitDatabaseError):
        open_database(db_path)
    assert sqlite_rows(db_path, "PRAGMA journal_mode") == [("delete",)]
    assert db_path.read_bytes() == before


def test_file_that_is_not_sqlite_is_refused_with_a_store_error(db_path: Path) -> None:
    db_path.write_text("Báo cáo năm 2020\n", encoding="utf-8")
    with pytest.raises(DatabaseError):
        open_database(db_path)
    assert db_path.read_text(encoding="utf-8") == "Báo cáo năm 2020\n"


def _migrations_with_a_second_revision(tmp_path: Path) -> Path:
    """A copy of the program's migrations plus a revision 9999 after the head, so a database
    at the real head is one schema older than this 'program'."""
    head = head_revision()
    target = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), target, ignore=shutil.ignore_patterns("__pycache__"))
    (target / "versions" / "9999_test_extra.py").write_text(
        f'"""test extra table\n\nRevision ID: 9999\nRevises: {head}\n"""\n'
        "from __future__ import annotations\n\n"
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        'revision = "9999"\n'
        f'down_revision = "{head}"\n'
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        '    op.create_table("extra_test", sa.Column("id", sa.Integer(), primary_key=True))\n\n\n'
        "def downgrade() -> None:\n"
        '    op.drop_table("extra_test")\n',
        encoding="utf-8",
    )
    return target


def test_upgrade_of_an_older_schema_backs_up_first(
    db, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog.initialise(db)
    old_revision = head_revision()
    db.dispose()

    newer = _migrations_with_a_second_revision(tmp_path)
    monkeypatch.setattr(database_module, "migrations_dir", lambda: newer)
    assert head_revision() == "9999"

    upgraded = open_database(db_path)
    try:
        backup = upgraded.backup_path
        assert backup is not None
        assert current_revision(upgraded.engine) == "9999"
    finally:
        upgraded.dispose()

    assert backup.parent == db_path.parent
    assert re.fullmatch(
        rf"x\.truoc-nang-cap-{old_revision}\.\d{{8}}-\d{{6}}(-\d+)?\.db", backup.name
    )
    assert backups_beside(db_path) == [backup]
    assert sqlite_rows(backup, "PRAGMA integrity_check") == [("ok",)]
    assert sqlite_rows(backup, "SELECT version_num FROM alembic_version") == [(old_revision,)]
    assert "extra_test" not in table_names(backup)
    assert sqlite_rows(backup, "SELECT count(*) FROM agency") == [(37,)]
    assert "extra_test" in table_names(db_path)
    assert sqlite_rows(db_path, "SELECT count(*) FROM agency") == [(37,)]


def test_backup_sqlite_makes_a_consistent_copy(scored_db, db_path: Path) -> None:
    first = backup_sqlite(db_path, "thu")
    second = backup_sqlite(db_path, "thu")  # same second: a distinct name, never overwritten
    assert first != second
    for copy in (first, second):
        assert copy.parent == db_path.parent
        assert re.fullmatch(r"x\.thu\.\d{8}-\d{6}(-\d+)?\.db", copy.name)
        assert sqlite_rows(copy, "PRAGMA integrity_check") == [("ok",)]
        for table in ("agency", "criterion", "round_agency", "score", "audit_event"):
            sql = f"SELECT * FROM {table} ORDER BY 1"
            assert sqlite_rows(copy, sql) == sqlite_rows(db_path, sql), table
    # the copy is a complete KHIT database that opens without an upgrade
    opened = open_database(first)
    try:
        assert opened.backup_path is None
        assert catalog.is_initialised(opened)
    finally:
        opened.dispose()


# ---- pragmas and paths ---------------------------------------------------------------------


def test_pragmas_on_a_new_connection(db) -> None:
    db.engine.dispose()  # the next connection is a new one
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2
        busy = conn.execute(text("PRAGMA busy_timeout")).scalar()
    assert busy == BUSY_TIMEOUT_MS
    assert busy > 0


def test_foreign_keys_are_enforced(db) -> None:
    with pytest.raises(DBAPIError, match="FOREIGN KEY"), db.session() as s:
        s.execute(
            text(
                "INSERT INTO agency (code, name, default_group, active, note) "
                "VALUES ('X', 'Cơ quan X', 9, 1, '')"
            )
        )


def test_vietnamese_path_with_spaces(tmp_path: Path) -> None:
    path = tmp_path / "Tài liệu của Nguyễn Văn A" / "khit.db"
    opened = open_database(path)
    try:
        assert opened.path == path.resolve()
        assert "Nguyễn Văn A" in opened.display_name
        catalog.initialise(opened)
        rounds.create_round(opened, 2020, actor=ACTOR)
        copy = backup_sqlite(path, "sao-luu")
    finally:
        opened.dispose()
    assert path.exists()
    assert copy.parent == path.parent
    again = open_database(path)
    try:
        assert again.backup_path is None
        assert [r.year for r in rounds.list_rounds(again)] == [2020]
    finally:
        again.dispose()
    assert sqlite_rows(copy, "SELECT year FROM round") == [(2020,)]


# ---- exact decimals ------------------------------------------------------------------------


def test_exact_decimal_round_trips(db, db_path: Path) -> None:
    tricky = Decimal("0.1") + Decimal("0.2")
    assert tricky == Decimal("0.3")
    with db.session() as s:
        rnd = make_round()
        rnd.late_penalty = Decimal("849.99")
        rnd.threshold_good = tricky
        rnd.threshold_fair = Decimal("123456789012345.123456789")
        s.add(rnd)
    with db.session() as s:
        back = s.scalar(select(Round))
        assert back is not None
        assert back.late_penalty == Decimal("849.99")
        assert str(back.late_penalty) == "849.99"
        assert isinstance(back.late_penalty, Decimal)
        assert back.threshold_good == Decimal("0.3")
        assert str(back.threshold_good) == "0.3"
        assert back.threshold_fair == Decimal("123456789012345.123456789")
    # stored as canonical text, not as a binary float
    assert sqlite_rows(db_path, "SELECT late_penalty, typeof(late_penalty) FROM round") == [
        ("849.99", "text")
    ]


def test_exact_decimal_refuses_a_float(db) -> None:
    with pytest.raises((TypeError, StatementError), match="float"), db.session() as s:
        rnd = make_round()
        rnd.late_penalty = 0.1  # type: ignore[assignment]
        s.add(rnd)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Round)) == 0


# ---- audit ---------------------------------------------------------------------------------


def _one_event(db) -> int:
    with db.session() as s:
        event = record(s, ACTOR, "test.event", "round", 1, year=2020, new={"a": Decimal("1.5")})
        s.flush()
        return event.id


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET reason = 'sửa'", "DELETE FROM audit_event"],
    ids=["update", "delete"],
)
def test_audit_table_is_append_only(db, db_path: Path, statement: str) -> None:
    event_id = _one_event(db)
    with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
        s.execute(text(statement))
    conn = sqlite3.connect(str(db_path))
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(statement)
        conn.rollback()
    finally:
        conn.close()
    with db.session() as s:
        event = s.get(AuditEvent, event_id)
        assert event is not None
        assert event.reason == ""
        assert event.new_json == '{"a": "1.5"}'
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_audit_event_cannot_be_changed_through_the_orm(db) -> None:
    event_id = _one_event(db)
    with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
        s.get(AuditEvent, event_id).reason = "sửa lại"
    with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
        s.delete(s.get(AuditEvent, event_id))
    with db.session() as s:
        assert s.get(AuditEvent, event_id).reason == ""


# ---- frozen forms --------------------------------------------------------------------------


def _criterion(s, code: str) -> CriterionRow:
    row = s.scalar(select(CriterionRow).where(CriterionRow.code == code))
    assert row is not None
    return row


def test_form_without_scores_can_change(db) -> None:
    catalog.initialise(db)
    with db.session() as s:
        _criterion(s, "1.8").title = "Mức độ sẵn sàng IPv6 (sửa)"
        _criterion(s, "1.7").max_points = Decimal("12")
    with db.session() as s:
        assert _criterion(s, "1.8").title == "Mức độ sẵn sàng IPv6 (sửa)"
        assert _criterion(s, "1.7").max_points == Decimal("12")


@pytest.mark.parametrize(
    "change",
    [
        lambda s: setattr(_criterion(s, "1.8"), "title", "Tiêu đề mới"),
        lambda s: setattr(_criterion(s, "1.1"), "max_points", Decimal("35")),
        lambda s: s.delete(_criterion(s, "6.7")),
        lambda s: setattr(s.scalar(select(Form)), "name", "Bộ tiêu chí khác"),
    ],
    ids=["title", "max_points", "delete", "form-name"],
)
def test_form_with_scores_is_frozen(scored_db, change) -> None:
    with pytest.raises(FormFrozenError, match="phiên bản mới"), scored_db.session() as s:
        change(s)
    with scored_db.session() as s:
        assert _criterion(s, "1.8").title.startswith("Mức độ sẵn sàng IPv6")
        assert _criterion(s, "1.1").max_points == Decimal("30")
        assert _criterion(s, "6.7") is not None
        assert s.scalar(select(Form.name)) == "Bộ tiêu chí mẫu"


def test_frozen_form_refuses_on_explicit_flush(scored_db) -> None:
    reached = False
    with pytest.raises(FormFrozenError), scored_db.session() as s:
        _criterion(s, "2.4").title = "Khác"
        s.flush()
        reached = True
    assert not reached
    with scored_db.session() as s:
        assert _criterion(s, "2.4").title != "Khác"


def test_schema_head_constant_is_alembics_head() -> None:
    """The fast path that skips Alembic for an up-to-date database relies on this constant."""
    from khit_desktop.store.database import SCHEMA_HEAD

    assert SCHEMA_HEAD == head_revision()


def test_an_up_to_date_database_opens_without_importing_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "khit.db"
    open_database(path).dispose()
    code = (
        "import sys; from khit_desktop.store.database import open_database; "
        f"open_database({str(path)!r}).dispose(); "
        "assert 'alembic' not in sys.modules, 'alembic imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
