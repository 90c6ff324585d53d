"""Test session set-up: offscreen Qt, a private data folder, no user settings touched."""

from __future__ import annotations

import os

# Before anything imports Qt: no screen on CI machines.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "0")


def pytest_configure(config: object) -> None:
    import tempfile

    os.environ["KHIT_DATA_DIR"] = tempfile.mkdtemp(prefix="khit-test-data-")
