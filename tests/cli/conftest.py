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
            counts = {
                table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in COUNTED_TABLES
            }
            # logging in is audited (user.login, user.login_failed) before any command runs;
            # what a refused command must not write is everything else
            counts["audit_event"] -= conn.execute(
                "SELECT count(*) FROM audit_event WHERE action LIKE 'user.login%'"
            ).fetchone()[0]
            return counts
        finally:
            conn.close()

    return count


ADMIN, ADMIN_PASSWORD = "admin", "mat-khau-quan-tri"
CLERK, CLERK_PASSWORD = "canbo", "mat-khau-can-bo"


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap scrypt parameters for the in-process runs (the hash names its parameters)."""
    from khit_desktop.services import credentials

    monkeypatch.setattr(credentials, "PARAMS", credentials.ScryptParams(n=2**4, r=8, p=1))


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch, fast_hashing: None) -> Callable[[str, str], None]:
    """``login(name, password)``: the following ``khit`` runs log in as that user (the
    variables KHIT_USER and KHIT_PASSWORD, as a script would)."""

    def as_user(name: str, password: str) -> None:
        monkeypatch.setenv("KHIT_USER", name)
        monkeypatch.setenv("KHIT_PASSWORD", password)

    return as_user


@pytest.fixture
def staffed_path(tmp_path: Path, login: Callable[[str, str], None]) -> Path:
    """A new database made by ``khit init`` (administrator 'admin') with the clerk 'canbo';
    the following runs log in as the clerk."""
    from khit_desktop.cli import main
    from khit_desktop.services import accounts
    from khit_desktop.store.database import open_database

    path = tmp_path / "khit.db"
    login(ADMIN, ADMIN_PASSWORD)
    assert main(["init", "--db", str(path)]) == 0
    db = open_database(path)
    try:
        admin = accounts.authenticate(db, ADMIN, ADMIN_PASSWORD)
        accounts.create_user(db, CLERK, "Cán bộ Tổ giúp việc", accounts.Role.CLERK,
                             CLERK_PASSWORD, actor=admin)  # fmt: skip
    finally:
        db.dispose()
    login(CLERK, CLERK_PASSWORD)
    return path
