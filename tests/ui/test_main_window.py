"""The window opens on a demo database and says what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from khit_desktop.app import load_state
from khit_desktop.ui.main_window import DEMO_MARK, MainWindow, WindowState, window_title

pytestmark = pytest.mark.gui


def test_title_names_round_database_and_demo() -> None:
    state = WindowState(database="C:\\Dữ liệu\\khit.db", year=2020, agencies=37, demo=True)
    title = window_title(state)
    assert "Năm 2020" in title
    assert "C:\\Dữ liệu\\khit.db" in title
    assert title.endswith(f"[{DEMO_MARK}]")
    assert DEMO_MARK not in window_title(WindowState("x.db", 2020, 37, demo=False))


def test_demo_window_shows_marker(qtbot, tmp_path: Path) -> None:
    state = load_state(tmp_path / "Thư mục có dấu" / "minh họa.db", demo=True)
    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.demo_banner.isVisible()
    assert DEMO_MARK in window.demo_banner.text()
    assert "37 cơ quan" in window.summary.text()
    assert "Năm 2020" in window.windowTitle()
    image = window.grab()
    assert not image.isNull()
    assert image.width() > 500


def test_new_database_window_says_what_to_do(qtbot, tmp_path: Path) -> None:
    state = load_state(tmp_path / "khit.db", demo=False)
    window = MainWindow(state)
    qtbot.addWidget(window)
    assert "Chưa có kỳ đánh giá" in window.windowTitle()
    assert "khit round create" in window.summary.text()
    assert not hasattr(window, "demo_banner")
