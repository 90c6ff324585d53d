"""Fixtures of the service tests: one database per test, on SQLite and — when
``KHIT_TEST_POSTGRES_URL`` is set — on PostgreSQL too (every test that uses these fixtures
runs once per backend; ``@pytest.mark.sqlite_only`` keeps a test about files on SQLite).

SQLite: a file per test, copied from a template file built once per session. PostgreSQL: a
database per test made with ``CREATE DATABASE … TEMPLATE`` from a template database built once
per session (``tests/postgres_server.py``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from khit_desktop.services import catalog, rounds
from khit_desktop.services.audit import Actor
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import (
    Agency,
    AuditEvent,
    Form,
    ReceiptRow,
    Round,
    RoundAgency,
    RoundGroup,
    ScoreRow,
)
from tests.postgres_server import PostgresServer, server_url

TEST_ACTOR = Actor(user="tester", machine="test-machine")

COUNTED = {
    "round": Round,
    "round_group": RoundGroup,
    "round_agency": RoundAgency,
    "agency": Agency,
    "form": Form,
    "receipt": ReceiptRow,
    "score": ScoreRow,
    "audit_event": AuditEvent,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite files (backups, restore, raw file edits)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that uses a database fixture on every backend available."""
    if "backend" not in metafunc.fixturenames or server_url() is None:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize("backend", ["sqlite", "postgresql"], scope="function")


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    url = server_url()
    if url is None:
        yield None
        return
    server = PostgresServer(url)
    yield server
    server.close()


def _pg_database(
    server: PostgresServer | None, key: str, build: Callable[[Database], None]
) -> Iterator[Database]:
    assert server is not None
    name, db = server.open_new(server.template(key, build))
    yield db
    db.dispose()
    server.drop(name)


@pytest.fixture
def actor() -> Actor:
    return TEST_ACTOR


@pytest.fixture
def fresh_db(backend: str, postgres: PostgresServer | None, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database."""
    if backend == "postgresql":
        yield from _pg_database(postgres, "empty", lambda db: None)
        return
    db = open_database(tmp_path / "x.db")
    yield db
    db.dispose()


def _template(tmp_path_factory: pytest.TempPathFactory, name: str, build) -> Path:
    """A database built once per session; tests get a copy (no migration per test)."""
    template = tmp_path_factory.getbasetemp() / "khit-templates" / f"{name}.db"
    if not template.exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        db = open_database(template)
        try:
            build(db)
        finally:
            db.dispose()
    return template


def _build_round(db: Database) -> None:
    catalog.initialise(db)
    rounds.create_round(db, 2020, actor=TEST_ACTOR)


@pytest.fixture(scope="session")
def catalog_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "catalog", catalog.initialise)


@pytest.fixture(scope="session")
def round_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "round-2020", _build_round)


def _copy_and_open(template: Path, target: Path) -> Iterator[Database]:
    shutil.copy(template, target)
    db = open_database(target)
    yield db
    db.dispose()


@pytest.fixture
def catalog_db(
    backend: str, postgres: PostgresServer | None, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    """The catalogue only: groups, 37 agencies, the sample form."""
    if backend == "postgresql":
        yield from _pg_database(postgres, "catalog", catalog.initialise)
        return
    yield from _copy_and_open(request.getfixturevalue("catalog_template"), tmp_path / "x.db")


@pytest.fixture
def round_db(
    backend: str, postgres: PostgresServer | None, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    """The catalogue and round 2020 with the regulation's defaults, no receipts."""
    if backend == "postgresql":
        yield from _pg_database(postgres, "round-2020", _build_round)
        return
    yield from _copy_and_open(request.getfixturevalue("round_template"), tmp_path / "x.db")


@pytest.fixture
def demo_db(
    backend: str, postgres: PostgresServer | None, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    """A private copy of the demo database."""
    if backend == "postgresql":
        from khit_desktop.services.demo import build_demo

        yield from _pg_database(postgres, "demo", build_demo)
        return
    yield from _copy_and_open(request.getfixturevalue("demo_template"), tmp_path / "demo.db")


@pytest.fixture
def counts() -> Callable[[Database], dict[str, int]]:
    """Row counts of the tables a refused input must leave alone."""

    def count(db: Database) -> dict[str, int]:
        with db.session() as s:
            return {
                name: s.scalar(select(func.count()).select_from(model)) or 0
                for name, model in COUNTED.items()
            }

    return count


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap scrypt parameters for tests that make many accounts (the stored hash names its
    parameters, so verifying works the same way); one test checks the real ones."""
    from khit_desktop.services import credentials

    monkeypatch.setattr(credentials, "PARAMS", credentials.ScryptParams(n=2**4, r=8, p=1))
