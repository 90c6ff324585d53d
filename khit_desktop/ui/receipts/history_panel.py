"""The side panel: one agency's status, its receipts, and the history of changes."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import format_date
from ...services.receipt_edits import HistoryEvent
from ...services.receipts import ReceiptView, RegisterLine
from ..status_style import chip_css


def receipt_text(view: ReceiptView) -> str:
    received = f", nhận {format_date(view.received_date)}" if view.received_date else ""
    number = f", số {view.doc_number}" if view.doc_number else ""
    text = f"#{view.id} {view.channel.label}: gửi {format_date(view.sent_date)}{received}{number}"
    if view.counted:
        text = "→ " + text + " (được tính)"
    if not view.valid:
        text += f" — KHÔNG HỢP LỆ: {view.invalid_reason}"
    if view.attachment_name:
        text += f" 📎 {view.attachment_name}"
    return text


class HistoryPanel(QWidget):
    """Read-only detail of the selected agency, with the actions on its receipts."""

    receipt_selected = Signal(int)  # receipt id, or 0 when none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(230)
        self.title = QLabel("Chọn một cơ quan trong sổ để xem chi tiết.", self)
        self.title.setObjectName("historyTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight:bold;")
        self.status = QLabel(self)
        self.status.setObjectName("historyStatus")
        self.explanation = QLabel(self)
        self.explanation.setObjectName("historyExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receipts = QListWidget(self)
        self.receipts.setObjectName("historyReceipts")
        self.receipts.setWordWrap(True)
        self.receipts.setMaximumHeight(140)
        self.edit_button = QPushButton("Sửa lần tiếp nhận…", self)
        self.invalid_button = QPushButton("Đánh dấu không hợp lệ…", self)
        self.open_button = QPushButton("Mở tệp đính kèm", self)
        self.exempt_button = QPushButton("Không xếp hạng…", self)
        for name, button in (
            ("editReceipt", self.edit_button),
            ("invalidateReceipt", self.invalid_button),
            ("openAttachment", self.open_button),
            ("exemptButton", self.exempt_button),
        ):
            button.setObjectName(name)
        self.events = QTextBrowser(self)
        self.events.setObjectName("historyEvents")
        self.events.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.explanation)
        layout.addWidget(QLabel("Các lần tiếp nhận:", self))
        layout.addWidget(self.receipts)
        for button in (self.edit_button, self.invalid_button, self.open_button, self.exempt_button):
            layout.addWidget(button)
        layout.addWidget(QLabel("Lịch sử thay đổi:", self))
        layout.addWidget(self.events, 1)
        self.receipts.currentRowChanged.connect(self._row_changed)
        self._views: list[ReceiptView] = []
        self.show_line(None, [])

    def current_receipt(self) -> ReceiptView | None:
        row = self.receipts.currentRow()
        return self._views[row] if 0 <= row < len(self._views) else None

    def show_line(self, line: RegisterLine | None, events: list[HistoryEvent]) -> None:
        self.receipts.clear()
        self._views = list(line.receipts) if line else []
        if line is None:
            self.title.setText("Chọn một cơ quan trong sổ để xem chi tiết.")
            self.status.clear()
            self.status.setStyleSheet("")
            self.explanation.clear()
            self.events.clear()
        else:
            self.title.setText(f"{line.agency_name} ({line.agency_code}) — Nhóm {line.group}")
            self.status.setText(line.decision.status.label)
            self.status.setStyleSheet(chip_css(line.decision.status))
            self.explanation.setText(line.decision.explanation)
            for view in self._views:
                QListWidgetItem(receipt_text(view), self.receipts)
            if not self._views:
                item = QListWidgetItem("(chưa nhận phiếu nào)", self.receipts)
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            else:
                counted = next((i for i, v in enumerate(self._views) if v.counted), 0)
                self.receipts.setCurrentRow(counted)
            self.events.setHtml(events_html(events))
            self.exempt_button.setText(
                "Bỏ không xếp hạng…" if line.exempt_reason else "Không xếp hạng…"
            )
        self.exempt_button.setEnabled(line is not None)
        self._row_changed(self.receipts.currentRow())

    def _row_changed(self, row: int) -> None:
        view = self._views[row] if 0 <= row < len(self._views) else None
        self.edit_button.setEnabled(view is not None)
        self.invalid_button.setEnabled(view is not None and view.valid)
        self.open_button.setEnabled(view is not None and view.attachment_id is not None)
        self.receipt_selected.emit(view.id if view else 0)


def events_html(events: list[HistoryEvent]) -> str:
    if not events:
        return "<i>Chưa có thay đổi nào.</i>"
    rows = []
    for event in reversed(events):
        when = event.at.strftime("%d/%m/%Y %H:%M")
        receipt = f" #{event.receipt_id}" if event.receipt_id else ""
        reason = f"<br><i>Lý do: {escape(event.reason)}</i>" if event.reason else ""
        rows.append(
            f"<p><b>{escape(event.action)}{receipt}</b> — {when}, {escape(event.user)}{reason}</p>"
        )
    return "".join(rows)
