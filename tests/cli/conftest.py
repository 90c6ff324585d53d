"""Fixtures of the command-line tests: the demo built once per session, copied per test."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

COUNTED_TABLES = ("round", "round_agency", "agency", "receipt", "score", "audit_event", "meta")


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
