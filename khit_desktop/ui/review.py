"""Review mode (issue 10): what counts as an edit control, for the screens that hide them
and for the tests that walk a window's widget tree to prove none is shown.

A widget is an edit control when a user could change data through it while it is shown:
an enabled, writable text field, spin box, date field, editable combo box or check box, an
item view whose model offers an editable cell with edit triggers set, or a button or action
marked as an edit (``mark_edit``). Filters and search boxes change no data: mark them with
``mark_filter`` and they are left out. Navigation (lists, tabs, combo boxes choosing what to
look at) is not editing.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

EDIT_PROPERTY = "khitEdit"  # a button or an action that changes data
FILTER_PROPERTY = "khitFilter"  # a field that only filters or searches what is shown


def mark_edit(obj: QObject) -> QObject:
    """Mark a button or an action as changing data (hidden in review mode)."""
    obj.setProperty(EDIT_PROPERTY, True)
    return obj


def mark_filter(widget: QWidget) -> QWidget:
    """Mark a text field or check box as a filter: it changes what is shown, not data."""
    widget.setProperty(FILTER_PROPERTY, True)
    return widget


def _shown(widget: QWidget) -> bool:
    return widget.isVisibleTo(widget.window()) and widget.isEnabled()


def _view_editable(view: QAbstractItemView) -> bool:
    if view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers:
        return False
    model = view.model()
    if model is None:
        return False
    top = QModelIndex()
    try:
        columns = model.columnCount(top)
    except TypeError:  # QListWidget's model hides columnCount: one column
        columns = 1
    for row in range(min(model.rowCount(top), 500)):
        for column in range(columns):
            if model.flags(model.index(row, column, top)) & Qt.ItemFlag.ItemIsEditable:
                return True
    return False


def edit_controls(root: QWidget) -> Iterator[QObject]:
    """Every edit control under ``root`` that a user could reach now (shown and enabled),
    every enabled, visible action marked as an edit on the visible widgets and in the menus."""
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QMenu):  # a menu is hidden until opened: its items still count
            yield from (a for a in widget.actions() if _edit_action(a))
            continue
        if widget.property(FILTER_PROPERTY) or not _shown(widget):
            continue
        if isinstance(widget, QLineEdit) and not widget.isReadOnly():
            if not isinstance(widget.parent(), QComboBox | QAbstractSpinBox):
                yield widget
        elif isinstance(widget, QTextEdit | QPlainTextEdit) and not widget.isReadOnly():
            yield widget
        elif isinstance(widget, QAbstractSpinBox) and not widget.isReadOnly():
            yield widget
        elif isinstance(widget, QComboBox) and widget.isEditable():
            yield widget
        elif isinstance(widget, QCheckBox):
            yield widget
        elif isinstance(widget, QAbstractButton) and widget.property(EDIT_PROPERTY):
            yield widget
        elif isinstance(widget, QAbstractItemView) and _view_editable(widget):
            yield widget
        yield from (a for a in widget.actions() if _edit_action(a))


def _edit_action(action: QAction) -> bool:
    return bool(action.property(EDIT_PROPERTY)) and action.isEnabled() and action.isVisible()


def describe(obj: QObject) -> str:
    """For a test's failure message: class, object name, text."""
    text = ""
    if isinstance(obj, QAbstractButton | QAction):
        text = obj.text()
    elif isinstance(obj, QLineEdit):
        text = obj.placeholderText()
    return f"{type(obj).__name__}({obj.objectName()!r}, {text!r})"
