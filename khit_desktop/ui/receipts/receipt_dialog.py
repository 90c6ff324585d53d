"""Ghi nhận phiếu: the dialog that records (or corrects) one received form."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import format_date
from ...domain.lateness import Channel
from ...services.errors import InputRefused
from ...services.receipt_edits import StatusChangeNeedsReason
from ...services.receipts import ReceiptContext, ReceiptInput, ReceiptView
from ..conflict_dialog import BUSY_MESSAGE, Saved, save_resolving_conflicts
from ..reason_dialog import ReasonDialog
from ..status_style import chip_css
from .agency_picker import AgencyChoice, AgencyPicker
from .receipt_form import (
    FIELD_AGENCY,
    FIELD_ATTACHMENT,
    FIELD_NUMBER,
    FIELD_RECEIVED,
    FIELD_SENT,
    ReceiptForm,
    describe_receipt,
)

ERROR_CSS = "color:#b00020;"
# (data, reason, overwrite reason) -> anything; raises on refusal (EditConflict included)
Save = Callable[[ReceiptInput, str, str], object]


def _error_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setStyleSheet(ERROR_CSS)
    label.setWordWrap(True)
    label.hide()
    return label


class ReceiptDialog(QDialog):
    """Keyboard-complete: type the agency, Tab through the fields, Enter saves when valid."""

    def __init__(
        self,
        form: ReceiptForm,
        save: Save,
        agencies: list[AgencyChoice] | None = None,
        parent: QWidget | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.form, self._save, self._today = form, save, today
        self.saved = False
        self.reloaded = False  # another clerk's change came first and the user took it
        editing = form.editing is not None
        context = form.context() if editing else None
        name = context.agency_name if context else form.agency_code or ""
        self.conflict_what = f"Lần tiếp nhận #{form.editing} của {name}"  # issue 9
        self.setWindowTitle("Sửa lần tiếp nhận phiếu" if editing else "Ghi nhận phiếu đánh giá")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.picker: AgencyPicker | None = None
        if agencies is not None and not editing:
            self.picker = AgencyPicker(agencies, self)
            if form.agency_code:
                self.picker.select_code(form.agency_code)
            self.picker.chosen.connect(self._agency_chosen)
            fields.addRow("Cơ quan gửi:", self.picker)
            self.form.agency_code = self.picker.selected_code
        else:
            context = context or form.context()
            fields.addRow("Cơ quan gửi:", QLabel(context.agency_name if context else "—", self))
        self.agency_error = _error_label(self, "agencyError")
        fields.addRow("", self.agency_error)

        self.channel = QComboBox(self)
        self.channel.setObjectName("channel")
        for channel in Channel:
            self.channel.addItem(channel.label, channel)
        self.channel.setCurrentIndex(list(Channel).index(form.channel))
        fields.addRow("Kênh gửi:", self.channel)

        self.sent = self._date_edit("sentDate", form.sent_text)
        self.sent_label = QLabel(form.sent_label + ":", self)
        self.sent_label.setObjectName("sentLabel")
        fields.addRow(self.sent_label, self.sent)
        self.sent_error = _error_label(self, "sentError")
        fields.addRow("", self.sent_error)

        self.received = self._date_edit("receivedDate", form.received_text)
        self.received.setPlaceholderText("dd/MM/yyyy (để trống nếu chưa rõ)")
        fields.addRow("Ngày nhận:", self.received)
        self.received_error = _error_label(self, "receivedError")
        fields.addRow("", self.received_error)

        self.number = QLineEdit(form.doc_number, self)
        self.number.setObjectName("docNumber")
        self.number.setPlaceholderText("ví dụ 1234/STP-VP")
        fields.addRow("Số, ký hiệu văn bản:", self.number)
        self.number_error = _error_label(self, "numberError")
        fields.addRow("", self.number_error)

        attach_row = QHBoxLayout()
        self.attachment_label = QLabel(self._attachment_text(), self)
        self.attachment_label.setObjectName("attachmentLabel")
        self.attach_button = QPushButton("Chọn tệp…", self)
        self.attach_button.setToolTip(
            "Bản quét phiếu hoặc tệp thư điện tử; tệp được sao chép "
            "vào thư mục dữ liệu, tệp gốc giữ nguyên."
        )
        self.attach_button.setObjectName("attachButton")
        self.attach_button.clicked.connect(self._choose_attachment)
        attach_row.addWidget(self.attachment_label, 1)
        attach_row.addWidget(self.attach_button)
        fields.addRow("Tệp đính kèm:", attach_row)
        self.attachment_error = _error_label(self, "attachmentError")
        fields.addRow("", self.attachment_error)

        self.note = QLineEdit(form.note, self)
        self.note.setObjectName("note")
        fields.addRow("Ghi chú:", self.note)
        layout.addLayout(fields)

        self.status = QLabel(self)
        self.status.setObjectName("previewStatus")
        self.explanation = QLabel(self)
        self.explanation.setObjectName("previewExplanation")
        self.explanation.setWordWrap(True)
        status_row = QHBoxLayout()
        status_row.addWidget(QLabel("Tình trạng nếu ghi nhận:", self))
        status_row.addWidget(self.status)
        status_row.addStretch(1)
        layout.addLayout(status_row)
        layout.addWidget(self.explanation)
        self.refusal = _error_label(self, "refusal")
        layout.addWidget(self.refusal)

        self.buttons = QDialogButtonBox(self)
        verb = "Lưu thay đổi" if editing else "Ghi nhận phiếu"
        self.save_button = self.buttons.addButton(verb, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.channel.currentIndexChanged.connect(self._changed)
        for edit in (self.sent, self.received, self.number, self.note):
            edit.textChanged.connect(self._changed)
        chain = [
            w
            for w in (
                self.picker.search if self.picker else None,
                self.channel,
                self.sent,
                self.received,
                self.number,
                self.note,
                self.attach_button,
                self.save_button,
            )
            if w is not None
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._changed()
        (self.picker or self.sent).setFocus()

    def _date_edit(self, name: str, text: str) -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setObjectName(name)
        edit.setPlaceholderText("dd/MM/yyyy")
        edit.setMaxLength(10)
        return edit

    def _attachment_text(self) -> str:
        if self.form.attachment is not None:
            return self.form.attachment.name
        return "(chưa chọn tệp)"

    def _agency_chosen(self, code: str) -> None:
        self.form.agency_code = code or None
        self._changed()

    def _choose_attachment(self) -> None:
        path = self.pick_file(self)
        if path is not None:
            self.form.attachment = path
            self.attachment_label.setText(path.name)
            self._changed()

    @staticmethod
    def pick_file(parent: QWidget) -> Path | None:
        """The system's file chooser (tests patch this)."""
        name, _ = QFileDialog.getOpenFileName(
            parent,
            "Chọn tệp đính kèm",
            "",
            "Bản quét, thư điện tử (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.eml *.msg "
            "*.doc *.docx *.xls *.xlsx);;Mọi tệp (*)",
        )
        return Path(name) if name else None

    def _changed(self) -> None:
        form = self.form
        form.channel = self.channel.currentData()
        form.sent_text, form.received_text = self.sent.text(), self.received.text()
        form.doc_number, form.note = self.number.text(), self.note.text()
        self.sent_label.setText(form.sent_label + ":")
        state = form.check(self._today())
        for key, label in (
            (FIELD_AGENCY, self.agency_error),
            (FIELD_SENT, self.sent_error),
            (FIELD_RECEIVED, self.received_error),
            (FIELD_NUMBER, self.number_error),
            (FIELD_ATTACHMENT, self.attachment_error),
        ):
            message = state.errors.get(key, "")
            label.setText(message)
            label.setVisible(bool(message))
        if state.preview is not None:
            self.status.setText(state.preview.status.label)
            self.status.setStyleSheet(chip_css(state.preview.status))
            self.explanation.setText(state.preview.explanation)
        else:
            self.status.setText("—")
            self.status.setStyleSheet("")
            verb = "Sửa" if FIELD_SENT in state.errors and self.sent.text().strip() else "Nhập"
            self.explanation.setText(f"{verb} ngày gửi để xem phiếu đúng hạn hay trễ hạn.")
        self.save_button.setEnabled(state.valid)
        self.refusal.hide()

    def _submit(self) -> None:
        state = self.form.check(self._today())
        if not state.valid or state.data is None:
            self._changed()
            return
        reason, data = "", state.data
        while True:

            def save(overwrite: str, reason: str = reason) -> None:
                self._save(data, reason, overwrite)

            try:
                outcome = save_resolving_conflicts(
                    self,
                    save,
                    self.conflict_what,
                    describe_receipt(data.channel, data.sent_date, data.doc_number),
                )
            except StatusChangeNeedsReason as change:
                asked = ReasonDialog.ask(
                    self, "Xác nhận thay đổi tình trạng", str(change), "Lưu thay đổi"
                )
                if asked is None:
                    return
                reason = asked
                continue
            except InputRefused as refused:
                self.refusal.setText(str(refused))
                self.refusal.show()
                return
            break
        if outcome is Saved.BUSY:  # the dialog stays open with everything typed
            self.refusal.setText(BUSY_MESSAGE)
            self.refusal.show()
            return
        if outcome is Saved.RELOAD:
            self.reloaded = True
            self.reject()
            return
        self.saved = True
        self.accept()

    @classmethod
    def run(cls, *args: object, **kwargs: object) -> bool:
        """Show the dialog modally; True when a receipt was saved (tests patch this)."""
        dialog = cls(*args, **kwargs)  # type: ignore[arg-type]
        dialog.exec()
        return dialog.saved


def form_for_edit(
    context_for: Callable[[str], ReceiptContext], year: int, code: str, view: ReceiptView
) -> ReceiptForm:
    return ReceiptForm(
        context_for=context_for,
        year=year,
        agency_code=code,
        channel=view.channel,
        sent_text=format_date(view.sent_date),
        received_text=format_date(view.received_date) if view.received_date else "",
        doc_number=view.doc_number,
        note=view.note,
        editing=view.id,
    )
