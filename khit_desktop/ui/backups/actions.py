"""The window's backup actions: the backup on open, "Sao lưu ngay…", "Phục hồi từ bản sao
lưu…", and the lock that keeps a database open in one window only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ...services import backups
from ...services.errors import InputRefused, ServiceError
from ...services.permissions import Permission
from ...services.restore import restore
from ...store.errors import DatabaseError
from ...store.lock import DatabaseLock, acquire
from ..messages import show_error, show_refusal
from ..workspace import Workspace
from .restore_dialog import RestoreDialog


def acquire_window_lock(database: Path) -> DatabaseLock:
    """The lock the window holds while ``database`` is open (DatabaseInUse, a DatabaseError,
    names who has it open otherwise). Keep it for the window's life; ``release()`` at close."""
    return acquire(database)


def backup_on_open(ws: Workspace, parent: QWidget | None = None) -> Path | None:
    """The automatic backup when a database is opened; a failure is told, never fatal."""
    try:
        return backups.backup_on_open(ws.db)
    except (ServiceError, OSError) as exc:
        show_refusal(
            parent,
            f"Không sao lưu tự động được khi mở cơ sở dữ liệu: {exc}\nChương trình vẫn làm "
            "việc bình thường; hãy kiểm tra chỗ trống trên ổ đĩa.",
            "Sao lưu tự động",
        )
        return None


def ask_backup_path(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to write the backup (tests patch this); Qt's dialog asks before overwriting."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Sao lưu cơ sở dữ liệu", str(suggested), "Cơ sở dữ liệu KHIT (*.db)"
    )
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".db")


def tell(parent: QWidget | None, title: str, text: str) -> None:
    """An information box (tests patch this)."""
    QMessageBox.information(parent, title, text)


def confirm_restore(parent: QWidget | None, database: Path, source: Path) -> bool:
    """The last question before replacing the data (tests patch this)."""
    answer = QMessageBox.warning(
        parent,
        "Phục hồi từ bản sao lưu",
        f"Thay toàn bộ dữ liệu của\n{database}\nbằng bản sao lưu\n{source}?\n\n"
        "Dữ liệu hiện tại được giữ lại trong một bản sao lưu “Trước khi phục hồi”. Cửa sổ "
        "chương trình sẽ mở lại cơ sở dữ liệu sau khi phục hồi.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def backup_now(ws: Workspace, parent: QWidget | None = None) -> Path | None:
    """ "Sao lưu ngay…": a copy of the database to a file the user chooses."""
    try:
        ws.actor.require(Permission.BACKUP)
    except InputRefused as refused:
        show_refusal(parent, str(refused))
        return None
    if ws.db.path is None:
        show_refusal(parent, "Cơ sở dữ liệu trên máy chủ được sao lưu bằng công cụ của máy chủ.")
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    suggested = ws.db.path.with_name(f"{ws.db.path.stem}-sao-luu-{stamp}.db")
    target = ask_backup_path(parent, suggested)
    if target is None:
        return None
    try:
        written = backups.backup_to(ws.db, target, actor=ws.actor, overwrite=True)
    except InputRefused as refused:
        show_refusal(parent, str(refused))
        return None
    except ServiceError as exc:
        show_error(parent, "Không sao lưu được.", str(exc))
        return None
    tell(parent, "Sao lưu", f"Đã sao lưu cơ sở dữ liệu vào\n{written}")
    return written


def restore_from_backup(
    ws: Workspace, parent: QWidget | None = None, lock: DatabaseLock | None = None
) -> Path | None:
    """ "Phục hồi từ bản sao lưu…": choose, confirm, restore. Returns the database path when
    it was replaced, so that the window reopens it; None when nothing changed. ``lock`` is
    the window's own lock of the database (``acquire_window_lock``)."""
    database = ws.db.path
    if database is None:
        show_refusal(parent, "Cơ sở dữ liệu trên máy chủ được phục hồi bằng công cụ của máy chủ.")
        return None
    try:
        ws.actor.require(Permission.RESTORE)
    except InputRefused as refused:
        show_refusal(parent, str(refused))
        return None
    source = RestoreDialog.choose(database, parent)
    if source is None or not confirm_restore(parent, database, source):
        return None
    ws.db.dispose()  # no connection of the window stays open on the file being replaced
    try:
        result = restore(database, source, actor=ws.actor, lock=lock)
    except InputRefused as refused:
        show_refusal(parent, str(refused), "Không phục hồi được")
        return None
    except (ServiceError, DatabaseError, OSError) as exc:
        show_error(parent, "Không phục hồi được; dữ liệu đang dùng không thay đổi.", str(exc))
        return None
    lines = [f"Đã phục hồi cơ sở dữ liệu từ\n{result.source}"]
    if result.kept is not None:
        lines.append(f"Dữ liệu trước khi phục hồi được giữ tại\n{result.kept}")
    if result.set_aside is not None:
        lines.append(f"Tệp dữ liệu hỏng được chuyển sang\n{result.set_aside}")
    if result.chain.broken is not None:
        lines.append(
            "CẢNH BÁO: nhật ký thay đổi của bản sao lưu không toàn vẹn (sự kiện "
            f"{result.chain.broken.sequence}): {result.chain.broken.reason}"
        )
    tell(parent, "Phục hồi", "\n\n".join(lines))
    return result.database
