"""Fixtures of the command-line tests: the demo built once per session, copied per test."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from khit_desktop.services.demo import build_demo
from khit_desktop.store.database import open_database

COUNTED_TABLES = ("round", "round_agency", "agency", "receipt", "score", "audit_event", "meta")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Same file as tests/services builds (shared through the session's base temp folder)."""
    template = tmp_path_factory.getbasetemp() / "khit-demo-template" / "demo.db"
    if not template.exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        building = template.with_name("building.db")
        db = open_database(building)
        try:
            build_demo(db)
        finally:
            db.dispose()  # last connection closed: the WAL is checkpointed and removed
        assert not Path(f"{building}-wal").exists()
        building.replace(template)
    return template


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database, as a path for ``--db``."""
    path = tmp_path / "khit.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def row_counts() -> Callable[[Path], dict[str, int]]:
    """Row counts per table, read with plain sqlite3 (nothing of the program involved)."""

    def count(path: Path) -> dict[str, int]:
        conn = sqlite3.connect(str(path))
        try:
            return {
                table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in COUNTED_TABLES
            }
        finally:
            conn.close()

    return count
