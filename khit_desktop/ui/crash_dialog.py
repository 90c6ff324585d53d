"""The window's side of ``crash``: a short Vietnamese message box for an unexpected error,
with the log's location and the traceback under "Chi tiết…". The program keeps running.

Errors from other threads are passed to the main thread (a queued signal) before anything is
shown; an error raised while its own message is open (a broken paint event) is only logged,
and the same error is shown at most ``MAX_SHOWN_PER_ERROR`` times, so a loop cannot bury the
user in boxes.
"""

from __future__ import annotations

import logging
from collections import Counter

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from .. import crash
from ..crash import Crash

MAX_SHOWN_PER_ERROR = 3
TITLE = "KHIT Desktop — lỗi không mong đợi"
HEADLINE = "Chương trình gặp lỗi không mong đợi; việc vừa làm có thể chưa xong."

log = logging.getLogger(__name__)


def crash_text(item: Crash) -> str:
    """What the box says under the headline: where the detail is, that the data is safe,
    what to do."""
    where = (
        f"Chi tiết đã ghi vào {item.log_path}."
        if item.log_path
        else "Không ghi được tệp nhật ký; chi tiết ở mục “Chi tiết…”."
    )
    return (
        f"{where}\nDữ liệu đã lưu không bị mất. Có thể làm tiếp; nếu lỗi lặp lại, hãy đóng "
        "chương trình, mở lại và gửi tệp nhật ký cho người hỗ trợ."
    )


class CrashBox:
    """The message box itself; ``show_crash`` is what tests patch."""

    @classmethod
    def show_crash(cls, item: Crash, parent: QWidget | None) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Critical, TITLE, HEADLINE, QMessageBox.StandardButton.NoButton, parent
        )
        box.setInformativeText(crash_text(item))
        box.setDetailedText(item.details)
        for button in box.buttons():  # so far only Qt's own "Show Details…"
            if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole:
                button.setText("Chi tiết…")
        open_log = None
        if item.log_path is not None:
            open_log = box.addButton("Mở thư mục nhật ký", QMessageBox.ButtonRole.HelpRole)
        close = box.addButton("Đóng", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(close)
        box.setEscapeButton(close)
        box.exec()
        if open_log is not None and box.clickedButton() is open_log and item.log_path:
            from .data_folder import open_in_file_manager

            open_in_file_manager(item.log_path.parent)


class CrashNotifier(QObject):
    """Lives on the main thread; ``report`` may be called from any thread."""

    crashed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.shown: Counter[str] = Counter()
        self._showing = False
        # Auto connection: a direct call on the main thread, queued from any other
        self.crashed.connect(self._show)

    def report(self, item: Crash) -> None:
        self.crashed.emit(item)

    def _show(self, item: Crash) -> None:
        if self._showing:
            log.warning("Lỗi xảy ra khi đang hiện thông báo lỗi; chỉ ghi nhật ký (%s)", item.key)
            return
        if self.shown[item.key] >= MAX_SHOWN_PER_ERROR:
            log.warning("Lỗi %s đã báo %d lần; không hiện thêm", item.key, MAX_SHOWN_PER_ERROR)
            return
        self.shown[item.key] += 1
        self._showing = True
        try:
            app = QApplication.instance()
            parent = app.activeWindow() if isinstance(app, QApplication) else None
            CrashBox.show_crash(item, parent)
        finally:
            self._showing = False


def install_for_window(app: QApplication) -> CrashNotifier:
    """Report unexpected errors in message boxes from now on (``crash.install``)."""
    notifier = app.findChild(CrashNotifier) or CrashNotifier(app)
    crash.install(notifier.report)
    return notifier
