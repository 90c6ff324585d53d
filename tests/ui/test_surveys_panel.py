"""The survey tab driven as a clerk would: typing into the real dialogs (their modal loop
patched, never left open), confirming each finding before it reaches the appraised score."""

from __future__ import annotations

import sys
import types
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from sqlalchemy import select

from khit_desktop.services import score_grid, surveys
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused
from khit_desktop.store.models import AuditEvent, SurveyFinding
from khit_desktop.ui import reason_dialog
from khit_desktop.ui.surveys import survey_actions
from khit_desktop.ui.surveys.confirm_dialog import ConfirmDialog
from khit_desktop.ui.surveys.findings_dialog import FindingsDialog
from khit_desktop.ui.surveys.plan_dialog import PlanDialog
from khit_desktop.ui.surveys.survey_model import COL_AGENCY, COL_STATE, F_STATE
from khit_desktop.ui.surveys.surveys_panel import SurveysPanel
from khit_desktop.ui.workspace import Workspace
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui
LATER = date(2020, 12, 10)  # after the demo's visit of 03/12/2020


@pytest.fixture
def later(demo_db) -> Workspace:
    return Workspace(demo_db, 2020, True, Actor(user="can-bo-a", machine="may-1"), lambda: LATER)


def make_panel(qtbot, workspace: Workspace) -> SurveysPanel:
    panel = SurveysPanel(workspace)
    qtbot.addWidget(panel)
    panel.resize(1230, 650)
    panel.show()
    return panel


@pytest.fixture
def panel(qtbot, later) -> SurveysPanel:
    return make_panel(qtbot, later)


def drive(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], steps: Callable) -> list:  # type: ignore[type-arg]
    """Replace ``cls.exec`` by ``steps(dialog)``; returns the dialogs seen."""
    seen: list[QDialog] = []

    def fake_exec(dialog: QDialog) -> int:
        seen.append(dialog)
        dialog.show()  # shown as exec() would, without a nested event loop
        dialog.activateWindow()  # shortcuts (Ctrl+Enter) need an active window
        QApplication.processEvents()
        steps(dialog)
        dialog.hide()
        return int(dialog.result())

    monkeypatch.setattr(cls, "exec", fake_exec)
    return seen


def select_survey(panel: SurveysPanel, agency_code: str) -> None:
    tab = panel.surveys
    for row in range(tab.proxy.rowCount()):
        index = tab.proxy.index(row, COL_AGENCY)
        if tab.model.row(tab.proxy.mapToSource(index).row()).agency_code == agency_code:
            tab.table.setCurrentIndex(index)
            return
    raise AssertionError(agency_code)


def select_finding(panel: SurveysPanel, code: str) -> None:
    row = panel.surveys.findings.row_where(code=code)
    assert row is not None
    panel.surveys.findings_table.setCurrentIndex(panel.surveys.findings.index(row, 0))


def appraised(workspace: Workspace, agency: str, code: str) -> Decimal | None:
    sheet = score_grid.agency_sheet(workspace.db, 2020, agency, as_of=workspace.today())
    return next(r.appraised for r in sheet.rows if r.code == code)


def events(workspace: Workspace, action: str) -> list[AuditEvent]:
    with workspace.db.session() as s:
        found = s.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        s.expunge_all()
        return list(found)


def test_panel_shows_the_demo_surveys(panel: SurveysPanel) -> None:
    tab = panel.surveys
    assert tab.proxy.rowCount() == 2
    assert tab.proxy.index(0, COL_STATE).data() == "Đã khảo sát"
    assert "1 kết quả chờ cán bộ xác nhận áp dụng" in tab.summary.text()
    assert tab.current_survey().agency_code == "DHKH"
    assert tab.current_finding().code == "3.8"  # the first one waiting for a clerk
    assert tab.apply_button.isEnabled() and tab.dismiss_button.isEnabled()
    assert "Trần Minh Quang" in tab.team.text()
    select_finding(panel, "1.6.2")
    assert not tab.apply_button.isEnabled()  # already applied


