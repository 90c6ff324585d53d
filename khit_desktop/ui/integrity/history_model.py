"""The history table: one row per audited change (``services.audit_history.HistoryLine``),
newest first, filtered by criterion."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from ...services.audit_history import HistoryLine
from ..filtering import filter_change
from ..surveys.table_base import KeyedSortProxy, RowTableModel

COL_WHEN, COL_WHO, COL_ACTION, COL_CRITERIA, COL_WHAT, COL_REASON = range(6)
ALL = ""  # the filter value that shows every change


class HistoryModel(RowTableModel):
    HEADERS = ("Thời gian", "Người thực hiện", "Việc", "Tiêu chí", "Thay đổi", "Lý do")
    CENTRE = frozenset({COL_WHEN, COL_CRITERIA})

    def display(self, item: HistoryLine, column: int) -> str:
        if column == COL_WHEN:
            return item.when
        if column == COL_WHO:
            return item.who
        if column == COL_ACTION:
            return item.label
        if column == COL_CRITERIA:
            return ", ".join(item.criteria)
        if column == COL_WHAT:
            return item.what
        return item.reason

    def tooltip(self, item: HistoryLine, column: int) -> str | None:
        if column == COL_WHEN and item.sequence is not None:
            return f"Sự kiện số {item.sequence} của nhật ký ({item.at:%d/%m/%Y %H:%M:%S})"
        return super().tooltip(item, column)

    def sort_key(self, row: int, column: int) -> Any:
        item: HistoryLine = self.row(row)
        if column == COL_WHEN:
            return (item.at, item.sequence or 0)
        return super().sort_key(row, column)


class CriterionFilter(KeyedSortProxy):
    """Keeps the changes about one criterion (all when the criterion is ``ALL``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._criterion = ALL

    def set_criterion(self, code: str) -> None:
        with filter_change(self):
            self._criterion = code

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._criterion:
            return True
        model = self.sourceModel()
        if not isinstance(model, HistoryModel):
            return True
        return self._criterion in model.row(source_row).criteria
