"""Hai người cùng sửa một dòng (issue 9): what the window shows when a save is refused with
``EditConflict`` — who changed the row since the screen read it, what the user tried to save,
and the two ways on: "Tải lại" (read the row again; the typed value stays readable here so
it can be typed again) or "Ghi đè…" (save again over the other change, with a reason)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..services.audit_history import format_moment
from ..services.concurrency import EditConflict, OtherChange
from ..store.errors import ConcurrentEditError
from .reason_dialog import ReasonDialog

BUSY_MESSAGE = "Cơ sở dữ liệu đang bận vì có người khác đang lưu, chưa lưu; hãy thử lại."


def change_html(change: OtherChange) -> str:
    """One change of the other clerk: who (machine), when, what (old → new), why."""
    machine = f" (máy {escape(change.machine)})" if change.machine else ""
    what = f"<br>{escape(change.what)}" if change.what else ""
    reason = f"<br>Lý do: «{escape(change.reason)}»" if change.reason else ""
    return (
        f"<b>{escape(change.user)}</b>{machine} lúc {format_moment(change.at)}: "
        f"{escape(change.action)}{what}{reason}"
    )


class ConflictDialog(QDialog):
    """Esc, closing the window and "Tải lại" all mean: write nothing, read the data again."""

    def __init__(
        self,
        conflict: EditConflict,
        what: str,
        attempted: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.overwrite_reason: str | None = None
        self.setWindowTitle("Người khác vừa sửa cùng dữ liệu")
        self.setMinimumWidth(560)

        self.heading = QLabel(
            f"<b>{escape(what)}</b> vừa được người khác sửa sau khi bạn mở màn hình. "
            "Thay đổi của bạn <b>chưa được lưu</b>.",
            self,
        )
        self.heading.setObjectName("conflictHeading")
        self.heading.setWordWrap(True)
        changes = conflict.changes
        items = (
            "".join(f"<li>{change_html(c)}</li>" for c in changes)
            if changes
            else "<li>Không rõ ai (chưa có nhật ký thay đổi).</li>"
        )
        self.changes = QLabel(f"Thay đổi của người khác:<ul>{items}</ul>", self)
        self.changes.setObjectName("conflictChanges")
        self.changes.setWordWrap(True)
        self.changes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.attempted = QLabel(f"Bạn định lưu: {escape(attempted)}", self)
        self.attempted.setObjectName("conflictAttempted")
        self.attempted.setWordWrap(True)
        # selectable, so what was typed can be copied back after reloading
        self.attempted.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.attempted.setStyleSheet(
            "background:#FFF8E1; border:1px solid #E0C060; padding:6px; border-radius:3px;"
        )
        self.advice = QLabel(
            "«Tải lại» để xem dữ liệu mới rồi nhập lại nếu vẫn cần; «Ghi đè…» để lưu giá trị "
            "của bạn thay cho thay đổi trên (cần ghi lý do, được lưu vào nhật ký).",
            self,
        )
        self.advice.setObjectName("conflictAdvice")
        self.advice.setWordWrap(True)

        self.buttons = QDialogButtonBox(self)
        self.reload_button = self.buttons.addButton(
            "Tải lại", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.reload_button.setObjectName("conflictReload")
        self.overwrite_button = self.buttons.addButton(
            "Ghi đè…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.overwrite_button.setObjectName("conflictOverwrite")
        self.reload_button.setDefault(True)
        self.reload_button.clicked.connect(self.reject)
        self.overwrite_button.clicked.connect(self._overwrite)

        layout = QVBoxLayout(self)
        for widget in (self.heading, self.changes, self.attempted, self.advice):
            layout.addWidget(widget)
        layout.addWidget(self.buttons)
        self.reload_button.setFocus()

    def _overwrite(self) -> None:
        reason = ReasonDialog.ask(
            self,
            "Ghi đè thay đổi của người khác",
            "Giá trị của bạn sẽ thay cho thay đổi của người khác. Ghi lý do ghi đè "
            "(được lưu vào nhật ký cùng thay đổi bị ghi đè).",
            "Ghi đè",
        )
        if reason:
            self.overwrite_reason = reason
            self.accept()

    @classmethod
    def resolve(
        cls, parent: QWidget | None, conflict: EditConflict, what: str, attempted: str
    ) -> str | None:
        """The overwrite reason, or None to reload (tests patch this)."""
        dialog = cls(conflict, what, attempted, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.overwrite_reason if accepted else None


class Saved(Enum):
    """How a save that may meet another clerk's change ended."""

    SAVED = "saved"
    RELOAD = "reload"  # another clerk's change came first; the user chose to read it again
    BUSY = "busy"  # the database was busy (ConcurrentEditError): nothing written, try again


def save_resolving_conflicts(
    parent: QWidget | None, save: Callable[[str], object], what: str, attempted: str
) -> Saved:
    """Run ``save(overwrite_reason)`` ('' first); on EditConflict show the dialog and either
    stop (RELOAD) or save again with the reason typed (overwrite). Other refusals propagate."""
    overwrite = ""
    while True:
        try:
            save(overwrite)
        except EditConflict as conflict:
            reason = ConflictDialog.resolve(parent, conflict, what, attempted)
            if reason is None:
                return Saved.RELOAD
            overwrite = reason
            continue
        except ConcurrentEditError:
            return Saved.BUSY
        return Saved.SAVED
