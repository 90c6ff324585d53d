"""The receipt register after the fact: duplicates, edits with a reason when the status
changes, invalid receipts, exemptions, an agency's history, the live preview of a receipt
dialog, and the cached demo database. Each test works on its own copy of the demo."""

from __future__ import annotations

import json
import os
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from khit_desktop.cli_output import rank_json
from khit_desktop.domain.classification import Classification
from khit_desktop.domain.lateness import Channel, LatenessStatus, Receipt
from khit_desktop.services import demo, receipt_edits, receipts, results, rounds
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.services.receipt_edits import StatusChangeNeedsReason
from khit_desktop.services.receipts import ReceiptInput
from khit_desktop.store.database import Database
from khit_desktop.store.models import (
    Attachment,
    AuditEvent,
    ReceiptRow,
    RoundAgency,
)
from tests.db_state import db_state

YEAR = 2020
TODAY = date(2020, 12, 1)
ON_TIME_LABEL = "Đúng hạn"
LATE_LABEL = "Trễ ≤ 5 ngày (−100 điểm)"
TEST_ACTOR = Actor(user="tester", machine="test-machine")

# The demo's receipts used below (see services/demo.py): STP sent once, late (20/11); SYT's
# first copy (12/11, by e-mail) is invalid, its second (19/11) counts; NT sent twice, both on
# time; SDL sent on 02/11; KS and QDTPT sent nothing; BQLDA-GT is exempt.
STP_RECEIPT = 29
SYT_INVALID, SYT_VALID = 33, 34
NT_FIRST, NT_SECOND = 14, 15
SDL_RECEIPT = 18


# ---- helpers -------------------------------------------------------------------------------


def finalize(db: Database) -> None:
    with db.session() as s:
        rounds.get_round(s, YEAR).state = "finalized"


def events(db: Database, action: str | None = None) -> list[AuditEvent]:
    with db.session() as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(s.scalars(query))


def line_of(db: Database, code: str) -> receipts.RegisterLine:
    return next(line for line in receipts.register(db, YEAR) if line.agency_code == code)


def row_of(db: Database, receipt_id: int) -> ReceiptRow:
    with db.session() as s:
        row = s.get(ReceiptRow, receipt_id)
        assert row is not None
        return row


def add(
    db: Database,
    code: str,
    sent: date,
    channel: Channel = Channel.EOFFICE,
    doc_number: str = "",
    **kw: Any,
) -> int:
    kw.setdefault("today", TODAY)
    kw.setdefault("actor", TEST_ACTOR)
    return receipts.add_receipt(db, YEAR, code, channel, sent, doc_number=doc_number, **kw)


def update(db: Database, receipt_id: int, data: ReceiptInput, reason: str = "") -> None:
    receipt_edits.update_receipt(db, receipt_id, data, reason=reason, actor=TEST_ACTOR, today=TODAY)


def as_input(row: ReceiptRow, **changes: Any) -> ReceiptInput:
    """The receipt as the edit dialog would show it, with ``changes``."""
    values: dict[str, Any] = {
        "channel": Channel(row.channel),
        "sent_date": row.sent_date,
        "received_date": row.received_date,
        "doc_number": row.doc_number,
        "note": row.note,
    }
    values.update(changes)
    return ReceiptInput(**values)


# ---- 1. duplicates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc_number",
    [
        "560/STP-VP",
        "560/stp-vp",
        "  560/Stp-Vp  ",
    ],
    ids=["same", "lower-case", "spaces-and-mixed-case"],
)
def test_the_same_document_twice_is_refused(demo_db, doc_number) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match=f"lần tiếp nhận số {STP_RECEIPT}:") as caught:
        add(demo_db, "STP", date(2020, 11, 20), Channel.EOFFICE, doc_number)
    assert "560/STP-VP" in str(caught.value)
    assert "20/11/2020" in str(caught.value)
    assert db_state(demo_db) == before


