"""Progress with cancel for work done file by file on the window's thread.

Each step is short (one file, one transaction), so the loop runs on the main thread and lets
Qt process events between steps: the window stays responsive, Cancel is honoured before the
next file, and no database session ever crosses threads. The dialog appears only after
~600 ms, so quick jobs do not flash a window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget


class FileProgress:
    """A callable for services: ``progress(done, total, file) -> keep going?``."""

    def __init__(self, parent: QWidget | None, title: str) -> None:
        self.dialog = QProgressDialog(title, "Hủy", 0, 100, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(600)
        self.dialog.setAutoClose(True)
        self.cancelled = False

    def __call__(self, done: int, total: int, file: Path) -> bool:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(done)
        if done < total:
            self.dialog.setLabelText(f"Đang nhập tệp {done + 1}/{total}: {file.name}")
        QApplication.processEvents()
        self.cancelled = self.cancelled or self.dialog.wasCanceled()
        return not self.cancelled

    def close(self) -> None:
        self.dialog.reset()
        self.dialog.close()
