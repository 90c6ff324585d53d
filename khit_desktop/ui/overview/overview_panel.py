"""Tổng quan: the council chair's home screen. One screen, no scrolling at 1366×768: where
the round stands (step bar, calendar), the forms and the appraisal per group, the results so
far beside last year's, and the open items, each a link to its screen and row.

Every figure is the service's (``services.overview.overview``): the panel only shows it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import format_date
from ...services import overview as overview_service
from ...services import round_stage
from ...services.errors import ServiceError
from ...services.overview_model import Overview, TodoItem
from ...services.permissions import Permission
from ..messages import show_refusal
from ..reason_dialog import ReasonDialog
from ..workspace import Workspace
from .calendar_view import CalendarStrip
from .results_view import ResultsView
from .step_bar import StepBar
from .summary_tables import (
    APPRAISAL_COLUMNS,
    FORM_COLUMNS,
    SummaryModel,
    fit_size,
    summary_view,
)
from .todo_list import TodoTree
from .widgets import set_shown, styled_font, tint

NO_ROUND = "Chưa có kỳ đánh giá. Tạo kỳ đánh giá mới (Kỳ đánh giá → Tạo kỳ đánh giá mới…)"
TITLE_COLOUR = "#1F3864"
MIDDLE_ROW = 4  # the main layout's item of the middle row (after title, note, steps, calendar)


def section_title(text: str, parent: QWidget, name: str) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setFont(styled_font(bold=True))
    tint(label, TITLE_COLOUR)
    return label


def surveys_text(ov: Overview) -> str:
    sv = ov.surveys
    return (
        f"Khảo sát thực tế: {sv.planned} chưa ghi kết quả · {sv.done} đã khảo sát, chờ áp dụng · "
        f"{sv.applied} đã áp dụng xong; {sv.findings_pending} kết quả chờ áp dụng."
    )


def surveys_tip(ov: Overview) -> str:
    sv = ov.surveys
    return (
        f"{sv.total} cuộc khảo sát thực tế trong kỳ.\n"
        f"Kết quả khảo sát: {sv.findings_applied} đã áp dụng vào điểm thẩm định, "
        f"{sv.findings_dismissed} không áp dụng (có lý do), {sv.findings_pending} đang chờ."
    )


def forms_tip(ov: Overview) -> str:
    f = ov.forms_total
    return (
        f"{f.members} cơ quan, {f.exempt} không xếp hạng năm nay: {f.members - f.exempt} cơ quan "
        f"phải gửi phiếu. Đã nhận {f.received} phiếu ({f.on_time} đúng hạn, {f.late} trễ ≤ 5 "
        f"ngày, {f.very_late} trễ > 5 ngày); {f.done} cơ quan đã thẩm định xong."
    )


class OverviewPanel(QWidget):
    """Tổng quan of the workspace's round."""

    message = Signal(str)  # a short note for the status bar
    open_item = Signal(object)  # a TodoItem: the window opens its screen and row
    stage_changed = Signal(str)  # the round was moved to this stage (the status bar's state)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewPanel")
        self.ws = workspace
        self.overview: Overview | None = None

        self.action_export_pdf = QAction("Xuất báo cáo tiến độ PDF…", self)
        self.action_export_pdf.setToolTip(
            "Lưu tổng quan thành báo cáo một trang A4 “Báo cáo tiến độ thẩm định” (giống lệnh "
            "khit overview --pdf)"
        )
        self.action_export_pdf.triggered.connect(self.export_pdf)
        self.addAction(self.action_export_pdf)

        self.title = QLabel(self)
        self.title.setObjectName("overviewTitle")
        self.title.setFont(styled_font(point_size=12, bold=True))
        tint(self.title, TITLE_COLOUR)
        export = QToolButton(self)
        export.setObjectName("exportOverviewPdf")
        export.setDefaultAction(self.action_export_pdf)
        export.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)

        self.empty = QLabel(self)
        self.empty.setObjectName("overviewEmpty")
        self.empty.setWordWrap(True)
        self.empty.setFont(styled_font(point_size=11))
        self.empty.setContentsMargins(12, 12, 12, 12)
        self.empty.setIndent(self.empty.fontMetrics().horizontalAdvance("x") // 2)  # as before
        tint(self.empty, "#404040")

        self.steps = StepBar(self)
        self.steps.forward_requested.connect(self.move_forward)
        self.steps.back_requested.connect(self.move_back)
        self.calendar = CalendarStrip(self)
        top.addWidget(self.steps.forward)
        top.addWidget(self.steps.back)
        top.addWidget(export)

        self.forms_model = SummaryModel(FORM_COLUMNS, self)
        self.forms_table = summary_view(self.forms_model, "formsTable", self)
        self.forms_title = section_title("Phiếu tự đánh giá", self, "formsTitle")
        self.appraisal_model = SummaryModel(APPRAISAL_COLUMNS, self)
        self.appraisal_table = summary_view(self.appraisal_model, "appraisalTable", self)
        self.appraisal_title = section_title("Thẩm định", self, "appraisalTitle")
        self.surveys = QLabel(self)
        self.surveys.setObjectName("surveysNote")
        self.surveys.setWordWrap(True)
        self.forms_box = self._box(self.forms_title, self.forms_table)
        self.appraisal_box = self._box(self.appraisal_title, self.appraisal_table, self.surveys)
        self.todo = TodoTree(self)
        self.todo.item_chosen.connect(self.open_item)
        self.todo_title = section_title("Việc cần làm", self, "todoTitle")
        self.todo_empty = QLabel(self)
        self.todo_empty.setObjectName("todoEmpty")
        self.todo_empty.setWordWrap(True)
        self.todo_box = self._box(self.todo_title, self.todo, self.todo_empty)
        middle = QHBoxLayout()
        middle.setSpacing(10)
        middle.addWidget(self.forms_box)
        middle.addWidget(self.appraisal_box)
        middle.addWidget(self.todo_box, 1)

        self.results = ResultsView(self)
        self.results_box = self._box(self.results)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.steps)
        layout.addWidget(self.calendar)
        layout.addLayout(middle, 1)  # the to-do list takes what the screen has to spare
        layout.addWidget(self.results_box)
        layout.addStretch(0)  # takes the spare room instead when the middle is hidden
        self._layout = layout
        self.reload()

    def _box(self, *widgets: QWidget) -> QWidget:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        for widget in widgets:
            widget.setParent(box)
            column.addWidget(widget, 1 if isinstance(widget, TodoTree | ResultsView) else 0)
        if not any(isinstance(w, TodoTree | ResultsView) for w in widgets):
            column.addStretch(1)
        return box

    # -- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the overview of the workspace's round again and show it."""
        self.overview = None
        error = ""
        if self.ws.year:
            try:
                self.overview = overview_service.overview(
                    self.ws.db, self.ws.year, today=self.ws.today()
                )
            except ServiceError as exc:
                error = str(exc)
        ov = self.overview
        self.action_export_pdf.setEnabled(ov is not None and self.ws.can(Permission.EXPORT))
        if ov is None:
            self._show_parts(steps=False, work=False, results=False)
            self.title.setText("Tổng quan")
            self.empty.setText(
                f"Chưa đọc được tổng quan năm {self.ws.year}: {error}" if error else NO_ROUND
            )
            set_shown(self.empty, True)
            if error:
                self.message.emit(error)
            return
        self.title.setText(
            f"Tổng quan kỳ đánh giá năm {ov.year} — tình hình đến ngày {format_date(ov.today)}"
        )
        self.steps.set_stage(ov.stage, can_move=self.ws.can(Permission.EDIT_SCORES))
        self.results.set_results(ov.results, ov.year)
        if ov.published:
            self._show_parts(steps=True, work=False, results=True)
            self.empty.setText(
                f"Năm {ov.year}: kết quả đã công bố, nhập từ bảng kết quả của tỉnh. Chương trình "
                "không có phiếu, thẩm định hay việc cần làm của năm này; dưới đây là kết quả."
                + self._decision_text(ov)
            )
            set_shown(self.empty, True)
            return
        self._show_parts(steps=True, work=True, results=True)
        set_shown(self.empty, False)
        self.calendar.set_dates(ov.calendar)
        self._fill_table(self.forms_model, self.forms_table, ov.forms)
        self._fill_table(self.appraisal_model, self.appraisal_table, ov.appraisal)
        f = ov.forms_total
        self.forms_title.setText(f"Phiếu tự đánh giá (đã nhận {f.received}/{f.members - f.exempt})")
        self.forms_title.setToolTip(forms_tip(ov))
        self.surveys.setText(surveys_text(ov))
        self.surveys.setToolTip(surveys_tip(ov))
        self._fill_todo(ov)

    @staticmethod
    def _decision_text(ov: Overview) -> str:
        if ov.decision_number and ov.decision_date:
            return f" Quyết định số {ov.decision_number} ngày {format_date(ov.decision_date)}."
        return ""

    @staticmethod
    def _fill_table(model: SummaryModel, view: QTableView, rows: tuple[object, ...]) -> None:
        if model.set_groups(rows):
            fit_size(view)

    def _fill_todo(self, ov: Overview) -> None:
        self.todo.set_items(ov.todo)
        count = len(ov.todo)
        self.todo_title.setText(f"Việc cần làm ({count})" if count else "Việc cần làm")
        set_shown(self.todo, bool(count))
        set_shown(self.todo_empty, not count)
        if not count:
            final = not ov.results.provisional
            self.todo_empty.setText(
                "Kỳ đánh giá đã chốt: không còn việc cần làm."
                if final
                else "Không còn việc nào cần làm. Khi đủ số, ngày ký quyết định công bố, Chủ tịch "
                "Hội đồng chốt kỳ đánh giá (Kỳ đánh giá → Chốt kỳ đánh giá…)."
            )

    def _show_parts(self, *, steps: bool, work: bool, results: bool) -> None:
        self._layout.setStretch(MIDDLE_ROW, 1 if work else 0)
        self._layout.setStretch(MIDDLE_ROW + 2, 0 if work else 1)
        set_shown(self.steps, steps)
        for widget in (self.calendar, self.forms_box, self.appraisal_box, self.todo_box):
            set_shown(widget, work)
        set_shown(self.results_box, results)

    def current_todo(self) -> tuple[TodoItem, ...]:
        return self.overview.todo if self.overview is not None else ()

    # -- the round's stage -----------------------------------------------------------------

    @classmethod
    def confirm_forward(cls, parent: QWidget, text: str) -> bool:
        """Ask once before moving the round forward (tests patch this)."""
        answer = QMessageBox.question(parent, "Chuyển bước kỳ đánh giá", text)
        return answer == QMessageBox.StandardButton.Yes

    @classmethod
    def ask_back_reason(cls, parent: QWidget, title: str, text: str, confirm: str) -> str | None:
        """The reason for moving the round back, None when cancelled (tests patch this)."""
        return ReasonDialog.ask(parent, title, text, confirm)

    def move_forward(self, target: str) -> None:
        year = self.ws.year
        if year is None:
            return
        label = round_stage.STAGE_LABELS[target]
        text = (
            f"Chuyển kỳ đánh giá năm {year} sang bước “{label}”? Việc này được ghi vào nhật ký "
            "thay đổi; số liệu vẫn sửa được cho đến khi chốt kỳ đánh giá."
        )
        if not self.confirm_forward(self, text):
            return
        self._move(year, target, "")

    def move_back(self, target: str) -> None:
        year = self.ws.year
        if year is None:
            return
        label = round_stage.STAGE_LABELS[target]
        reason = self.ask_back_reason(
            self,
            "Trả kỳ đánh giá về bước trước",
            f"Đưa kỳ đánh giá năm {year} trở lại bước “{label}”. Ghi lý do (được lưu vào nhật ký "
            "thay đổi).",
            "Trả về",
        )
        if reason is None:
            return
        self._move(year, target, reason)

    def _move(self, year: int, target: str, reason: str) -> None:
        try:
            moved = round_stage.move_to(
                self.ws.db, year, target, actor=self.ws.actor, reason=reason
            )
        except ServiceError as exc:
            show_refusal(self, str(exc))
            return
        self.reload()
        if moved:
            label = round_stage.STAGE_LABELS[target]
            self.message.emit(f"Đã chuyển kỳ đánh giá năm {year} sang bước “{label}”.")
            self.stage_changed.emit(target)

    # -- the one-page report ---------------------------------------------------------------

    @classmethod
    def ask_pdf_path(cls, parent: QWidget, suggested: str) -> Path | None:
        """The system's save dialog for the report (tests patch this)."""
        name, _ = QFileDialog.getSaveFileName(
            parent, "Xuất báo cáo tiến độ thẩm định", suggested, "Tệp PDF (*.pdf)"
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

    def export_pdf(self) -> Path | None:
        """Ask where, then write the one-page "Báo cáo tiến độ thẩm định" of what is shown
        (read again first: the report is of the data as it is now)."""
        if self.ws.year is None:
            return None
        year = self.ws.year
        target = self.ask_pdf_path(self, f"bao-cao-tien-do-tham-dinh-{year}.pdf")
        if target is None:
            return None
        self.reload()
        if self.overview is None:
            return None
        from ...exchange.overview_pdf import write_overview

        try:
            self.ws.actor.require(Permission.EXPORT)
            written = write_overview(self.overview, target)
        except ServiceError as exc:
            show_refusal(self, f"Không tạo được báo cáo: {exc}")
            return None
        except (OSError, ValueError) as exc:
            show_refusal(
                self,
                f"Không ghi được báo cáo: {exc}\nHãy đóng tệp nếu nó đang mở trong trình đọc PDF "
                "hoặc chọn thư mục khác.",
            )
            return None
        self.message.emit(f"Đã lưu báo cáo tiến độ thẩm định: {written}")
        return written