def test_the_same_vietnamese_number_in_nfd_or_other_case_is_a_duplicate(demo_db) -> None:
    first = add(demo_db, "KS", date(2020, 11, 12), Channel.POST, "12/BC-Sở Tư pháp")
    before = db_state(demo_db)
    for variant in (
        unicodedata.normalize("NFD", "12/BC-Sở Tư pháp"),
        "12/bc-sở tư pháp",
        unicodedata.normalize("NFD", " 12/BC-SỞ TƯ PHÁP "),
    ):
        assert variant != "12/BC-Sở Tư pháp"
        with pytest.raises(InputRefused, match=f"lần tiếp nhận số {first}:"):
            add(demo_db, "KS", date(2020, 11, 12), Channel.POST, variant)
    assert db_state(demo_db) == before


@pytest.mark.parametrize(
    ("channel", "sent", "doc_number"),
    [
        (Channel.EOFFICE, date(2020, 11, 20), "561/STP-VP"),
        (Channel.EMAIL, date(2020, 11, 20), "560/STP-VP"),
        (Channel.EOFFICE, date(2020, 11, 21), "560/STP-VP"),
        (Channel.EOFFICE, date(2020, 11, 20), ""),
    ],
    ids=["other-number", "other-channel", "other-date", "no-number"],
)
def test_a_different_number_channel_or_date_is_accepted(demo_db, channel, sent, doc_number) -> None:
    before = db_state(demo_db)["counts"]
    rid = add(demo_db, "STP", sent, channel, doc_number)
    after = db_state(demo_db)["counts"]
    assert after["receipt"] == before["receipt"] + 1
    assert after["audit_event"] == before["audit_event"] + 1
    assert row_of(demo_db, rid).doc_number == doc_number
    assert {r.id for r in line_of(demo_db, "STP").receipts} == {STP_RECEIPT, rid}


def test_the_same_document_of_another_agency_is_not_a_duplicate(demo_db) -> None:
    rid = add(demo_db, "KS", date(2020, 11, 20), Channel.EOFFICE, "560/STP-VP")
    assert row_of(demo_db, rid).agency_id != row_of(demo_db, STP_RECEIPT).agency_id


def test_an_invalid_earlier_receipt_still_counts_as_a_duplicate(demo_db) -> None:
    """Decision of the code: every receipt of the agency, valid or not, is compared; a
    re-sent copy must carry another number (the message says so)."""
    assert not row_of(demo_db, SYT_INVALID).valid
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match=f"lần tiếp nhận số {SYT_INVALID}:") as caught:
        add(demo_db, "SYT", date(2020, 11, 12), Channel.EMAIL, "667/syt-vp")
    assert "số văn bản khác" in str(caught.value)
    assert db_state(demo_db) == before


def test_update_refuses_to_become_a_duplicate_of_another_receipt(demo_db) -> None:
    first = row_of(demo_db, NT_FIRST)
    second = row_of(demo_db, NT_SECOND)
    before = db_state(demo_db)
    copy_of_first = as_input(
        second,
        channel=Channel(first.channel),
        sent_date=first.sent_date,
        received_date=first.received_date,
        doc_number=f" {first.doc_number.lower()} ",
    )
    with pytest.raises(InputRefused, match=f"lần tiếp nhận số {NT_FIRST}:") as caught:
        update(demo_db, NT_SECOND, copy_of_first, reason="Sửa nhầm")
    assert not isinstance(caught.value, StatusChangeNeedsReason)
    assert db_state(demo_db) == before


def test_update_is_not_a_duplicate_of_itself(demo_db) -> None:
    row = row_of(demo_db, NT_FIRST)
    update(demo_db, NT_FIRST, as_input(row, note="Đã đối chiếu với sổ công văn đến"))
    assert row_of(demo_db, NT_FIRST).note == "Đã đối chiếu với sổ công văn đến"
    assert row_of(demo_db, NT_FIRST).doc_number == row.doc_number


# ---- 2. update_receipt ---------------------------------------------------------------------


