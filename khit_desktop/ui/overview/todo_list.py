"""Việc cần làm: the open items grouped by kind (with their count), each item a link that
opens the screen and row that settle it. A kind with many items is filled only when opened,
so a round of 2,000 agencies costs no more to show than the demo."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from ...services.overview_model import Screen, TodoItem
from ...services.overview_todo import ITEM_KINDS

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the TodoItem of a row (None on a kind's row)
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
OPEN_UP_TO = 3  # kinds with this many items or fewer are shown opened
LINK = QColor("#0B5CAD")
SCREEN_NAMES = {
    Screen.RECEIPTS.value: "Tiếp nhận",
    Screen.SCORING.value: "Chấm điểm",
    Screen.SURVEYS.value: "Khảo sát",
    Screen.RANKING.value: "Xếp hạng",
    Screen.ROUND.value: "Kỳ đánh giá → Quyết định công bố kết quả…",
}


def kind_heading(kind: str) -> str:
    return ITEM_KINDS[kind][0] if kind in ITEM_KINDS else kind


class WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped to the list's width: a name is never cut."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        depth = 1 if index.parent().isValid() else 0
        width = self.tree.viewport().width() - self.tree.indentation() * (depth + 1) - 8
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        font = index.data(Qt.ItemDataRole.FontRole)
        metrics = QFontMetrics(font if isinstance(font, QFont) else option.font)
        flags = int(Qt.TextFlag.TextWordWrap)
        box = metrics.boundingRect(QRect(0, 0, max(width, 60), 10_000), flags, text)
        return QSize(max(width, 60), box.height() + 4)


class TodoTree(QTreeWidget):
    """The to-do list; ``item_chosen`` when an item is clicked or Enter is pressed on it."""

    item_chosen = Signal(object)  # TodoItem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todo")
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setUniformRowHeights(False)
        self.setExpandsOnDoubleClick(False)
        self.setItemDelegate(WrappingDelegate(self))
        self.setIndentation(14)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self._pending: dict[str, list[TodoItem]] = {}  # kind → items not yet made rows
        self._items: tuple[TodoItem, ...] = ()
        self._bold = QFont()
        self._bold.setBold(True)
        self.itemExpanded.connect(self._fill_kind)
        self.itemClicked.connect(self._clicked)
        self.itemEntered.connect(self._hover)

    def set_items(self, items: Sequence[TodoItem]) -> None:
        """Show these items; the same items as shown are left as they are (with the kinds the
        user opened)."""
        items = tuple(items)
        if items == self._items and self.topLevelItemCount():
            return
        self._items = items
        self.clear()
        self._pending = {}
        by_kind: dict[str, list[TodoItem]] = {}
        for item in items:
            by_kind.setdefault(item.kind, []).append(item)
        order = [k for k in ITEM_KINDS if k in by_kind] + [
            k for k in by_kind if k not in ITEM_KINDS
        ]
        for kind in order:
            mine = by_kind[kind]
            head = QTreeWidgetItem(self, [f"{kind_heading(kind)} ({len(mine)})"])
            head.setData(0, KIND_ROLE, kind)
            head.setFont(0, self._bold)
            screen = SCREEN_NAMES.get(mine[0].screen, mine[0].screen)
            head.setToolTip(
                0, f"{len(mine)} việc; bấm vào từng việc để mở màn hình {screen} đúng dòng."
            )
            head.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self._pending[kind] = mine
            if len(mine) <= OPEN_UP_TO:
                head.setExpanded(True)  # fills it through itemExpanded

    def _fill_kind(self, head: QTreeWidgetItem) -> None:
        kind = head.data(0, KIND_ROLE)
        items = self._pending.pop(kind, None) if kind is not None else None
        if not items:
            return
        link = QBrush(LINK)
        screen = SCREEN_NAMES.get(items[0].screen, items[0].screen)
        for todo in items:
            row = QTreeWidgetItem(head, [todo.text])
            row.setData(0, ITEM_ROLE, todo)
            row.setForeground(0, link)
            row.setToolTip(0, f"{todo.text}\nBấm (hoặc Enter) để mở màn hình {screen}.")

    def expand_all_kinds(self) -> None:
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            if item is not None:
                item.setExpanded(True)

    def todo_of(self, item: QTreeWidgetItem | None) -> TodoItem | None:
        value = item.data(0, ITEM_ROLE) if item is not None else None
        return value if isinstance(value, TodoItem) else None

    def item_rows(self) -> list[QTreeWidgetItem]:
        """The rows made so far that carry a TodoItem (opened kinds)."""
        rows: list[QTreeWidgetItem] = []
        for index in range(self.topLevelItemCount()):
            head = self.topLevelItem(index)
            if head is not None:
                rows.extend(head.child(i) for i in range(head.childCount()))
        return rows

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        todo = self.todo_of(item)
        if todo is not None:
            self.item_chosen.emit(todo)
        elif item.data(0, KIND_ROLE) is not None:
            item.setExpanded(not item.isExpanded())

    def _hover(self, item: QTreeWidgetItem, _column: int) -> None:
        cursor = (
            Qt.CursorShape.PointingHandCursor if self.todo_of(item) else Qt.CursorShape.ArrowCursor
        )
        self.viewport().setCursor(cursor)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()  # the rows' heights follow the new width

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            todo = self.todo_of(item)
            if todo is not None:
                self.item_chosen.emit(todo)
                return
            if item is not None:
                item.setExpanded(not item.isExpanded())
                return
        super().keyPressEvent(event)
