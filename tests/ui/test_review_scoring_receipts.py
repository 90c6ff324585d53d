"""Review mode (issue 10) on the register and the scoring screens: council members, the
chair and a reader of an archive see everything and can change nothing; a clerk keeps every
edit control. The walk of ``review.edit_controls`` proves both ways."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from khit_desktop.services.audit import Actor
from khit_desktop.services.permissions import Role
from khit_desktop.ui.receipts.register_panel import RegisterPanel
from khit_desktop.ui.review import describe, edit_controls
from khit_desktop.ui.scoring.grid_model import (
    COL_CODE,
    COL_DIFF,
    COL_EVIDENCE,
    COL_REASON,
    COL_SELF,
    COL_SOURCE,
)
from khit_desktop.ui.scoring.scoring_panel import ScoringPanel
from khit_desktop.ui.workspace import Workspace

pytestmark = pytest.mark.gui

REVIEWERS = (Role.MEMBER, Role.CHAIR, Role.READER)


def as_role(ws: Workspace, role: Role) -> Workspace:
    return Workspace(
        ws.db, ws.year, ws.demo, Actor(user="nguoi-xem", machine="may-3", role=role), ws.today
    )


def scoring(qtbot, ws: Workspace) -> ScoringPanel:  # type: ignore[no-untyped-def]
    panel = ScoringPanel(ws)
    qtbot.addWidget(panel)
    panel.resize(1250, 700)
    panel.show()
    assert panel.show_criterion("SNV", "1.3")
    return panel


def register(qtbot, ws: Workspace) -> RegisterPanel:  # type: ignore[no-untyped-def]
    panel = RegisterPanel(ws)
    qtbot.addWidget(panel)
    panel.resize(1250, 700)
    panel.show()
    assert panel.select_agency("STC")
    return panel


def found(panel: object) -> list[str]:
    return [describe(c) for c in edit_controls(panel)]  # type: ignore[arg-type]


@pytest.mark.parametrize("role", REVIEWERS, ids=lambda r: r.value)
def test_the_scoring_screen_shows_no_edit_control_in_review(
    qtbot, workspace: Workspace, role: Role
) -> None:
    panel = scoring(qtbot, as_role(workspace, role))
    assert found(panel) == []
    panel.reload()  # reloading never shows a hidden control again
    panel.step(1)
    assert found(panel) == []
    # everything stays readable: the comparison, the reasons and evidence, the history
    assert panel.notice_button.isVisible() and panel.blank_button.isVisible()
    assert not panel.import_button.isVisible() and not panel.done_button.isVisible()
    assert panel.show_criterion("SNV", "1.3")
    for column in (COL_SELF, COL_DIFF, COL_REASON, COL_SOURCE, COL_EVIDENCE):
        assert not panel.grid.isColumnHidden(column)
    row = panel.model.row_of("1.3")
    assert row is not None
    assert panel.model.index(row, COL_EVIDENCE).data(Qt.ItemDataRole.ToolTipRole)
    assert "Lịch sử tiêu chí 1.3" in panel.history.toPlainText()


@pytest.mark.parametrize("role", REVIEWERS, ids=lambda r: r.value)
def test_the_register_shows_no_edit_control_in_review(
    qtbot, workspace: Workspace, role: Role
) -> None:
    panel = register(qtbot, as_role(workspace, role))
    assert found(panel) == []
    panel.reload()
    assert found(panel) == []
    assert panel.export_button.isVisible() and panel.history.open_button.isVisible()
    assert panel.history.receipts.count() >= 1  # the receipts and the history stay readable


def test_a_clerk_keeps_every_edit_control(qtbot, workspace: Workspace) -> None:
    clerk = as_role(workspace, Role.CLERK)
    names = found(scoring(qtbot, clerk))
    for expected in ("scoreGrid", "importForms", "crossCheck", "doneButton"):
        assert any(repr(expected) in name for name in names), (expected, names)
    names = found(register(qtbot, clerk))
    for expected in ("newReceipt", "editReceipt", "invalidateReceipt", "exemptButton"):
        assert any(repr(expected) in name for name in names), (expected, names)


def test_show_criterion_lands_on_the_row(qtbot, workspace: Workspace) -> None:
    panel = scoring(qtbot, workspace)
    for agency, code in (("STP", "2.4"), ("SNV", "1.8"), ("STC", "1")):
        assert panel.show_criterion(agency, code)
        assert panel.agency_code == agency
        index = panel.grid.currentIndex()
        assert panel.model.row(index.row()).code == code
        assert panel.grid.hasFocus() or not panel.isActiveWindow()
    assert not panel.show_criterion("SNV", "9.99")
    assert not panel.show_criterion("KHONG-CO", "1.3")
    assert panel.show_criterion("STP")
    # a reviewer lands on the row too (on its code: no cell there is editable)
    member = scoring(qtbot, as_role(workspace, Role.CHAIR))
    assert member.show_criterion("STP", "2.4")
    assert member.grid.currentIndex().column() == COL_CODE
    assert member.model.row(member.grid.currentIndex().row()).code == "2.4"
