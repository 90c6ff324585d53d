"""The review table: a model over ``Review``, the combo that resolves a row, and a view where
Enter opens that combo instead of reaching the dialog's buttons."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ..filtering import filter_change
from .review import HEADER_KEY, Review, RowState, figures

Index = QModelIndex | QPersistentModelIndex
OPTIONS_ROLE = Qt.ItemDataRole.UserRole + 1  # [(label, key)] offered by the agency cell
STATE_ROLE = Qt.ItemDataRole.UserRole + 2  # RowState.name
PICK_LABEL = "— Chọn —"

COL_ROW, COL_NAME, COL_GROUP, COL_FIGURES, COL_RANK, COL_CLASS, COL_STATE, COL_AGENCY = range(8)
HEADERS = (
    "Dòng",
    "Tên đã công bố",
    "Nhóm",
    "Điểm / tối đa",
    "Hạng",
    "Xếp loại",
    "Khớp tên",
    "Cơ quan trong chương trình",
)
RIGHT = {COL_ROW, COL_FIGURES, COL_RANK}
CENTRE = {COL_GROUP, COL_STATE}

# (background, foreground): the status pairs used across the app (status_style)
STATE_COLOURS: dict[RowState, tuple[str, str]] = {
    RowState.EXACT: ("#C6EFCE", "#006100"),
    RowState.TOLERANT: ("#FFEB9C", "#9C5700"),
    RowState.CHOSEN: ("#DDEBF7", "#1F3864"),
    RowState.CREATE: ("#DDEBF7", "#1F3864"),
    RowState.SKIP: ("#EDEDED", "#404040"),
    RowState.UNRESOLVED: ("#FFC7CE", "#9C0006"),
    RowState.DUPLICATE: ("#FFC7CE", "#9C0006"),
}


class ReviewModel(QAbstractTableModel):
    """One line per published row; the last column is editable (the reviewer's choice)."""

    changed = Signal()  # a choice changed: counters and buttons follow

    def __init__(self, review: Review, year: int, parent: Any = None) -> None:
        super().__init__(parent)
        self.review, self.year = review, year
        self._clashes = review.duplicates()

    def set_year(self, year: int) -> None:
        """The year names the "Tạo cơ quan mới (chỉ năm …)" choice."""
        self.year = year
        if self.review.rows:
            last = len(self.review.rows) - 1
            self.dataChanged.emit(self.index(0, COL_AGENCY), self.index(last, COL_AGENCY))

    def create_all_unknown(self) -> int:
        done = self.review.create_all_unknown()
        if done:
            self._refresh()
        return done

    def _refresh(self) -> None:
        self._clashes = self.review.duplicates()
        if self.review.rows:
            last = len(self.review.rows) - 1
            self.dataChanged.emit(self.index(0, COL_STATE), self.index(last, COL_AGENCY))
        self.changed.emit()

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.review.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return section + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == COL_AGENCY else base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.review.rows):
            return None
        number, column = index.row(), index.column()
        row = self.review.rows[number]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(number, column)
        if role == Qt.ItemDataRole.EditRole:
            return row.key() if column == COL_AGENCY else self._display(number, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (COL_STATE, COL_AGENCY):
                return self.review.explain(number, self._clashes)
            return row.published.name if column == COL_NAME else None
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            if column not in (COL_STATE, COL_AGENCY):
                return None
            state = self.review.state(number, self._clashes)
            if column == COL_AGENCY and state in (RowState.EXACT, RowState.CHOSEN):
                return None  # plain text for the ordinary case; colour where it matters
            pair = STATE_COLOURS[state]
            return QColor(pair[0] if role == Qt.ItemDataRole.BackgroundRole else pair[1])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in RIGHT:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column in CENTRE:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == OPTIONS_ROLE and column == COL_AGENCY:
            return self.review.options(number, self.year)
        if role == STATE_ROLE:
            return self.review.state(number, self._clashes).name
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or index.column() != COL_AGENCY
            or not isinstance(value, str)
        ):
            return False
        if value == self.review.rows[index.row()].key():
            return True
        if not self.review.choose(index.row(), value):
            return False
        self._refresh()
        return True

    def _display(self, number: int, column: int) -> str:
        row = self.review.rows[number]
        published = row.published
        if column == COL_ROW:
            return str(row.row)
        if column == COL_NAME:
            return published.name
        if column == COL_GROUP:
            return str(published.group)
        if column == COL_FIGURES:
            return figures(published)
        if column == COL_RANK:
            return str(published.rank) if published.rank is not None else "—"
        if column == COL_CLASS:
            return published.classification.value if published.classification else "—"
        if column == COL_STATE:
            return self.review.state(number, self._clashes).value
        if column == COL_AGENCY:
            return self.review.target_text(number, self.year)
        return ""


