"""Kỳ đánh giá → Chốt kỳ đánh giá… / Mở lại kỳ đã chốt…: the chair finalises after the
council's decision (what refuses it, what is still open, what finalising means, one
confirmation); the admin reopens with a written reason (``services.finalise``)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...exchange.annex_pdf import reference_line
from ...services import finalise as service
from ...services.errors import ServiceError
from ...services.finalise import FinaliseNote
from ...services.permissions import Permission, PermissionDenied
from ...services.round_decision import decision_info
from ..messages import show_refusal
from ..reason_dialog import ReasonDialog
from ..workspace import Workspace
from .new_round_dialog import ERROR_STYLE, NOTE_STYLE

CONSEQUENCES = (
    "Sau khi chốt, không ai sửa được phiếu, điểm, số liệu, khảo sát, giải trình, quy tắc và "
    "quyết định của kỳ này — kể cả quản trị.",
    "Phụ lục in thời điểm chốt và người chốt; kết quả không còn là tạm tính.",
    "Chương trình sao lưu cơ sở dữ liệu ngay trước khi chốt.",
    "Chỉ Quản trị mở lại được kỳ đã chốt, phải ghi lý do; lý do in trên mọi phụ lục sau đó.",
)
BLOCK_STYLE = "background: #FFE5E5; color: #9C0006; padding: 6px; border-radius: 3px;"
WARN_COLOURS = ("#FFEB9C", "#9C5700")


class FinaliseDialog(QDialog):
    """Shows the notes and the consequences; "Chốt kỳ đánh giá" calls ``finalise``."""

    def __init__(self, ws: Workspace, notes: list[FinaliseNote], parent: QWidget | None = None):
        super().__init__(parent)
        assert ws.year is not None
        self.ws, self.year = ws, ws.year
        self.finalised = False
        self.backup: str | None = None
        self.setObjectName("finaliseDialog")
        self.setWindowTitle(f"Chốt kỳ đánh giá năm {self.year}")
        self.setMinimumWidth(720)
        decision = decision_info(ws.db, self.year)
        heading = QLabel(
            f"<b>Chốt kỳ đánh giá năm {self.year}</b><br>"
            f"<i>{escape(reference_line(decision.number, decision.day, decision.authority))}</i>",
            self,
        )
        heading.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)

        blocking = [n for n in notes if n.blocking]
        warnings = [n for n in notes if not n.blocking]
        self.blocking = QLabel(self)
        self.blocking.setObjectName("finaliseBlocking")
        self.blocking.setWordWrap(True)
        self.blocking.setStyleSheet(BLOCK_STYLE)
        self.blocking.setTextFormat(Qt.TextFormat.RichText)
        if blocking:
            items = "".join(f"<li>{escape(n.text)}</li>" for n in blocking)
            self.blocking.setText(f"<b>Chưa chốt được:</b><ul>{items}</ul>")
            layout.addWidget(self.blocking)
        else:
            self.blocking.hide()

        self.warnings = QListWidget(self)
        self.warnings.setObjectName("finaliseWarnings")
        self.warnings.setWordWrap(True)
        for note in warnings:
            item = QListWidgetItem(note.text)
            item.setToolTip(note.detail or note.text)
            self.warnings.addItem(item)
        if warnings:
            title = QLabel(
                f"<b>Còn {len(warnings)} việc dở dang</b> (vẫn chốt được; sau khi chốt không "
                "sửa được nữa):",
                self,
            )
            title.setWordWrap(True)
            layout.addWidget(title)
            self.warnings.setStyleSheet(
                f"QListWidget {{ background: {WARN_COLOURS[0]}; color: {WARN_COLOURS[1]}; }}"
            )
            self.warnings.setMaximumHeight(min(200, 30 + 24 * len(warnings)))
            layout.addWidget(self.warnings)
        else:
            self.warnings.hide()
            done = QLabel("Không còn việc dở dang trong kỳ.", self)
            layout.addWidget(done)

        items = "".join(f"<li>{escape(text)}</li>" for text in CONSEQUENCES)
        consequences = QLabel(f"<b>Chốt kỳ nghĩa là:</b><ul>{items}</ul>", self)
        consequences.setObjectName("finaliseConsequences")
        consequences.setWordWrap(True)
        layout.addWidget(consequences)
        who = QLabel(
            f"Người chốt: {escape(ws.actor.user)} ({escape(ws.actor.role.label)}), máy "
            f"{escape(ws.actor.machine)}.",
            self,
        )
        who.setStyleSheet(NOTE_STYLE)
        layout.addWidget(who)
        self.error = QLabel(self)
        self.error.setObjectName("finaliseError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.error)

        buttons = QDialogButtonBox(self)
        self.confirm = buttons.addButton("Chốt kỳ đánh giá", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("finaliseConfirm")
        self.confirm.setEnabled(not blocking)
        self.confirm.setAutoDefault(False)
        cancel = buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setDefault(True)  # Enter never finalises by accident
        self.confirm.clicked.connect(self.finalise)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        cancel.setFocus()

    @classmethod
    def ask(cls, ws: Workspace, notes: list[FinaliseNote], parent: QWidget | None) -> str | None:
        """Show the dialog; the backup's path ('' when none) once finalised, else None."""
        dialog = cls(ws, notes, parent)
        dialog.exec()
        return (dialog.backup or "") if dialog.finalised else None

    def finalise(self) -> None:
        self.error.clear()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            backup = service.finalise(self.ws.db, self.year, actor=self.ws.actor)
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.finalised = True
        self.backup = str(backup) if backup else None
        self.accept()


