"""What the receipt dialog checks and previews, without any widget (tested on its own).

The clerk's typing is read into a ``ReceiptInput`` only when every field is valid; until then
each problem is reported against its field. The status the receipt would give the agency is
previewed live with the domain's own rules, so the dialog says "Trễ ≤ 5 ngày (−100 điểm)"
before anything is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ...domain.collation import nfc
from ...domain.dates import DateFormatError, format_date, parse_date
from ...domain.lateness import Channel, LatenessDecision, Receipt
from ...services.receipts import ReceiptContext, ReceiptInput, receipt_date_problems

SENT_DATE_LABELS = {
    Channel.POST: "Ngày theo dấu bưu điện",
    Channel.EOFFICE: "Ngày đến trên phần mềm QLVB&ĐH",
    Channel.EMAIL: "Ngày gửi thư điện tử công vụ",
    Channel.HAND: "Ngày nộp trực tiếp",
}

FIELD_AGENCY, FIELD_SENT, FIELD_RECEIVED, FIELD_NUMBER, FIELD_ATTACHMENT = (
    "agency",
    "sent",
    "received",
    "number",
    "attachment",
)


@dataclass
class ReceiptFormState:
    """The result of checking the form once."""

    errors: dict[str, str] = field(default_factory=dict)
    data: ReceiptInput | None = None
    preview: LatenessDecision | None = None

    @property
    def valid(self) -> bool:
        return not self.errors and self.data is not None


@dataclass
class ReceiptForm:
    """The values typed so far, and what they mean."""

    context_for: Callable[[str], ReceiptContext]
    year: int
    agency_code: str | None = None
    channel: Channel = Channel.EOFFICE
    sent_text: str = ""
    received_text: str = ""
    doc_number: str = ""
    note: str = ""
    attachment: Path | None = None
    editing: int | None = None  # the receipt being corrected, if any

    @property
    def sent_label(self) -> str:
        return SENT_DATE_LABELS[self.channel]

    def context(self) -> ReceiptContext | None:
        return self.context_for(self.agency_code) if self.agency_code else None

    def check(self, today: date) -> ReceiptFormState:
        state = ReceiptFormState()
        if not self.agency_code:
            state.errors[FIELD_AGENCY] = "Chọn cơ quan gửi phiếu."
        sent = self._date(self.sent_text, FIELD_SENT, "ngày gửi", state, required=True)
        received = self._date(self.received_text, FIELD_RECEIVED, "ngày nhận", state)
        for key, message in receipt_date_problems(self.year, sent, received, today).items():
            state.errors.setdefault(key, message)
        if self.attachment is not None and not self.attachment.is_file():
            state.errors[FIELD_ATTACHMENT] = f"Không tìm thấy tệp {self.attachment.name}."
        context = self.context()
        if sent is not None and context is not None and FIELD_SENT not in state.errors:
            number = nfc(self.doc_number).strip().casefold()
            for other in context.others:
                if (
                    other.channel is self.channel
                    and other.sent_date == sent
                    and nfc(other.doc_number).strip().casefold() == number
                ):
                    state.errors[FIELD_NUMBER] = (
                        f"Trùng với lần tiếp nhận số {other.key} (cùng kênh, ngày gửi, số "
                        "văn bản). Bản gửi lại cần số văn bản khác."
                    )
            # the sending date alone decides lateness: preview even if the received date is off
            usable = None if FIELD_RECEIVED in state.errors else received
            candidate = Receipt(self.channel, sent, usable, True, self.doc_number)
            state.preview = context.preview(candidate, as_of=today)
        if not state.errors and sent is not None:
            state.data = ReceiptInput(
                self.channel,
                sent,
                received,
                nfc(self.doc_number).strip(),
                nfc(self.note).strip(),
                self.attachment,
            )
        return state

    @staticmethod
    def _date(
        text: str, key: str, what: str, state: ReceiptFormState, *, required: bool = False
    ) -> date | None:
        if not text.strip():
            if required:
                state.errors[key] = f"Nhập {what} (dd/MM/yyyy)."
            return None
        try:
            return parse_date(text)
        except DateFormatError as exc:
            state.errors[key] = str(exc)
            return None


def describe_receipt(channel: Channel, sent: date, number: str) -> str:
    """'Bưu điện, gửi 16/11/2020, số 123/STP-VP' for confirmations and lists."""
    text = f"{channel.label}, gửi {format_date(sent)}"
    return f"{text}, số {number}" if number else text
