"""The scoring grid driven from the keyboard on the demo database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from khit_desktop.services import appraisal, score_grid
from khit_desktop.ui import reason_dialog
from khit_desktop.ui.scoring import cross_check_dialog
from khit_desktop.ui.scoring.grid_model import (
    COL_APPRAISED,
    COL_COMPUTED,
    COL_REASON,
    COL_SELF,
    ScoreGridModel,
)
from khit_desktop.ui.scoring.scoring_panel import ScoringPanel

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, workspace) -> ScoringPanel:
    widget = ScoringPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(1250, 700)
    widget.show()
    widget.show_agency("SNV")
    return widget


def cell(panel: ScoringPanel, code: str, column: int):  # type: ignore[no-untyped-def]
    row = panel.model.row_of(code)
    assert row is not None
    return panel.model.index(row, column)


def type_into(qtbot, panel: ScoringPanel, code: str, column: int, text: str) -> None:
    index = cell(panel, code, column)
    panel.grid.setFocus()
    panel.grid.setCurrentIndex(index)
    qtbot.keyClicks(panel.grid, text[0])  # typing starts the editor, replacing the value
    editor = QApplication.focusWidget()
    assert editor is not panel.grid, "typing did not open an editor"
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits on a queued call


def test_models_pass_the_model_tester(qtmodeltester, panel: ScoringPanel) -> None:
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.agencies)
    qtmodeltester.check(ScoreGridModel())


def test_grid_shows_the_agency_and_its_totals(panel: ScoringPanel, workspace) -> None:
    sheet = score_grid.agency_sheet(workspace.db, 2020, "SNV", as_of=workspace.today())
    assert panel.title.text().startswith("Sở Nội vụ")
    assert panel.model.rowCount() == len(sheet.rows)
    assert cell(panel, "1.3", COL_SELF).data() in ("30,00", "0,00")
    assert "Thẩm định" in panel.totals.text() and "tạm tính" in panel.totals.text()
    assert "1.4" in panel.normalised_note.text()


def test_typing_an_appraised_score_asks_a_reason_and_updates_totals(
    qtbot, panel: ScoringPanel, workspace, monkeypatch
) -> None:
    asked: list[str] = []

    def fake_ask(cls, parent, title, message, confirm, initial=""):
        asked.append(message)
        return "Biên bản kiểm tra: chưa kết nối mạng WAN"

    monkeypatch.setattr(reason_dialog.ReasonDialog, "ask", classmethod(fake_ask))
    before = panel.sheet.appraised_total
    type_into(qtbot, panel, "1.3", COL_APPRAISED, "12,5")
    assert asked and "1.3" in asked[0]
    assert cell(panel, "1.3", COL_APPRAISED).data() == "12,50"
    assert panel.sheet.appraised_total == before - (Decimal(30) - Decimal("12.5"))
    tooltip = cell(panel, "1.3", COL_APPRAISED).data(Qt.ItemDataRole.ToolTipRole)
    assert "chưa kết nối mạng WAN" in tooltip
    # Enter moved to the next editable cell (the reason of the same criterion)
    assert panel.grid.currentIndex() == cell(panel, "1.3", COL_REASON)
    state = appraisal.appraisal_state(workspace.db, 2020, "SNV", "1.3")
    assert state.points == Decimal("12.50") and state.source == "cross_check"
    panel.grid.setCurrentIndex(cell(panel, "1.3", COL_SELF))
    history = panel.history.toPlainText()
    assert "Lịch sử tiêu chí 1.3" in history
    assert "12,50 điểm" in history and "chưa kết nối mạng WAN" in history


def test_ctrl_z_undoes_the_last_edit(qtbot, panel: ScoringPanel, workspace, monkeypatch) -> None:
    monkeypatch.setattr(
        reason_dialog.ReasonDialog,
        "ask",
        classmethod(lambda cls, parent, title, message, confirm, initial="": "Thử"),
    )
    original = cell(panel, "1.3", COL_APPRAISED).data()
    type_into(qtbot, panel, "1.3", COL_APPRAISED, "10")
    assert cell(panel, "1.3", COL_APPRAISED).data() == "10,00"
    panel.action_undo.trigger()
    assert cell(panel, "1.3", COL_APPRAISED).data() == original
    panel.action_redo.trigger()
    assert cell(panel, "1.3", COL_APPRAISED).data() == "10,00"


def test_value_above_max_is_refused_in_place(
    qtbot, panel: ScoringPanel, workspace, monkeypatch
) -> None:
    monkeypatch.setattr(
        reason_dialog.ReasonDialog, "ask", classmethod(lambda *a, **k: pytest.fail("refused"))
    )
    messages: list[str] = []
    panel.message.connect(messages.append)
    original = cell(panel, "1.3", COL_APPRAISED).data()
    type_into(qtbot, panel, "1.3", COL_APPRAISED, "31")
    assert cell(panel, "1.3", COL_APPRAISED).data() == original
    assert messages and "ngoài khoảng 0 đến 30,00" in messages[-1]
    assert "ngoài khoảng" in panel.model.last_refusal
    type_into(qtbot, panel, "1.3", COL_APPRAISED, "abc")
    assert "không phải là số" in messages[-1]


def test_same_as_self_needs_no_reason(qtbot, panel: ScoringPanel, workspace, monkeypatch) -> None:
    monkeypatch.setattr(
        reason_dialog.ReasonDialog,
        "ask",
        classmethod(lambda *a, **k: pytest.fail("no reason needed")),
    )
    self_points = cell(panel, "1.8", COL_SELF).data()
    type_into(qtbot, panel, "1.8", COL_APPRAISED, self_points)
    state = appraisal.appraisal_state(workspace.db, 2020, "SNV", "1.8")
    assert state.reason.startswith("Thẩm định: giữ nguyên")


def test_next_previous_and_done(qtbot, panel: ScoringPanel, workspace) -> None:
    first = panel.agency_code
    panel.action_next.trigger()
    assert panel.agency_code != first
    panel.action_previous.trigger()
    assert panel.agency_code == first
    panel.done_button.click()
    states = {p.agency_code: p.state for p in score_grid.progress(workspace.db, 2020)}
    assert states[first] == "done"
    assert panel.done_button.text() == "Mở lại để thẩm định"


def test_flagged_difference_between_typed_and_computed(panel: ScoringPanel, workspace) -> None:
    from khit_desktop.services.scores import set_self_score

    set_self_score(workspace.db, 2020, "SNV", "1.3", answer={"yes": False}, claimed=Decimal(30))
    panel.refresh()
    index = cell(panel, "1.3", COL_COMPUTED)
    assert index.data() == "0,00"
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "khác điểm tính theo số liệu" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_cross_check_is_recorded(panel: ScoringPanel, workspace, monkeypatch) -> None:
    monkeypatch.setattr(
        cross_check_dialog.CrossCheckDialog,
        "ask",
        classmethod(
            lambda cls, parent, row: {
                "source_agency": "Sở Nội vụ",
                "figure": "350",
                "document": "245/BC-SNV",
                "note": "",
            }
        ),
    )
    panel.grid.setCurrentIndex(cell(panel, "1.1", COL_APPRAISED))
    panel.cross_button.click()
    checks = appraisal.cross_checks(workspace.db, 2020, "SNV")
    assert [(c.criterion, c.source_agency, c.figure) for c in checks] == [
        ("1.1", "Sở Nội vụ", "350")
    ]
    panel.grid.setCurrentIndex(cell(panel, "1.2", COL_SELF))
    panel.grid.setCurrentIndex(cell(panel, "1.1", COL_SELF))
    assert "Sở Nội vụ báo cáo 350 (245/BC-SNV)" in panel.history.toPlainText()


def test_awaited_explanation_and_council_decision_show_in_the_grid(
    panel: ScoringPanel, workspace
) -> None:
    from khit_desktop.ui.scoring.grid_model import COL_SOURCE

    panel.show_agency("CR")  # the demo asked CR to explain 3.3 and 3.4; the council set 3.4
    assert cell(panel, "3.3", COL_SOURCE).data() == "đang chờ giải trình"
    assert "Hội đồng thẩm định họp ngày 15/12/2020" in cell(panel, "3.4", COL_APPRAISED).data(
        Qt.ItemDataRole.ToolTipRole
    )
    messages: list[str] = []
    panel.message.connect(messages.append)
    assert (
        panel.model.on_edit(
            panel.model.row(cell(panel, "3.4", COL_APPRAISED).row()), COL_APPRAISED, "30"
        )
        is not None
    )
    assert "Hội đồng thẩm định đã quyết định" in messages[-1]