def _allowed(ws: Workspace, parent: QWidget | None, permission: Permission) -> bool:
    if ws.year is None:
        show_refusal(parent, "Chưa chọn kỳ đánh giá.")
        return False
    try:
        ws.actor.require(permission)
    except PermissionDenied as exc:
        show_refusal(parent, str(exc))
        return False
    return True


def finalise_round(ws: Workspace, parent: QWidget | None) -> bool:
    """Kỳ đánh giá → Chốt kỳ đánh giá…; True when the round was finalised."""
    if not _allowed(ws, parent, Permission.FINALISE_ROUND):
        return False
    assert ws.year is not None
    try:
        info = service.finalisation(ws.db, ws.year)
        if info.published or info.is_final:
            show_refusal(parent, info.describe())
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            notes = service.blockers(ws.db, ws.year)
        finally:
            QGuiApplication.restoreOverrideCursor()
    except ServiceError as exc:
        show_refusal(parent, str(exc))
        return False
    backup = FinaliseDialog.ask(ws, notes, parent)
    if backup is None:
        return False
    text = service.finalisation(ws.db, ws.year).describe()
    if backup:
        text += f"\n\nBản sao lưu ngay trước khi chốt: {backup}"
    QMessageBox.information(parent, "Đã chốt kỳ đánh giá", text)
    return True


def reopen_round(ws: Workspace, parent: QWidget | None) -> bool:
    """Kỳ đánh giá → Mở lại kỳ đã chốt…; True when the round was reopened."""
    if not _allowed(ws, parent, Permission.REOPEN_ROUND):
        return False
    assert ws.year is not None
    try:
        info = service.finalisation(ws.db, ws.year)
    except ServiceError as exc:
        show_refusal(parent, str(exc))
        return False
    if info.published or not info.is_final:
        show_refusal(
            parent,
            info.describe() if info.published else f"Kỳ đánh giá năm {ws.year} chưa chốt.",
        )
        return False
    message = (
        f"{info.describe()}\n\nMở lại cho phép sửa dữ liệu của kỳ. Lý do được ghi vào nhật ký "
        "và in trên mọi phụ lục sau này của kỳ (“Đã mở lại ngày … vì …”)."
    )
    reason = ReasonDialog.ask(
        parent, f"Mở lại kỳ đánh giá năm {ws.year}", message, "Mở lại kỳ đánh giá"
    )
    if reason is None:
        return False
    try:
        service.reopen(ws.db, ws.year, reason, actor=ws.actor)
    except ServiceError as exc:
        show_refusal(parent, str(exc))
        return False
    return True
