"""Asking once, with a reason, before a change the audit must explain."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain.collation import nfc


class ReasonDialog(QDialog):
    """A message, a reason field (required), and a confirming verb."""

    def __init__(
        self,
        title: str,
        message: str,
        confirm: str,
        parent: QWidget | None = None,
        initial: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.message = QLabel(message, self)
        self.message.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Lý do (bắt buộc, được lưu vào nhật ký thay đổi)")
        self.reason.setPlainText(initial)
        self.reason.setFixedHeight(80)
        self.buttons = QDialogButtonBox(self)
        self.confirm = self.buttons.addButton(confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("confirm")
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("Lý do:", self))
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._update)
        self._update()
        self.reason.setFocus()

    @property
    def text(self) -> str:
        return nfc(self.reason.toPlainText()).strip()

    def _update(self) -> None:
        self.confirm.setEnabled(bool(self.text))

    @classmethod
    def ask(
        cls, parent: QWidget | None, title: str, message: str, confirm: str, initial: str = ""
    ) -> str | None:
        """The reason typed, or None when the user cancels."""
        dialog = cls(title, message, confirm, parent, initial)
        return dialog.text if dialog.exec() == QDialog.DialogCode.Accepted else None
