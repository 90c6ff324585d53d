"""The main window on the demo database: title, round, navigation, settings remembered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect

from khit_desktop.services import rounds
from khit_desktop.ui.main_window import DEMO_MARK, MainWindow, window_title

pytestmark = pytest.mark.gui


def test_title_names_round_database_and_demo() -> None:
    title = window_title("C:\\Dữ liệu\\khit.db", 2020, demo=True)
    assert "Năm 2020" in title
    assert "C:\\Dữ liệu\\khit.db" in title
    assert title.endswith(f"[{DEMO_MARK}]")
    assert DEMO_MARK not in window_title("x.db", 2020, demo=False)
    assert "Chưa có kỳ đánh giá" in window_title("x.db", None, demo=False)


def test_demo_window_shows_round_register_and_marker(qtbot, workspace, settings) -> None:
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "Năm 2020" in window.windowTitle()
    assert str(workspace.db.path) in window.windowTitle()
    assert window.demo_banner.isVisible()
    assert DEMO_MARK in window.demo_banner.text()
    assert window.round_selector.currentText() == "Năm 2020"
    assert window.register.model.rowCount() == 37
    assert "37 cơ quan" in window.register.summary.text()
    # only screens that work are offered; Tổng quan is the home screen
    assert window.stack.currentWidget() is window.overview
    assert [window.nav.item(i).text().split("\n")[0] for i in range(window.nav.count())] == [
        "Tổng quan",
        "Tiếp nhận",
        "Chấm điểm",
        "Khảo sát",
        "Xếp hạng",
    ]
    assert "can-bo-a" in window.status_label.text()
    image = window.grab()
    assert not image.isNull() and image.width() >= 960


def test_round_selector_switches_round_and_settings_remember_it(
    qtbot, workspace, settings, monkeypatch
) -> None:
    rounds.create_round(workspace.db, 2021, copy_from=2020)
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    window.show()
    assert window.round_selector.count() == 3  # the demo's published 2019, 2020, 2021
    window.round_selector.setCurrentIndex(window.round_selector.findData(2021))
    assert workspace.year == 2021
    assert "Năm 2021" in window.windowTitle()
    assert window.register.model.receipt_count() == 0
    assert "Chưa có phiếu nào" in window.register.summary.text()
    window.setGeometry(QRect(40, 50, 1111, 666))
    window.close()

    assert settings.last_year(workspace.db.display_name) == 2021
    workspace.year = settings.last_year(workspace.db.display_name)
    again = MainWindow(workspace, settings)
    qtbot.addWidget(again)
    assert again.round_selector.currentData() == 2021
    assert again.width() == 1111 and again.height() == 666


def test_new_round_from_the_window(qtbot, workspace, settings, monkeypatch) -> None:
    from khit_desktop.ui.rounds import new_round_dialog

    def fake_ask(cls, db, parent=None):  # the dialog itself has its own tests
        rounds.create_round(db, 2021, copy_from=2020)
        return 2021

    monkeypatch.setattr(new_round_dialog.NewRoundDialog, "ask", classmethod(fake_ask))
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    window.new_round_button.click()
    assert window.round_selector.currentData() == 2021
    assert window.register.model.rowCount() == 37


def test_screen_shortcut_and_menus_exist(qtbot, workspace, settings) -> None:
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    menus = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert menus == [
        "Tệp",
        "Kỳ đánh giá",
        "Tiếp nhận",
        "Chấm điểm",
        "Khảo sát",
        "Xếp hạng",
        "Trợ giúp",
    ]
    shortcuts = {a.shortcut().toString() for a in window.actions()}
    assert {"Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5"} <= shortcuts
    register_shortcuts = {a.shortcut().toString() for a in window.register.actions()}
    assert {"Ctrl+N", "Ctrl+F", "Ctrl+E"} <= register_shortcuts
