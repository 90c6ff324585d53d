"""Sao lưu và phục hồi in the window: the entry points the main window wires.

- ``acquire_window_lock(path)`` before opening a database (hold it for the window's life);
- ``backup_on_open(ws, parent)`` once the database is open;
- ``BackupTimer(ws, parent).start()`` for the 30-minute backups while the data changes;
- ``backup_now(ws, parent)`` for "Sao lưu ngay…";
- ``restore_from_backup(ws, parent, lock)`` for "Phục hồi từ bản sao lưu…": reopen the
  returned path.
"""

from __future__ import annotations

from .actions import acquire_window_lock, backup_now, backup_on_open, restore_from_backup
from .timer import BackupTimer

__all__ = [
    "BackupTimer",
    "acquire_window_lock",
    "backup_now",
    "backup_on_open",
    "restore_from_backup",
]
