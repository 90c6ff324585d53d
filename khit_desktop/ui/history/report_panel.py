"""Step 2 of the import: what was written, and every row whose recomputed rank or class
differs from what the province published."""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import format_date
from ...services.history import Difference, HistoryReport

Index = QModelIndex | QPersistentModelIndex
DIFF_HEADERS = (
    "Dòng",
    "Cơ quan",
    "Nhóm",
    "Điểm / tối đa",
    "Hạng đã công bố",
    "Hạng tính lại",
    "Xếp loại đã công bố",
    "Xếp loại tính lại",
)
D_ROW, D_AGENCY, D_GROUP, D_FIGURES, D_RANK, D_RANK_AGAIN, D_CLASS, D_CLASS_AGAIN = range(8)
DIFFERS = ("#FFEB9C", "#9C5700")  # amber: "look here", as elsewhere in the app


def report_lines(report: HistoryReport) -> list[str]:
    """The report's counts, as sentences."""
    what = (
        f"Đã tạo kỳ đánh giá năm {report.year} (kết quả đã công bố, đã chốt)."
        if report.round_created
        else f"Đã thay toàn bộ kết quả trước đó của năm {report.year}."
        if report.replaced
        else f"Đã ghi vào kỳ đánh giá năm {report.year}."
    )
    lines = [
        f"Đã nhập {report.imported} dòng từ tệp “{report.file_name}”. {what}",
        f"Trùng tên: {report.exact} · gần đúng: {report.tolerant} · chọn khi xem lại: "
        f"{report.chosen} · tạo cơ quan mới: {len(report.created)} · bỏ qua: "
        f"{len(report.skipped)}"
        + (f" (dòng {', '.join(map(str, report.skipped))})" if report.skipped else "")
        + ".",
    ]
    if report.created:
        names = "; ".join(f"{a.name} (mã {a.code})" for a in report.created)
        lines.append(f"Cơ quan mới, ngưng hoạt động, chỉ có trong năm {report.year}: {names}.")
    lines.append(
        f"Xem bảng xếp hạng tính lại: chọn năm {report.year} ở đầu cửa sổ, màn hình Xếp hạng."
    )
    if report.differences:
        lines.append(
            f"{len(report.differences)} dòng có hạng hoặc xếp loại tính lại khác kết quả đã "
            "công bố (ô tô vàng):"
        )
    else:
        lines.append("Hạng và xếp loại tính lại đều khớp kết quả đã công bố.")
    return lines


def differences_text(report: HistoryReport, today: date) -> str:
    """The differences as a UTF-8 text file: a heading, then one line per row."""
    head = [
        f"Chênh lệch giữa kết quả đã công bố và kết quả tính lại — năm {report.year}",
        f"Tệp: {report.file_name} · lưu ngày {format_date(today)}",
        "",
    ]
    body = [d.describe() for d in report.differences] or ["Không có chênh lệch."]
    return "\n".join(head + body) + "\n"


def ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    """Where to save the differences (tests patch this)."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Lưu danh sách chênh lệch", suggested, "Văn bản (*.txt)"
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".txt" else path.with_name(path.name + ".txt")


class DifferencesModel(QAbstractTableModel):
    """One line per difference; the cells that differ are amber."""

    def __init__(self, rows: list[Difference], parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(rows)

    def rows(self) -> list[Difference]:
        return list(self._rows)

    def set_rows(self, rows: list[Difference]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DIFF_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return DIFF_HEADERS[section] if 0 <= section < len(DIFF_HEADERS) else None
        return section + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        diff, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(diff, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return diff.describe()
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            differs = (column in (D_RANK, D_RANK_AGAIN) and diff.rank_differs) or (
                column in (D_CLASS, D_CLASS_AGAIN) and diff.class_differs
            )
            if not differs:
                return None
            return QColor(DIFFERS[0] if role == Qt.ItemDataRole.BackgroundRole else DIFFERS[1])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (D_ROW, D_FIGURES):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column in (D_GROUP, D_RANK, D_RANK_AGAIN, D_CLASS, D_CLASS_AGAIN):
                return int(Qt.AlignmentFlag.AlignCenter)
        return None

    @staticmethod
    def _display(diff: Difference, column: int) -> str:
        if column == D_ROW:
            return str(diff.row)
        if column == D_AGENCY:
            return f"{diff.agency_name} ({diff.agency_code})"
        if column == D_GROUP:
            return str(diff.group)
        if column == D_FIGURES:
            return f"{diff.total} / {diff.max_points}"
        if column == D_RANK:
            return str(diff.published_rank) if diff.published_rank is not None else "—"
        if column == D_RANK_AGAIN:
            return str(diff.recomputed_rank) if diff.recomputed_rank is not None else "không xếp"
        if column == D_CLASS:
            return diff.published_class.value if diff.published_class else "—"
        if column == D_CLASS_AGAIN:
            return diff.recomputed_class.value
        return ""


class ReportPanel(QWidget):
    """The report of one import: sentences, then the differences table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setObjectName("historyReport")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title = QLabel(self)
        self.title.setObjectName("historyDifferencesTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        self.model = DifferencesModel([], self)
        self.table = QTableView(self)
        self.table.setObjectName("historyDifferences")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column, width in (
            (D_ROW, 52),
            (D_GROUP, 56),
            (D_FIGURES, 150),
            (D_RANK, 120),
            (D_RANK_AGAIN, 110),
            (D_CLASS, 150),
            (D_CLASS_AGAIN, 130),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setSectionResizeMode(D_AGENCY, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        self.filler = QWidget(self)  # keeps the buttons down when there is no table
        layout.addWidget(self.filler, 1)

    def show_report(self, report: HistoryReport) -> None:
        *lines, last = report_lines(report)
        self.summary.setText(
            "".join(f"<p style='margin: 0 0 6px 0'>{escape(line)}</p>" for line in lines)
        )
        self.title.setText(last)
        self.filler.setVisible(not report.differences)
        self.model.set_rows(list(report.differences))
        self.table.setVisible(bool(report.differences))
