"""The PostgreSQL mode's pieces (issue 9): exact decimals on both databases, the append-only
audit table, the read-only archive of one round, moving a SQLite database into another
database, and which database a start opens."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from khit_desktop.domain.lateness import Channel
from khit_desktop.services import archive, receipts, rounds, scores, transfer
from khit_desktop.services.audit import Actor
from khit_desktop.services.integrity import verify
from khit_desktop.services.permissions import PermissionDenied, Role
from khit_desktop.store.database import Database, database_url, open_database
from khit_desktop.store.errors import DatabaseError, ReadOnlyDatabaseError
from khit_desktop.store.models import GeneralValue, Meta, Round, RoundAgency
from khit_desktop.store.models_accounts import AppUser
from khit_desktop.store.target import ENV_DATABASE_URL, database_target
from tests.postgres_server import PostgresServer

YEAR = 2020
ADMIN = Actor(user="quan.tri", machine="may-qt", role=Role.ADMIN)

EXACT = ["849.99", "850.00", "850", "0.625", "0.63", "1E+2", "0.0001", "123456789012.34"]


def test_decimals_read_back_digit_for_digit(round_db: Database) -> None:
    with round_db.session() as s:
        rnd = s.scalar(select(Round).where(Round.year == YEAR))
        assert rnd is not None
        m = s.scalars(select(RoundAgency).where(RoundAgency.round_id == rnd.id)).first()
        assert m is not None
        for i, value in enumerate(EXACT):
            s.add(
                GeneralValue(
                    round_id=rnd.id, agency_id=m.agency_id, code=f"D{i}",
                    self_value=Decimal(value), appraised_value=None, reason="",
                    updated_at=datetime(2020, 11, 1), updated_by="t",
                )
            )  # fmt: skip
    round_db.dispose()
    with round_db.session() as s:
        got = {
            g.code: g.self_value
            for g in s.scalars(select(GeneralValue).where(GeneralValue.code.like("D%")))
        }
    for i, value in enumerate(EXACT):
        back = got[f"D{i}"]
        assert back == Decimal(value)
        assert f"{back:f}" == f"{Decimal(value):f}"  # the same text in JSON and exports


def test_a_float_is_refused(round_db: Database) -> None:
    with pytest.raises(Exception, match="float"), round_db.session() as s:
        rnd = s.scalar(select(Round).where(Round.year == YEAR))
        assert rnd is not None
        rnd.late_penalty = 100.5  # type: ignore[assignment]


def test_the_audit_table_is_append_only(demo_db: Database) -> None:
    for statement in ("UPDATE audit_event SET reason = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), demo_db.engine.begin() as conn:
            conn.execute(text(statement))
    assert verify(demo_db).ok


def test_a_disabled_trigger_on_the_server_is_reported(demo_db: Database) -> None:
    if not demo_db.is_postgres:
        pytest.skip("PostgreSQL only: SQLite has no disabled triggers")
    with demo_db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_delete"))
    report = verify(demo_db)
    assert [c.key for c in report.failed] == ["triggers"]


# ---- the archive of one round ----------------------------------------------------------------


def test_export_round_makes_a_read_only_archive(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "luu-tru" / "ket-qua-2020.db"
    out.parent.mkdir()
    report = archive.export_round(demo_db, YEAR, out, actor=Actor(role=Role.MEMBER))
    assert report.check.ok, report.check.first_problem()
    assert not out.with_name(out.name + ".dang-ghi").exists()
    assert report.counts["score"] > 1000 and report.counts["round"] == 1
    head = verify(demo_db).head
    copy = open_database(out)
    try:
        assert copy.read_only
        assert verify(copy).head == head  # the whole chain: an annex's code is found
        with copy.session() as s:
            assert s.scalars(select(Round.year)).all() == [YEAR]
            assert {u.password_hash for u in s.scalars(select(AppUser))} <= {""}
            facts = {m.key: m.value for m in s.scalars(select(Meta))}
        assert facts["read_only"] == "1" and facts["archive_year"] == str(YEAR)
        with pytest.raises(ReadOnlyDatabaseError, match="chỉ đọc"):
            receipts.add_receipt(
                copy, YEAR, "STP", Channel.EMAIL, date(2020, 11, 10), today=date(2020, 11, 20)
            )
        with pytest.raises(ReadOnlyDatabaseError):
            scores.set_self_score(copy, YEAR, "STP", "1.8", claimed=Decimal(1))
        with pytest.raises(ReadOnlyDatabaseError), copy.session() as s:
            s.execute(delete(Meta))
        with pytest.raises(DBAPIError, match="readonly"), copy.engine.begin() as conn:
            conn.execute(text("DELETE FROM meta"))  # the second wall: PRAGMA query_only
        reader = archive.reader_actor()
        with pytest.raises(PermissionDenied):
            rounds.create_round(copy, 2021, actor=reader)
        assert len(receipts.register(copy, YEAR)) > 30
    finally:
        copy.dispose()
    with pytest.raises(transfer.TransferRefused, match="đã có"):
        archive.export_round(demo_db, YEAR, out, actor=ADMIN)


# ---- moving a database ------------------------------------------------------------------------


@pytest.fixture
def empty_target(
    backend: str, postgres: PostgresServer | None, tmp_path: Path
) -> tuple[str, Database | None]:
    """The URL of an empty database of the test's backend, not opened yet."""
    if backend == "postgresql":
        assert postgres is not None
        name = postgres.create(postgres.template("empty", lambda db: None))
        return postgres.url(name).render_as_string(hide_password=False), None
    return f"sqlite:///{tmp_path / 'dich.db'}", None


