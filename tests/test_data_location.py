"""The user's data lives in the user's app-data folder, never in the install folder — also in
a frozen build (PyInstaller: ``sys.frozen``, ``sys._MEIPASS``), simulated here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from khit_desktop import crash, paths


@pytest.fixture
def frozen(tmp_path: Path, monkeypatch) -> Path:
    """A per-user install as the installer makes it; returns the install folder."""
    install = tmp_path / "Nguyễn Văn A" / "AppData" / "Local" / "Programs" / "KHIT Desktop"
    (install / "_internal").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(install / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(install / "KHIT Desktop.exe"))
    monkeypatch.delenv("KHIT_DATA_DIR", raising=False)
    return install


def test_frozen_linux_data_goes_to_xdg_not_the_install_folder(frozen, tmp_path, monkeypatch):
    xdg = tmp_path / "Nguyễn Văn A" / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(xdg))
    assert paths.install_root() == frozen / "_internal"
    assert paths.resources_dir().is_relative_to(frozen)  # what ships is read from the bundle
    database = paths.default_database_path()
    assert database == xdg / "KHIT Desktop" / "khit.db"
    assert database.parent == paths.data_dir()
    for written in (database, crash.default_log_path(), paths.data_dir() / "settings.ini"):
        assert written.is_relative_to(paths.data_dir())
        assert not written.is_relative_to(frozen), written
        assert not written.is_relative_to(paths.install_root()), written


def test_frozen_windows_data_goes_to_localappdata(frozen, tmp_path, monkeypatch) -> None:
    """On Windows platformdirs answers %LOCALAPPDATA%\\KHIT\\KHIT Desktop (roaming=False:
    a database must not travel with a roaming profile)."""
    local = tmp_path / "Nguyễn Văn A" / "AppData" / "Local"
    asked: list[tuple[object, ...]] = []

    def user_data_dir(appname: str, appauthor: str, *, roaming: bool) -> str:
        asked.append((appname, appauthor, roaming))
        return str(local / appauthor / appname)

    monkeypatch.setattr("platformdirs.user_data_dir", user_data_dir)
    database = paths.default_database_path()
    assert asked and asked[0] == ("KHIT Desktop", "KHIT", False)
    assert database == local / "KHIT" / "KHIT Desktop" / "khit.db"
    assert not database.is_relative_to(frozen)
    assert not database.is_relative_to(paths.install_root())


def test_the_override_for_development_and_tests(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "Tài liệu" / "khit dev"
    monkeypatch.setenv("KHIT_DATA_DIR", str(folder))
    assert paths.default_database_path() == folder / "khit.db"
    assert folder.is_dir()  # made on first use
