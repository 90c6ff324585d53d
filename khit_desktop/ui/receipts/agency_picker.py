"""Choosing an agency by typing part of its name, with or without diacritics.

"so tai chinh" finds "Sở Tài chính" and "dong" finds "Đông": the query and the names are
folded (marks removed, đ → d) before matching. Up/Down move through the matches while the
cursor stays in the search field; printable keys and Backspace are never intercepted, so
Unikey/EVKey typing works as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListView, QVBoxLayout, QWidget

from ...domain.collation import fold_diacritics
from ..filtering import filter_change

Index = QModelIndex | QPersistentModelIndex
CODE_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class AgencyChoice:
    code: str
    name: str
    group: int

    @property
    def folded(self) -> str:
        return fold_diacritics(f"{self.name} {self.code}")


class AgencyListModel(QAbstractListModel):
    def __init__(self, choices: list[AgencyChoice], parent: Any = None) -> None:
        super().__init__(parent)
        self._choices = list(choices)

    def choice(self, row: int) -> AgencyChoice:
        return self._choices[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._choices)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._choices):
            return None
        choice = self._choices[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{choice.name}  ·  {choice.code}  ·  Nhóm {choice.group}"
        if role == CODE_ROLE:
            return choice.code
        return None


class FoldedFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        with filter_change(self):
            self._words = fold_diacritics(text).split()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not self._words or not isinstance(model, AgencyListModel):
            return True
        haystack = model.choice(source_row).folded
        return all(word in haystack for word in self._words)


class AgencyPicker(QWidget):
    """A search field above the list of matching agencies."""

    chosen = Signal(str)  # agency code

    def __init__(self, choices: list[AgencyChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("agencySearch")
        self.search.setPlaceholderText("Gõ tên hoặc mã cơ quan (không dấu cũng được)")
        self.search.setClearButtonEnabled(True)
        self.model = AgencyListModel(choices, self)
        self.proxy = FoldedFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.list = QListView(self)
        self.list.setObjectName("agencyList")
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setMinimumHeight(120)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Up/Down from the search field
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.setFocusProxy(self.search)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.list.clicked.connect(lambda _index: self._emit_current())
        self._selected: str | None = None
        self._select_row(0)

    @property
    def selected_code(self) -> str | None:
        return self._selected

    def select_code(self, code: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(CODE_ROLE) == code:
                self._select_row(row)
                return

    def _filter(self, text: str) -> None:
        self.proxy.set_query(text)
        self._select_row(0)

    def _select_row(self, row: int) -> None:
        if self.proxy.rowCount() == 0:
            self.list.setCurrentIndex(QModelIndex())
            self._set_selected(None)
            return
        row = max(0, min(row, self.proxy.rowCount() - 1))
        index = self.proxy.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        self._set_selected(index.data(CODE_ROLE))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._set_selected(current.data(CODE_ROLE) if current.isValid() else None)

    def _set_selected(self, code: str | None) -> None:
        if code != self._selected:
            self._selected = code
            self.chosen.emit(code or "")

    def _emit_current(self) -> None:
        index = self.list.currentIndex()
        self._set_selected(index.data(CODE_ROLE) if index.isValid() else None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Only the arrow keys are taken from the search field; typing is left alone.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            row = self.list.currentIndex().row()
            if event.key() == Qt.Key.Key_Down:
                self._select_row(row + 1)
                return True
            if event.key() == Qt.Key.Key_Up:
                self._select_row(row - 1)
                return True
        return super().eventFilter(watched, event)
