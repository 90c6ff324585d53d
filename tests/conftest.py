"""Test session set-up: offscreen Qt, a private data folder, no user settings touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before anything imports Qt: no screen on CI machines. The offscreen screen is given the size
# of the clerks' common laptop (1366×768) instead of Qt's default 800×800.
_SCREEN = (
    '{"synthesizedScreens": false, "screens": [{"name": "laptop", "x": 0, "y": 0, '
    '"width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}'
)
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    import tempfile as _tempfile

    _config = os.path.join(_tempfile.mkdtemp(prefix="khit-qt-"), "screen.json")
    with open(_config, "w", encoding="utf-8") as _handle:
        _handle.write(_SCREEN)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_config}"


def pytest_configure(config: object) -> None:
    import tempfile

    os.environ["KHIT_DATA_DIR"] = tempfile.mkdtemp(prefix="khit-test-data-")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test session and checkpointed, so that a plain
    file copy of it is complete; tests copy it rather than write to it."""
    from khit_desktop.services.demo import build_demo
    from khit_desktop.store.database import open_database

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
