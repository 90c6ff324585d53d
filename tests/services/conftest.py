"""Fixtures of the service tests: one SQLite file per test; the demo built once per session
into a template file and copied for each test that uses it."""

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


@pytest.fixture
def actor() -> Actor:
    return TEST_ACTOR


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database."""
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


@pytest.fixture(scope="session")
def catalog_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _template(tmp_path_factory, "catalog", catalog.initialise)


@pytest.fixture(scope="session")
def round_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(db: Database) -> None:
        catalog.initialise(db)
        rounds.create_round(db, 2020, actor=TEST_ACTOR)

    return _template(tmp_path_factory, "round-2020", build)


def _copy_and_open(template: Path, target: Path) -> Iterator[Database]:
    shutil.copy(template, target)
    db = open_database(target)
    yield db
    db.dispose()


@pytest.fixture
def catalog_db(catalog_template: Path, tmp_path: Path) -> Iterator[Database]:
    """The catalogue only: groups, 37 agencies, the sample form."""
    yield from _copy_and_open(catalog_template, tmp_path / "x.db")


@pytest.fixture
def round_db(round_template: Path, tmp_path: Path) -> Iterator[Database]:
    """The catalogue and round 2020 with the regulation's defaults, no receipts."""
    yield from _copy_and_open(round_template, tmp_path / "x.db")


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo database."""
    yield from _copy_and_open(demo_template, tmp_path / "demo.db")


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