def test_an_update_that_keeps_the_status_needs_no_reason(demo_db) -> None:
    row = row_of(demo_db, STP_RECEIPT)
    assert line_of(demo_db, "STP").decision.status is LatenessStatus.LATE
    before = db_state(demo_db)["counts"]
    update(
        demo_db,
        STP_RECEIPT,
        as_input(
            row,
            sent_date=date(2020, 11, 19),  # still late, one day less
            received_date=date(2020, 11, 21),
            doc_number="  560/STP-VP  ",
            note="Ngày nhận ghi theo sổ công văn",
        ),
    )
    after = db_state(demo_db)["counts"]
    assert after == {**before, "audit_event": before["audit_event"] + 1}
    stored = row_of(demo_db, STP_RECEIPT)
    assert (stored.sent_date, stored.received_date) == (date(2020, 11, 19), date(2020, 11, 21))
    assert stored.doc_number == "560/STP-VP"
    assert stored.note == "Ngày nhận ghi theo sổ công văn"
    decision = line_of(demo_db, "STP").decision
    assert decision.status is LatenessStatus.LATE and decision.days_late == 3

    [event] = events(demo_db, "receipt.update")
    assert (event.entity, event.entity_id, event.round_year) == ("receipt", STP_RECEIPT, YEAR)
    assert (event.user, event.machine, event.reason) == (TEST_ACTOR.user, TEST_ACTOR.machine, "")
    old, new = json.loads(event.old_json), json.loads(event.new_json)
    assert old == {
        "channel": "eoffice",
        "sent_date": "2020-11-20",
        "received_date": "2020-11-20",
        "doc_number": "560/STP-VP",
        "valid": True,
        "invalid_reason": "",
        "note": "",
        "attachment": None,
    }
    assert new == {
        **old,
        "sent_date": "2020-11-19",
        "received_date": "2020-11-21",
        "note": "Ngày nhận ghi theo sổ công văn",
    }


def test_a_status_change_without_a_reason_is_refused(demo_db) -> None:
    row = row_of(demo_db, SDL_RECEIPT)
    assert line_of(demo_db, "SDL").decision.status is LatenessStatus.ON_TIME
    before = db_state(demo_db)
    late = as_input(row, sent_date=date(2020, 11, 20), received_date=date(2020, 11, 20))
    for reason in ("", "   "):
        with pytest.raises(StatusChangeNeedsReason) as caught:
            update(demo_db, SDL_RECEIPT, late, reason=reason)
        error = caught.value
        assert isinstance(error, InputRefused)
        assert f"«{ON_TIME_LABEL}»" in str(error)
        assert f"«{LATE_LABEL}»" in str(error)
        assert "Sở Du lịch" in str(error)
        assert error.old.status is LatenessStatus.ON_TIME
        assert error.new.status is LatenessStatus.LATE
        assert db_state(demo_db) == before
    assert line_of(demo_db, "SDL").decision.status is LatenessStatus.ON_TIME


def test_a_status_change_with_a_reason_lands_and_keeps_the_reason(demo_db) -> None:
    row = row_of(demo_db, SDL_RECEIPT)
    late = as_input(row, sent_date=date(2020, 11, 20), received_date=date(2020, 11, 20))
    update(demo_db, SDL_RECEIPT, late, reason="  Nhập nhầm ngày gửi; đúng là 20/11  ")
    decision = line_of(demo_db, "SDL").decision
    assert decision.status is LatenessStatus.LATE
    assert decision.penalty == Decimal(100)
    [event] = events(demo_db, "receipt.update")
    assert event.reason == "Nhập nhầm ngày gửi; đúng là 20/11"
    assert json.loads(event.old_json)["sent_date"] == "2020-11-02"
    assert json.loads(event.new_json)["sent_date"] == "2020-11-20"


