"""Nhập kết quả đã công bố: a past year's published sheet into a round of that year.

Step 1 reviews the names (each published row matched to a known agency; the rows the
matcher could not settle get a combo), step 2 reports what was written and lists every row
whose recomputed rank or class differs from the published one. Nothing is written before the
reviewer presses "Nhập kết quả", and then in one transaction (``services.history``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.name_match import MatchKind
from ...services import history, rounds
from ...services.errors import ServiceError
from ...services.history import HistoryFile, HistoryRefused, HistoryReport
from ...services.history_match import agency_options
from ..workspace import Workspace
from .problems import ProblemList, RefusedFileDialog
from .report_panel import ReportPanel, ask_save_path, differences_text
from .review import Review, guess_year, year_note
from .review_model import AttentionProxy, ReviewModel, ReviewView

STEP_STYLE = "font-weight: bold; font-size: 11pt;"
NOTE_STYLE = "color: #404040;"
PENDING_STYLE = "color: #9C0006; font-weight: bold;"
READY_STYLE = "color: #006100; font-weight: bold;"


def ask_open_path(parent: QWidget | None) -> Path | None:
    """The published-results workbook to import (tests patch this)."""
    name, _ = QFileDialog.getOpenFileName(
        parent, "Chọn tệp kết quả đã công bố", "", "Sổ tính Excel (*.xlsx)"
    )
    return Path(name) if name else None


def read_file(path: Path, parent: QWidget | None) -> HistoryFile | None:
    """The file read, or None after showing why it was refused (nothing is written)."""
    try:
        return history.read_history(path)
    except HistoryRefused as exc:
        RefusedFileDialog.explain(str(exc), exc.problems, parent)
    except ServiceError as exc:
        RefusedFileDialog.explain(str(exc), (), parent)
    return None


def import_history(ws: Workspace, parent: QWidget | None) -> int | None:
    """Ask for a published-results file, review it and import it: the year imported, or
    None when nothing was."""
    return HistoryImportDialog.run(ws, parent)


def _button(text: str, name: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAutoDefault(False)  # Enter in the table or the year never presses a button
    return button


class HistoryImportDialog(QDialog):
    """The review step, then the report, in one window."""

    def __init__(self, ws: Workspace, file: HistoryFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.file = ws, file
        self.imported_year: int | None = None
        self.year_exists = False  # the chosen year already has a round: "Thay thế" applies
        self.report: HistoryReport | None = None
        self.setWindowTitle("Nhập kết quả đã công bố")
        self.resize(1180, 640)
        self.setMinimumSize(900, 480)

        fallback = (ws.year if ws.year is not None else ws.today().year) - 1
        year = guess_year((file.file_name, file.sheet), fallback)
        with ws.db.session() as s:
            agencies = list(agency_options(s)[0].values())
        self.review = Review(file, history.match_history(ws.db, year, file), agencies)
        self.model = ReviewModel(self.review, year, self)
        self.proxy = AttentionProxy(self)
        self.proxy.setSourceModel(self.model)

        self.step = QLabel(self)
        self.step.setObjectName("historyStep")
        self.step.setStyleSheet(STEP_STYLE)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._review_page(year))
        self.pages.addWidget(self._report_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.pages, 1)
        self._show_step(0)
        self.model.changed.connect(self._update_pending)
        self._year_changed(year)
        self._update_pending()
        self.table.setFocus()
        if self.table.model().rowCount():
            self.table.selectRow(0)

    # -- building ----------------------------------------------------------------------------

    def _review_page(self, year: int) -> QWidget:
        page = QWidget(self)
        source = QLabel(
            f"Tệp “{self.file.file_name}”, trang “{self.file.sheet}”: {self.review.summary()}.",
            page,
        )
        source.setObjectName("historySource")
        source.setWordWrap(True)
        self.year = QSpinBox(page)
        self.year.setObjectName("historyYear")
        self.year.setRange(rounds.MIN_YEAR, rounds.MAX_YEAR)
        self.year.setValue(year)
        self.year.setFixedWidth(90)
        caption = QLabel("Nă&m", page)
        caption.setBuddy(self.year)
        self.year_note = QLabel(page)
        self.year_note.setObjectName("historyYearNote")
        self.year_note.setWordWrap(True)
        self.year_note.setStyleSheet(NOTE_STYLE)
        self.replace = QCheckBox("T&hay thế kết quả đã nhập của năm này", page)
        self.replace.setObjectName("historyReplace")
        self.only_attention = QCheckBox("Chỉ hiện &dòng cần xem", page)
        self.only_attention.setObjectName("historyOnlyAttention")
        self.create_all = _button("&Tạo mới cho mọi tên không nhận ra", "historyCreateAll", page)
        self.create_all.setToolTip(
            "Mỗi tên không nhận ra thành một cơ quan mới, ngưng hoạt động, chỉ có trong năm "
            "này (cơ quan nay không còn)."
        )
        self.table = ReviewView(page)
        self.table.setModel(self.proxy)
        self.table.configure_columns()
        self.pending = QLabel(page)
        self.pending.setObjectName("historyPending")
        help_text = QLabel(
            "Chọn một dòng rồi nhấn Enter (hoặc nháy đúp ô “Cơ quan trong chương trình”) để chọn "
            "cơ quan, tạo mới hoặc bỏ qua dòng; Esc để thôi.",
            page,
        )
        help_text.setStyleSheet(NOTE_STYLE)
        self.errors = ProblemList(page)
        self.import_button = _button("&Nhập kết quả", "historyImport", page)
        self.cancel = _button("Hủy", "historyCancel", page)

        year_row = QHBoxLayout()
        year_row.addWidget(caption)
        year_row.addWidget(self.year)
        year_row.addWidget(self.year_note, 1)
        tools = QHBoxLayout()
        tools.addWidget(self.only_attention)
        tools.addStretch(1)
        tools.addWidget(self.create_all)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pending, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(source)
        layout.addLayout(year_row)
        layout.addWidget(self.replace)  # shown only when the year already has a round
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(help_text)
        layout.addWidget(self.errors)
        layout.addLayout(buttons)
        for first, second in (
            (self.year, self.replace),
            (self.replace, self.only_attention),
            (self.only_attention, self.create_all),
            (self.create_all, self.table),
            (self.table, self.import_button),
            (self.import_button, self.cancel),
        ):
            QWidget.setTabOrder(first, second)

        self.year.valueChanged.connect(self._year_changed)
        self.only_attention.toggled.connect(self.proxy.set_only_attention)
        self.create_all.clicked.connect(self._create_all_unknown)
        self.import_button.clicked.connect(self.do_import)
        self.cancel.clicked.connect(self.reject)
        return page

    def _report_page(self) -> QWidget:
        page = QWidget(self)
        self.report_panel = ReportPanel(page)
        self.save_button = _button("&Lưu danh sách chênh lệch…", "historySave", page)
        self.close_button = _button("Đóng", "historyClose", page)
        self.save_button.clicked.connect(self.save_differences)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.report_panel, 1)
        layout.addLayout(buttons)
        return page

    # -- entry -------------------------------------------------------------------------------

    @classmethod
    def run(
        cls, ws: Workspace, parent: QWidget | None = None, file: HistoryFile | None = None
    ) -> int | None:
        """Ask for the file (unless given), review, import: the year imported, or None."""
        if file is None:
            path = ask_open_path(parent)
            if path is None:
                return None
            file = read_file(path, parent)
            if file is None:
                return None
        dialog = cls(ws, file, parent)
        dialog.exec()
        return dialog.imported_year

    # -- step 1 ------------------------------------------------------------------------------

    def _show_step(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        self.step.setText(
            "Bước 1/2 · Xem lại tên cơ quan trước khi nhập"
            if step == 0
            else "Bước 2/2 · Kết quả nhập và các dòng chênh lệch"
        )

    def _year_changed(self, year: int) -> None:
        text, exists = year_note(year, rounds.list_rounds(self.ws.db))
        self.year_note.setText(text)
        self.year_exists = exists
        self.replace.setVisible(exists)
        if not exists:
            self.replace.setChecked(False)
        self.model.set_year(year)
        self.errors.show_problems("")

    def _create_all_unknown(self) -> None:
        self.model.create_all_unknown()

    def _update_pending(self) -> None:
        pending = self.review.pending()
        if pending:
            self.pending.setText(f"Còn {pending} dòng cần chọn")
            self.pending.setStyleSheet(PENDING_STYLE)
        else:
            self.pending.setText("Mọi dòng đã có cơ quan: sẵn sàng nhập.")
            self.pending.setStyleSheet(READY_STYLE)
        self.import_button.setEnabled(pending == 0)
        self.create_all.setEnabled(
            any(r.target is None and r.match.kind is MatchKind.UNKNOWN for r in self.review.rows)
        )
        self.errors.show_problems("")

    def do_import(self) -> HistoryReport | None:
        """Write the year; on a refusal show why and stay on the review (nothing written)."""
        if self.review.pending():
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = history.import_history(
                self.ws.db,
                self.year.value(),
                self.file,
                self.review.choices(),
                create_missing=False,  # every unknown row carries the reviewer's choice
                replace=self.year_exists and self.replace.isChecked(),
                actor=self.ws.actor,
            )
        except HistoryRefused as exc:
            self.errors.show_problems(str(exc), exc.problems)
            return None
        except ServiceError as exc:
            self.errors.show_problems(str(exc))
            if self.year_exists and not self.replace.isChecked():
                self.replace.setFocus()
            return None
        finally:
            QApplication.restoreOverrideCursor()
        self.report, self.imported_year = report, report.year
        self.report_panel.show_report(report)
        self.save_button.setEnabled(bool(report.differences))
        self.close_button.setDefault(True)  # on the report, Enter just closes
        self._show_step(1)
        self.close_button.setFocus()
        return report

    # -- step 2 ------------------------------------------------------------------------------

    def save_differences(self) -> Path | None:
        if self.report is None:
            return None
        target = ask_save_path(self, f"Chenh-lech-ket-qua-{self.report.year}.txt")
        if target is None:
            return None
        target.write_text(differences_text(self.report, self.ws.today()), encoding="utf-8")
        return target

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter outside a button does nothing on the review step: importing is a deliberate
        # act (the button, Space on it, or Alt+N), never the end of typing a year.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.pages.currentIndex() == 0:
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)
