"""Chấm điểm: the agencies with their progress, and the grid of the one chosen."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...domain.collation import fold_diacritics
from ...domain.numbers import format_percent, format_points
from ...services import appraisal, score_grid
from ...services.errors import InputRefused
from ...services.permissions import Permission
from ...services.score_grid import AgencySheet, GridRow
from ...store.errors import ConcurrentEditError
from ..conflict_dialog import BUSY_MESSAGE, Saved
from ..messages import show_refusal
from ..review import mark_edit, mark_filter
from ..status_style import chip_css
from ..workspace import Workspace
from . import edits, file_actions
from .criterion_history import CriterionHistory
from .grid_model import COL_APPRAISED, COL_CODE, COL_RULE, ScoreGridModel
from .grid_view import ScoreGridView
from .progress_model import CODE_ROLE, ProgressListModel

# council points are written only by a recorded decision (Khảo sát screen)
SOURCE_CHOICES = (("cross_check", "Đối chiếu số liệu"), ("survey", "Khảo sát thực tế"))


class ScoringPanel(QWidget):
    message = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.agency_code: str | None = None
        self.sheet: AgencySheet | None = None
        self.undo_stack = QUndoStack(self)
        self._general_versions: dict[str, int] = {}  # issue 9: the versions shown
        self._kept_reasons: dict[tuple[str, str], str] = {}  # typed, not saved: offered again

        self.search = QLineEdit(self)
        self.search.setObjectName("scoringSearch")
        self.search.setPlaceholderText("Tìm cơ quan (không dấu cũng được)")
        self.agencies = ProgressListModel(self)
        self.agency_list = QListView(self)
        self.agency_list.setObjectName("scoringAgencies")
        self.agency_list.setModel(self.agencies)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.import_button = QPushButton("Nhập phiếu từ Excel… (Ctrl+I)", self)
        self.import_button.setObjectName("importForms")
        self.blank_button = QPushButton("Xuất phiếu trắng…", self)
        self.blank_button.setObjectName("blankForms")
        left_layout.addWidget(self.import_button)
        left_layout.addWidget(self.blank_button)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.agency_list, 1)
        left.setMinimumWidth(215)

        self.title = QLabel("Chọn một cơ quan để chấm điểm.", self)
        self.title.setObjectName("scoringTitle")
        self.title.setStyleSheet("font-weight:bold; font-size:11pt;")
        self.status = QLabel(self)
        self.status.setObjectName("scoringStatus")
        self.totals = QLabel(self)
        self.totals.setObjectName("scoringTotals")
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.normalised_note = QLabel(self)
        self.normalised_note.setObjectName("normalisedNote")
        self.normalised_note.setWordWrap(True)
        self.normalised_note.setStyleSheet("color:#1f4e79;")
        self.general = QTableWidget(0, 4, self)
        self.general.setObjectName("generalData")
        self.general.setHorizontalHeaderLabels(
            ["Số liệu chung", "Đơn vị báo cáo", "Thẩm định", "Lý do"]
        )
        self.general.verticalHeader().hide()
        self.general.setMaximumHeight(84)
        self.general.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.general.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.model = ScoreGridModel(self)
        self.model.on_edit = self._edit
        self.grid = ScoreGridView(self)
        self.grid.setObjectName("scoreGrid")
        self.grid.setModel(self.model)
        self.history = CriterionHistory(self)
        self.grid.selectionModel().currentRowChanged.connect(self._row_changed)
        widths = (44, 250, 64, 150, 84, 66, 88, 78, 78, 190, 110, 200)
        for column, width in enumerate(widths):
            self.grid.setColumnWidth(column, width)
        # the rule is in the title's tooltip, so the common case fits a 1366-pixel screen
        self.grid.setColumnHidden(COL_RULE, True)

        self.source = QComboBox(self)
        self.source.setObjectName("appraisalSource")
        self.source_label = QLabel("Nguồn điểm sửa:", self)
        for key, label in SOURCE_CHOICES:
            self.source.addItem(label, key)
        self.previous_button = QPushButton("← Trước", self)
        self.previous_button.setToolTip("Cơ quan trước (Ctrl+PgUp)")
        self.next_button = QPushButton("Sau →", self)
        self.next_button.setToolTip("Cơ quan sau (Ctrl+PgDown)")
        self.notice_button = QPushButton("Xuất thông báo kết quả…", self)
        self.notice_button.setObjectName("exportNotice")
        self.cross_button = QPushButton("Ghi nhận đối chiếu…", self)
        self.cross_button.setObjectName("crossCheck")
        self.done_button = QPushButton("Đã thẩm định xong", self)
        self.done_button.setObjectName("doneButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.source_label)
        buttons.addWidget(self.source)
        buttons.addWidget(self.notice_button)
        buttons.addWidget(self.cross_button)
        buttons.addWidget(self.done_button)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.status)
        right_layout.addLayout(header)
        right_layout.addWidget(self.totals)
        right_layout.addWidget(self.general)
        right_layout.addWidget(self.normalised_note)
        right_layout.addWidget(self.grid, 1)
        right_layout.addWidget(self.history)
        right_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([215, 1100])
        splitter.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.action_undo = self.undo_stack.createUndoAction(self, "Hoàn tác")
        self.action_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.action_redo = self.undo_stack.createRedoAction(self, "Làm lại")
        self.action_redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.action_import = QAction("Nhập phiếu từ Excel…", self)
        self.action_import.setShortcut(QKeySequence("Ctrl+I"))
        self.action_blank = QAction("Xuất phiếu trắng cho các cơ quan…", self)
        self.action_next = QAction("Cơ quan sau", self)
        self.action_next.setShortcut(QKeySequence("Ctrl+PgDown"))
        self.action_previous = QAction("Cơ quan trước", self)
        self.action_previous.setShortcut(QKeySequence("Ctrl+PgUp"))
        for action in (self.action_undo, self.action_redo, self.action_next, self.action_previous):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.action_next.triggered.connect(lambda: self.step(1))
        self.action_previous.triggered.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.done_button.clicked.connect(self.toggle_done)
        self.import_button.clicked.connect(lambda: file_actions.import_forms(self))
        self.action_import.triggered.connect(lambda: file_actions.import_forms(self))
        self.blank_button.clicked.connect(lambda: file_actions.export_blank_forms(self))
        self.action_blank.triggered.connect(lambda: file_actions.export_blank_forms(self))
        self.cross_button.clicked.connect(lambda: file_actions.record_cross_check(self))
        self.notice_button.clicked.connect(lambda: file_actions.export_notice(self))
        self.search.textChanged.connect(self._search)
        self.agency_list.selectionModel().currentChanged.connect(self._agency_chosen)
        self.general.itemChanged.connect(self._general_changed)
        self._apply_permissions()
        self.reload()

    def _apply_permissions(self) -> None:
        """Review mode (issue 10): show an edit control only when the user may use it. The
        actor is fixed for the window's life, so this is decided once; reloads never show a
        hidden control again. Reading, history and exports stay for everyone."""
        mark_filter(self.search)
        can_import = self.ws.can(Permission.IMPORT_FORMS)
        can_score = self.ws.can(Permission.EDIT_SCORES)
        for control, allowed in (
            (self.import_button, can_import),
            (self.action_import, can_import),
            (self.cross_button, can_score),
            (self.done_button, can_score),
            (self.action_undo, can_score),
            (self.action_redo, can_score),
        ):
            mark_edit(control)
            if not allowed:
                control.setVisible(False)
        if not can_score:
            self.action_undo.setEnabled(False)
            self.action_redo.setEnabled(False)
            self.removeAction(self.action_undo)
            self.removeAction(self.action_redo)
            self.source.setVisible(False)
            self.source_label.setVisible(False)
            self.model.editable = False
            self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.general.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    @property
    def can_score(self) -> bool:
        return self.model.editable

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        if not self.ws.year:
            self.agencies.set_items([])
            self.show_agency(None)
            return
        self.agencies.set_items(score_grid.progress(self.ws.db, self.ws.year))
        code = self.agency_code
        if code is None and self.agencies.rowCount():
            code = self.agencies.item(0).agency_code
        self.show_agency(code)

    def show_agency(self, code: str | None) -> None:
        if code != self.agency_code:
            self.undo_stack.clear()
            self.model.clear_kept()
        self.agency_code = code
        row = self.agencies.row_of(code) if code else None
        if row is not None:
            index = self.agencies.index(row)
            if self.agency_list.currentIndex() != index:
                self.agency_list.blockSignals(True)
                self.agency_list.setCurrentIndex(index)
                self.agency_list.blockSignals(False)
        self.refresh()

    def show_criterion(self, agency_code: str, criterion_code: str = "") -> bool:
        """Show the agency and select, scroll to and focus the criterion's row (the overview's
        to-do list); False when the agency or the criterion is not found."""
        if self.agencies.row_of(agency_code) is None:
            return False
        self.search.clear()  # a filter must not hide the agency just chosen
        self.show_agency(agency_code)
        if self.sheet is None:
            return not criterion_code
        if criterion_code:
            row = self.model.row_of(criterion_code)
            if row is None:
                return False
            column = COL_APPRAISED if self.model.is_editable(row, COL_APPRAISED) else COL_CODE
            index = self.model.index(row, column)
            self.grid.setCurrentIndex(index)
            self.grid.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.grid.setFocus()
        return True

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self.sheet is None or self.ws.year is None:
            self.history.clear()
            return
        row = self.model.row(current.row())
        self.history.show_for(self.ws.db, self.ws.year, self.sheet.agency_code, row.code, row.title)

    def show_row_history(self) -> None:
        self._row_changed(self.grid.currentIndex(), QModelIndex())

    def refresh(self, keep: tuple[int, int] | None = None) -> None:
        if not self.agency_code or not self.ws.year:
            self.sheet = None
            self.model.set_rows([])
            self.title.setText("Chọn một cơ quan để chấm điểm.")
            return
        try:
            # versions first: a save in between then shows as a conflict, never passes a
            # version newer than the value on screen
            self._general_versions = appraisal.general_versions(
                self.ws.db, self.ws.year, self.agency_code
            )
            self.sheet = score_grid.agency_sheet(
                self.ws.db, self.ws.year, self.agency_code, as_of=self.ws.today()
            )
        except InputRefused as refused:
            self.sheet = None
            self.model.set_rows([])
            self.title.setText(str(refused))
            return
        sheet = self.sheet
        current = keep or (self.grid.currentIndex().row(), self.grid.currentIndex().column())
        self.model.set_rows(list(sheet.rows))
        self.title.setText(f"{sheet.agency_name} ({sheet.agency_code}) — Nhóm {sheet.group}")
        self.status.setText(sheet.lateness.status.label)
        self.status.setStyleSheet(chip_css(sheet.lateness.status))
        self.status.setToolTip(sheet.lateness.explanation)
        penalty = f" − trừ {format_points(sheet.penalty)}" if sheet.penalty else ""
        self.totals.setText(
            f"Tự chấm <b>{format_points(sheet.self_total)}</b> · Thẩm định "
            f"<b>{format_points(sheet.appraised_total)}</b>{penalty} · Cuối cùng "
            f"<b>{format_points(sheet.final_score)}</b>/{format_points(sheet.max_points)} = "
            f"<b>{format_percent(sheet.percent)}</b> · Xếp loại <b>{sheet.classification.value}"
            "</b> (tạm tính)"
        )
        self.normalised_note.setText(
            "Tiêu chí " + ", ".join(sheet.normalised) + " chuẩn hóa theo đơn vị cao nhất trong "
            "nhóm: điểm của cả nhóm được tính lại mỗi khi số liệu của một cơ quan thay đổi."
            if sheet.normalised
            else ""
        )
        self._fill_general(sheet)
        self.done_button.setText("Mở lại để thẩm định" if sheet.done else "Đã thẩm định xong")
        if current[0] >= 0:
            self.grid.setCurrentIndex(self.model.index(*current))
        else:
            first = self.grid.first_editable()
            self.grid.setCurrentIndex(first if first.isValid() else self.model.index(0, 0))

    def _fill_general(self, sheet: AgencySheet) -> None:
        self.general.blockSignals(True)
        self.general.setRowCount(len(sheet.general))
        for row, g in enumerate(sheet.general):
            values = (
                f"{g.code}: {g.label}",
                _plain(g.self_value),
                _plain(g.appraised_value),
                g.reason,
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if column == 2 and self.can_score:
                    flags |= Qt.ItemFlag.ItemIsEditable
                if column == 3 and text:  # the reason is read whole on hover
                    item.setToolTip(text)
                item.setFlags(flags)
                item.setData(Qt.ItemDataRole.UserRole, g.code)
                self.general.setItem(row, column, item)
        self.general.blockSignals(False)

    # -- navigation ------------------------------------------------------------------------

    def _agency_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_agency(current.data(CODE_ROLE))

    def step(self, delta: int) -> None:
        if not self.agencies.rowCount():
            return
        row = self.agencies.row_of(self.agency_code) if self.agency_code else -1
        row = max(0, min(self.agencies.rowCount() - 1, (row if row is not None else -1) + delta))
        self.show_agency(self.agencies.item(row).agency_code)

    def _search(self, text: str) -> None:
        words = fold_diacritics(text).split()
        for row in range(self.agencies.rowCount()):
            item = self.agencies.item(row)
            haystack = fold_diacritics(f"{item.agency_name} {item.agency_code}")
            self.agency_list.setRowHidden(row, not all(w in haystack for w in words))

    # -- edits (the work is in ``edits``) -------------------------------------------------

    def _edit(self, row: GridRow, column: int, text: str) -> str | None:
        """A clerk typed into the grid: None when it was saved, else why it was refused."""
        return edits.edit_cell(self, row, column, text)

    def restore(
        self,
        agency: str | None,
        code: str,
        state: appraisal.AppraisalState,
        why: str,
        expected_version: int,
    ) -> tuple[Saved, int]:
        """Undo/redo: put a criterion back; how it ended and the row's version after it."""
        return edits.restore(self, agency, code, state, why, expected_version)

    def after_change(self, code: str, saved: bool = True) -> None:
        """Read the agency again (the rows carry their new versions) and the progress list."""
        if self.ws.year:
            self.agencies.set_items(score_grid.progress(self.ws.db, self.ws.year))
        self.show_agency(self.agency_code)
        if saved:
            self.message.emit(f"Đã lưu tiêu chí {code}.")

    def version_of(self, code: str) -> int:
        """The row's version as the grid shows it now (0: no score row yet)."""
        row = self.model.row_of(code)
        return self.model.row(row).version if row is not None else 0

    def general_version(self, code: str) -> int:
        return self._general_versions.get(code, 0)

    def kept_reason(self, code: str) -> str:
        return self._kept_reasons.get((self.agency_code or "", code), "")

    def keep_reason(self, code: str, reason: str | None) -> None:
        key = (self.agency_code or "", code)
        if reason:
            self._kept_reasons[key] = reason
        else:
            self._kept_reasons.pop(key, None)

    def reopen_editor(self, code: str, column: int) -> None:
        """After a busy database: the cell's editor again, with what was typed in it."""

        def reopen() -> None:
            row = self.model.row_of(code)
            if row is None or not self.model.is_editable(row, column):
                return
            index = self.model.index(row, column)
            self.grid.setFocus()
            self.grid.setCurrentIndex(index)
            self.grid.edit(index)

        QTimer.singleShot(0, reopen)

    def refuse(self, message: str) -> str:
        """Say why, next to the cell the clerk is on, and in the status bar."""
        self.message.emit(message)
        index = self.grid.currentIndex()
        if index.isValid() and self.grid.isVisible():
            rect = self.grid.visualRect(index)
            QToolTip.showText(
                self.grid.viewport().mapToGlobal(rect.bottomLeft()), message, self.grid
            )
        return message

    def _general_changed(self, item: QTableWidgetItem) -> None:
        edits.general_changed(self, item)

    def toggle_done(self) -> None:
        if self.sheet is None or self.ws.year is None:
            return
        try:
            # an explicit value, not a toggle: two clerks marking done agree (no version)
            appraisal.set_done(
                self.ws.db,
                self.ws.year,
                self.sheet.agency_code,
                not self.sheet.done,
                actor=self.ws.actor,
            )
        except ConcurrentEditError:
            show_refusal(self, BUSY_MESSAGE)
        except InputRefused as refused:
            show_refusal(self, str(refused))
        self.agencies.set_items(score_grid.progress(self.ws.db, self.ws.year))
        self.show_agency(self.agency_code)


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}".replace(".", ",")
