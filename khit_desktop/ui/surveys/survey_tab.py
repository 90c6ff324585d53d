"""Khảo sát thực tế: the round's surveys above, the chosen survey's findings below."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import format_date
from ...services import surveys
from ...services.surveys import FindingView, SurveyView
from .survey_model import (
    COL_AGENCY,
    COL_CRITERIA,
    COL_PLANNED,
    COL_STATE,
    COL_TEAM,
    COL_VISIT,
    F_CODE,
    F_FIGURE,
    F_PROPOSED,
    F_SEEN,
    F_STATE,
    F_TITLE,
    SURVEY_COLOURS,
    FindingTableModel,
    SurveyTableModel,
    finding_is_pending,
)
from .table_base import KeyedSortProxy, chip_css

SURVEY_WIDTHS = {
    COL_PLANNED: 124,
    COL_VISIT: 126,
    COL_AGENCY: 250,
    COL_CRITERIA: 150,
    COL_STATE: 170,
}
FINDING_WIDTHS = {F_CODE: 52, F_TITLE: 250, F_FIGURE: 120, F_PROPOSED: 100, F_STATE: 170}


def table(parent: QWidget, name: str) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # edits go via dialogs
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)  # one line a row, cut with "…"; the whole text is in the tooltip
    view.horizontalHeader().setHighlightSections(False)
    return view


class SurveyTab(QWidget):
    """What the clerk sees; the actions on it are in survey_actions (they need the workspace).
    ``editing`` False (review mode): the texts stop pointing at buttons that are hidden."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = True
        self.plan_button = QPushButton("Lên kế hoạch khảo sát… (Ctrl+N)", self)
        self.plan_button.setObjectName("planSurvey")
        self.record_button = QPushButton("Ghi kết quả khảo sát…", self)
        self.record_button.setObjectName("recordSurvey")
        self.minutes_button = QPushButton("Xuất biên bản PDF… (Ctrl+P)", self)
        self.minutes_button.setObjectName("surveyMinutes")
        self.roster_button = QPushButton("Hội đồng và Tổ giúp việc…", self)
        self.roster_button.setObjectName("roster")
        top = QHBoxLayout()
        for button in (self.plan_button, self.record_button, self.minutes_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.roster_button)

        self.summary = QLabel(self)
        self.summary.setObjectName("surveySummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.model = SurveyTableModel(self)
        self.proxy = KeyedSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = table(self, "surveys")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_PLANNED, Qt.SortOrder.AscendingOrder)
        for column, width in SURVEY_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(COL_TEAM, QHeaderView.ResizeMode.Stretch)
        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(top)
        upper_layout.addWidget(self.summary)
        upper_layout.addWidget(self.table, 1)

        self.detail_title = QLabel(self)
        self.detail_title.setObjectName("findingsTitle")
        self.detail_title.setStyleSheet("font-weight:bold;")
        self.detail_title.setWordWrap(True)
        self.findings = FindingTableModel(self)
        self.findings_table = table(self, "findings")
        self.findings_table.setModel(self.findings)
        self.findings_table.setWordWrap(True)
        for column, width in FINDING_WIDTHS.items():
            self.findings_table.setColumnWidth(column, width)
        self.findings_table.horizontalHeader().setSectionResizeMode(
            F_SEEN, QHeaderView.ResizeMode.Stretch
        )
        self.apply_button = QPushButton("Áp dụng kết quả…", self)
        self.apply_button.setObjectName("applyFinding")
        self.dismiss_button = QPushButton("Không áp dụng…", self)
        self.dismiss_button.setObjectName("dismissFinding")
        self.finding_hint = QLabel(self)
        self.finding_hint.setObjectName("findingHint")
        self.finding_hint.setStyleSheet("color:#555;")
        actions = QHBoxLayout()
        actions.addWidget(self.apply_button)
        actions.addWidget(self.dismiss_button)
        actions.addWidget(self.finding_hint, 1)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.detail_title)
        left_layout.addWidget(self.findings_table, 1)
        left_layout.addLayout(actions)

        self.team = QLabel(self)
        self.team.setObjectName("surveyTeam")
        self.team.setWordWrap(True)
        self.team.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.remarks = QLabel(self)
        self.remarks.setObjectName("surveyRemarks")
        self.remarks.setWordWrap(True)
        self.attachments = QListWidget(self)
        self.attachments.setObjectName("surveyAttachments")
        self.attachments.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.open_button = QPushButton("Mở tệp đính kèm", self)
        self.open_button.setObjectName("openAttachment")
        side = QWidget(self)
        side.setMinimumWidth(240)
        side.setMaximumWidth(300)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 0, 0, 0)
        side_layout.addWidget(self.team)
        side_layout.addWidget(self.remarks)
        side_layout.addWidget(QLabel("Tệp đính kèm:", self))
        side_layout.addWidget(self.attachments, 1)
        side_layout.addWidget(self.open_button)
        lower = QWidget(self)
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(left, 1)
        lower_layout.addWidget(side)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setSizes([230, 400])
        splitter.setCollapsible(0, False)
        splitter.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self.table.selectionModel().currentRowChanged.connect(self._survey_changed)
        self.findings_table.selectionModel().currentRowChanged.connect(self._finding_changed)
        self.attachments.currentRowChanged.connect(self._attachment_changed)
        self.show_survey(None)

    # -- data ------------------------------------------------------------------------------

    def set_surveys(self, views: list[SurveyView], select_id: int | None = None) -> None:
        if select_id is None:
            current = self.current_survey()
            select_id = current.id if current else None
        finding = self.current_finding()
        self.model.set_rows(views)
        self._update_summary(views)
        row = self.model.row_where(id=select_id) if select_id is not None else None
        if row is None and views:
            row = 0
        if row is None:
            self.show_survey(None)
            return
        index = self.proxy.mapFromSource(self.model.index(row, COL_AGENCY))
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.show_survey(self.model.row(row), finding.code if finding else None)

    def _update_summary(self, views: list[SurveyView]) -> None:
        if not views:
            self.summary.setText(
                "Chưa có đợt khảo sát nào. Lên kế hoạch khảo sát đầu tiên (Ctrl+N); thêm thành "
                "viên đoàn bằng nút “Hội đồng và Tổ giúp việc…”."
                if self.editing
                else "Chưa có đợt khảo sát nào trong kỳ đánh giá này."
            )
            return
        parts = [f"<b>{len(views)} đợt khảo sát</b>"]
        for state, colours in SURVEY_COLOURS.items():
            count = sum(1 for v in views if v.state == state)
            parts.append(
                f"<span style='{chip_css(colours)}'>{surveys.STATES[state]}: {count}</span>"
            )
        waiting = sum(1 for v in views for f in v.findings if finding_is_pending(f))
        if waiting:
            parts.append(f"{waiting} kết quả chờ cán bộ xác nhận áp dụng")
        self.summary.setText(" &nbsp; ".join(parts))

    def current_survey(self) -> SurveyView | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row(self.proxy.mapToSource(index).row())

    def select_survey(self, survey_id: int, finding_id: int | None = None) -> bool:
        """Make survey ``survey_id`` (and its finding ``finding_id``) the current row, scrolled
        into view and focused; False when the survey (or the finding) is not in the table."""
        row = self.model.row_where(id=survey_id)
        index = (
            self.proxy.mapFromSource(self.model.index(row, COL_AGENCY))
            if row is not None
            else QModelIndex()
        )
        if not index.isValid():
            return False
        rows = QItemSelectionModel.SelectionFlag.ClearAndSelect
        rows |= QItemSelectionModel.SelectionFlag.Rows
        if index != self.table.currentIndex():
            self.table.selectionModel().setCurrentIndex(index, rows)  # shows its findings
        self.table.scrollTo(index)
        if finding_id is None:
            self.table.setFocus()
            return True
        found = self.findings.row_where(id=finding_id)
        if found is None:
            self.table.setFocus()
            return False
        finding = self.findings.index(found, F_CODE)
        self.findings_table.selectionModel().setCurrentIndex(finding, rows)
        self.findings_table.scrollTo(finding)
        self.findings_table.setFocus()
        return True

    def current_finding(self) -> FindingView | None:
        index = self.findings_table.currentIndex()
        return self.findings.row(index.row()) if index.isValid() else None

    def _survey_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = self.model.row(self.proxy.mapToSource(current).row()) if current.isValid() else None
        self.show_survey(view)

    def show_survey(self, view: SurveyView | None, finding_code: str | None = None) -> None:
        self.findings.set_rows(list(view.findings) if view else [])
        self.findings_table.resizeRowsToContents()
        self.record_button.setEnabled(view is not None)
        self.minutes_button.setEnabled(view is not None and view.visit_date is not None)
        no_minutes = (
            "Ghi kết quả khảo sát trước khi xuất biên bản."
            if self.editing
            else "Đợt khảo sát chưa có kết quả: chưa có biên bản."
        )
        self.minutes_button.setToolTip("" if view is None or view.visit_date else no_minutes)
        self.attachments.clear()
        if view is None:
            self.detail_title.setText("Chọn một đợt khảo sát để xem kết quả.")
            self.team.clear()
            self.remarks.clear()
        else:
            when = (
                f"khảo sát ngày {format_date(view.visit_date)}"
                if view.visit_date
                else f"dự kiến ngày {format_date(view.planned_date)}, chưa ghi kết quả"
            )
            self.detail_title.setText(f"Kết quả khảo sát — {view.agency_name}, {when}")
            members = "<br>".join(escape(m) for m in view.members) or "—"
            self.team.setText(f"<b>Đoàn khảo sát:</b><br>{members}")
            remarks = f"<b>Nhận xét chung:</b> {escape(view.remarks)}" if view.remarks else ""
            self.remarks.setText(remarks)
            for _id, name in view.attachments:
                self.attachments.addItem(name)
            if not view.attachments:
                self.attachments.addItem("(chưa có tệp)")
                self.attachments.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
            else:
                self.attachments.setCurrentRow(0)
            if not view.findings:
                self.finding_hint.setText(
                    "Chưa có kết quả: sau chuyến khảo sát, bấm “Ghi kết quả khảo sát…”."
                )
        self._attachment_changed(self.attachments.currentRow())
        row = self.findings.row_where(code=finding_code) if finding_code else None
        pending = next(
            (i for i, f in enumerate(self.findings.rows()) if finding_is_pending(f)), None
        )
        row = row if row is not None else (pending if pending is not None else 0)
        if self.findings.rowCount():
            self.findings_table.setCurrentIndex(self.findings.index(row, F_CODE))
        self._finding_changed(self.findings_table.currentIndex(), QModelIndex())

    def _finding_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = self.findings.row(current.row()) if current.isValid() else None
        pending = finding is not None and finding_is_pending(finding)
        self.apply_button.setEnabled(
            pending and finding is not None and finding.proposed_points is not None
        )
        self.dismiss_button.setEnabled(pending)
        if finding is None:
            if self.findings.rowCount() == 0 and self.current_survey() is None:
                self.finding_hint.clear()
            return
        if pending and finding.proposed_points is None:
            hint = (
                "Chưa có điểm đề xuất: ghi điểm trong “Ghi kết quả khảo sát…”."
                if self.editing
                else "Đoàn khảo sát chưa ghi điểm đề xuất cho tiêu chí này."
            )
        elif pending:
            hint = "Kết quả chỉ vào điểm thẩm định khi cán bộ xác nhận từng tiêu chí."
        else:
            hint = ""
        self.finding_hint.setText(hint)

    def _attachment_changed(self, row: int) -> None:
        view = self.current_survey()
        self.open_button.setEnabled(view is not None and 0 <= row < len(view.attachments))

    def current_attachment_id(self) -> int | None:
        view, row = self.current_survey(), self.attachments.currentRow()
        if view is None or not 0 <= row < len(view.attachments):
            return None
        return view.attachments[row][0]
