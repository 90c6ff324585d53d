"""A table model over plain row objects, and a proxy that sorts by the model's own keys."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from ...domain.collation import vietnamese_key

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

# (background, foreground): the pairs of status_style, so every screen speaks one colour code
AMBER = ("#FFEB9C", "#9C5700")
GREEN = ("#C6EFCE", "#006100")
GREY = ("#EDEDED", "#404040")
BLUE = ("#DDEBF7", "#1F3864")


def chip_css(colours: tuple[str, str]) -> str:
    return f"background:{colours[0]}; color:{colours[1]}; border-radius:3px; padding:2px 6px;"


class RowTableModel(QAbstractTableModel):
    """Subclasses give HEADERS and ``display``; tooltips, colours and sort keys are optional."""

    HEADERS: tuple[str, ...] = ()
    RIGHT: frozenset[int] = frozenset()  # numbers
    CENTRE: frozenset[int] = frozenset()  # dates, codes

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, row: int) -> Any:
        return self._rows[row]

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_where(self, **values: Any) -> int | None:
        """The first row whose attributes equal ``values`` (e.g. ``id=3``)."""
        for number, item in enumerate(self._rows):
            if all(getattr(item, k) == v for k, v in values.items()):
                return number
        return None

    # -- what subclasses say -------------------------------------------------------------

    def display(self, item: Any, column: int) -> str:
        """The cell's text; every model built on this base defines it."""
        raise TypeError(f"{type(self).__name__} must define display()")

    def tooltip(self, item: Any, column: int) -> str | None:
        text = self.display(item, column)
        return text if len(text) > 30 else None  # long text may be cut: show it whole

    def colours(self, item: Any, column: int) -> tuple[str, str] | None:
        return None

    def sort_key(self, row: int, column: int) -> Any:
        return vietnamese_key(self.display(self._rows[row], column))

    # -- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return section + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item, column)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            pair = self.colours(item, column)
            if pair is None:
                return None
            return QColor(pair[0] if role == Qt.ItemDataRole.BackgroundRole else pair[1])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in self.RIGHT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column in self.CENTRE:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == ROW_ROLE:
            return item
        return None


class KeyedSortProxy(QSortFilterProxyModel):
    """Sorts by ``RowTableModel.sort_key``: dates as dates, names in Vietnamese order."""

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, RowTableModel):
            return super().lessThan(left, right)
        column = left.column()
        return bool(model.sort_key(left.row(), column) < model.sort_key(right.row(), column))
