"""Telling the user something went wrong: one sentence of what, one of what to do, and the
technical detail behind "Chi tiết"."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


def show_refusal(parent: QWidget | None, message: str, title: str = "Không thực hiện được") -> None:
    """A service refused the input: its message already says what and what to do."""
    log.info("Từ chối (%s): %s", title, message)
    QMessageBox.warning(parent, title, message)


def show_error(parent: QWidget | None, message: str, detail: str = "") -> None:
    """An unexpected problem: a short Vietnamese message, the detail on demand."""
    log.warning("Lỗi: %s\n%s", message, detail)
    box = QMessageBox(
        QMessageBox.Icon.Critical, "Lỗi", message, QMessageBox.StandardButton.Ok, parent
    )
    if detail:
        box.setDetailedText(detail)
        for button in box.buttons():
            if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole:
                button.setText("Chi tiết…")
    box.exec()
