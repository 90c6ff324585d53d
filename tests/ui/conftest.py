"""Fixtures for window tests: a private copy of the demo database, settings in tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from khit_desktop.services.audit import Actor
from khit_desktop.store.database import Database, open_database
from khit_desktop.ui.settings import AppSettings
from khit_desktop.ui.workspace import Workspace

TODAY = date(2020, 12, 1)  # a fixed "today" inside the demo year's appraisal season


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    folder = tmp_path / "Dữ liệu của Nguyễn Văn A"
    folder.mkdir()
    path = folder / "khit minh họa.db"
    shutil.copy(demo_template, path)
    db = open_database(path)
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(tmp_path / "settings.ini")


@pytest.fixture
def workspace(demo_db: Database) -> Workspace:
    return Workspace(demo_db, 2020, True, Actor(user="can-bo-a", machine="may-1"), lambda: TODAY)


@pytest.fixture(scope="session", autouse=True)
def vietnamese_qt(qapp):  # type: ignore[no-untyped-def]
    """Qt's standard words in Vietnamese, as the program installs them at start."""
    from khit_desktop.ui.translation import install_vietnamese

    return install_vietnamese(qapp)