def test_a_status_change_back_to_on_time_also_needs_a_reason(demo_db) -> None:
    row = row_of(demo_db, STP_RECEIPT)
    before = db_state(demo_db)
    on_time = as_input(row, sent_date=date(2020, 11, 13), received_date=date(2020, 11, 13))
    with pytest.raises(StatusChangeNeedsReason) as caught:
        update(demo_db, STP_RECEIPT, on_time)
    assert f"«{LATE_LABEL}» sang «{ON_TIME_LABEL}»" in str(caught.value)
    assert db_state(demo_db) == before


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"sent_date": date(2020, 12, 2), "received_date": None}, "sau ngày hôm nay"),
        ({"sent_date": date(2019, 12, 31)}, "trước năm đánh giá 2020"),
        ({"received_date": date(2020, 11, 19)}, "trước ngày gửi"),
        ({"received_date": date(2020, 12, 2)}, "sau ngày hôm nay"),
    ],
    ids=["sent-in-the-future", "sent-before-the-year", "received-before-sent", "received-future"],
)
def test_update_checks_the_dates(demo_db, changes, match) -> None:
    row = row_of(demo_db, STP_RECEIPT)
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match=match):
        update(demo_db, STP_RECEIPT, as_input(row, **changes), reason="Sửa ngày")
    assert db_state(demo_db) == before


def test_update_of_an_unknown_receipt(demo_db) -> None:
    row = row_of(demo_db, STP_RECEIPT)
    with pytest.raises(NotFound, match="số 9999"):
        update(demo_db, 9999, as_input(row))


def _edit(db: Database) -> None:
    update(db, STP_RECEIPT, as_input(row_of(db, STP_RECEIPT), note="x"), reason="Sửa")


def _add(db: Database) -> None:
    add(db, "KS", date(2020, 11, 10), doc_number="1/KS")


def _invalidate(db: Database) -> None:
    receipt_edits.invalidate_receipt(db, STP_RECEIPT, "Thiếu chữ ký", actor=TEST_ACTOR)


def _exempt(db: Database) -> None:
    receipt_edits.set_exempt(db, YEAR, "STP", "Sáp nhập", actor=TEST_ACTOR)


def _unexempt(db: Database) -> None:
    receipt_edits.set_exempt(db, YEAR, "BQLDA-GT", None, actor=TEST_ACTOR)


@pytest.mark.parametrize(
    "operation",
    [_edit, _add, _invalidate, _exempt, _unexempt],
    ids=["update", "add", "invalidate", "exempt", "unexempt"],
)
def test_a_finalized_round_refuses_every_change(demo_db, operation) -> None:
    finalize(demo_db)
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="đã chốt"):
        operation(demo_db)
    assert db_state(demo_db) == before


# ---- 3. invalidate_receipt -----------------------------------------------------------------


def test_invalidating_moves_to_the_next_earliest_valid_receipt(demo_db) -> None:
    late = add(demo_db, "KS", date(2020, 11, 24), doc_number="3/KS")  # very late
    early = add(demo_db, "KS", date(2020, 11, 12), doc_number="1/KS")
    middle = add(demo_db, "KS", date(2020, 11, 19), doc_number="2/KS")  # late, −100
    line = line_of(demo_db, "KS")
    assert line.decision.status is LatenessStatus.ON_TIME
    assert line.counted is not None and line.counted.id == early

    receipt_edits.invalidate_receipt(demo_db, early, "Chưa ký số", actor=TEST_ACTOR)
    line = line_of(demo_db, "KS")
    assert line.decision.status is LatenessStatus.LATE
    assert line.counted is not None and line.counted.id == middle

    before = db_state(demo_db)
    with pytest.raises(InputRefused, match=f"số {early} đã được đánh dấu không hợp lệ"):
        receipt_edits.invalidate_receipt(demo_db, early, "Lần nữa", actor=TEST_ACTOR)
    assert db_state(demo_db) == before
    assert row_of(demo_db, early).invalid_reason == "Chưa ký số"

    receipt_edits.invalidate_receipt(demo_db, middle, "Sai mẫu", actor=TEST_ACTOR)
    line = line_of(demo_db, "KS")
    assert line.decision.status is LatenessStatus.VERY_LATE
    assert line.counted is not None and line.counted.id == late

    receipt_edits.invalidate_receipt(demo_db, late, "Gửi nhầm đơn vị", actor=TEST_ACTOR)
    line = line_of(demo_db, "KS")
    assert line.decision.status is LatenessStatus.MISSING
    assert line.counted is None
    assert [r.valid for r in line.receipts] == [False, False, False]
    assert len(events(demo_db, "receipt.invalidate")) == 1 + 3  # the demo's own + ours