class AttentionProxy(QSortFilterProxyModel):
    """All rows, or only those worth a look (anything but an exact name, and any row that
    still blocks the import)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.only_attention = False

    def set_only_attention(self, on: bool) -> None:
        with filter_change(self):
            self.only_attention = on

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.only_attention:
            return True
        model = self.sourceModel()
        if not isinstance(model, ReviewModel):
            return True
        state = model.index(source_row, COL_STATE, source_parent).data(STATE_ROLE)
        return model.review.rows[source_row].attention or RowState[state].blocks


class ChoiceDelegate(QStyledItemDelegate):
    """A combo over the agency cell's options; each pick is written at once (the counter
    follows), and Enter, Tab or leaving the cell closes it."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName("historyChoice")
        combo.setMaxVisibleItems(16)
        for label, key in index.data(OPTIONS_ROLE) or []:
            combo.addItem(label, key)
            if key == HEADER_KEY:
                item_model = combo.model()
                assert isinstance(item_model, QStandardItemModel)
                item = item_model.item(combo.count() - 1)
                item.setEnabled(False)
                item.setSelectable(False)
        combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        key = index.data(Qt.ItemDataRole.EditRole)
        if key == HEADER_KEY:
            # unresolved: a suggestion is never taken by itself, so Enter alone picks nothing
            if editor.itemData(0) != HEADER_KEY:
                editor.insertItem(0, PICK_LABEL, HEADER_KEY)
            editor.setCurrentIndex(0)
            return
        editor.setCurrentIndex(max(editor.findData(key), 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        key = editor.currentData()
        if isinstance(key, str) and key != HEADER_KEY:
            model.setData(index, key, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        editor.setGeometry(option.rect)


class ReviewView(QTableView):
    """The review table. Enter (or F2, or a double click) opens the row's combo; Tab leaves
    the table, so that the dialog's fields stay one Tab apart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyReview")
        self.setItemDelegateForColumn(COL_AGENCY, ChoiceDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.setTabKeyNavigation(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(26)

    def configure_columns(self) -> None:
        """Widths once a model is set: the two names share the spare room."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        for column, width in (
            (COL_ROW, 52),
            (COL_GROUP, 56),
            (COL_FIGURES, 150),
            (COL_RANK, 56),
            (COL_CLASS, 96),
            (COL_STATE, 116),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        for column in (COL_NAME, COL_AGENCY):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    def edit_choice(self, proxy_row: int) -> bool:
        """Open the combo of the given row (as Enter does)."""
        model = self.model()
        if model is None or not 0 <= proxy_row < model.rowCount():
            return False
        index = model.index(proxy_row, COL_AGENCY)
        self.setCurrentIndex(index)
        self.edit(index)
        return self.state() == QAbstractItemView.State.EditingState

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
            and self.currentIndex().isValid()
        ):
            self.edit_choice(self.currentIndex().row())
            event.accept()  # never reaches the dialog's buttons
            return
        super().keyPressEvent(event)
