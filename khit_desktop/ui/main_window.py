"""The main window: round selector, navigation, the chosen screen, the demo mark."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services import rounds
from ..services.overview_model import Screen, TodoItem
from ..services.permissions import Permission
from ..services.round_stage import STATE_PHRASES
from ..store.lock import DatabaseLock
from .main_menus import build_menus
from .messages import show_refusal
from .overview import OverviewPanel
from .ranking.ranking_panel import RankingPanel
from .receipts.register_panel import RegisterPanel
from .scoring.scoring_panel import ScoringPanel
from .settings import AppSettings
from .surveys.surveys_panel import SurveysPanel
from .workspace import Workspace

APP_TITLE = "KHIT — Thẩm định mức độ ứng dụng CNTT"
DEMO_MARK = "DỮ LIỆU MINH HỌA"
STATE_LABELS = STATE_PHRASES  # the round's stage in the status bar and the round list


def window_title(database: str, year: int | None, demo: bool) -> str:
    parts = [APP_TITLE, f"Năm {year}" if year else "Chưa có kỳ đánh giá", database]
    title = " — ".join(parts)
    return f"{title} [{DEMO_MARK}]" if demo else title


class MainWindow(QMainWindow):
    """Composed of panels; each panel gets the workspace, nothing global."""

    # the window's own menu items (``main_menus.build_menus``)
    action_backup: QAction
    action_criteria: QAction
    action_data_folder: QAction
    action_decision: QAction
    action_finalise: QAction
    action_import_history: QAction
    action_new_round: QAction
    action_reopen: QAction
    action_restore: QAction
    action_rules: QAction
    action_server: QAction
    action_users: QAction

    def __init__(
        self, workspace: Workspace, settings: AppSettings, *, lock: DatabaseLock | None = None
    ) -> None:
        super().__init__()
        self.ws, self.settings = workspace, settings
        self.lock = lock  # the window's lock of its database file (restore needs it)
        self.reopen_requested = False  # set after a restore: the caller reopens the file
        self.switch_to: Path | str | None = None  # another database to open (a server, a file)
        self.setMinimumSize(960, 600)
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 6, 8, 4)

        top = QHBoxLayout()
        top.addWidget(QLabel("Kỳ đánh giá:", central))
        self.round_selector = QComboBox(central)
        self.round_selector.setObjectName("roundSelector")
        self.round_selector.setMinimumContentsLength(10)
        top.addWidget(self.round_selector)
        self.new_round_button = QPushButton("Tạo kỳ đánh giá mới…", central)
        self.new_round_button.setObjectName("newRound")
        self.rules_button = QPushButton("Quy tắc của kỳ…", central)
        self.rules_button.setObjectName("roundRules")
        top.addWidget(self.new_round_button)
        top.addWidget(self.rules_button)
        top.addStretch(1)
        self.demo_banner = QLabel(f"{DEMO_MARK} — không phải số liệu chính thức", central)
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setStyleSheet(
            "background:#fff3cd; color:#664d03; border:1px solid #e0b100;"
            "padding:3px 10px; font-weight:bold;"
        )
        self.demo_banner.setVisible(workspace.demo)
        top.addWidget(self.demo_banner)
        outer.addLayout(top)

        body = QHBoxLayout()
        self.nav = QListWidget(central)
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(112)
        self.nav.setSpacing(2)
        self.stack = QStackedWidget(central)
        self.overview = OverviewPanel(workspace, self.stack)
        self._add_screen("Tổng quan", "Ctrl+1", self.overview)
        self.register = RegisterPanel(workspace, self.stack)
        self._add_screen("Tiếp nhận", "Ctrl+2", self.register)
        self.scoring = ScoringPanel(workspace, self.stack)
        self._add_screen("Chấm điểm", "Ctrl+3", self.scoring)
        self.surveys = SurveysPanel(workspace, self.stack)
        self._add_screen("Khảo sát", "Ctrl+4", self.surveys)
        self.ranking = RankingPanel(workspace, self.stack)
        self._add_screen("Xếp hạng", "Ctrl+5", self.ranking)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)
        build_menus(self)
        self.nav.currentRowChanged.connect(self._screen_chosen)
        for panel in (self.overview, self.register, self.scoring, self.surveys, self.ranking):
            panel.message.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.overview.open_item.connect(self.open_todo)
        self.overview.stage_changed.connect(lambda _stage: self._after_state_change())
        self.nav.setCurrentRow(0)  # Tổng quan: the home screen
        self.new_round_button.clicked.connect(self.create_round)
        self.rules_button.clicked.connect(self.edit_rules)
        self._fill_rounds(workspace.year)
        self.overview.reload()
        self.register.reload()
        self.round_selector.currentIndexChanged.connect(self._round_chosen)
        self._refresh_chrome()
        geometry = settings.window_geometry
        self.restored_geometry = geometry is not None and self.restoreGeometry(geometry)
        if not self.restored_geometry:
            self.resize(1280, 720)

    def _add_screen(self, label: str, shortcut: str, widget: QWidget) -> None:
        row = self.stack.addWidget(widget)
        item = QListWidgetItem(f"{label}\n{shortcut}", self.nav)
        item.setToolTip(f"{label} ({shortcut})")
        action = QAction(label, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda: self.nav.setCurrentRow(row))
        self.addAction(action)

    def _fill_rounds(self, select: int | None) -> None:
        self.round_selector.blockSignals(True)
        self.round_selector.clear()
        for summary in rounds.list_rounds(self.ws.db):
            state = STATE_LABELS.get(summary.state, summary.state)
            self.round_selector.addItem(f"Năm {summary.year}", summary.year)
            self.round_selector.setItemData(
                self.round_selector.count() - 1,
                f"{summary.agencies} cơ quan; {state}",
                Qt.ItemDataRole.ToolTipRole,
            )
        index = self.round_selector.findData(select)
        if index < 0 and self.round_selector.count():
            index = self.round_selector.count() - 1
        self.round_selector.setCurrentIndex(index)
        self.round_selector.blockSignals(False)
        self.ws.year = self.round_selector.currentData()

    def _screen_chosen(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        if self.stack.currentWidget() is self.overview:
            self.overview.reload()  # anything elsewhere may have changed the figures
        elif self.stack.currentWidget() is self.scoring:
            self.scoring.reload()  # receipts may have changed who is being appraised
        elif self.stack.currentWidget() is self.surveys:
            self.surveys.reload()  # scores may have changed on Chấm điểm
        elif self.stack.currentWidget() is self.ranking:
            self.ranking.reload()  # anything elsewhere may have moved the ranking

    def _round_chosen(self) -> None:
        self.ws.year = self.round_selector.currentData()
        self.overview.reload()
        self.register.reload()
        self.scoring.agency_code = None
        self.scoring.reload()
        self.surveys.reload()
        self.ranking.reload()
        self._refresh_chrome()

    def _refresh_chrome(self) -> None:
        database = self.ws.db.display_name
        self.setWindowTitle(window_title(database, self.ws.year, self.ws.demo))
        has_round = self.ws.year is not None
        self.rules_button.setEnabled(has_round)
        self.action_decision.setEnabled(has_round)
        self.action_finalise.setEnabled(has_round)
        self.action_reopen.setEnabled(has_round)
        state = ""
        for summary in rounds.list_rounds(self.ws.db):
            if summary.year == self.ws.year:
                state = STATE_LABELS.get(summary.state, summary.state)
        parts = [f"Người dùng: {self.ws.actor.user} ({self.ws.actor.role.label})"]
        if has_round:
            parts.append(f"Năm {self.ws.year}: {state}")
        parts.append(database)
        self.status_label.setText("  ·  ".join(parts))

    def create_round(self) -> None:
        from .rounds.new_round_dialog import NewRoundDialog

        year = NewRoundDialog.ask(self.ws.db, self)
        if year is not None:
            self._fill_rounds(year)
            self._round_chosen()

    def edit_rules(self) -> None:
        if self.ws.year is None:
            return
        from .rounds.rules_dialog import RulesDialog

        if RulesDialog.edit(self.ws.db, self.ws.year, self):
            self.register.reload()

    # -- integrity: backups, accounts, finalising, history ----------------------------------

    def backup_now(self) -> None:
        from .backups import backup_now

        written = backup_now(self.ws, self)
        if written is not None:
            self.statusBar().showMessage(f"Đã sao lưu vào {written}", 10000)

    def restore_backup(self) -> None:
        from .backups import restore_from_backup

        if restore_from_backup(self.ws, self, self.lock) is not None:
            self.reopen_requested = True  # the file changed under the window: open it anew
            self.close()

    def choose_server(self) -> None:
        """Switch to a PostgreSQL server (several clerks) or back to the file on this
        computer: the setting is saved and the window reopens on it."""
        from ..store.target import hide_password, is_url
        from .server_dialog import ServerDialog

        current = self.ws.db.display_name if self.ws.db.path is None else None
        answer = ServerDialog.ask(current or self.settings.database_url, self)
        if answer is None:
            return
        (url,) = answer
        self.settings.database_url = url
        if url is None:
            from .welcome import database_to_open

            target: Path | str = database_to_open(self.settings)[0]
        else:
            target = url
        here = self.ws.db.path or self.ws.db.display_name
        if (hide_password(str(target)) if is_url(target) else target) == here:
            return  # the database open now: nothing to switch
        self.switch_to = target
        self.close()

    def change_password(self) -> None:
        if self.ws.demo:
            show_refusal(self, "Người dùng minh họa không có mật khẩu.")
            return
        from .accounts.login_dialogs import ChangePasswordDialog

        if ChangePasswordDialog(self.ws.db, self.ws.actor.user, self).exec():
            self.statusBar().showMessage("Đã đổi mật khẩu.", 10000)

    def manage_users(self) -> None:
        from .accounts.users_dialog import UsersDialog

        UsersDialog.show_for(self.ws, self)

    def finalise_round(self) -> None:
        from .rounds.finalise_dialog import finalise_round

        if finalise_round(self.ws, self):
            self._after_state_change()

    def reopen_round(self) -> None:
        from .rounds.finalise_dialog import reopen_round

        if reopen_round(self.ws, self):
            self._after_state_change()

    def _after_state_change(self) -> None:
        self._fill_rounds(self.ws.year)
        self._round_chosen()

    def show_screen(self, panel: QWidget) -> None:
        self.nav.setCurrentRow(self.stack.indexOf(panel))

    def open_todo(self, item: TodoItem) -> bool:
        """A to-do item of the overview: its screen, on its row. False when the row is not
        there any more (the overview is then read again)."""
        screen = Screen(item.screen)
        found = False
        if screen is Screen.RECEIPTS:
            self.show_screen(self.register)
            found = self.register.select_agency(item.agency_code)
        elif screen is Screen.SCORING:
            self.show_screen(self.scoring)
            found = self.scoring.show_criterion(item.agency_code, item.criterion_code)
        elif screen is Screen.SURVEYS:
            self.show_screen(self.surveys)
            if item.survey_id is not None:
                found = self.surveys.show_survey(item.survey_id, item.finding_id)
            elif item.kind == "decision_pending":  # where the council's decision is written
                found = self.surveys.show_council(item.agency_code, item.criterion_code)
            elif item.explanation_id is not None:
                found = self.surveys.show_explanation(item.explanation_id)
            else:
                found = self.surveys.show_council(item.agency_code, item.criterion_code)
        elif screen is Screen.RANKING:
            self.show_screen(self.ranking)
            found = self.ranking.select_agency(item.agency_code, item.group)
        elif screen is Screen.ROUND:
            if self.ws.can(Permission.SET_DECISION):
                self.edit_decision()
                self.overview.reload()
                return True
            self.show_screen(self.ranking)  # its warnings say what is not final yet
            self.statusBar().showMessage(
                "Số, ngày quyết định công bố do Tổ giúp việc ghi "
                "(Kỳ đánh giá → Quyết định công bố kết quả…).",
                15000,
            )
            return True
        if not found:
            self.statusBar().showMessage("Việc này không còn (đã có người xử lý).", 10000)
            self.show_screen(self.overview)
        return found

    def current_agency(self) -> str | None:
        """The agency chosen on the screen in front (register or scoring)."""
        if self.stack.currentWidget() is self.scoring:
            return self.scoring.agency_code
        line = self.register.current_line()
        return line.agency_code if line is not None else None

    def show_history(self) -> None:
        code = self.current_agency()
        if self.ws.year is None or code is None:
            show_refusal(self, "Chọn một cơ quan trong Tiếp nhận hoặc Chấm điểm trước.")
            return
        from .integrity.history_dialog import show_history

        show_history(self.ws, self, code)

    def show_guide(self) -> None:
        from .help import show_guide

        show_guide(self)

    def check_integrity(self) -> None:
        from .integrity.verify_on_open import show_integrity_check

        show_integrity_check(self.ws.db, self)

    def import_history(self) -> None:
        from .history import import_history

        year = import_history(self.ws, self)
        if year is not None:
            self._fill_rounds(self.ws.year)
            self._refresh_chrome()
            self.ranking.reload()
            self.statusBar().showMessage(f"Đã nhập kết quả đã công bố năm {year}.", 10000)

    def edit_decision(self) -> None:
        if self.ws.year is None:
            return
        from .rounds.decision_dialog import DecisionDialog

        if DecisionDialog.edit(self.ws.db, self.ws.year, self, actor=self.ws.actor):
            self.ranking.reload()
            self.statusBar().showMessage("Đã lưu thông tin quyết định công bố.", 10000)

    def manage_criteria(self) -> None:
        from .forms.criteria_dialog import CriteriaDialog

        CriteriaDialog.show_for(self.ws, self)
        self.scoring.reload()

    def open_data_folder(self) -> None:
        from .data_folder import open_database_folder

        open_database_folder(self.ws.db, self)

    def open_log_file(self) -> None:
        from .data_folder import open_log_file

        open_log_file(self)

    def show_about(self) -> None:
        from .about import AboutDialog

        AboutDialog.show_for(self.ws.db, self.ws.demo, self)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.window_geometry = self.saveGeometry()
        if self.ws.year is not None:
            self.settings.set_last_year(self.ws.db.display_name, self.ws.year)
        self.settings.sync()
        super().closeEvent(event)