def test_migrate_to_copies_every_row_and_both_sides_verify(
    demo_template: Path, tmp_path: Path, empty_target: tuple[str, Database | None]
) -> None:
    source_path = tmp_path / "nguon.db"
    source_path.write_bytes(demo_template.read_bytes())
    source = open_database(source_path)
    try:
        report = transfer.migrate_to(source, empty_target[0], actor=ADMIN)
        assert report.ok, transfer.report_lines(report)
        assert report.source_check.head == report.target_check.head
        counts = {c.table: c.target for c in report.counts}
        assert counts["audit_event"] == 1672 and counts["score"] == 1505
        target = open_database(empty_target[0])
        try:
            rid = receipts.add_receipt(  # new ids follow the copied ones
                target, YEAR, "STP", Channel.EMAIL, date(2020, 11, 10),
                doc_number="sau khi chuyển", today=date(2020, 11, 20),
            )  # fmt: skip
            assert rid > max(counts["receipt"], 1)
            assert verify(target).ok
        finally:
            target.dispose()
        with pytest.raises(transfer.TransferRefused, match="đã có dữ liệu"):
            transfer.migrate_to(source, empty_target[0], actor=ADMIN)
        with pytest.raises(PermissionDenied):
            transfer.migrate_to(source, empty_target[0], actor=Actor(role=Role.CLERK))
    finally:
        source.dispose()


# ---- which database ---------------------------------------------------------------------------


def test_database_target_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    monkeypatch.setenv("KHIT_DATA_DIR", str(tmp_path))
    assert database_target() == tmp_path / "khit.db"
    assert database_target(None, "postgresql://may-chu/khit") == "postgresql://may-chu/khit"
    monkeypatch.setenv(ENV_DATABASE_URL, "postgresql://a@b/c")
    assert database_target(None, "x.db") == "postgresql://a@b/c"
    assert database_target("y.db", "x.db") == "y.db"


def test_postgres_urls_take_the_psycopg_driver() -> None:
    for text_url in ("postgresql://u:p@h:5433/khit", "postgres://u:p@h:5433/khit"):
        url = database_url(text_url)
        assert url.drivername == "postgresql+psycopg"
        assert (url.host, url.port, url.database) == ("h", 5433, "khit")
    assert database_url("postgresql+psycopg://h/k").drivername == "postgresql+psycopg"
    with pytest.raises(DatabaseError, match="không được hỗ trợ"):
        database_url("mysql://h/k")


def test_an_unreachable_server_is_a_clear_refusal() -> None:
    with pytest.raises(DatabaseError, match="Không kết nối được máy chủ") as caught:
        open_database("postgresql://khit:bi-mat@127.0.0.1:1/khit")
    assert "bi-mat" not in str(caught.value)
