"""Table model of the receipt register, and the proxy that filters and sorts it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from ...domain.collation import fold_diacritics, vietnamese_key
from ...domain.dates import format_date
from ...domain.lateness import LatenessStatus
from ...services.receipts import RegisterLine
from ..filtering import filter_change
from ..status_style import background, foreground

Index = QModelIndex | QPersistentModelIndex

COL_GROUP, COL_AGENCY, COL_CHANNEL, COL_SENT, COL_RECEIVED, COL_NUMBER, COL_STATUS, COL_WHY = range(
    8
)
HEADERS = (
    "Nhóm",
    "Cơ quan, đơn vị",
    "Kênh gửi",
    "Ngày gửi",
    "Ngày nhận",
    "Số, ký hiệu",
    "Tình trạng",
    "Giải thích",
)
LINE_ROLE = Qt.ItemDataRole.UserRole + 1


class RegisterTableModel(QAbstractTableModel):
    """One row per agency of the round; the receipt shown is the one that counts."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[RegisterLine] = []

    def set_lines(self, lines: list[RegisterLine]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        self.endResetModel()

    def line(self, row: int) -> RegisterLine:
        return self._lines[row]

    def lines(self) -> list[RegisterLine]:
        return list(self._lines)

    def row_of(self, agency_code: str) -> int | None:
        for row, line in enumerate(self._lines):
            if line.agency_code == agency_code:
                return row
        return None

    def status_counts(self) -> Counter[LatenessStatus]:
        return Counter(line.decision.status for line in self._lines)

    def receipt_count(self) -> int:
        return sum(len(line.receipts) for line in self._lines)

    # -- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(HEADERS):
                return HEADERS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (COL_WHY, COL_STATUS):
                return line.decision.explanation
            if column == COL_AGENCY:
                return f"{line.agency_name} ({line.agency_code})"
            if column == COL_GROUP:
                return f"Nhóm {line.group}: {line.group_name}"
            return None
        if role == Qt.ItemDataRole.BackgroundRole and column == COL_STATUS:
            return background(line.decision.status)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_STATUS:
            return foreground(line.decision.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            COL_GROUP,
            COL_SENT,
            COL_RECEIVED,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == LINE_ROLE:
            return line
        return None

    @staticmethod
    def _display(line: RegisterLine, column: int) -> str:
        counted = line.counted
        if column == COL_GROUP:
            return str(line.group)
        if column == COL_AGENCY:
            return line.agency_name
        if column == COL_STATUS:
            return line.decision.status.label
        if column == COL_WHY:
            return line.decision.explanation
        if counted is None:
            return "—" if column in (COL_CHANNEL, COL_SENT) else ""
        if column == COL_CHANNEL:
            return counted.channel.label
        if column == COL_SENT:
            return format_date(counted.sent_date)
        if column == COL_RECEIVED:
            return format_date(counted.received_date) if counted.received_date else ""
        if column == COL_NUMBER:
            return counted.doc_number
        return ""

    def sort_key(self, row: int, column: int) -> tuple[Any, ...]:
        line = self._lines[row]
        name = (line.group, vietnamese_key(line.agency_name))
        counted = line.counted
        if column == COL_SENT:
            return (counted.sent_date.toordinal() if counted else 10**7, *name)
        if column == COL_RECEIVED:
            received = counted.received_date if counted else None
            return (received.toordinal() if received else 10**7, *name)
        if column == COL_STATUS:
            return (list(LatenessStatus).index(line.decision.status), *name)
        if column == COL_CHANNEL:
            return (counted.channel.label if counted else "~", *name)
        if column == COL_NUMBER:
            return (counted.doc_number if counted else "~", *name)
        if column == COL_AGENCY:
            return (vietnamese_key(line.agency_name),)
        return name


class RegisterFilterProxy(QSortFilterProxyModel):
    """Filter by group, status and a diacritic-insensitive search; sort in Vietnamese."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._group: int | None = None
        self._status: LatenessStatus | None = None
        self._query = ""

    def set_group(self, group: int | None) -> None:
        with filter_change(self):
            self._group = group

    def set_status(self, status: LatenessStatus | None) -> None:
        with filter_change(self):
            self._status = status

    def set_search(self, text: str) -> None:
        with filter_change(self):
            self._query = fold_diacritics(text)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, RegisterTableModel):
            return True
        line = model.line(source_row)
        if self._group is not None and line.group != self._group:
            return False
        if self._status is not None and line.decision.status is not self._status:
            return False
        if self._query:
            haystack = fold_diacritics(f"{line.agency_name} {line.agency_code}")
            return all(word in haystack for word in self._query.split())
        return True

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, RegisterTableModel):
            return super().lessThan(left, right)
        column = left.column()
        return model.sort_key(left.row(), column) < model.sort_key(right.row(), column)
