"""Review mode in the whole window (issue 10): a council member, the chair and the reader of
an archive see every screen — Tổng quan, Tiếp nhận, Chấm điểm (each agency criterion by
criterion, with reasons and evidence), Khảo sát, Xếp hạng — and no edit control at all,
checked by walking the window's widget tree on every screen and tab; a clerk's window, walked
the same way, has them. And the overview's to-do list: each item opens its screen on its
row."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from khit_desktop.domain.criteria import RuleKind
from khit_desktop.domain.numbers import ZERO
from khit_desktop.services import score_grid, scores
from khit_desktop.services.audit import Actor
from khit_desktop.services.overview import overview
from khit_desktop.services.overview_model import Screen, TodoItem
from khit_desktop.services.overview_todo import ITEM_KINDS
from khit_desktop.services.permissions import Role
from khit_desktop.ui.main_window import MainWindow
from khit_desktop.ui.review import describe, edit_controls
from khit_desktop.ui.workspace import Workspace
from tests.ui.conftest import TODAY

pytestmark = pytest.mark.gui


def _window(qtbot, ws: Workspace, settings) -> MainWindow:
    window = MainWindow(ws, settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def _walk_every_screen(window: MainWindow) -> list[str]:
    """The edit controls found on each screen and each of its tabs, named for the failure."""
    found: list[str] = []
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        screen = window.stack.currentWidget()
        if screen is window.scoring:
            window.scoring.show_agency("STP")  # an agency with scores, reasons and evidence
        tabs = [screen, *screen.findChildren(QTabWidget)]
        for tab_widget in tabs:
            count = tab_widget.count() if isinstance(tab_widget, QTabWidget) else 1
            for index in range(count):
                if isinstance(tab_widget, QTabWidget):
                    tab_widget.setCurrentIndex(index)
                label = window.nav.item(row).text().split("\n")[0]
                found += [f"{label}: {describe(c)}" for c in edit_controls(window)]
    return sorted(set(found))


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CHAIR, Role.READER])
def test_reviewers_see_no_edit_control_anywhere(qtbot, demo_db, settings, role: Role) -> None:
    ws = Workspace(demo_db, 2020, True, Actor("hoi-dong", "may-2", role), lambda: TODAY)
    assert ws.reviewing
    window = _window(qtbot, ws, settings)
    assert _walk_every_screen(window) == []
    # and nothing is hidden from them: every screen is there to read
    labels = [window.nav.item(i).text().split("\n")[0] for i in range(window.nav.count())]
    assert labels == ["Tổng quan", "Tiếp nhận", "Chấm điểm", "Khảo sát", "Xếp hạng"]
    assert window.scoring.model.rowCount() > 0  # STP's criteria, read-only
    assert window.action_finalise.isVisible() is (role is Role.CHAIR)


def test_a_clerk_walked_the_same_way_has_edit_controls(qtbot, demo_db, settings) -> None:
    ws = Workspace(demo_db, 2020, True, Actor("can-bo-a", "may-1", Role.CLERK), lambda: TODAY)
    assert not ws.reviewing
    found = _walk_every_screen(_window(qtbot, ws, settings))
    for screen in ("Tiếp nhận", "Chấm điểm", "Khảo sát"):
        assert any(f.startswith(f"{screen}:") for f in found), (screen, found)


def _current_agency(window: MainWindow, screen: Screen) -> str | None:
    if screen is Screen.RECEIPTS:
        line = window.register.current_line()
        return line.agency_code if line is not None else None
    if screen is Screen.SCORING:
        return window.scoring.agency_code
    return None


def _with_an_unexplained_difference(ws: Workspace) -> str:
    """The agency typed 0 points beside a "yes": the program computes the full points, a
    difference nobody wrote a reason for (a to-do of its own)."""
    sheet = score_grid.agency_sheet(ws.db, 2020, "SKHDT")
    leaf = next(r for r in sheet.rows if r.kind is RuleKind.YES_NO)
    scores.set_self_score(ws.db, 2020, "SKHDT", leaf.code, answer={"yes": True}, claimed=ZERO)
    return leaf.code


def test_each_kind_of_to_do_item_opens_its_screen_on_its_row(qtbot, workspace, settings) -> None:
    _with_an_unexplained_difference(workspace)
    window = _window(qtbot, workspace, settings)
    assert window.stack.currentWidget() is window.overview  # the home screen
    items = overview(workspace.db, 2020, today=TODAY).todo
    first: dict[str, TodoItem] = {}
    for item in items:
        first.setdefault(item.kind, item)
    assert set(first) == set(ITEM_KINDS) - {"not_imported"}, sorted(first)
    for kind, item in first.items():
        screen = Screen(item.screen)
        if screen is Screen.ROUND:
            continue  # a dialog: tested below
        window.nav.setCurrentRow(0)
        assert window.open_todo(item), kind
        if screen is Screen.RECEIPTS:
            assert window.stack.currentWidget() is window.register, kind
            line = window.register.current_line()
            assert line is not None and line.agency_code == item.agency_code, kind
        elif screen is Screen.SCORING:
            assert window.stack.currentWidget() is window.scoring, kind
            assert window.scoring.agency_code == item.agency_code, kind
            if item.criterion_code:
                grid = window.scoring.grid
                row = window.scoring.model.row(grid.currentIndex().row())
                assert row.code == item.criterion_code, kind
        else:
            assert window.stack.currentWidget() is window.surveys, kind
            focused = window.surveys.focusWidget()
            assert focused is not None and focused.isVisible(), kind


def test_the_round_item_opens_the_decision_for_a_clerk_and_the_ranking_for_the_chair(
    qtbot, demo_db, settings, monkeypatch
) -> None:
    from khit_desktop.ui.rounds.decision_dialog import DecisionDialog

    opened: list[int] = []
    monkeypatch.setattr(
        DecisionDialog,
        "edit",
        classmethod(lambda cls, db, year, parent=None, actor=None: opened.append(year) or False),
    )
    item = next(i for i in overview(demo_db, 2020, today=TODAY).todo if i.kind == "decision_number")
    clerk = Workspace(demo_db, 2020, True, Actor("can-bo-a", "may-1", Role.CLERK), lambda: TODAY)
    assert _window(qtbot, clerk, settings).open_todo(item) and opened == [2020]
    chair = Workspace(demo_db, 2020, True, Actor("chu-tich", "may-2", Role.CHAIR), lambda: TODAY)
    window = _window(qtbot, chair, settings)
    assert window.open_todo(item) and opened == [2020]
    assert window.stack.currentWidget() is window.ranking
    assert "Tổ giúp việc" in window.statusBar().currentMessage()


def test_a_click_in_the_overview_list_lands_on_the_row(qtbot, workspace, settings) -> None:
    code = _with_an_unexplained_difference(workspace)
    window = _window(qtbot, workspace, settings)
    todo = window.overview.todo
    todo.expand_all_kinds()
    item = next(r for r in todo.item_rows() if todo.todo_of(r).kind == "unexplained")
    target = todo.todo_of(item)
    assert (target.agency_code, target.criterion_code) == ("SKHDT", code)
    todo.scrollToItem(item)
    qtbot.mouseClick(
        todo.viewport(), Qt.MouseButton.LeftButton, pos=todo.visualItemRect(item).center()
    )
    assert window.stack.currentWidget() is window.scoring
    row = window.scoring.model.row(window.scoring.grid.currentIndex().row())
    assert (window.scoring.agency_code, row.code) == ("SKHDT", code)
    assert window.scoring.grid.hasFocus() or window.scoring.grid.isAncestorOf(window.focusWidget())


def test_an_item_no_longer_there_brings_the_overview_back(qtbot, workspace, settings) -> None:
    window = _window(qtbot, workspace, settings)
    gone = TodoItem("finding_pending", "…", Screen.SURVEYS.value, "DHKH", "3.8", 999, 999)
    assert not window.open_todo(gone)
    assert window.stack.currentWidget() is window.overview
    assert "không còn" in window.statusBar().currentMessage()


# A 1366×768 laptop: the window maximised above the Windows taskbar (40 px) under its title
# bar (31 px) has 1366×697 for itself; and a 1920×1080 screen likewise.
@pytest.mark.parametrize("size", [(1366, 697), (1920, 1009)])
def test_the_overview_fits_the_maximised_window_without_scrolling(
    qtbot, demo_db, settings, size: tuple[int, int]
) -> None:
    from tests.ui.test_overview_panel import _inside

    ws = Workspace(demo_db, 2020, True, Actor("chu-tich", "may-2", Role.CHAIR), lambda: TODAY)
    window = MainWindow(ws, settings)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    assert window.size().width() == size[0] and window.size().height() == size[1]
    panel = window.overview
    assert panel.height() >= panel.sizeHint().height(), (panel.size(), panel.sizeHint())
    assert _inside(panel) == []
