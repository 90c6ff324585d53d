"""Review mode (issue 10) in the surveys and ranking screens, proved by walking the widget
tree: council members, the chair and a reader of an archive see every table and text with no
edit control at all; a clerk sees them (so the walk can fail). Then the selection API the
overview's to-do links use: each call lands on the exact row."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QWidget

from khit_desktop.services import explanations, overview, surveys
from khit_desktop.services.audit import Actor
from khit_desktop.services.audit_history import agency_in_round, history_lines
from khit_desktop.services.overview_model import TodoItem
from khit_desktop.services.permissions import Role
from khit_desktop.store.database import Database
from khit_desktop.ui.integrity.history_dialog import HistoryDialog
from khit_desktop.ui.ranking.ranking_model import ROW_ROLE as RANKING_ROW
from khit_desktop.ui.ranking.ranking_panel import RankingPanel
from khit_desktop.ui.review import describe, edit_controls
from khit_desktop.ui.surveys import survey_actions
from khit_desktop.ui.surveys.roster_dialog import RosterDialog
from khit_desktop.ui.surveys.surveys_panel import SurveysPanel
from khit_desktop.ui.surveys.table_base import ROW_ROLE
from khit_desktop.ui.workspace import Workspace
from tests.ui.conftest import TODAY

pytestmark = pytest.mark.gui
REVIEWERS = (Role.MEMBER, Role.CHAIR, Role.READER)


def as_role(db: Database, role: Role) -> Workspace:
    actor = Actor(user="nguoi-dung", machine="may-2", role=role)
    return Workspace(db, 2020, True, actor, lambda: TODAY)


def shown(qtbot, panel: QWidget) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.addWidget(panel)
    panel.resize(1240, 680)
    panel.show()
    return panel


def walk(panel: QWidget, tabs) -> list[str]:  # type: ignore[no-untyped-def]
    """The edit controls found on every tab of ``panel`` (described, for the message)."""
    found: list[str] = []
    for number in range(tabs.count()):
        tabs.setCurrentIndex(number)
        found += [f"tab {number}: {describe(c)}" for c in edit_controls(panel)]
    return found


def surveys_edit_actions(panel: SurveysPanel) -> list[QAction]:
    return [
        panel.action_plan,
        panel.action_record,
        panel.action_request,
        panel.action_answer,
        panel.action_decide,
    ]


# -- review mode: the surveys screen ---------------------------------------------------------


@pytest.mark.parametrize("role", REVIEWERS, ids=lambda r: r.value)
def test_a_reviewer_sees_no_edit_control_in_the_surveys_screen(qtbot, demo_db, role) -> None:
    panel = shown(qtbot, SurveysPanel(as_role(demo_db, role)))
    found = walk(panel, panel.tabs)
    assert found == [], "\n".join(found)
    assert [a.text() for a in surveys_edit_actions(panel) if a.isVisible()] == []
    # what stays: the minutes PDF (export), the roster to read, attachments to open
    panel.tabs.setCurrentIndex(0)
    assert panel.action_minutes.isVisible() and panel.surveys.minutes_button.isVisible()
    assert panel.action_roster.isVisible()
    assert panel.action_roster.text() == "Xem Hội đồng và Tổ giúp việc…"
    # and everything is there to read: surveys, findings with their state and reasons,
    # explanations and answers, the council's decisions
    assert panel.surveys.model.rowCount() > 0 and panel.surveys.findings.rowCount() > 0
    assert panel.council.explanations.rowCount() == 2 and panel.council.decisions.rowCount() == 1
    panel.tabs.setCurrentIndex(1)
    assert panel.council.explanation_table.isVisible() and panel.council.decision_table.isVisible()
    assert "Đề nghị giải trình…" not in panel.council.explanation_detail.text()
    for view in panel.findChildren(QAbstractItemView):
        if isinstance(view, QHeaderView):
            continue
        assert view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers, view


def test_a_clerk_sees_the_edit_controls_the_walk_looks_for(qtbot, workspace) -> None:
    panel = shown(qtbot, SurveysPanel(as_role(workspace.db, Role.CLERK)))
    found = " ".join(walk(panel, panel.tabs))
    for name in (
        "planSurvey",
        "recordSurvey",
        "roster",
        "requestExplanation",
        "recordAnswer",
        "recordDecision",
    ):
        assert repr(name) in found, found
    assert all(a.isVisible() for a in surveys_edit_actions(panel))
    assert panel.action_roster.text() == "Hội đồng và Tổ giúp việc…"


def test_a_double_click_only_selects_for_a_reviewer(qtbot, demo_db, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(survey_actions, "record_findings", lambda _p: opened.append("record"))
    chair = shown(qtbot, SurveysPanel(as_role(demo_db, Role.CHAIR)))
    chair.surveys.table.activated.emit(chair.surveys.table.currentIndex())
    chair.council.explanation_table.activated.emit(chair.council.explanation_table.currentIndex())
    assert opened == []
    panel = shown(qtbot, SurveysPanel(as_role(demo_db, Role.CLERK)))
    panel.surveys.table.activated.emit(panel.surveys.table.currentIndex())
    assert opened == ["record"]


def test_the_chair_reads_the_roster_without_controls_to_change_it(qtbot, demo_db) -> None:
    dialog = RosterDialog(as_role(demo_db, Role.CHAIR))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() > 0
    found = [describe(c) for c in edit_controls(dialog)]
    assert found == [], found
    clerk = RosterDialog(as_role(demo_db, Role.CLERK))
    qtbot.addWidget(clerk)
    clerk.show()
    names = {c.objectName() for c in edit_controls(clerk)}
    assert {"addMember", "removeMember", "name"} <= names


# -- review mode: the ranking screen and the history of changes -------------------------------


@pytest.mark.parametrize("role", REVIEWERS, ids=lambda r: r.value)
def test_a_reviewer_sees_the_ranking_with_no_edit_control(qtbot, demo_db, role) -> None:
    panel = shown(qtbot, RankingPanel(as_role(demo_db, role)))
    found = walk(panel, panel.tabs)
    for number in range(panel.group_choice.count()):  # every group's table
        panel.group_choice.setCurrentIndex(number)
        found += [describe(c) for c in edit_controls(panel)]
    assert found == [], "\n".join(found)
    # documents stay (everyone may export), and so do the warnings and the charts
    for action in (panel.action_preview, panel.action_save_pdf, panel.action_export):
        assert action.isVisible() and action.isEnabled()
    assert all(b.isVisibleTo(panel) for b in panel.document_buttons)
    assert panel.model.rowCount() > 0 and panel.warnings.count() > 0
    texts = [panel.warnings.item(i).text() for i in range(panel.warnings.count())]
    assert not any("Kỳ đánh giá →" in t for t in texts), texts  # a menu they cannot use
    assert panel.charts.view.chart() is not None


def test_a_reviewer_reads_the_history_of_changes_without_edit_controls(qtbot, demo_db) -> None:
    agency = agency_in_round(demo_db, 2020, "CR")
    dialog = HistoryDialog(agency, history_lines(demo_db, 2020, "CR"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() > 0
    found = [describe(c) for c in edit_controls(dialog)]
    assert found == [], found


# -- the selection API of the overview's to-do links ---------------------------------------


def todo(db: Database, kind: str) -> TodoItem:
    items = [t for t in overview.overview(db, 2020, today=TODAY).todo if t.kind == kind]
    assert items, kind
    return items[0]


def current_row(view: QAbstractItemView, role: int = ROW_ROLE) -> object:
    index = view.currentIndex()
    assert index.isValid()
    return index.siblingAtColumn(0).data(role)


@pytest.fixture
def chair_surveys(qtbot, demo_db) -> SurveysPanel:
    panel = shown(qtbot, SurveysPanel(as_role(demo_db, Role.CHAIR)))
    panel.tabs.setCurrentIndex(1)  # start elsewhere: the call must switch tabs
    return panel


def test_show_survey_selects_the_survey_and_its_pending_finding(chair_surveys, demo_db) -> None:
    panel = chair_surveys
    item = todo(demo_db, "finding_pending")
    assert item.survey_id is not None and item.finding_id is not None
    other = next(v.id for v in surveys.list_surveys(demo_db, 2020) if v.id != item.survey_id)
    assert panel.show_survey(other)  # first somewhere else, so the move is real
    assert panel.show_survey(item.survey_id, item.finding_id)
    assert panel.tabs.currentWidget() is panel.surveys
    assert current_row(panel.surveys.table).id == item.survey_id  # type: ignore[attr-defined]
    finding = current_row(panel.surveys.findings_table)
    assert finding.id == item.finding_id and finding.code == item.criterion_code  # type: ignore[attr-defined]
    assert panel.surveys.findings_table.hasFocus() or not panel.isActiveWindow()


def test_show_survey_of_a_planned_survey(chair_surveys, demo_db) -> None:
    item = todo(demo_db, "survey_not_recorded")
    assert item.survey_id is not None
    assert chair_surveys.show_survey(item.survey_id)
    view = current_row(chair_surveys.surveys.table)
    assert view.id == item.survey_id and view.agency_code == item.agency_code  # type: ignore[attr-defined]


def test_show_explanation_selects_the_letter(chair_surveys, demo_db) -> None:
    item = todo(demo_db, "explanation_awaited")
    assert item.explanation_id is not None
    last = max(e.id for e in explanations.explanations(demo_db, 2020))
    assert chair_surveys.show_explanation(last)
    assert chair_surveys.show_explanation(item.explanation_id)
    assert chair_surveys.tabs.currentWidget() is chair_surveys.council
    assert current_row(chair_surveys.council.explanation_table).id == item.explanation_id  # type: ignore[attr-defined]


def test_show_council_selects_the_decision_or_the_answered_letter(chair_surveys, demo_db) -> None:
    panel = chair_surveys
    panel.tabs.setCurrentIndex(0)
    decided = explanations.decisions(demo_db, 2020)[0]
    assert panel.show_council(decided.agency_code, decided.code)
    assert panel.tabs.currentWidget() is panel.council
    row = current_row(panel.council.decision_table)
    assert (row.agency_code, row.code) == (decided.agency_code, decided.code)  # type: ignore[attr-defined]
    # waiting for the council: no decision row yet, the answered letter is the row to read
    item = todo(demo_db, "decision_pending")
    assert panel.show_council(item.agency_code, item.criterion_code)
    letter = current_row(panel.council.explanation_table)
    assert letter.id == item.explanation_id  # type: ignore[attr-defined]
    assert item.criterion_code in letter.criteria  # type: ignore[attr-defined]


def test_the_selection_api_says_false_for_what_is_not_there(chair_surveys) -> None:
    assert not chair_surveys.show_survey(99999)
    assert not chair_surveys.show_survey(1, finding_id=99999)
    assert not chair_surveys.show_explanation(99999)
    assert not chair_surveys.show_council("STP", "9.9")


def test_select_agency_opens_its_group_and_row(qtbot, demo_db) -> None:
    panel = shown(qtbot, RankingPanel(as_role(demo_db, Role.MEMBER)))
    panel.tabs.setCurrentIndex(1)  # the charts: the call must come back to the table
    item = todo(demo_db, "decision_pending")  # an agency of group 2
    assert item.group == 2 and panel.current_group() == 1
    assert panel.select_agency(item.agency_code, item.group)
    assert panel.tabs.currentIndex() == 0 and panel.current_group() == 2
    assert current_row(panel.table, RANKING_ROW).agency_code == item.agency_code  # type: ignore[attr-defined]
    panel.table.sortByColumn(1, panel.table.horizontalHeader().sortIndicatorOrder())
    assert panel.select_agency("DHKH")  # the group found from the ranking, sorted by name
    assert panel.current_group() == 3
    assert current_row(panel.table, RANKING_ROW).agency_code == "DHKH"  # type: ignore[attr-defined]
    assert not panel.select_agency("DHKH", group=1)
    assert not panel.select_agency("KHONG-CO")
