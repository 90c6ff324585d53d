"""Giải trình và quyết định của Hội đồng: the explanations asked and answered, and the
council's decisions on disputed criteria."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import format_date
from ...services.explanations import DecisionView, ExplanationView
from .council_models import (
    D_AGENCY,
    D_CRITERION,
    D_DECISION,
    D_MEETING,
    D_POINTS,
    E_AGENCY,
    E_ANSWER,
    E_CRITERIA,
    E_LETTER,
    E_QUESTION,
    E_STATE,
    DecisionTableModel,
    ExplanationTableModel,
)
from .survey_tab import table
from .table_base import AMBER, KeyedSortProxy, chip_css

EXPLANATION_WIDTHS = {E_AGENCY: 210, E_CRITERIA: 80}
DECISION_WIDTHS = {D_AGENCY: 210, D_CRITERION: 320, D_MEETING: 104, D_POINTS: 80}


class CouncilTab(QWidget):
    """What the clerk sees; the actions on it are in council_actions. ``editing`` False
    (review mode): the texts stop pointing at buttons that are hidden."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = True
        self.request_button = QPushButton("Đề nghị giải trình…", self)
        self.request_button.setObjectName("requestExplanation")
        self.answer_button = QPushButton("Ghi nhận giải trình…", self)
        self.answer_button.setObjectName("recordAnswer")
        self.explanation_summary = QLabel(self)
        self.explanation_summary.setObjectName("explanationSummary")
        self.explanation_summary.setTextFormat(Qt.TextFormat.RichText)
        self.explanations = ExplanationTableModel(self)
        self.explanation_proxy = KeyedSortProxy(self)
        self.explanation_proxy.setSourceModel(self.explanations)
        self.explanation_table = table(self, "explanations")
        self.explanation_table.setModel(self.explanation_proxy)
        self.explanation_table.setSortingEnabled(True)
        self.explanation_table.sortByColumn(E_LETTER, Qt.SortOrder.AscendingOrder)
        for column, width in EXPLANATION_WIDTHS.items():
            self.explanation_table.setColumnWidth(column, width)
        header = self.explanation_table.horizontalHeader()
        for column in (E_LETTER, E_STATE):  # short, and must be read whole
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (E_QUESTION, E_ANSWER):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.explanation_detail = QLabel(self)
        self.explanation_detail.setObjectName("explanationDetail")
        self.explanation_detail.setWordWrap(True)
        self.explanation_detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        top = QGroupBox("Giải trình của cơ quan", self)
        top_layout = QVBoxLayout(top)
        buttons = QHBoxLayout()
        buttons.addWidget(self.request_button)
        buttons.addWidget(self.answer_button)
        buttons.addWidget(self.explanation_summary, 1)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.explanation_table, 1)
        top_layout.addWidget(self.explanation_detail)

        self.decide_button = QPushButton("Ghi quyết định của Hội đồng…", self)
        self.decide_button.setObjectName("recordDecision")
        self.decision_note = QLabel(
            "Điểm Hội đồng quyết định là điểm thẩm định cuối cùng của tiêu chí: chỉ một quyết "
            "định mới của Hội đồng thay đổi được.",
            self,
        )
        self.decision_note.setStyleSheet("color:#555;")
        self.decision_note.setWordWrap(True)
        self.decisions = DecisionTableModel(self)
        self.decision_proxy = KeyedSortProxy(self)
        self.decision_proxy.setSourceModel(self.decisions)
        self.decision_table = table(self, "decisions")
        self.decision_table.setModel(self.decision_proxy)
        self.decision_table.setSortingEnabled(True)
        self.decision_table.sortByColumn(D_MEETING, Qt.SortOrder.AscendingOrder)
        for column, width in DECISION_WIDTHS.items():
            self.decision_table.setColumnWidth(column, width)
        self.decision_table.horizontalHeader().setSectionResizeMode(
            D_DECISION, QHeaderView.ResizeMode.Stretch
        )
        bottom = QGroupBox("Quyết định của Hội đồng thẩm định", self)
        bottom_layout = QVBoxLayout(bottom)
        row = QHBoxLayout()
        row.addWidget(self.decide_button)
        row.addWidget(self.decision_note, 1)
        bottom_layout.addLayout(row)
        bottom_layout.addWidget(self.decision_table, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([330, 270])
        splitter.setCollapsible(0, False)
        splitter.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self.explanation_table.selectionModel().currentRowChanged.connect(self._explanation_changed)
        self._explanation_changed(QModelIndex(), QModelIndex())

    def set_rows(
        self,
        explanations: list[ExplanationView],
        decisions: list[DecisionView],
        names: dict[str, str],
        titles: dict[tuple[str, str], str],
        select_explanation: int | None = None,
    ) -> None:
        if select_explanation is None:
            current = self.current_explanation()
            select_explanation = current.id if current else None
        self.explanations.set_context(names, titles)
        self.explanations.set_rows(explanations)
        self.decisions.set_context(names, titles)
        self.decisions.set_rows(decisions)
        pending = sum(1 for e in explanations if e.pending)
        if not explanations:
            text = "Chưa có đề nghị giải trình nào."
        else:
            text = f"<b>{len(explanations)} đề nghị</b>"
            if pending:
                text += (
                    f" &nbsp; <span style='{chip_css(AMBER)}'>đang chờ giải trình: {pending}</span>"
                )
        self.explanation_summary.setText(text)
        row = self.explanations.row_where(id=select_explanation) if select_explanation else None
        if row is None and explanations:
            row = 0
        if row is not None:
            index = self.explanation_proxy.mapFromSource(self.explanations.index(row, E_AGENCY))
            self.explanation_table.setCurrentIndex(index)
        self._explanation_changed(self.explanation_table.currentIndex(), QModelIndex())

    def current_explanation(self) -> ExplanationView | None:
        index = self.explanation_table.currentIndex()
        if not index.isValid():
            return None
        return self.explanations.row(self.explanation_proxy.mapToSource(index).row())

    def current_decision(self) -> DecisionView | None:
        index = self.decision_table.currentIndex()
        if not index.isValid():
            return None
        return self.decisions.row(self.decision_proxy.mapToSource(index).row())

    def select_decision(self, agency_code: str, code: str) -> bool:
        """Make the council's decision on ``code`` of ``agency_code`` the current row,
        scrolled into view; False when there is no such decision."""
        row = self.decisions.row_where(agency_code=agency_code, code=code)
        if row is None:
            return False
        index = self.decision_proxy.mapFromSource(self.decisions.index(row, D_AGENCY))
        if not index.isValid():
            return False
        self.decision_table.setCurrentIndex(index)
        self.decision_table.scrollTo(index)
        return True

    def select_explanation(self, explanation_id: int) -> bool:
        """Make explanation ``explanation_id`` the current row, scrolled into view; False
        when it is not in the table."""
        row = self.explanations.row_where(id=explanation_id)
        if row is None:
            return False
        index = self.explanation_proxy.mapFromSource(self.explanations.index(row, E_AGENCY))
        if not index.isValid():
            return False
        self.explanation_table.setCurrentIndex(index)
        self.explanation_table.scrollTo(index)
        return True

    def explanation_about(self, agency_code: str, code: str) -> int | None:
        """The id of the latest explanation asked about ``code`` of ``agency_code``, an
        answered one first (a criterion waiting for the council's decision has been
        answered)."""
        asked = [e for e in self.explanations.rows() if e.agency_code == agency_code]
        asked = [e for e in asked if code in e.criteria]
        asked.sort(key=lambda e: (not e.pending, e.letter_date, e.id))
        return asked[-1].id if asked else None

    def _explanation_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        view = self.current_explanation()
        self.answer_button.setEnabled(view is not None)
        self.answer_button.setToolTip(
            "Sửa nội dung giải trình đã ghi (thay đổi được lưu vào nhật ký)"
            if view is not None and not view.pending
            else "Ghi nội dung, ngày và số văn bản giải trình của cơ quan"
        )
        if view is None:
            self.explanation_detail.setText(
                "Chọn một đề nghị để xem nội dung; “Đề nghị giải trình…” để ghi văn bản mới."
                if self.editing
                else "Chọn một đề nghị để xem nội dung và giải trình của cơ quan."
            )
            return
        name = self.explanations.name(view.agency_code)
        lines = [
            f"<b>{escape(name)}</b>, văn bản {escape(view.letter_number)} ngày "
            f"{format_date(view.letter_date)}: {escape(view.question) or '—'}"
        ]
        if view.answer_date:
            number = f" (văn bản {escape(view.answer_number)})" if view.answer_number else ""
            lines.append(
                f"<b>Giải trình ngày {format_date(view.answer_date)}</b>{number}: "
                f"{escape(view.answer)}"
            )
        self.explanation_detail.setText("<br>".join(lines))
