"""Trợ giúp → Giới thiệu KHIT Desktop, Tệp → Mở thư mục dữ liệu, Trợ giúp → Mở tệp nhật ký
lỗi: what they show and open (the system's file manager is patched)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox

from khit_desktop import __version__, crash
from khit_desktop.paths import data_dir
from khit_desktop.store.database import SCHEMA_HEAD
from khit_desktop.ui.about import (
    AboutDialog,
    components,
    database_facts,
    format_size,
    licences_html,
    support_text,
)
from khit_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def opened(monkeypatch) -> list[Path]:
    """What the system's file manager was asked to open."""
    urls: list[Path] = []

    def fake_open(url: QUrl) -> bool:
        urls.append(Path(url.toLocalFile()))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", fake_open)
    return urls


def menu_action(window: MainWindow, text: str) -> QAction:
    found = [a for a in window.menuBar().findChildren(QAction) if a.text() == text]
    assert len(found) == 1, f"menu entry {text!r}: {len(found)} found"
    return found[0]


def test_sizes_and_facts(workspace) -> None:
    assert format_size(0) == "0 KB"
    assert format_size(850 * 1024) == "850 KB"
    assert format_size(1_310_720) == "1,25 MB"
    facts = database_facts(workspace.db, True)
    assert facts.location == str(workspace.db.path)
    assert facts.schema == f"{SCHEMA_HEAD} (bản mới nhất)"
    assert facts.size.endswith(("KB", "MB"))
    assert facts.data_folder == data_dir()
    text = support_text(facts)
    for expected in (
        f"KHIT Desktop {__version__}",
        "Python",
        "Qt ",
        str(workspace.db.path),
        "DỮ LIỆU MINH HỌA",
        SCHEMA_HEAD,
        "SQLAlchemy",
    ):
        assert expected in text, expected


def test_every_component_names_its_licence_and_version() -> None:
    named = {c.name: (c.licence, v) for c, v in components()}
    assert named["PySide6"][0] == named["Qt"][0] == "GNU LGPL v3"
    for name in ("SQLAlchemy", "Alembic", "openpyxl", "platformdirs"):
        assert named[name][0] == "MIT"
    assert named["ReportLab"][0] == "BSD"
    assert named["defusedxml"][0] == "PSF License"
    assert named["Liberation Serif"][0] == "SIL Open Font License 1.1"
    for name in ("Python", "Qt", "PySide6", "SQLite", "SQLAlchemy", "openpyxl", "reportlab"):
        if name in named:
            assert named[name][1], name
    page = licences_html()
    assert "SIL OPEN FONT LICENSE Version 1.1" in page  # the font licence in full
    assert "Red Hat" in page and "lgpl-3.0" in page


def test_about_dialog(qtbot, workspace, opened) -> None:
    dialog = AboutDialog(workspace.db, workspace.demo)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    hint = dialog.sizeHint()
    assert hint.width() <= 1366 - 40 and hint.height() <= 768 - 60, hint
    assert dialog.height() <= 768 - 60
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert f"KHIT Desktop {__version__}" in shown
    assert "phần mềm nội bộ" in shown
    assert "Khánh Hòa" in shown
    assert SCHEMA_HEAD in shown
    assert dialog.location_field.text().startswith(str(workspace.db.path))
    assert "MINH HỌA" in dialog.location_field.text()
    licences = dialog.licences.toPlainText()
    for expected in ("GNU LGPL v3", "MIT", "BSD", "PSF License", "SIL Open Font License 1.1"):
        assert expected in licences, expected
    dialog.grab().save(str(SCREENSHOTS / "about.png"))

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert f"KHIT Desktop {__version__}" in copied and str(workspace.db.path) in copied
    assert dialog.copy_button.text() == "Đã sao chép"
    dialog.open_button.click()
    assert opened == [workspace.db.path.parent]


def test_menu_entries_open_the_data_folder_the_log_and_the_about_box(
    qtbot, workspace, settings, opened, monkeypatch, tmp_path
) -> None:
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    menu_action(window, "Mở thư mục dữ liệu").trigger()
    assert opened == [workspace.db.path.parent]  # "Dữ liệu của Nguyễn Văn A"

    log_file = tmp_path / "Nhật ký" / "khit.log"
    assert crash.start_logging("KHIT Desktop", log_file) == log_file
    try:
        menu_action(window, "Mở tệp nhật ký lỗi").trigger()
    finally:
        crash.stop_logging()
    assert opened[-1] == log_file
    assert "bắt đầu" in log_file.read_text(encoding="utf-8")

    shown: list[object] = []

    def fake_exec(dialog: AboutDialog) -> int:
        shown.append(dialog.facts)
        return 0

    monkeypatch.setattr(AboutDialog, "exec", fake_exec)
    menu_action(window, "Giới thiệu KHIT Desktop").trigger()
    assert len(shown) == 1


def test_a_folder_the_system_cannot_open_is_told(qtbot, workspace, monkeypatch) -> None:
    from khit_desktop.ui.data_folder import open_database_folder

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: told.append(text))
    assert open_database_folder(workspace.db, None) is None
    assert told and str(workspace.db.path.parent) in told[0]
