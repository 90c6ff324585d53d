"""Showing a refusal of the services: their sentence, and each problem (cell, row) on a line
of its own rather than a wall of text."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

ERROR_STYLE = "color: #9C0006; font-weight: bold;"


def headline(message: str, problems: Sequence[str]) -> str:
    """The message without the bullet lines that repeat ``problems`` (the list shows them)."""
    if not problems:
        return message
    kept = [line for line in message.splitlines() if not line.startswith("- ")]
    return " ".join(kept)


class ProblemList(QWidget):
    """A red sentence and, when there are any, the problems one per line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel(self)
        self.message.setObjectName("historyError")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.list = QListWidget(self)
        self.list.setObjectName("historyProblems")
        self.list.setMaximumHeight(130)
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.list)
        self.show_problems("")

    def show_problems(self, message: str, problems: Sequence[str] = ()) -> None:
        self.message.setText(headline(message, problems))
        self.list.clear()
        self.list.addItems(list(problems))
        self.list.setVisible(bool(problems))
        self.setVisible(bool(message))

    def problems(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


class RefusedFileDialog(QDialog):
    """A file the reader refused: nothing was imported; each bad cell on its line."""

    def __init__(
        self, message: str, problems: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Không nhập được tệp kết quả")
        self.setMinimumWidth(640)
        self.problems = ProblemList(self)
        self.problems.list.setMaximumHeight(320)
        self.problems.show_problems(message, problems)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("Đóng")
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)

    @classmethod
    def explain(cls, message: str, problems: Sequence[str], parent: QWidget | None = None) -> None:
        """Show the refusal and wait (tests patch this)."""
        cls(message, problems, parent).exec()
