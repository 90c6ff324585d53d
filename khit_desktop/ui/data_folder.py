"""Showing the user's files in the system's file manager: the folder of the open database
(Tệp → Mở thư mục dữ liệu), the log file (Trợ giúp → Mở tệp nhật ký lỗi)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from .. import crash
from ..paths import data_dir
from ..store.database import Database
from .messages import show_refusal

log = logging.getLogger(__name__)


def database_folder(db: Database) -> Path:
    """The folder holding ``db``'s file (its backups and attachments lie beside it); the
    data folder for a database on a server."""
    return db.path.parent if db.path is not None else data_dir()


def open_in_file_manager(path: Path) -> bool:
    """Open ``path`` (a folder, or a file with its program) as a double click would."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def open_database_folder(db: Database, parent: QWidget | None) -> Path | None:
    """Show the database's folder; the folder, or None when it could not be shown (told)."""
    folder = database_folder(db)
    if not folder.is_dir():
        show_refusal(parent, f"Không tìm thấy thư mục dữ liệu {folder}.")
        return None
    if not open_in_file_manager(folder):
        show_refusal(
            parent,
            f"Không mở được thư mục {folder} bằng trình quản lý tệp của máy. Hãy mở thư mục "
            "đó bằng tay (đường dẫn có trong Trợ giúp → Giới thiệu KHIT Desktop).",
        )
        return None
    log.info("Mở thư mục dữ liệu %s", folder)
    return folder


def open_log_file(parent: QWidget | None) -> Path | None:
    """Open the log file (its folder when the file is not there yet)."""
    path = crash.log_path() or crash.default_log_path()
    target = path if path.is_file() else path.parent
    if not target.exists() or not open_in_file_manager(target):
        show_refusal(parent, f"Không mở được nhật ký lỗi {path}.")
        return None
    return target
