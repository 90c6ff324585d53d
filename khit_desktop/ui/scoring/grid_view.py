"""The grid's view: Enter and Tab move to the next editable cell, typing replaces, Esc cancels."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QTableView, QWidget

from .grid_model import COL_APPRAISED, COL_REASON

EndEditHint = QAbstractItemDelegate.EndEditHint


class ScoreGridView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)

    def next_editable(self, index: QModelIndex, backwards: bool = False) -> QModelIndex:
        """The next cell a clerk can type into, in reading order."""
        model = self.model()
        if model is None:
            return QModelIndex()
        columns = (COL_APPRAISED, COL_REASON)
        cells = [
            (r, c)
            for r in range(model.rowCount())
            for c in columns
            if model.flags(model.index(r, c)) & Qt.ItemFlag.ItemIsEditable
        ]
        if not cells:
            return QModelIndex()
        here = (index.row(), index.column()) if index.isValid() else (-1, -1)
        ordered = cells[::-1] if backwards else cells
        for cell in ordered:
            if (cell > here) if not backwards else (cell < here):
                return model.index(*cell)
        return model.index(*ordered[0])

    def first_editable(self) -> QModelIndex:
        return self.next_editable(QModelIndex())

    def closeEditor(self, editor: QWidget, hint: EndEditHint) -> None:
        moving = hint in (
            EndEditHint.EditNextItem,
            EndEditHint.SubmitModelCache,
            EndEditHint.EditPreviousItem,
        )
        super().closeEditor(editor, EndEditHint.NoHint)
        if moving:
            target = self.next_editable(
                self.currentIndex(), backwards=hint is EndEditHint.EditPreviousItem
            )
            if target.isValid():
                self.setCurrentIndex(target)

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        # Tab/Backtab outside an editor also jump between editable cells only.
        if action == QAbstractItemView.CursorAction.MoveNext:
            return self.next_editable(self.currentIndex())
        if action == QAbstractItemView.CursorAction.MovePrevious:
            return self.next_editable(self.currentIndex(), backwards=True)
        return super().moveCursor(action, modifiers)
