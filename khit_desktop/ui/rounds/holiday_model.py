"""The holidays of a round as a table model (Ngày nghỉ lễ, kept in date order)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt

from ...domain.dates import Holiday, format_date, weekday_name

_DISPLAY = Qt.ItemDataRole.DisplayRole
_ROOT = QModelIndex()


class HolidayTableModel(QAbstractTableModel):
    """Ngày nghỉ lễ of a round, kept in date order."""

    COL_DATE, COL_WEEKDAY, COL_NAME = range(3)
    HEADERS = ("Ngày", "Thứ", "Tên ngày nghỉ")

    def __init__(self, rows: Sequence[Holiday] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = sorted(rows, key=lambda h: h.day)

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY or not index.isValid() or index.row() >= len(self._rows):
            return None
        h = self._rows[index.row()]
        return (format_date(h.day), weekday_name(h.day), h.name)[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == _DISPLAY and horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def rows(self) -> tuple[Holiday, ...]:
        return tuple(self._rows)

    def add(self, holiday: Holiday) -> int:
        """Insert in date order; returns the new row."""
        row = sum(1 for h in self._rows if h.day < holiday.day)
        self.beginInsertRows(_ROOT, row, row)
        self._rows.insert(row, holiday)
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[row]
            self.endRemoveRows()
