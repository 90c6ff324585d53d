"""The second tab (giải trình, quyết định của Hội đồng) and the roster dialog, driven
through the real dialogs (modal loop patched)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from sqlalchemy import select

from khit_desktop.services import appraisal, council, explanations, score_grid
from khit_desktop.services.errors import InputRefused
from khit_desktop.store.models import AuditEvent
from khit_desktop.ui.surveys.confirm_dialog import ConfirmDialog
from khit_desktop.ui.surveys.council_models import E_AGENCY, E_STATE
from khit_desktop.ui.surveys.decision_dialog import DecisionDialog
from khit_desktop.ui.surveys.explanation_dialog import AnswerDialog, RequestDialog
from khit_desktop.ui.surveys.roster_dialog import RosterDialog
from khit_desktop.ui.surveys.surveys_panel import TAB_COUNCIL, SurveysPanel
from khit_desktop.ui.workspace import Workspace
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, workspace) -> SurveysPanel:
    widget = SurveysPanel(workspace)
    qtbot.addWidget(widget)
    widget.resize(1230, 650)
    widget.show()
    widget.tabs.setCurrentIndex(TAB_COUNCIL)
    return widget


def drive(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], steps: Callable) -> list:  # type: ignore[type-arg]
    seen: list[QDialog] = []

    def fake_exec(dialog: QDialog) -> int:
        seen.append(dialog)
        dialog.show()
        dialog.activateWindow()
        QApplication.processEvents()
        steps(dialog)
        dialog.hide()
        return int(dialog.result())

    monkeypatch.setattr(cls, "exec", fake_exec)
    return seen


def state_of(panel: SurveysPanel, agency_name: str) -> list[str]:
    c = panel.council
    return [
        c.explanation_proxy.index(r, E_STATE).data()
        for r in range(c.explanation_proxy.rowCount())
        if c.explanation_proxy.index(r, E_AGENCY).data() == agency_name
    ]


def actions(workspace: Workspace, action: str) -> list[AuditEvent]:
    with workspace.db.session() as s:
        found = list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        s.expunge_all()
        return found


def test_request_then_answer_an_explanation(
    qtbot, panel: SurveysPanel, workspace, monkeypatch
) -> None:
    question = "Đề nghị giải trình số máy tính được trang bị so với báo cáo năm 2019."

    def request(dialog: RequestDialog) -> None:
        qtbot.keyClicks(dialog.picker.search, "so tai chinh")
        assert dialog.picker.selected_code == "STC"
        qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.criteria
        codes = [item.key for item in dialog.criteria.model_.items()]
        assert codes[:2] == ["1", "1.1"]  # parents too: a whole area may be questioned
        qtbot.keyClick(dialog.criteria, Qt.Key.Key_Down)
        qtbot.keyClick(dialog.criteria, Qt.Key.Key_Space)
        qtbot.keyClick(dialog.criteria, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.number
        qtbot.keyClicks(dialog.number, "1600/STTTT-CNTT")
        qtbot.keyClick(dialog.number, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.date, "02/12/2020")  # after today (01/12/2020)
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)
        assert not dialog.saved and "sau ngày hôm nay" in error_text(dialog, "dateError")
        dialog.date.clear()
        qtbot.keyClicks(dialog.date, "01/12/2020")
        type_text(dialog.question, question, decomposed=True)
        qtbot.keyClick(dialog.date, Qt.Key.Key_Return)

    seen = drive(monkeypatch, RequestDialog, request)
    panel.council.request_button.click()
    assert seen and seen[0].saved
    view = panel.council.current_explanation()
    assert view.agency_code == "STC" and view.criteria == ("1.1",)
    assert view.question == question and unicodedata.is_normalized("NFC", view.question)
    assert state_of(panel, "Sở Tài chính") == ["đang chờ giải trình"]
    assert "đang chờ giải trình: 2" in panel.council.explanation_summary.text()

    answer = "Sở đã bổ sung 12 máy tính trong quý IV; gửi kèm biên bản bàn giao."

    def record(dialog: AnswerDialog) -> None:
        assert "1600/STTTT-CNTT" in dialog.findChild(QLabel, "request").text()
        assert dialog.focusWidget() is dialog.answer
        type_text(dialog.answer, answer)
        qtbot.keyClick(dialog.answer, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.date
        qtbot.keyClicks(dialog.date, "01/12/2020")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.number, "2210/STC-VP")
        qtbot.keyClick(dialog.number, Qt.Key.Key_Return)

    seen = drive(monkeypatch, AnswerDialog, record)
    panel.council.answer_button.click()
    assert seen and seen[0].saved
    assert state_of(panel, "Sở Tài chính") == ["đã giải trình ngày 01/12/2020"]
    assert "Giải trình ngày 01/12/2020" in panel.council.explanation_detail.text()
    assert "1.1" not in explanations.pending_criteria(workspace.db, 2020, "STC")
    assert actions(workspace, "explanation.answer")[-1].user == "can-bo-a"


def error_text(dialog: QDialog, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    assert label is not None, name
    return label.text() if label.isVisible() else ""


def test_council_decision_locks_the_criterion(
    qtbot, panel: SurveysPanel, workspace, monkeypatch
) -> None:
    sheet = score_grid.agency_sheet(workspace.db, 2020, "SNV", as_of=workspace.today())
    before = next(r for r in sheet.rows if r.code == "1.3")
    decision = "Hội đồng thống nhất: đơn vị chưa kết nối đủ các phòng chuyên môn."

    def decide(dialog: DecisionDialog) -> None:
        qtbot.keyClicks(dialog.picker.search, "so noi vu")
        assert dialog.picker.selected_code == "SNV"
        qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.criterion
        dialog.criterion.setCurrentIndex(dialog.criterion.findData("1.3"))
        assert "thẩm định hiện tại" in dialog.scores.text()  # the current appraised points
        assert f"tự chấm {before.self_points:.2f}".replace(".", ",") in dialog.scores.text()
        qtbot.keyClick(dialog.criterion, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.date
        qtbot.keyClicks(dialog.date, "01/12/2020")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Tab)
        type_text(dialog.decision, decision)
        qtbot.keyClick(dialog.decision, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.points
        qtbot.keyClicks(dialog.points, "31")
        assert "ngoài khoảng 0 đến 30,00" in error_text(dialog, "pointsError")
        dialog.points.clear()
        qtbot.keyClicks(dialog.points, "12,5")
        assert error_text(dialog, "pointsError") == ""
        qtbot.keyClick(dialog.points, Qt.Key.Key_Return)

    seen = drive(monkeypatch, DecisionDialog, decide)
    panel.council.decide_button.click()
    assert seen and seen[0].saved
    rows = explanations.decisions(workspace.db, 2020, "SNV")
    assert [(d.code, d.points, d.decision) for d in rows] == [("1.3", Decimal("12.50"), decision)]
    chosen = panel.council.current_decision()
    assert chosen is not None and chosen.code == "1.3"
    sheet = score_grid.agency_sheet(workspace.db, 2020, "SNV", as_of=workspace.today())
    row = next(r for r in sheet.rows if r.code == "1.3")
    assert row.appraised == Decimal("12.50") and row.source == "Hội đồng thẩm định"
    with pytest.raises(InputRefused, match="Hội đồng thẩm định đã quyết định"):
        appraisal.set_appraised_points(
            workspace.db, 2020, "SNV", "1.3", Decimal(20), reason="Đối chiếu lại"
        )


def test_decision_dialog_warns_of_a_pending_explanation(
    qtbot, panel: SurveysPanel, monkeypatch
) -> None:
    def look(dialog: DecisionDialog) -> None:
        qtbot.keyClicks(dialog.picker.search, "cam ranh")
        dialog.criterion.setCurrentIndex(dialog.criterion.findData("3.3"))
        assert "đang chờ giải trình" in dialog.warning.text()
        dialog.criterion.setCurrentIndex(dialog.criterion.findData("3.4"))
        assert "đã quyết định tiêu chí này ngày 15/12/2020: 24,00 điểm" in dialog.warning.text()
        dialog.reject()

    seen = drive(monkeypatch, DecisionDialog, look)
    panel.council.decide_button.click()
    assert seen and not seen[0].saved


def test_roster_add_and_remove(qtbot, panel: SurveysPanel, workspace, monkeypatch) -> None:
    asked: list[str] = []

    def confirm(cls, parent, title, message, verb):  # type: ignore[no-untyped-def]
        asked.append(message)
        return True

    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(confirm))

    def steps(dialog: RosterDialog) -> None:
        assert dialog.model.rowCount() == 9
        assert dialog.focusWidget() is dialog.name
        dialog.role.setCurrentIndex(dialog.role.findData("chair"))
        type_text(dialog.name, "Lê Văn Tám")
        assert "đã có Chủ tịch" in error_text(dialog, "roleError")
        dialog.add_button.click()
        assert dialog.model.rowCount() == 9  # refused next to the field, nothing saved
        dialog.role.setCurrentIndex(dialog.role.findData("clerk"))
        dialog.name.clear()
        type_text(dialog.name, "Trần Thị Bích", decomposed=True)
        type_text(dialog.position, "Chuyên viên")
        type_text(dialog.agency, "Sở Thông tin và Truyền thông")
        qtbot.keyClick(dialog.agency, Qt.Key.Key_Return)  # Enter adds
        assert dialog.model.rowCount() == 10 and dialog.name.text() == ""
        row = dialog.model.row_where(name="Trần Thị Bích")
        assert row == 9 and dialog.model.row(row).role_label == "Thành viên Tổ giúp việc"
        chair = dialog.model.row_where(name="Trần Minh Quang")
        dialog.table.setCurrentIndex(dialog.model.index(chair, 0))
        dialog.remove_button.click()
        assert dialog.model.row_where(name="Trần Minh Quang") is None
        dialog.reject()

    seen = drive(monkeypatch, RosterDialog, steps)
    panel.surveys.roster_button.click()
    assert seen and seen[0].changed
    assert "đang có tên trong đoàn khảo sát tại: Trường Đại học Khánh Hòa" in asked[0]
    names = [m.name for m in council.roster(workspace.db, 2020)]
    assert "Trần Thị Bích" in names and "Trần Minh Quang" not in names
    assert unicodedata.is_normalized("NFC", names[-1])
    assert actions(workspace, "roster.add")[-1].user == "can-bo-a"
    assert actions(workspace, "roster.remove")[-1].user == "can-bo-a"
    team = panel.surveys.current_survey().members  # the screen was reloaded
    assert not any(m.startswith("Trần Minh Quang") for m in team)
