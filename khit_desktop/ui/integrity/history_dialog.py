"""Lịch sử thay đổi: every audited change of an agency in the round — who (user, machine),
when (local time), what (old → new), why — filterable by criterion; read-only."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelection, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...services.audit_history import (
    AgencyInRound,
    HistoryLine,
    agency_in_round,
    criteria_of,
    history_lines,
)
from ...services.errors import ServiceError
from ..messages import show_refusal
from ..workspace import Workspace
from .history_model import (
    ALL,
    COL_ACTION,
    COL_CRITERIA,
    COL_REASON,
    COL_WHAT,
    COL_WHEN,
    COL_WHO,
    CriterionFilter,
    HistoryModel,
)

EMPTY = "Chưa có thay đổi nào được ghi trong nhật ký."


class HistoryDialog(QDialog):
    """Read-only: a criterion filter, the table (newest first), the selected change whole."""

    def __init__(
        self,
        agency: AgencyInRound,
        lines: list[HistoryLine],
        parent: QWidget | None = None,
        criterion_code: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.agency = agency
        self.setObjectName("historyDialog")
        self.setWindowTitle(f"Lịch sử thay đổi — {agency.name} — năm {agency.year}")
        self.resize(1180, 640)

        heading = QLabel(
            f"<b>Lịch sử thay đổi</b> — {escape(agency.name)} ({escape(agency.code)}), kỳ đánh "
            f"giá năm {agency.year}. Mọi thay đổi đều ghi trong nhật ký, không sửa, không xóa "
            "được; giờ theo máy này.",
            self,
        )
        heading.setWordWrap(True)
        self.criterion = QComboBox(self)
        self.criterion.setObjectName("historyCriterion")
        self.criterion.addItem("Tất cả thay đổi", ALL)
        for code in criteria_of(lines):
            title = agency.criteria.get(code, "")
            text = f"{code} — {title}" if title else code
            self.criterion.addItem(text if len(text) <= 90 else text[:89] + "…", code)
            self.criterion.setItemData(
                self.criterion.count() - 1, text, Qt.ItemDataRole.ToolTipRole
            )
        self.criterion.setMinimumContentsLength(40)
        self.criterion.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        caption = QLabel("&Tiêu chí:", self)
        caption.setBuddy(self.criterion)
        self.count = QLabel(self)
        self.count.setObjectName("historyCount")

        self.model = HistoryModel(self)
        self.model.set_rows(lines)
        self.proxy = CriterionFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("historyTable")
        self.table.setModel(self.proxy)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_WHEN, Qt.SortOrder.DescendingOrder)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column, width in (
            (COL_WHEN, 118),
            (COL_WHO, 150),
            (COL_ACTION, 190),
            (COL_CRITERIA, 90),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(COL_WHAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_REASON, QHeaderView.ResizeMode.Stretch)

        self.detail = QTextBrowser(self)
        self.detail.setObjectName("historyDetail")
        self.detail.setMaximumHeight(120)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(caption)
        top.addWidget(self.criterion, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(buttons)

        self._fit = QTimer(self)
        self._fit.setSingleShot(True)
        self._fit.setInterval(0)
        self._fit.timeout.connect(self.table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._fit.start())
        self.criterion.currentIndexChanged.connect(self._filter)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        if criterion_code is not None:
            found = self.criterion.findData(criterion_code)
            self.criterion.setCurrentIndex(found if found >= 0 else 0)
        self._filter()
        self.table.setFocus()

    @classmethod
    def open_for(
        cls,
        agency: AgencyInRound,
        lines: list[HistoryLine],
        parent: QWidget | None,
        criterion_code: str | None = None,
    ) -> None:
        cls(agency, lines, parent, criterion_code).exec()

    def shown_lines(self) -> list[HistoryLine]:
        """The lines as the table shows them, top to bottom."""
        return [
            self.model.row(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
            for r in range(self.proxy.rowCount())
        ]

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit.start()  # rows fit their wrapped text once the columns have their widths

    def _filter(self) -> None:
        self.proxy.set_criterion(self.criterion.currentData() or ALL)
        self._fit.start()
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(
            f"{shown} thay đổi" if shown == total else f"{shown} trong {total} thay đổi"
        )
        if shown:
            self.table.selectRow(0)
        else:
            self.detail.setPlainText(EMPTY)

    def _show_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        line: HistoryLine = self.model.row(self.proxy.mapToSource(rows[0]).row())
        parts = [
            f"<b>{escape(line.when)}</b> — {escape(line.who)} — <b>{escape(line.label)}</b>"
            + (f" (tiêu chí {escape(', '.join(line.criteria))})" if line.criteria else "")
            + (f" — sự kiện số {line.sequence}" if line.sequence is not None else ""),
        ]
        if line.what:
            parts.append(f"Thay đổi: {escape(line.what)}")
        parts.append(f"Lý do: {escape(line.reason)}" if line.reason else "Lý do: (không ghi)")
        self.detail.setHtml("<br>".join(parts))


def show_history(
    ws: Workspace, parent: QWidget | None, agency_code: str, criterion_code: str | None = None
) -> None:
    """The history of ``agency_code`` in the workspace's round (one criterion chosen when
    given); a refusal message when there is no such round or agency."""
    if ws.year is None:
        show_refusal(parent, "Chưa chọn kỳ đánh giá.")
        return
    try:
        agency = agency_in_round(ws.db, ws.year, agency_code)
        lines = history_lines(ws.db, ws.year, agency_code)
    except ServiceError as exc:
        show_refusal(parent, str(exc))
        return
    HistoryDialog.open_for(agency, lines, parent, criterion_code)