def test_invalidating_an_already_invalid_demo_receipt_is_refused(demo_db) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="đã được đánh dấu không hợp lệ"):
        receipt_edits.invalidate_receipt(demo_db, SYT_INVALID, "Lý do mới", actor=TEST_ACTOR)
    assert db_state(demo_db) == before


# ---- 4. set_exempt -------------------------------------------------------------------------


def test_exempting_an_agency_and_clearing_it(demo_db) -> None:
    assert line_of(demo_db, "STP").decision.status is LatenessStatus.LATE
    receipt_edits.set_exempt(
        demo_db, YEAR, "STP", "  Sáp nhập vào Sở Nội vụ từ tháng 10  ", actor=TEST_ACTOR
    )
    line = line_of(demo_db, "STP")
    assert line.decision.status is LatenessStatus.NOT_RANKED
    assert line.exempt_reason == "Sáp nhập vào Sở Nội vụ từ tháng 10"
    assert "Sáp nhập vào Sở Nội vụ từ tháng 10" in line.decision.explanation
    assert line.counted is None
    [event] = events(demo_db, "membership.exempt")
    assert event.entity == "round_agency"
    assert event.reason == "Sáp nhập vào Sở Nội vụ từ tháng 10"
    assert json.loads(event.old_json) == {"agency": "STP", "exempt_reason": None}
    assert json.loads(event.new_json) == {
        "agency": "STP",
        "exempt_reason": "Sáp nhập vào Sở Nội vụ từ tháng 10",
    }

    receipt_edits.set_exempt(demo_db, YEAR, "STP", None, actor=TEST_ACTOR)
    line = line_of(demo_db, "STP")
    assert line.decision.status is LatenessStatus.LATE
    assert line.decision.penalty == Decimal(100)
    assert line.exempt_reason is None
    assert line.counted is not None and line.counted.id == STP_RECEIPT
    [event] = events(demo_db, "membership.unexempt")
    assert event.reason == ""
    assert json.loads(event.new_json) == {"agency": "STP", "exempt_reason": None}


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_an_empty_exemption_reason_is_refused(demo_db, reason) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="lý do không xếp hạng"):
        receipt_edits.set_exempt(demo_db, YEAR, "STP", reason, actor=TEST_ACTOR)
    assert db_state(demo_db) == before


def test_the_same_exemption_twice_writes_one_event(demo_db) -> None:
    receipt_edits.set_exempt(demo_db, YEAR, "KS", "Giải thể", actor=TEST_ACTOR)
    before = db_state(demo_db)
    receipt_edits.set_exempt(demo_db, YEAR, "KS", " Giải thể ", actor=TEST_ACTOR)
    receipt_edits.set_exempt(
        demo_db, YEAR, "KS", unicodedata.normalize("NFD", "Giải thể"), actor=TEST_ACTOR
    )
    assert db_state(demo_db) == before
    assert len(events(demo_db, "membership.exempt")) == 1
    # clearing an agency that is not exempt writes nothing either
    receipt_edits.set_exempt(demo_db, YEAR, "STP", None, actor=TEST_ACTOR)
    assert db_state(demo_db) == before


def test_set_exempt_of_an_unknown_agency(demo_db) -> None:
    before = db_state(demo_db)
    with pytest.raises(NotFound, match="XYZ"):
        receipt_edits.set_exempt(demo_db, YEAR, "XYZ", "Lý do", actor=TEST_ACTOR)
    assert db_state(demo_db) == before


def test_an_exempt_agency_has_no_rank_in_the_results(demo_db) -> None:
    receipt_edits.set_exempt(demo_db, YEAR, "STP", "Sáp nhập", actor=TEST_ACTOR)
    rows = results.ranking(demo_db, YEAR)
    stp = next(r for r in rows if r.agency_code == "STP")
    assert stp.classification is Classification.NOT_RANKED
    assert stp.classification.label == "Không xếp hạng"
    assert stp.rank is None
    assert stp.status is LatenessStatus.NOT_RANKED
    assert "Sáp nhập" in stp.explanation
    ranks = sorted(r.rank for r in rows if r.group == 1 and r.rank is not None)
    assert ranks[0] == 1
    assert len(ranks) == sum(1 for r in rows if r.group == 1) - 1  # only STP left out


