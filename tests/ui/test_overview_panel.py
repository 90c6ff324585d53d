"""Tổng quan: the panel shows the service's figures, links every open item to its screen,
moves the round's stage for the working team only, exports the one-page report, and fits a
1366×768 laptop screen without scrolling."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QScrollArea, QWidget

from khit_desktop.domain.numbers import format_points
from khit_desktop.services.audit import Actor
from khit_desktop.services.overview import overview
from khit_desktop.services.overview_model import CLASSES, TodoItem
from khit_desktop.services.overview_todo import ITEM_KINDS
from khit_desktop.services.permissions import Role
from khit_desktop.services.round_stage import APPRAISING, RECEIVING, stage
from khit_desktop.ui.overview import OverviewPanel
from khit_desktop.ui.overview.overview_panel import NO_ROUND
from khit_desktop.ui.overview.results_view import EdgesView
from khit_desktop.ui.overview.todo_list import KIND_ROLE
from khit_desktop.ui.review import describe, edit_controls
from khit_desktop.ui.workspace import Workspace
from tests.ui.conftest import TODAY


def _panel(qtbot, ws: Workspace, width: int = 1230, height: int = 640) -> OverviewPanel:  # type: ignore[no-untyped-def]
    panel = OverviewPanel(ws)
    qtbot.addWidget(panel)
    panel.resize(width, height)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def _as(ws: Workspace, role: Role, user: str = "nguoi-dung") -> Workspace:
    return replace(ws, actor=Actor(user=user, machine="may-2", role=role))


def _cell(panel: OverviewPanel, table: str, measure: str, group: int) -> str:
    model = panel.forms_model if table == "forms" else panel.appraisal_model
    index = model.index(model.row_of(measure), model.column_of(group))
    return str(model.data(index))


def test_the_panel_shows_the_services_figures(qtbot, qtmodeltester, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, workspace)
    ov = overview(workspace.db, 2020, today=TODAY)
    qtmodeltester.check(panel.forms_model)
    qtmodeltester.check(panel.appraisal_model)

    for f in ov.forms:
        assert _cell(panel, "forms", "Đúng hạn", f.group) == str(f.on_time)
        assert _cell(panel, "forms", "Trễ ≤ 5 ngày (−100)", f.group) == str(f.late)
        assert _cell(panel, "forms", "Chưa nhận phiếu", f.group) == str(f.missing)
        assert _cell(panel, "forms", "Đang thẩm định", f.group) == str(f.appraising)
    total = ov.appraisal_total
    assert _cell(panel, "appraisal", "Tiêu chí điều chỉnh", 0) == str(total.changed)
    assert _cell(panel, "appraisal", "Điểm giảm", 0) == f"−{format_points(total.lowered)}"
    assert "," in _cell(panel, "appraisal", "Điểm giảm", 0)  # a decimal comma
    assert _cell(panel, "appraisal", "Chờ giải trình", 0) == str(total.explanations_awaited)

    # the calendar: each date, its days left and its status in words
    for card, date in zip(panel.calendar.cards, ov.calendar, strict=True):
        assert date.day_text in card.text() and date.days_text in card.text()
        assert date.status.label in card.text() and date.article in card.text()
        assert date.note in card.toolTip()

    # results: provisional, each group's counts this year and last, the edges by name
    assert ov.results.provisional
    assert "CHƯA CHỐT" in panel.results.banner.text()
    assert "Kết quả tạm tính" in panel.results.banner.text()
    for g in ov.results.groups:
        counts = panel.results.labels[(g.group, "counts")].text()
        assert all(f"<b>{g.counts[c]}</b>" in counts for c in CLASSES[:4])
        assert g.last_year_counts is not None and f"{ov.results.last_year}&nbsp;" in counts
        edges = panel.results.labels[(g.group, "edges")].text()
        for r in (*g.top, *g.bottom):
            assert r.agency_name in edges and format_points(r.final_score) in edges
    assert panel.todo_title.text() == f"Việc cần làm ({len(ov.todo)})"
    assert "01/12/2020" in panel.title.text()


def test_every_computed_value_explains_itself(qtbot, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, workspace)
    model = panel.forms_model
    late = model.row_of("Trễ ≤ 5 ngày (−100)")
    tip = model.data(model.index(late, 0), Qt.ItemDataRole.ToolTipRole)
    assert "Điều 8.3" in tip and "100 điểm" in tip
    assert "Điều 8.4" in model.headerData(
        model.row_of("Trễ > 5 ngày (Yếu)"), Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole
    )
    for part in ("counts", "edges"):
        assert panel.results.labels[(1, part)].toolTip()
    assert all(card.toolTip() for card in panel.calendar.cards if card.isVisible())


def test_a_todo_item_opens_its_screen_by_click_and_by_enter(qtbot, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, workspace)
    panel.todo.expand_all_kinds()
    rows = panel.todo.item_rows()
    assert len(rows) == len(panel.current_todo())
    first = rows[0]
    expected = panel.todo.todo_of(first)
    assert isinstance(expected, TodoItem) and expected == panel.current_todo()[0]

    panel.todo.scrollToItem(first)
    rect = panel.todo.visualItemRect(first)
    with qtbot.waitSignal(panel.open_item) as clicked:
        qtbot.mouseClick(panel.todo.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert clicked.args == [expected]

    last = rows[-1]
    panel.todo.setCurrentItem(last)
    panel.todo.setFocus()
    with qtbot.waitSignal(panel.open_item) as entered:
        qtbot.keyClick(panel.todo, Qt.Key.Key_Return)
    assert entered.args == [panel.todo.todo_of(last)]
    assert entered.args[0].screen and entered.args[0].text


def test_a_large_kind_is_filled_when_opened(qtbot, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, workspace)
    counts = overview(workspace.db, 2020, today=TODAY).todo_counts()
    heads = [panel.todo.topLevelItem(i) for i in range(panel.todo.topLevelItemCount())]
    assert [h.text(0) for h in heads if h is not None] == [
        f"{ITEM_KINDS[kind][0]} ({n})" for kind, n in counts.items()
    ]
    big = next(h for h in heads if h is not None and h.data(0, KIND_ROLE) == "not_appraised")
    assert not big.isExpanded() and big.childCount() == 0
    big.setExpanded(True)
    assert big.childCount() == counts["not_appraised"]


def test_a_reload_with_nothing_changed_keeps_the_screen_as_it_is(
    qtbot, workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, workspace)
    heads = [panel.todo.topLevelItem(i) for i in range(panel.todo.topLevelItemCount())]
    big = next(h for h in heads if h is not None and h.data(0, KIND_ROLE) == "not_appraised")
    big.setExpanded(True)
    resets: list[bool] = []
    panel.forms_model.modelReset.connect(lambda: resets.append(True))
    panel.reload()
    assert resets == []  # the same figures: the table is not filled again
    assert panel.todo.topLevelItem(heads.index(big)) is big and big.isExpanded()
    edges = panel.results.labels[(1, "edges")]
    g = overview(workspace.db, 2020, today=TODAY).results.groups[0]
    assert edges.text().splitlines()[0].split("\t")[1:3] == ["1.", g.top[0].agency_name]


def test_the_step_bar_shows_who_and_when(qtbot, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, workspace)
    info = stage(workspace.db, 2020)
    first = info.steps[0]
    assert first.by and first.at_text
    box = panel.steps.boxes[0].text()
    assert first.label in box and first.by in box and first.at_text in box
    assert "Hiện tại" in box
    assert "Chưa đến" in panel.steps.boxes[1].text()


@pytest.mark.parametrize("role", [Role.CHAIR, Role.MEMBER])
def test_the_council_sees_no_edit_control(qtbot, workspace: Workspace, role: Role) -> None:  # type: ignore[no-untyped-def]
    ws = _as(workspace, role, "chu-tich")
    assert ws.reviewing
    panel = _panel(qtbot, ws)
    assert [describe(c) for c in edit_controls(panel)] == []
    assert not panel.steps.forward.isVisibleTo(panel)
    assert panel.action_export_pdf.isEnabled()  # reading and printing stay


def test_a_clerk_moves_the_stage_forward_and_back(qtbot, workspace: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws = _as(workspace, Role.CLERK, "can-bo-a")
    panel = _panel(qtbot, ws)
    controls = list(edit_controls(panel))
    assert panel.steps.forward in controls
    assert not panel.steps.back.isVisibleTo(panel)  # nothing before "Tiếp nhận"

    monkeypatch.setattr(OverviewPanel, "confirm_forward", classmethod(lambda cls, p, t: True))
    with qtbot.waitSignal(panel.stage_changed) as changed:
        qtbot.mouseClick(panel.steps.forward, Qt.MouseButton.LeftButton)
    assert changed.args == [APPRAISING]
    info = stage(ws.db, 2020)
    assert info.current == APPRAISING and info.steps[1].by == "can-bo-a"
    assert "can-bo-a" in panel.steps.boxes[1].text() and "Hiện tại" in panel.steps.boxes[1].text()
    assert "Đã qua" in panel.steps.boxes[0].text()
    assert panel.steps.back.isVisibleTo(panel)

    monkeypatch.setattr(OverviewPanel, "ask_back_reason", classmethod(lambda cls, *a: None))
    qtbot.mouseClick(panel.steps.back, Qt.MouseButton.LeftButton)
    assert stage(ws.db, 2020).current == APPRAISING  # cancelled: nothing moved

    monkeypatch.setattr(
        OverviewPanel, "ask_back_reason", classmethod(lambda cls, *a: "Còn phiếu chưa nhận")
    )
    qtbot.mouseClick(panel.steps.back, Qt.MouseButton.LeftButton)
    info = stage(ws.db, 2020)
    assert info.current == RECEIVING and info.steps[0].reason == "Còn phiếu chưa nhận"


def test_export_writes_a_one_page_pdf(
    qtbot, workspace: Workspace, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    panel = _panel(qtbot, workspace)
    target = tmp_path / "báo cáo tiến độ.pdf"
    monkeypatch.setattr(OverviewPanel, "ask_pdf_path", classmethod(lambda cls, p, s: target))
    with qtbot.waitSignal(panel.message) as said:
        panel.action_export_pdf.trigger()
    reader = PdfReader(str(target))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "BÁO CÁO TIẾN ĐỘ THẨM ĐỊNH" in text
    assert str(target) in said.args[0]


def _inside(panel: QWidget) -> list[str]:
    """Every shown widget that sticks out of the panel, every shown scroll bar, and every
    shown label whose text needs more room than it has."""
    problems = []
    bounds = panel.rect()
    for child in panel.findChildren(QWidget):
        if not child.isVisibleTo(panel) or child.window() is not panel.window():
            continue
        top_left = child.mapTo(panel, QPoint(0, 0))
        if not bounds.contains(top_left) or not bounds.contains(
            top_left + QPoint(child.width() - 1, child.height() - 1)
        ):
            problems.append(f"outside: {child.objectName() or type(child).__name__}")
        if isinstance(child, QScrollArea):
            problems.append(f"scroll area: {child.objectName()}")
        if isinstance(child, QAbstractScrollArea) and child is not panel.todo:
            for bar in (child.verticalScrollBar(), child.horizontalScrollBar()):
                if bar.isVisibleTo(panel):
                    problems.append(f"scroll bar: {child.objectName()}")
        if isinstance(child, EdgesView) and child.height() < child.heightForWidth(child.width()):
            problems.append(f"clipped: {child.objectName()}")
        if isinstance(child, QLabel) and child.text():
            hint = child.sizeHint()
            needed = child.heightForWidth(child.width()) if child.wordWrap() else hint.height()
            if needed > child.height() + 1 or (
                not child.wordWrap() and hint.width() > child.width() + 1
            ):
                problems.append(f"clipped: {child.objectName()} {child.text()[:40]!r}")
    return problems


@pytest.mark.parametrize("size", [(1230, 640), (1800, 950)])
def test_it_fits_without_scrolling(qtbot, workspace: Workspace, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, _as(workspace, Role.CLERK), *size)
    assert panel.minimumSizeHint().width() <= 1230
    assert _inside(panel) == []
    # the tables show every figure: no column cut
    for table in (panel.forms_table, panel.appraisal_table):
        header = table.horizontalHeader()
        for column in range(table.model().columnCount()):
            assert header.sectionSize(column) >= table.sizeHintForColumn(column)


def test_a_published_year_shows_its_results_only(qtbot, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, replace(workspace, year=2019))
    assert "kết quả đã công bố" in panel.empty.text()
    assert not panel.forms_box.isVisibleTo(panel) and not panel.todo_box.isVisibleTo(panel)
    assert panel.results_box.isVisibleTo(panel)
    assert "ĐÃ CHỐT" in panel.results.banner.text()
    assert list(edit_controls(panel)) == []
    assert _inside(panel) == []


def test_no_round_says_what_to_do(qtbot, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(qtbot, replace(workspace, year=None))
    assert panel.empty.text() == NO_ROUND
    assert panel.empty.isVisibleTo(panel)
    assert not panel.steps.isVisibleTo(panel) and not panel.results_box.isVisibleTo(panel)
    assert not panel.action_export_pdf.isEnabled()
