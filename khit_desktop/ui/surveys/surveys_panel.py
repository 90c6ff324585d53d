"""Khảo sát: field surveys and their findings (first tab), explanations and the council's
decisions (second tab). Every change goes through a service and is audited there."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ...services import explanations, surveys
from ...services.errors import InputRefused
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
        s.table.activated.connect(lambda _i: survey_actions.record_findings(self))
        s.minutes_button.clicked.connect(lambda: survey_actions.export_minutes(self))
        s.roster_button.clicked.connect(lambda: survey_actions.manage_roster(self))
        s.apply_button.clicked.connect(lambda: survey_actions.apply_finding(self))
        s.dismiss_button.clicked.connect(lambda: survey_actions.dismiss_finding(self))
        s.open_button.clicked.connect(lambda: survey_actions.open_attachment(self))
        s.attachments.itemActivated.connect(lambda _i: survey_actions.open_attachment(self))
        c.request_button.clicked.connect(lambda: council_actions.request_explanation(self))
        c.answer_button.clicked.connect(lambda: council_actions.record_answer(self))
        c.explanation_table.activated.connect(lambda _i: council_actions.record_answer(self))
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
        self.reload()

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