# ---- 5. agency_history ---------------------------------------------------------------------


@pytest.fixture
def vietnam_time() -> Iterator[None]:
    """The process runs in Vietnam's time zone (UTC+7, no daylight saving)."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Ho_Chi_Minh"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def test_agency_history_lists_that_agencys_events_oldest_first(demo_db, vietnam_time) -> None:
    other = Actor(user="nguyen.van.b", machine="may-2")
    rid = add(demo_db, "KS", date(2020, 11, 12), Channel.POST, "15/KS-VP")
    add(demo_db, "QDTPT", date(2020, 11, 12), Channel.POST, "15/KS-VP")  # another agency
    receipt_edits.update_receipt(
        demo_db,
        rid,
        ReceiptInput(Channel.POST, date(2020, 11, 19), date(2020, 11, 23), "15/KS-VP"),
        reason="Dấu bưu điện ngày 19/11",
        actor=other,
        today=TODAY,
    )
    _invalidate(demo_db)  # STP's receipt, another agency
    receipt_edits.invalidate_receipt(demo_db, rid, "Phiếu photo", actor=TEST_ACTOR)
    receipt_edits.set_exempt(demo_db, YEAR, "KS", "Sáp nhập", actor=other)
    receipt_edits.set_exempt(demo_db, YEAR, "QDTPT", "Giải thể", actor=other)
    receipt_edits.set_exempt(demo_db, YEAR, "KS", None, actor=TEST_ACTOR)

    history = receipt_edits.agency_history(demo_db, YEAR, "KS")
    assert [e.action for e in history] == [
        "Ghi nhận phiếu",
        "Sửa lần tiếp nhận",
        "Đánh dấu không hợp lệ",
        "Không xếp hạng",
        "Bỏ không xếp hạng",
    ]
    assert [e.user for e in history] == [
        TEST_ACTOR.user,
        "nguyen.van.b",
        TEST_ACTOR.user,
        "nguyen.van.b",
        TEST_ACTOR.user,
    ]
    assert [e.reason for e in history] == [
        "",
        "Dấu bưu điện ngày 19/11",
        "Phiếu photo",
        "Sáp nhập",
        "",
    ]
    assert [e.receipt_id for e in history] == [rid, rid, rid, None, None]
    assert history[0].details["agency"] == "KS"
    assert history[1].details["sent_date"] == "2020-11-19"
    assert history[2].details["valid"] is False
    assert history[3].details == {"agency": "KS", "exempt_reason": "Sáp nhập"}

    # local time: the stored UTC instant seen in Vietnam (UTC+7), without a zone
    ks_ids = _ks_event_ids(demo_db, rid)
    with demo_db.session() as s:
        stored = [s.get(AuditEvent, i).at_utc for i in ks_ids]
    assert [e.at for e in history] == [t + timedelta(hours=7) for t in stored]
    assert all(e.at.tzinfo is None for e in history)
    assert [e.at for e in history] == sorted(e.at for e in history)
    now_local = datetime.now(UTC).astimezone().replace(tzinfo=None)
    assert abs(now_local - history[-1].at) < timedelta(minutes=5)


def _ks_event_ids(db: Database, rid: int) -> list[int]:
    with db.session() as s:
        member_id = s.scalar(
            select(RoundAgency.id).where(
                RoundAgency.agency_id
                == select(ReceiptRow.agency_id).where(ReceiptRow.id == rid).scalar_subquery(),
                RoundAgency.round_id
                == select(ReceiptRow.round_id).where(ReceiptRow.id == rid).scalar_subquery(),
            )
        )
        return list(
            s.scalars(
                select(AuditEvent.id)
                .where(
                    ((AuditEvent.entity == "receipt") & (AuditEvent.entity_id == rid))
                    | ((AuditEvent.entity == "round_agency") & (AuditEvent.entity_id == member_id))
                )
                .order_by(AuditEvent.id)
            )
        )


def test_another_agencys_history_never_shows_these_events(demo_db) -> None:
    rid = add(demo_db, "KS", date(2020, 11, 12), doc_number="1/KS")
    receipt_edits.set_exempt(demo_db, YEAR, "KS", "Sáp nhập", actor=TEST_ACTOR)
    for code in ("QDTPT", "STP", "SYT", "BQLDA-GT"):
        history = receipt_edits.agency_history(demo_db, YEAR, code)
        assert all(e.receipt_id != rid for e in history)
        assert all(e.details.get("agency") in (None, code) for e in history)
        assert "Sáp nhập" not in {e.reason for e in history}
    assert receipt_edits.agency_history(demo_db, YEAR, "QDTPT") == []


def test_the_demo_history_of_an_invalid_first_copy(demo_db) -> None:
    history = receipt_edits.agency_history(demo_db, YEAR, "SYT")
    assert [(e.action, e.receipt_id) for e in history] == [
        ("Ghi nhận phiếu", SYT_INVALID),
        ("Đánh dấu không hợp lệ", SYT_INVALID),
        ("Ghi nhận phiếu", SYT_VALID),
    ]
    assert {e.user for e in history} == {"demo"}
    assert "chữ ký số" in history[1].reason


def test_agency_history_of_an_unknown_agency_or_year(demo_db) -> None:
    with pytest.raises(NotFound):
        receipt_edits.agency_history(demo_db, YEAR, "XYZ")
    with pytest.raises(NotFound):
        receipt_edits.agency_history(demo_db, 2018, "KS")


# ---- 6. receipt_context and the live preview -----------------------------------------------


@pytest.mark.parametrize(
    ("sent", "status", "days_late"),
    [
        (date(2020, 11, 16), LatenessStatus.ON_TIME, 0),
        (date(2020, 11, 20), LatenessStatus.LATE, 4),
        (date(2020, 11, 23), LatenessStatus.LATE, 7),
        (date(2020, 11, 24), LatenessStatus.VERY_LATE, 8),
    ],
)
def test_preview_of_a_candidate_receipt(demo_db, sent, status, days_late) -> None:
    before = db_state(demo_db)
    context = receipts.receipt_context(demo_db, YEAR, "KS")
    assert (context.year, context.agency_code) == (YEAR, "KS")
    assert context.others == ()
    assert context.exempt_reason is None
    assert context.preview(None).status is LatenessStatus.MISSING
    decision = context.preview(Receipt(Channel.POST, sent))
    assert decision.status is status
    assert decision.days_late == days_late
    assert db_state(demo_db) == before  # a preview writes nothing


def test_preview_with_exclude_leaves_out_the_edited_receipt(demo_db) -> None:
    candidate = Receipt(Channel.EOFFICE, date(2020, 11, 24))
    with_it = receipts.receipt_context(demo_db, YEAR, "STP")
    assert [r.key for r in with_it.others] == [STP_RECEIPT]
    # the stored receipt (20/11) is earlier, so it still counts
    assert with_it.preview(candidate).status is LatenessStatus.LATE
    without = receipts.receipt_context(demo_db, YEAR, "STP", exclude=STP_RECEIPT)
    assert without.others == ()
    assert without.preview(candidate).status is LatenessStatus.VERY_LATE
    assert without.preview(None).status is LatenessStatus.MISSING
    on_time = without.preview(Receipt(Channel.EOFFICE, date(2020, 11, 13)))
    assert on_time.status is LatenessStatus.ON_TIME


def test_preview_keeps_invalid_receipts_out_of_the_count(demo_db) -> None:
    context = receipts.receipt_context(demo_db, YEAR, "SYT", exclude=SYT_VALID)
    assert [(r.key, r.valid) for r in context.others] == [(SYT_INVALID, False)]
    assert context.preview(None).status is LatenessStatus.MISSING
    assert context.preview(Receipt(Channel.EOFFICE, date(2020, 11, 19))).status is (
        LatenessStatus.LATE
    )


def test_an_exempt_agency_previews_not_ranked(demo_db) -> None:
    context = receipts.receipt_context(demo_db, YEAR, "BQLDA-GT")
    assert context.exempt_reason == demo.EXEMPT["BQLDA-GT"]
    decision = context.preview(Receipt(Channel.POST, date(2020, 11, 30)))
    assert decision.status is LatenessStatus.NOT_RANKED
    assert "kiện toàn tổ chức" in decision.explanation


def test_receipt_context_of_an_unknown_agency(demo_db) -> None:
    with pytest.raises(NotFound, match="XYZ"):
        receipts.receipt_context(demo_db, YEAR, "XYZ")


@pytest.mark.parametrize(
    ("sent", "received", "expected"),
    [
        (date(2020, 11, 10), date(2020, 11, 12), {}),
        (date(2020, 11, 10), None, {}),
        (None, None, {}),
        (date(2019, 12, 31), None, {"sent"}),
        (date(2020, 12, 2), None, {"sent"}),
        (date(2020, 11, 10), date(2020, 11, 9), {"received"}),
        (date(2020, 11, 10), date(2020, 12, 2), {"received"}),
        (date(2020, 12, 2), date(2020, 12, 3), {"sent", "received"}),
        (None, date(2020, 12, 2), {"received"}),
    ],
)
def test_receipt_date_problems_per_field(sent, received, expected) -> None:
    problems = receipts.receipt_date_problems(YEAR, sent, received, TODAY)
    assert set(problems) == set(expected)
    assert all(text.strip() for text in problems.values())


# ---- 9. the demo database: a cached template copied per call -------------------------------


def test_demo_database_builds_the_template_once_and_copies_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "dữ liệu"
    monkeypatch.setenv("KHIT_DATA_DIR", str(data))
    builds: list[Path] = []
    real_build = demo.build_demo

    def build_once(db: Database, **kw: Any) -> None:
        if builds:
            raise AssertionError("the cached demo template was rebuilt")
        assert db.path is not None
        builds.append(db.path)
        real_build(db, **kw)

    monkeypatch.setattr(demo, "build_demo", build_once)

    first = demo.demo_database(tmp_path / "a" / "minh họa 1.db")
    try:
        assert len(builds) == 1
        [template] = (data / "cache").iterdir()
        assert template.name.startswith("minh-hoa-") and template.suffix == ".db"
        second = demo.demo_database(tmp_path / "b" / "minh họa 2.db")
        try:
            assert len(builds) == 1
            assert [p.name for p in (data / "cache").iterdir()] == [template.name]
            assert first.path != second.path
            assert rank_json(results.ranking(first, YEAR)) == rank_json(
                results.ranking(second, YEAR)
            )

            # each copy is its own file
            add(first, "KS", date(2020, 11, 10), doc_number="1/KS")
            receipt_edits.set_exempt(second, YEAR, "STP", "Sáp nhập", actor=TEST_ACTOR)
            assert line_of(first, "KS").decision.status is LatenessStatus.ON_TIME
            assert line_of(second, "KS").decision.status is LatenessStatus.MISSING
            assert line_of(first, "STP").decision.status is LatenessStatus.LATE
            assert line_of(second, "STP").decision.status is LatenessStatus.NOT_RANKED
        finally:
            second.dispose()
    finally:
        first.dispose()

    third = demo.demo_database(tmp_path / "c.db")
    try:  # the template itself was never written to
        assert line_of(third, "KS").decision.status is LatenessStatus.MISSING
        assert line_of(third, "STP").decision.status is LatenessStatus.LATE
    finally:
        third.dispose()
    assert len(builds) == 1


def _count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_demo_copy_matches_the_session_template(demo_db) -> None:
    """The fixture's copy is the demo (guards the receipt ids used in this module)."""
    assert row_of(demo_db, STP_RECEIPT).doc_number == "560/STP-VP"
    assert not row_of(demo_db, SYT_INVALID).valid and row_of(demo_db, SYT_VALID).valid
    assert row_of(demo_db, NT_FIRST).doc_number == "975/NT-VP"
    assert row_of(demo_db, SDL_RECEIPT).sent_date == date(2020, 11, 2)
    assert _count(demo_db, Attachment) == 0