def test_plan_a_survey_with_the_keyboard(qtbot, panel: SurveysPanel, later, monkeypatch) -> None:
    def steps(dialog: PlanDialog) -> None:
        qtbot.keyClicks(dialog.picker.search, "so noi vu")
        assert dialog.picker.selected_code == "SNV"
        qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Return)  # Enter: errors, not saved
        assert dialog.isVisible() and not dialog.saved
        assert "Nhập ngày dự kiến khảo sát" in dialog.findChild(QLabel, "dateError").text()
        assert dialog.focusWidget() is dialog.date  # the first field to fix
        qtbot.keyClicks(dialog.date, "14/12/2020")
        qtbot.keyClick(dialog.date, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.members
        qtbot.keyClick(dialog.members, Qt.Key.Key_Space)  # Trần Minh Quang, the chair
        for _ in range(6):
            qtbot.keyClick(dialog.members, Qt.Key.Key_Down)
        qtbot.keyClick(dialog.members, Qt.Key.Key_Space)  # Hoàng Văn Long, the team lead
        qtbot.keyClick(dialog.members, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is dialog.criteria
        model = dialog.criteria.model_
        codes = [item.key for item in model.items()]
        assert "1.3" in codes and "1" not in codes  # only criteria scored directly
        for _ in range(codes.index("1.3")):
            qtbot.keyClick(dialog.criteria, Qt.Key.Key_Down)
        qtbot.keyClick(dialog.criteria, Qt.Key.Key_Space)
        model.set_checked("3.3")
        qtbot.keyClick(dialog.criteria, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    seen = drive(monkeypatch, PlanDialog, steps)
    panel.surveys.plan_button.click()
    assert seen and seen[0].saved
    view = panel.surveys.current_survey()
    assert view.agency_code == "SNV" and view.planned_date == date(2020, 12, 14)
    assert view.criteria == ("1.3", "3.3") and view.state == "planned"
    assert [m.split(" — ")[0] for m in view.members] == ["Trần Minh Quang", "Hoàng Văn Long"]
    (event,) = events(later, "survey.plan")[-1:]
    assert event.user == "can-bo-a"


def test_record_findings_typing_vietnamese(qtbot, panel: SurveysPanel, later, monkeypatch) -> None:
    select_survey(panel, "KV")  # planned 08/12/2020 for 1.3 and 3.3
    seen_text = "Đã kết nối mạng WAN tỉnh; đường truyền ổn định."

    def steps(dialog: FindingsDialog) -> None:
        assert [e.code for e in dialog.editors] == ["1.3", "3.3"]
        assert dialog.focusWidget() is dialog.visit
        line = dialog.line("1.3")
        for widget in (line.seen, line.figure, line.points, dialog.line("3.3").seen):
            qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)  # Tab walks the lines
            assert dialog.focusWidget() is widget
        dialog.visit.setFocus()
        qtbot.keyClicks(dialog.visit, "11/12/2020")  # after "today"
        line = dialog.line("1.3")
        type_text(line.seen, seen_text, decomposed=True)  # as an input method may send it
        qtbot.keyClicks(line.points, "45")
        qtbot.keyClick(line.points, Qt.Key.Key_Return)
        assert not dialog.saved
        assert "sau ngày hôm nay" in dialog.findChild(QLabel, "visitError").text()
        assert "ngoài khoảng 0 đến 30,00" in line.error.text() and line.error.isVisible()
        dialog.visit.clear()
        qtbot.keyClicks(dialog.visit, "09/12/2020")
        line.points.clear()
        qtbot.keyClicks(line.points, "25,5")
        type_text(line.figure, "1 đường truyền")
        assert not line.error.isVisible()
        type_text(dialog.remarks, "Đơn vị phối hợp tốt.")
        qtbot.keyClick(line.points, Qt.Key.Key_Return)

    seen = drive(monkeypatch, FindingsDialog, steps)
    panel.surveys.record_button.click()
    assert seen and seen[0].saved
    view = panel.surveys.current_survey()
    assert view.agency_code == "KV" and view.state == "done"
    assert view.visit_date == date(2020, 12, 9) and view.remarks == "Đơn vị phối hợp tốt."
    (finding,) = view.findings
    assert finding.seen == seen_text and unicodedata.is_normalized("NFC", finding.seen)
    assert finding.figure == "1 đường truyền" and finding.proposed_points == Decimal("25.50")
    assert panel.surveys.findings.index(0, F_STATE).data() == "chờ áp dụng"
    assert appraised(later, "KV", "1.3") != Decimal("25.50")  # nothing applied yet


def test_a_refused_save_keeps_the_dialog_and_what_was_typed(
    qtbot, panel: SurveysPanel, later, monkeypatch
) -> None:
    select_survey(panel, "KV")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise InputRefused("Kỳ đánh giá năm 2020 đã chốt, không sửa được.")  # another machine

    monkeypatch.setattr(surveys, "record_survey", refuse)

    def steps(dialog: FindingsDialog) -> None:
        qtbot.keyClicks(dialog.visit, "09/12/2020")
        type_text(dialog.line("3.3").seen, "Tỷ lệ hồ sơ trực tuyến đúng như báo cáo.")
        dialog.submit()
        assert dialog.isVisible() and not dialog.saved
        assert dialog.refusal.text() == "Kỳ đánh giá năm 2020 đã chốt, không sửa được."
        assert dialog.line("3.3").seen.toPlainText().startswith("Tỷ lệ hồ sơ")
        dialog.reject()

    seen = drive(monkeypatch, FindingsDialog, steps)
    panel.surveys.record_button.click()
    assert seen and not seen[0].saved


def confirm_with(monkeypatch: pytest.MonkeyPatch, answer: bool) -> list[str]:
    asked: list[str] = []

    def fake_ask(cls, parent, title, message, verb):  # type: ignore[no-untyped-def]
        asked.append(f"{title}|{message}|{verb}")
        return answer

    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(fake_ask))
    return asked


def test_refusing_the_confirmation_changes_nothing(panel: SurveysPanel, later, monkeypatch) -> None:
    assert appraised(later, "DHKH", "3.8") == Decimal("15.00")
    asked = confirm_with(monkeypatch, False)
    panel.surveys.apply_button.click()
    assert len(asked) == 1
    assert "3.8" in asked[0] and "10,00" in asked[0] and "15,00" in asked[0]
    assert asked[0].endswith("|Áp dụng 10,00 điểm")
    assert appraised(later, "DHKH", "3.8") == Decimal("15.00")
    assert len(events(later, "survey.apply")) == 1  # the demo's own, for 1.6.2
    assert panel.surveys.current_finding().code == "3.8"


def test_apply_a_finding_after_one_confirmation(panel: SurveysPanel, later, monkeypatch) -> None:
    messages: list[str] = []
    panel.message.connect(messages.append)
    before = len(events(later, "survey.apply"))
    asked = confirm_with(monkeypatch, True)
    panel.surveys.apply_button.click()
    assert len(asked) == 1
    assert appraised(later, "DHKH", "3.8") == Decimal("10.00")
    applied = events(later, "survey.apply")
    assert len(applied) == before + 1 and '"criterion": "3.8"' in applied[-1].new_json
    assert applied[-1].user == "can-bo-a"
    score = events(later, "score.appraise")[-1]
    assert "Khảo sát thực tế ngày 03/12/2020" in score.reason
    view = panel.surveys.current_survey()
    assert view.state == "applied"  # both findings settled
    assert panel.surveys.findings.index(1, F_STATE).data() == "đã áp dụng"
    assert not panel.surveys.apply_button.isEnabled()
    assert "10,00 điểm" in messages[-1]


def test_dismiss_a_finding_with_a_reason(panel: SurveysPanel, later, monkeypatch) -> None:
    reasons: list[str] = []

    def fake_reason(cls, parent, title, message, confirm, initial=""):  # type: ignore[no-untyped-def]
        reasons.append(message)
        return "Hội đồng giữ điểm tự chấm: CSDL thứ 3 đã vận hành từ 01/12/2020."

    monkeypatch.setattr(reason_dialog.ReasonDialog, "ask", classmethod(fake_reason))
    panel.surveys.dismiss_button.click()
    assert "3.8" in reasons[0] and "giữ nguyên 15,00" in reasons[0]
    assert appraised(later, "DHKH", "3.8") == Decimal("15.00")
    state = panel.surveys.findings.index(1, F_STATE).data()
    assert state.startswith("không áp dụng: Hội đồng giữ điểm tự chấm")
    with later.db.session() as s:
        finding = s.scalar(select(SurveyFinding).where(SurveyFinding.code == "3.8"))
        assert finding.dismissed_reason.startswith("Hội đồng giữ") and finding.applied_at is None
    assert events(later, "survey.dismiss")[-1].reason.startswith("Hội đồng giữ")
    assert panel.surveys.current_survey().state == "applied"


def test_recording_again_keeps_a_dismissal_unless_the_line_is_corrected(
    qtbot, panel: SurveysPanel, later, monkeypatch
) -> None:
    reason = "Hội đồng giữ điểm tự chấm."
    monkeypatch.setattr(reason_dialog.ReasonDialog, "ask", classmethod(lambda cls, *a, **k: reason))
    panel.surveys.dismiss_button.click()

    def add_a_line(dialog: FindingsDialog) -> None:  # another criterion, 3.8 left alone
        assert dialog.line("3.8").error.text() == f"Đã ghi không áp dụng: {reason}"
        dialog.other.setCurrentIndex(dialog.other.findData("1.1"))
        dialog.add_button.click()
        assert dialog.focusWidget() is dialog.line("1.1").seen
        type_text(dialog.line("1.1").seen, "Đủ máy tính cho cán bộ.")
        dialog.submit()

    drive(monkeypatch, FindingsDialog, add_a_line)
    panel.surveys.record_button.click()
    view = panel.surveys.current_survey()
    states = {f.code: (f.applied, f.dismissed_reason) for f in view.findings}
    assert states == {"1.6.2": (True, ""), "3.8": (False, reason), "1.1": (False, "")}
    assert view.state == "done"  # 1.1 waits for a clerk

    def correct(dialog: FindingsDialog) -> None:
        line = dialog.line("3.8")
        line.points.clear()
        qtbot.keyClicks(line.points, "12")
        assert "xét lại" in line.error.text()
        dialog.submit()

    drive(monkeypatch, FindingsDialog, correct)
    panel.surveys.record_button.click()
    finding = next(f for f in panel.surveys.current_survey().findings if f.code == "3.8")
    assert finding.dismissed_reason == "" and finding.proposed_points == Decimal("12.00")


def test_cancelled_reason_dismisses_nothing(panel: SurveysPanel, later, monkeypatch) -> None:
    monkeypatch.setattr(reason_dialog.ReasonDialog, "ask", classmethod(lambda cls, *a, **k: None))
    panel.surveys.dismiss_button.click()
    assert events(later, "survey.dismiss") == []
    assert panel.surveys.findings.index(1, F_STATE).data() == "chờ áp dụng"


def test_attachments_are_listed_and_opened(
    qtbot, panel: SurveysPanel, later, monkeypatch, tmp_path: Path
) -> None:
    scan = tmp_path / "Biên bản khảo sát.pdf"
    scan.write_bytes(b"%PDF-1.4 bien ban")
    monkeypatch.setattr(FindingsDialog, "pick_files", staticmethod(lambda parent: [scan]))

    def steps(dialog: FindingsDialog) -> None:
        dialog.attach_button.click()
        assert dialog.files.count() == 1 and "Biên bản khảo sát.pdf" in dialog.files.item(0).text()
        dialog.submit()

    drive(monkeypatch, FindingsDialog, steps)
    panel.surveys.record_button.click()  # the demo survey: its findings kept as they were
    tab = panel.surveys
    assert tab.attachments.item(0).text() == "Biên bản khảo sát.pdf"
    assert tab.open_button.isEnabled()
    opened: list[Path] = []
    monkeypatch.setattr(survey_actions, "open_file", lambda path: opened.append(path) or True)
    tab.open_button.click()
    assert opened and opened[0].read_bytes() == scan.read_bytes()
    assert opened[0] != scan  # a copy kept beside the database


def test_minutes_export_without_the_writer_says_so(panel: SurveysPanel, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "khit_desktop.services.notices", None)  # not installed
    refusals: list[str] = []
    monkeypatch.setattr(survey_actions, "show_refusal", lambda parent, text: refusals.append(text))

    def no_chooser(parent, suggested):  # type: ignore[no-untyped-def]
        raise AssertionError("no file chooser when the writer is missing")

    monkeypatch.setattr(survey_actions, "ask_minutes_path", no_chooser)
    panel.surveys.minutes_button.click()
    assert refusals == [survey_actions.MINUTES_MISSING]


def test_minutes_export_calls_the_writer(panel: SurveysPanel, later, monkeypatch, tmp_path) -> None:
    calls: list[tuple[object, int, Path]] = []
    fake = types.ModuleType("khit_desktop.services.notices")

    def write_survey_minutes(db, survey_id, path):  # type: ignore[no-untyped-def]
        calls.append((db, survey_id, path))
        path.write_bytes(b"%PDF")

    fake.write_survey_minutes = write_survey_minutes  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "khit_desktop.services.notices", fake)
    suggested: list[str] = []
    target = tmp_path / "bien-ban.pdf"

    def chooser(parent, name):  # type: ignore[no-untyped-def]
        suggested.append(name)
        return target

    monkeypatch.setattr(survey_actions, "ask_minutes_path", chooser)
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.surveys.minutes_button.click()
    view = panel.surveys.current_survey()
    assert calls == [(later.db, view.id, target)]
    assert suggested == ["Bien-ban-khao-sat-DHKH-2020-12-03.pdf"]
    assert target.exists() and str(target) in messages[-1]
    select_survey(panel, "KV")
    assert not panel.surveys.minutes_button.isEnabled()  # no visit recorded yet


def test_plan_shortcut_reaches_the_dialog(qtbot, panel: SurveysPanel, monkeypatch) -> None:
    seen = drive(monkeypatch, PlanDialog, lambda dialog: dialog.reject())
    panel.surveys.table.setFocus()
    panel.action_plan.trigger()
    QApplication.processEvents()
    assert len(seen) == 1 and not seen[0].saved
