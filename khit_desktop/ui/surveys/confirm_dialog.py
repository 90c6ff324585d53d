"""Asking once before a change that has its reason already (no reason field needed)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


class ConfirmDialog(QDialog):
    """A message and a confirming verb (focused: Enter confirms); Esc or Hủy cancels."""

    def __init__(self, title: str, message: str, verb: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.message = QLabel(message, self)
        self.message.setObjectName("confirmMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.confirm = self.buttons.addButton(verb, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("confirm")
        self.cancel = self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.confirm.setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, message: str, verb: str) -> bool:
        """True when the clerk confirms (tests patch this)."""
        return cls(title, message, verb, parent).exec() == QDialog.DialogCode.Accepted
