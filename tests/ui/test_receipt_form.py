"""The receipt dialog's logic without widgets: field errors and the live preview."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from khit_desktop.domain.lateness import Channel, LatenessStatus, Receipt
from khit_desktop.domain.rules import RoundRules
from khit_desktop.services.receipts import ReceiptContext
from khit_desktop.ui.receipts.receipt_form import (
    FIELD_AGENCY,
    FIELD_NUMBER,
    FIELD_RECEIVED,
    FIELD_SENT,
    SENT_DATE_LABELS,
    ReceiptForm,
)

TODAY = date(2020, 12, 1)


def context(code: str, others: tuple[Receipt, ...] = ()) -> ReceiptContext:
    return ReceiptContext(2020, RoundRules.defaults(2020), code, "Sở Tư pháp", others, None)


def form(**values: object) -> ReceiptForm:
    return ReceiptForm(context_for=lambda code: context(code), year=2020, **values)  # type: ignore[arg-type]


def test_empty_form_asks_for_agency_and_sent_date() -> None:
    state = form().check(TODAY)
    assert set(state.errors) == {FIELD_AGENCY, FIELD_SENT}
    assert not state.valid and state.preview is None


@pytest.mark.parametrize(
    ("sent", "status"),
    [
        ("16/11/2020", LatenessStatus.ON_TIME),
        ("20/11/2020", LatenessStatus.LATE),
        ("23/11/2020", LatenessStatus.LATE),
        ("24/11/2020", LatenessStatus.VERY_LATE),
    ],
)
def test_preview_follows_the_sent_date(sent: str, status: LatenessStatus) -> None:
    state = form(agency_code="STP", sent_text=sent).check(TODAY)
    assert state.valid
    assert state.preview is not None and state.preview.status is status
    assert sent in state.preview.explanation


@pytest.mark.parametrize(
    ("sent", "received", "field", "words"),
    [
        ("31/02/2020", "", FIELD_SENT, "không có thật"),
        ("2020-11-16", "", FIELD_SENT, "dd/MM/yyyy"),
        ("16/11/2019", "", FIELD_SENT, "trước năm đánh giá"),
        ("16/12/2020", "", FIELD_SENT, "sau ngày hôm nay"),
        ("16/11/2020", "15/11/2020", FIELD_RECEIVED, "trước ngày gửi"),
        ("16/11/2020", "02/12/2020", FIELD_RECEIVED, "sau ngày hôm nay"),
    ],
)
def test_bad_dates_are_reported_on_their_field(
    sent: str, received: str, field: str, words: str
) -> None:
    state = form(agency_code="STP", sent_text=sent, received_text=received).check(TODAY)
    assert field in state.errors and words in state.errors[field]
    assert state.data is None and not state.valid


def test_duplicate_of_an_earlier_receipt_is_reported_on_the_number() -> None:
    earlier = Receipt(Channel.POST, date(2020, 11, 10), None, True, "12/STP-VP", key=7)
    logic = ReceiptForm(
        context_for=lambda code: context(code, (earlier,)),
        year=2020,
        agency_code="STP",
        channel=Channel.POST,
        sent_text="10/11/2020",
        doc_number=" 12/stp-vp ",
    )
    state = logic.check(TODAY)
    assert "số 7" in state.errors[FIELD_NUMBER]
    logic.doc_number = "12/STP-VP (bổ sung)"
    assert logic.check(TODAY).valid


def test_text_is_stored_nfc_and_trimmed() -> None:
    nfd = unicodedata.normalize("NFD", "  Bản quét có chữ ký  ")
    state = form(agency_code="STP", sent_text="16/11/2020", note=nfd).check(TODAY)
    assert state.data is not None
    assert state.data.note == "Bản quét có chữ ký"
    assert unicodedata.is_normalized("NFC", state.data.note)


def test_missing_attachment_is_refused(tmp_path: Path) -> None:
    state = form(
        agency_code="STP", sent_text="16/11/2020", attachment=tmp_path / "khong-co.pdf"
    ).check(TODAY)
    assert "attachment" in state.errors


def test_sent_date_label_follows_the_channel() -> None:
    logic = form()
    labels = set()
    for channel in Channel:
        logic.channel = channel
        labels.add(logic.sent_label)
    assert labels == set(SENT_DATE_LABELS.values())
    logic.channel = Channel.POST
    assert "bưu điện" in logic.sent_label
