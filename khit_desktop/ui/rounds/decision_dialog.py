"""Quyết định công bố: the number, signing date, issuing authority and signer of the
chairman's decision the annex is attached to, with the annex's reference line previewed."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import DateFormatError, format_date, parse_date
from ...exchange.annex_pdf import reference_line
from ...services import round_decision
from ...services.audit import Actor
from ...services.errors import ServiceError
from ...services.round_decision import DecisionInfo
from ...store.database import Database
from .new_round_dialog import ERROR_STYLE, NOTE_STYLE

BLANK_NOTE = (
    "Quyết định được đánh số khi ký: để trống số và ngày cho đến khi có quyết định; phụ lục "
    "in dòng chấm chấm ở chỗ còn trống."
)


class DecisionDialog(QDialog):
    """Edit the round's decision settings (``round_decision.set_decision``)."""

    def __init__(
        self, db: Database, year: int, parent: QWidget | None = None, *, actor: Actor | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.year, self.actor = db, year, actor
        self.saved = False
        self.original = round_decision.decision_info(db, year)
        self.setWindowTitle(f"Quyết định công bố kết quả năm {year}")
        self.setMinimumWidth(640)

        self.number = QLineEdit(self.original.number, self)
        self.number.setObjectName("decisionNumber")
        self.number.setPlaceholderText("ví dụ 3456 hoặc 3456/QĐ-UBND")
        self.day = QLineEdit(format_date(self.original.day) if self.original.day else "", self)
        self.day.setObjectName("decisionDate")
        self.day.setPlaceholderText("dd/MM/yyyy")
        self.day.setMaximumWidth(140)
        self.authority = QLineEdit(self.original.authority, self)
        self.authority.setObjectName("decisionAuthority")
        self.signer = QLineEdit(self.original.signer, self)
        self.signer.setObjectName("decisionSigner")
        self.signer.setPlaceholderText("ví dụ: KT. Chủ tịch, Phó Chủ tịch Nguyễn Văn A")
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("decisionReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(60)
        self.reason.setPlaceholderText("Bắt buộc khi sửa số hoặc ngày đã ghi; lưu vào nhật ký")
        self.preview = QLabel(self)
        self.preview.setObjectName("decisionPreview")
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("font-style: italic; padding: 4px; border: 1px solid #ccc;")
        self.error = QLabel(self)
        self.error.setObjectName("decisionError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        note = QLabel(BLANK_NOTE, self)
        note.setWordWrap(True)
        note.setStyleSheet(NOTE_STYLE)

        form = QFormLayout()
        for label, field in (
            ("&Số quyết định", self.number),
            ("&Ngày ký", self.day),
            ("&Cơ quan ban hành", self.authority),
            ("Người &ký", self.signer),
            ("&Lý do sửa", self.reason),
        ):
            caption = QLabel(label, self)
            caption.setBuddy(field)
            form.addRow(caption, field)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Lưu", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("decisionSave")
        self.save_button.setDefault(True)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(QLabel("Dòng dưới tên phụ lục sẽ in:", self))
        layout.addWidget(self.preview)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for field in (self.number, self.day, self.authority, self.signer):
            field.textChanged.connect(self.refresh)
        self.refresh()
        self.number.setFocus()

    @classmethod
    def edit(
        cls, db: Database, year: int, parent: QWidget | None = None, *, actor: Actor | None = None
    ) -> bool:
        """Show the dialog; True when something was saved."""
        dialog = cls(db, year, parent, actor=actor)
        dialog.exec()
        return dialog.saved

    def typed(self) -> DecisionInfo:
        """What the fields hold; DateFormatError for a date that is not dd/MM/yyyy."""
        text = self.day.text().strip()
        day: date | None = parse_date(text) if text else None
        return DecisionInfo(self.number.text(), day, self.authority.text(), self.signer.text())

    def refresh(self) -> None:
        self.error.clear()
        try:
            info = round_decision.check_decision(self.year, self.typed())
        except (DateFormatError, ServiceError) as exc:
            self.error.setText(str(exc))
            self.save_button.setEnabled(False)
            return
        self.preview.setText(reference_line(info.number, info.day, info.authority))
        self.save_button.setEnabled(True)

    def save(self) -> None:
        try:
            self.saved = round_decision.set_decision(
                self.db,
                self.year,
                self.typed(),
                reason=self.reason.toPlainText(),
                actor=self.actor,
            )
        except (DateFormatError, ServiceError) as exc:
            self.error.setText(str(exc))
            return
        self.accept()
