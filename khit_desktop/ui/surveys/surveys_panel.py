"""Khảo sát: field surveys and their findings (first tab), explanations and the council's
decisions (second tab). Every change goes through a service and is audited there.

Review mode (issue 10): a button or action that changes data is shown only when the
workspace grants the permission its service requires; council members, the chair and a
reader of an archive see the same tables and texts with no edit control at all."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout, QWidget

from ...services import explanations, surveys
from ...services.errors import InputRefused
from ...services.permissions import Permission
from ..review import EDIT_PROPERTY, mark_edit
from ..workspace import Workspace
from . import council_actions, survey_actions
from .council_tab import CouncilTab
from .round_data import RoundData
from .survey_tab import SurveyTab

TAB_SURVEYS, TAB_COUNCIL = 0, 1


class SurveysPanel(QWidget):
    """``SurveysPanel(workspace, parent)``; ``reload()`` after the round or other screens change."""

    message = Signal(str)  # a short note for the status bar

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.data = RoundData(workspace)
        self.surveys = SurveyTab(self)
        self.council = CouncilTab(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("surveyTabs")
        self.tabs.addTab(self.surveys, "Khảo sát thực tế")
        self.tabs.addTab(self.council, "Giải trình và quyết định của Hội đồng")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

        s, c = self.surveys, self.council
        s.plan_button.clicked.connect(lambda: survey_actions.plan_survey(self))
        s.record_button.clicked.connect(lambda: survey_actions.record_findings(self))
        s.table.activated.connect(lambda _i: self._if(Permission.SURVEYS, s.record_button))
        s.minutes_button.clicked.connect(lambda: survey_actions.export_minutes(self))
        s.roster_button.clicked.connect(lambda: survey_actions.manage_roster(self))
        s.apply_button.clicked.connect(lambda: survey_actions.apply_finding(self))
        s.dismiss_button.clicked.connect(lambda: survey_actions.dismiss_finding(self))
        s.open_button.clicked.connect(lambda: survey_actions.open_attachment(self))
        s.attachments.itemActivated.connect(lambda _i: survey_actions.open_attachment(self))
        c.request_button.clicked.connect(lambda: council_actions.request_explanation(self))
        c.answer_button.clicked.connect(lambda: council_actions.record_answer(self))
        c.explanation_table.activated.connect(
            lambda _i: self._if(Permission.EXPLANATIONS, c.answer_button)
        )
        c.decide_button.clicked.connect(lambda: council_actions.record_decision(self))

        # for the main window's menu; the shortcuts work while this screen has the focus
        self.action_plan = self._action("Lên kế hoạch khảo sát…", "Ctrl+N", s.plan_button)
        self.action_record = self._action("Ghi kết quả khảo sát…", None, s.record_button)
        self.action_minutes = self._action(
            "Xuất biên bản khảo sát PDF…", "Ctrl+P", s.minutes_button
        )
        self.action_roster = self._action("Hội đồng và Tổ giúp việc…", None, s.roster_button)
        self.action_request = self._action("Đề nghị giải trình…", None, c.request_button)
        self.action_answer = self._action("Ghi nhận giải trình…", None, c.answer_button)
        self.action_decide = self._action("Ghi quyết định của Hội đồng…", None, c.decide_button)
        # what each change needs (the permission its service requires), buttons and actions
        self._edits: tuple[tuple[Permission, tuple[QWidget | QAction, ...]], ...] = (
            (
                Permission.SURVEYS,
                (
                    s.plan_button,
                    s.record_button,
                    s.apply_button,
                    s.dismiss_button,
                    self.action_plan,
                    self.action_record,
                ),
            ),
            (
                Permission.EXPLANATIONS,
                (c.request_button, c.answer_button, self.action_request, self.action_answer),
            ),
            (Permission.COUNCIL_DECISIONS, (c.decide_button, self.action_decide)),
        )
        for _permission, controls in self._edits:
            for control in controls:
                mark_edit(control)
        self.apply_permissions()
        self.reload()

    def apply_permissions(self) -> None:
        """Show each edit control only to a user allowed to use it (hidden, not disabled: a
        reviewer has nothing to do with it). The roster opens read-only for the others."""
        for permission, controls in self._edits:
            allowed = self.ws.can(permission)
            for control in controls:
                control.setVisible(allowed)
        self.surveys.editing = self.ws.can(Permission.SURVEYS)
        self.council.editing = self.ws.can(Permission.EXPLANATIONS)
        roster = self.ws.can(Permission.ROSTER)
        text = "Hội đồng và Tổ giúp việc…" if roster else "Xem Hội đồng và Tổ giúp việc…"
        for control in (self.surveys.roster_button, self.action_roster):
            control.setText(text)
            control.setProperty(EDIT_PROPERTY, roster)
        self.action_minutes.setVisible(self.ws.can(Permission.EXPORT))
        self.surveys.minutes_button.setVisible(self.ws.can(Permission.EXPORT))

    def _if(self, permission: Permission, button: QPushButton) -> None:
        """A double click on a row edits it, for a user allowed to; for the others it only
        selects the row."""
        if self.ws.can(permission):
            button.click()

    def _action(self, text: str, shortcut: str | None, button: QWidget) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        action.triggered.connect(button.click)  # type: ignore[attr-defined]
        return action

    def reload(
        self, select_survey: int | None = None, select_explanation: int | None = None
    ) -> None:
        """Read everything again (scores, roster and surveys may have changed elsewhere)."""
        self.apply_permissions()
        self.data.clear()
        year = self.ws.year
        has_round = year is not None
        for button in (
            self.surveys.plan_button,
            self.surveys.roster_button,
            self.council.request_button,
            self.council.decide_button,
        ):
            button.setEnabled(has_round)
        if year is None:
            self.surveys.set_surveys([])
            self.council.set_rows([], [], {}, {})
            return
        try:
            views = surveys.list_surveys(self.ws.db, year)
        except InputRefused as refused:
            views = []
            self.message.emit(str(refused))
        self.surveys.set_surveys(views, select_survey)
        asked = explanations.explanations(self.ws.db, year)
        decided = explanations.decisions(self.ws.db, year)
        agencies = {e.agency_code for e in asked} | {d.agency_code for d in decided}
        self.council.set_rows(
            asked, decided, self.data.names(), self.data.titles(agencies), select_explanation
        )

    # -- selection (the overview's to-do links) ----------------------------------------------

    def show_survey(self, survey_id: int, finding_id: int | None = None) -> bool:
        """Open the surveys tab on survey ``survey_id`` (and its finding ``finding_id``),
        selected, scrolled to and focused; False when it is not there."""
        self.tabs.setCurrentIndex(TAB_SURVEYS)
        if self.surveys.model.row_where(id=survey_id) is None:
            self.reload()  # added since this screen last read the round
        return self.surveys.select_survey(survey_id, finding_id)

    def show_explanation(self, explanation_id: int) -> bool:
        """Open the council tab on explanation ``explanation_id``, selected and focused."""
        self.tabs.setCurrentIndex(TAB_COUNCIL)
        if self.council.explanations.row_where(id=explanation_id) is None:
            self.reload()
        found = self.council.select_explanation(explanation_id)
        if found:
            self.council.explanation_table.setFocus()
        return found

    def show_council(self, agency_code: str, criterion_code: str) -> bool:
        """Open the council tab on criterion ``criterion_code`` of ``agency_code``: the
        council's decision on it, or, while none is recorded, the explanation asked about it
        (a to-do "waiting for the council's decision" has no decision row yet)."""
        self.tabs.setCurrentIndex(TAB_COUNCIL)
        c = self.council
        for attempt in range(2):
            if c.select_decision(agency_code, criterion_code):
                c.decision_table.setFocus()
                return True
            asked = c.explanation_about(agency_code, criterion_code)
            if asked is not None and c.select_explanation(asked):
                c.explanation_table.setFocus()
                return True
            if attempt == 0:
                self.reload()
        return False
