"""What the survey and council dialogs share: errors next to fields, the refusal of a
service shown in the dialog (nothing typed is lost), Enter or Ctrl+Enter to save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...services.errors import InputRefused
from .form_checks import Checked

ERROR_CSS = "color:#b00020;"


def error_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setStyleSheet(ERROR_CSS)
    label.setWordWrap(True)
    label.hide()
    return label


def line_edit(parent: QWidget, name: str, placeholder: str = "", text: str = "") -> QLineEdit:
    edit = QLineEdit(text, parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def date_edit(parent: QWidget, name: str, text: str = "") -> QLineEdit:
    edit = line_edit(parent, name, "dd/MM/yyyy", text)
    edit.setMaxLength(10)
    edit.setMaximumWidth(130)
    return edit


def points_edit(parent: QWidget, name: str, text: str = "") -> QLineEdit:
    edit = line_edit(parent, name, "ví dụ 12,5", text)
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    edit.setMaximumWidth(110)
    return edit


def text_box(parent: QWidget, name: str, placeholder: str = "", lines: int = 3) -> QPlainTextEdit:
    """Several lines of text; Tab leaves the box (keyboard-only use), Enter starts a line."""
    box = QPlainTextEdit(parent)
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def stacked(parent: QWidget, field: QWidget, *below: QWidget) -> QWidget:
    """A field with its notes and error label under it, as one row of a form layout.

    (A word-wrapped label given a row of its own in a QFormLayout gets the height of its size
    hint, not of its width, and leaves gaps; stacked in a box it gets its real height.)"""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    for widget in below:
        layout.addWidget(widget)
    grows = (
        field.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Expanding
        and field.maximumHeight() > field.minimumHeight()  # a fixed-height text box does not
    )
    box.setSizePolicy(  # spare height goes to lists and text, never between a field and its note
        QSizePolicy.Policy.Preferred,
        QSizePolicy.Policy.Expanding if grows else QSizePolicy.Policy.Maximum,
    )
    return box


class FormDialog(QDialog):
    """Subclasses build their fields, register each with ``field()`` and give ``check()``.

    Errors appear next to a field once it has been typed into, and next to every field after
    the first attempt to save; the verb button stays enabled so that pressing it says what is
    missing instead of doing nothing. A refusal by the service is shown above the buttons and
    the dialog stays open with everything typed.
    """

    def __init__(
        self,
        title: str,
        verb: str,
        save: Callable[[Any], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        self.saved = False
        self._attempted = False
        self._touched: set[str] = set()
        self._fields: dict[str, tuple[QLabel, QWidget]] = {}
        self.body = QVBoxLayout(self)
        self.refusal = error_label(self, "refusal")
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(verb, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setToolTip(f"{verb} (Enter trong ô một dòng, hoặc Ctrl+Enter)")
        self.cancel_button = self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.submit)

    def finish_layout(self) -> None:
        self.body.addStretch(0)  # spare height below the fields, unless a list takes it
        self.body.addWidget(self.refusal)
        self.body.addWidget(self.buttons)

    def field(self, key: str, widget: QWidget, name: str) -> QLabel:
        """Register ``widget`` as field ``key``; returns its error label (to place below it)."""
        label = error_label(self, name)
        self._fields[key] = (label, widget)
        return label

    def touched(self, key: str) -> Callable[..., None]:
        """A slot for the field's change signal: show its errors from now on."""

        def mark(*_args: object) -> None:
            self._touched.add(key)
            self.refresh()

        return mark

    def check(self) -> Checked[Any]:
        """What the fields mean; every dialog built on this base defines it."""
        raise TypeError(f"{type(self).__name__} must define check()")

    def refresh(self) -> Checked[Any]:
        state = self.check()
        for key, (label, _widget) in self._fields.items():
            shown = self._attempted or key in self._touched
            message = state.errors.get(key, "") if shown else ""
            label.setText(message)
            label.setVisible(bool(message))
        self.refusal.hide()
        return state

    def submit(self) -> None:
        self._attempted = True
        state = self.refresh()
        if not state.valid:
            for key, (_label, widget) in self._fields.items():
                if key in state.errors:
                    widget.setFocus()
                    break
            return
        try:
            self._save(state.data)
        except InputRefused as refused:
            self.refusal.setText(str(refused))
            self.refusal.show()
            return
        self.saved = True
        self.accept()

    @classmethod
    def run(cls, *args: Any, **kwargs: Any) -> bool:
        """Show the dialog modally; True when something was saved (tests patch ``exec``)."""
        dialog = cls(*args, **kwargs)
        dialog.exec()
        return dialog.saved
