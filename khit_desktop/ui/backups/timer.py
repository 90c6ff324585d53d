"""The window's periodic backup: a QTimer that asks ``services.backups.BackupSchedule``
every minute whether a backup is due (30 minutes since the last one, and the data changed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ...services import backups
from ...services.backups import BackupSchedule
from ..workspace import Workspace

TICK_MS = 60_000  # cheap: one query of the audit chain's head


class BackupTimer(QObject):
    """Emits ``backed_up(path)`` after each periodic backup and ``failed(message)`` when one
    could not be written (the window shows either in its status bar; no box every minute)."""

    backed_up = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        ws: Workspace,
        parent: QObject | None = None,
        *,
        clock: Callable[[], datetime] = datetime.now,
        tick_ms: int = TICK_MS,
    ) -> None:
        super().__init__(parent)
        self.ws, self.clock = ws, clock
        # the data as opened counts as backed up (the backup on open, or an identical one)
        self.schedule = BackupSchedule(clock(), self._head())
        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.check)

    def _head(self) -> backups.ChainHead | None:
        try:
            return backups.chain_head(self.ws.db)
        except Exception:  # a database that cannot be read now: try at the next tick
            return None

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> Path | None:
        """One tick: back up if due. Returns the backup written, if any."""
        try:
            path = backups.backup_if_due(self.ws.db, self.schedule, now=self.clock())
        except Exception as exc:  # a full disk, a database that cannot be read: never break
            self.schedule.failed(self.clock())  # the window's loop; try again in 30 minutes
            self.failed.emit(f"Không sao lưu định kỳ được: {exc}")
            return None
        if path is not None:
            self.backed_up.emit(path)
        return path
