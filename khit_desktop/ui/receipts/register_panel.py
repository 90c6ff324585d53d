"""Tiếp nhận: the receipt register screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain.lateness import LatenessStatus
from ...services import receipt_edits, receipts
from ...services.attachments import stored_path
from ...services.errors import InputRefused
from ...services.permissions import Permission
from ...services.receipts import ReceiptContext, ReceiptInput, RegisterLine
from ...store.models import Attachment
from ..conflict_dialog import BUSY_MESSAGE, Saved, save_resolving_conflicts
from ..messages import show_refusal
from ..reason_dialog import ReasonDialog
from ..review import mark_edit, mark_filter
from ..status_style import STATUS_ORDER, chip_css
from ..workspace import Workspace
from .agency_picker import AgencyChoice
from .history_panel import HistoryPanel
from .receipt_dialog import ReceiptDialog, form_for_edit
from .receipt_form import ReceiptForm
from .register_model import (
    COL_AGENCY,
    COL_CHANNEL,
    COL_GROUP,
    COL_NUMBER,
    COL_RECEIVED,
    COL_SENT,
    COL_STATUS,
    COL_WHY,
    RegisterFilterProxy,
    RegisterTableModel,
)

COLUMN_WIDTHS = {
    COL_GROUP: 58,
    COL_AGENCY: 236,
    COL_CHANNEL: 122,
    COL_SENT: 86,
    COL_RECEIVED: 86,
    COL_NUMBER: 100,
    COL_STATUS: 188,
}


class RegisterPanel(QWidget):
    """The register of one round: filters, the table, counts, and the selected agency."""

    message = Signal(str)  # a short note for the status bar

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.model = RegisterTableModel(self)
        self.proxy = RegisterFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.group_filter = QComboBox(self)
        self.group_filter.setObjectName("groupFilter")
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem("Mọi tình trạng", None)
        for status in STATUS_ORDER:
            self.status_filter.addItem(status.label, status)
        self.search = QLineEdit(self)
        self.search.setObjectName("registerSearch")
        self.search.setPlaceholderText("Tìm cơ quan (Ctrl+F), gõ không dấu cũng được")
        self.search.setMinimumWidth(260)
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("Ghi nhận phiếu (Ctrl+N)", self)
        self.new_button.setObjectName("newReceipt")
        self.export_button = QPushButton("Xuất Excel…", self)
        self.export_button.setObjectName("exportRegister")
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Nhóm:", self))
        filters.addWidget(self.group_filter)
        filters.addWidget(QLabel("Tình trạng:", self))
        filters.addWidget(self.status_filter)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.new_button)
        filters.addWidget(self.export_button)

        self.summary = QLabel(self)
        self.summary.setObjectName("registerSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.table = QTableView(self)
        self.table.setObjectName("registerTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().hide()
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(COL_WHY, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.table.sortByColumn(COL_GROUP, Qt.SortOrder.AscendingOrder)

        self.history = HistoryPanel(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.history)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([1000, 250])
        splitter.setCollapsible(0, False)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

        self.action_new = QAction("Ghi nhận phiếu…", self)
        self.action_new.setShortcut(QKeySequence.StandardKey.New)
        self.action_find = QAction("Tìm cơ quan", self)
        self.action_find.setShortcut(QKeySequence.StandardKey.Find)
        self.action_export = QAction("Xuất sổ tiếp nhận ra Excel…", self)
        self.action_export.setShortcut(QKeySequence("Ctrl+E"))
        for action in (self.action_new, self.action_find, self.action_export):
            # the screen's own keys: Ctrl+N means "new" of whichever screen has the focus
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

        self.group_filter.currentIndexChanged.connect(self._filter_group)
        self.status_filter.currentIndexChanged.connect(self._filter_status)
        self.search.textChanged.connect(self._search)
        self.new_button.clicked.connect(self.record_receipt)
        self.export_button.clicked.connect(self.export_excel)
        self.action_new.triggered.connect(self.record_receipt)
        self.action_find.triggered.connect(self._focus_search)
        self.action_export.triggered.connect(self.export_excel)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(
            lambda _i: self.record_receipt() if self.can_edit else None
        )
        self.history.edit_button.clicked.connect(self.edit_receipt)
        self.history.invalid_button.clicked.connect(self.invalidate_receipt)
        self.history.exempt_button.clicked.connect(self.toggle_exempt)
        self.history.open_button.clicked.connect(self.open_attachment)
        self._versions: dict[str, int] = {}  # memberships' versions shown (issue 9)
        self._apply_permissions()
        self.reload()

    def _apply_permissions(self) -> None:
        """Review mode (issue 10): the receipt actions only for who may record receipts;
        hidden, not disabled. Decided once (the actor is fixed); reloads keep them hidden."""
        mark_filter(self.search)
        self.can_edit = self.ws.can(Permission.RECEIPTS)
        for control in (
            self.new_button,
            self.action_new,
            self.history.edit_button,
            self.history.invalid_button,
            self.history.exempt_button,
        ):
            mark_edit(control)
            if not self.can_edit:
                control.setVisible(False)
        if not self.can_edit:
            self.action_new.setEnabled(False)
            self.removeAction(self.action_new)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    # -- data ------------------------------------------------------------------------------

    def reload(self, select_code: str | None = None) -> None:
        if select_code is None:
            current = self.current_line()
            select_code = current.agency_code if current else None
        # versions first: a change in between shows as a conflict, never slips through
        self._versions = (
            receipt_edits.membership_versions(self.ws.db, self.ws.year) if self.ws.year else {}
        )
        lines = (
            receipts.register(self.ws.db, self.ws.year, as_of=self.ws.today())
            if self.ws.year
            else []
        )
        self.model.set_lines(lines)
        self._fill_group_filter(lines)
        self._update_summary()
        if select_code:
            self.select_agency(select_code)
        else:
            self.history.show_line(None, [])

    def _fill_group_filter(self, lines: list[RegisterLine]) -> None:
        chosen = self.group_filter.currentData()
        self.group_filter.blockSignals(True)
        self.group_filter.clear()
        self.group_filter.addItem("Mọi nhóm", None)
        names = {line.group: line.group_name for line in lines}
        for number in sorted(names):
            self.group_filter.addItem(f"Nhóm {number}", number)
            self.group_filter.setItemData(
                self.group_filter.count() - 1, names[number], Qt.ItemDataRole.ToolTipRole
            )
        index = self.group_filter.findData(chosen)
        self.group_filter.setCurrentIndex(max(index, 0))
        self.group_filter.blockSignals(False)

    def _update_summary(self) -> None:
        counts = self.model.status_counts()
        total = self.model.rowCount()
        parts = [f"<b>{total} cơ quan</b>"]
        for status in STATUS_ORDER:
            parts.append(
                f"<span style='{chip_css(status)}'>{status.label}: {counts.get(status, 0)}</span>"
            )
        shown = self.proxy.rowCount()
        if shown != total:
            parts.append(f"đang hiện {shown}/{total}")
        if total and self.model.receipt_count() == 0:
            parts.append("Chưa có phiếu nào. Ghi nhận phiếu đầu tiên (Ctrl+N).")
        if not total:
            parts = ["Chưa có kỳ đánh giá. Tạo kỳ đánh giá mới trong menu Kỳ đánh giá."]
        self.summary.setText(" &nbsp; ".join(parts))

    def current_line(self) -> RegisterLine | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.line(self.proxy.mapToSource(index).row())

    def select_agency(self, code: str) -> bool:
        row = self.model.row_of(code)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, COL_AGENCY))
        if not index.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        self._show_history(self.model.line(row))
        return True

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        line = self.model.line(self.proxy.mapToSource(current).row()) if current.isValid() else None
        self._show_history(line)

    def _show_history(self, line: RegisterLine | None) -> None:
        events = (
            receipt_edits.agency_history(self.ws.db, self.ws.year, line.agency_code)
            if line and self.ws.year
            else []
        )
        self.history.show_line(line, events)

    # -- filters ---------------------------------------------------------------------------

    def _filter_group(self) -> None:
        self.proxy.set_group(self.group_filter.currentData())
        self._update_summary()

    def _filter_status(self) -> None:
        status = self.status_filter.currentData()
        self.proxy.set_status(status if isinstance(status, LatenessStatus) else None)
        self._update_summary()

    def _search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_summary()
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.proxy.index(0, COL_AGENCY))

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- actions ---------------------------------------------------------------------------

    def _context_for(self, exclude: int | None = None) -> Callable[[str], ReceiptContext]:
        year = self.ws.year
        assert year is not None
        return lambda code: receipts.receipt_context(self.ws.db, year, code, exclude=exclude)

    def _double_clicked(self, _index: QModelIndex) -> None:
        if self.can_edit:  # a reviewer's double click only selects
            self.record_receipt()

    def record_receipt(self) -> None:
        if not self.ws.year:
            return
        year = self.ws.year
        current = self.current_line()
        agencies = [
            AgencyChoice(line.agency_code, line.agency_name, line.group)
            for line in self.model.lines()
        ]
        form = ReceiptForm(
            self._context_for(), year, agency_code=current.agency_code if current else None
        )

        def save(data: ReceiptInput, _reason: str, _overwrite: str) -> None:
            code = form.agency_code or ""
            receipts.add_receipt_input(
                self.ws.db, year, code, data, actor=self.ws.actor, today=self.ws.today()
            )

        if ReceiptDialog.run(form, save, agencies, self, today=self.ws.today):
            self.reload(select_code=form.agency_code)

    def edit_receipt(self) -> None:
        line, view = self.current_line(), self.history.current_receipt()
        if line is None or view is None or not self.ws.year:
            return
        form = form_for_edit(
            self._context_for(exclude=view.id), self.ws.year, line.agency_code, view
        )

        def save(data: ReceiptInput, reason: str, overwrite: str) -> None:
            receipt_edits.update_receipt(
                self.ws.db,
                view.id,
                data,
                reason=reason,
                actor=self.ws.actor,
                today=self.ws.today(),
                expected_version=view.version,  # the version this screen showed
                overwrite_reason=overwrite,
            )

        ReceiptDialog.run(form, save, None, self, today=self.ws.today)
        self.reload(select_code=line.agency_code)  # saved, or another clerk's change to show

    def invalidate_receipt(self) -> None:
        line, view = self.current_line(), self.history.current_receipt()
        if line is None or view is None:
            return
        reason = ReasonDialog.ask(
            self,
            "Đánh dấu phiếu không hợp lệ",
            f"Lần tiếp nhận #{view.id} của {line.agency_name} sẽ không được tính; lần hợp lệ "
            "gửi sớm nhất còn lại (nếu có) sẽ được tính thay.",
            "Đánh dấu không hợp lệ",
        )
        if reason is None:
            return

        def save(overwrite: str) -> None:
            receipt_edits.invalidate_receipt(
                self.ws.db,
                view.id,
                reason,
                actor=self.ws.actor,
                expected_version=view.version,
                overwrite_reason=overwrite,
            )

        self._save(
            save,
            line,
            f"Lần tiếp nhận #{view.id} của {line.agency_name}",
            f"đánh dấu không hợp lệ, lý do «{reason}»",
        )

    def toggle_exempt(self) -> None:
        line = self.current_line()
        if line is None or not self.ws.year:
            return
        if line.exempt_reason:
            title, verb = "Bỏ không xếp hạng", "Bỏ không xếp hạng"
            message = (
                f"{line.agency_name} sẽ được xếp hạng như các cơ quan khác "
                f"(hiện không xếp hạng: {line.exempt_reason})."
            )
        else:
            title, verb = "Không xếp hạng", "Không xếp hạng"
            message = (
                f"{line.agency_name} sẽ không được xếp hạng năm {self.ws.year} "
                "(khác với xếp loại Yếu). Ghi lý do, ví dụ văn bản của Hội đồng."
            )
        reason = ReasonDialog.ask(self, title, message, verb)
        if reason is None:
            return
        year, version = self.ws.year, self._versions.get(line.agency_code)

        def save(overwrite: str) -> None:
            receipt_edits.set_exempt(
                self.ws.db,
                year,
                line.agency_code,
                None if line.exempt_reason else reason,
                actor=self.ws.actor,
                expected_version=version,
                overwrite_reason=overwrite,
            )

        self._save(
            save, line, f"Việc không xếp hạng {line.agency_name}", f"{verb}, lý do «{reason}»"
        )

    def _save(
        self, save: Callable[[str], object], line: RegisterLine, what: str, attempted: str
    ) -> None:
        """One change of the register, checked against the version shown (issue 9)."""
        try:
            outcome = save_resolving_conflicts(self, save, what, attempted)
        except InputRefused as refused:
            show_refusal(self, str(refused))
        else:
            if outcome is Saved.BUSY:
                show_refusal(self, BUSY_MESSAGE)
        self.reload(select_code=line.agency_code)

    def open_attachment(self) -> None:
        view = self.history.current_receipt()
        if view is None or view.attachment_id is None:
            return
        with self.ws.db.session() as s:
            attachment = s.get(Attachment, view.attachment_id)
            path = stored_path(self.ws.db, attachment) if attachment else None
        if path is None or not path.exists():
            show_refusal(self, "Không tìm thấy tệp đính kèm trong thư mục dữ liệu.")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def export_excel(self) -> None:
        if not self.ws.year:
            return
        suggested = f"So-tiep-nhan-{self.ws.year}.xlsx"
        target = self.ask_export_path(self, suggested)
        if target is None:
            return
        from ...exchange.register_xlsx import export_register  # heavy: import when used

        try:
            export_register(
                self.model.lines(),
                target,
                year=self.ws.year,
                demo=self.ws.demo,
                generated_on=self.ws.today(),
            )
        except (OSError, ValueError) as exc:
            show_refusal(self, f"Không ghi được tệp {target.name}: {exc}")
            return
        self.message.emit(f"Đã xuất sổ tiếp nhận ra {target}")

    @staticmethod
    def ask_export_path(parent: QWidget, suggested: str) -> Path | None:
        """The system's save dialog (tests patch this)."""
        name, _ = QFileDialog.getSaveFileName(
            parent, "Xuất sổ tiếp nhận", suggested, "Sổ tính Excel (*.xlsx)"
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")
