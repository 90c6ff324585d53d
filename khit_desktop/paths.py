"""Where the program's files and the user's data live.

The user's database lives in the platform's app-data folder (``%LOCALAPPDATA%`` on Windows,
XDG on Linux); ``KHIT_DATA_DIR`` overrides it for development and tests. Resources and
migrations ship beside the package (or inside a PyInstaller bundle).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "KHIT Desktop"
APP_AUTHOR = "KHIT"


def install_root() -> Path:
    """The folder that holds ``resources/`` and ``database/``."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return install_root() / "resources"


def migrations_dir() -> Path:
    return install_root() / "database" / "migrations"


def data_dir() -> Path:
    """The user's data folder (created on first use)."""
    override = os.environ.get("KHIT_DATA_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "khit.db"
