"""The list of agencies on the left of the scoring screen, with their progress."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...services.score_grid import AgencyProgress

Index = QModelIndex | QPersistentModelIndex
CODE_ROLE = Qt.ItemDataRole.UserRole + 1
COLOURS = {"none": "#EDEDED", "imported": "#DDEBF7", "appraising": "#FFEB9C", "done": "#C6EFCE"}


class ProgressListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[AgencyProgress] = []

    def set_items(self, items: list[AgencyProgress]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> AgencyProgress:
        return self._items[row]

    def row_of(self, code: str) -> int | None:
        return next((i for i, p in enumerate(self._items) if p.agency_code == code), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.agency_name}\n   Nhóm {item.group} · {item.label}"
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(COLOURS[item.state])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.agency_name} ({item.agency_code}): {item.label}"
        if role == CODE_ROLE:
            return item.agency_code
        return None
