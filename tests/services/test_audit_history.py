"""The history of an agency (Lịch sử thay đổi): every audited change about it, who, when
(local time), what (old → new in readable Vietnamese), why; one criterion on demand."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pytest

from khit_desktop.domain.lateness import Channel
from khit_desktop.services import appraisal, receipt_edits, receipts
from khit_desktop.services.audit import Actor
from khit_desktop.services.audit_history import (
    agency_in_round,
    criteria_of,
    describe_event,
    format_answer,
    format_number,
    history_lines,
    local_time,
)
from khit_desktop.services.errors import NotFound
from khit_desktop.store.database import Database

YEAR = 2020
CLERK = Actor(user="can-bo-a", machine="may-1")


@pytest.fixture
def vietnam_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_every_change_of_the_agency_oldest_first(demo_db: Database) -> None:
    lines = history_lines(demo_db, YEAR, "DHKH")
    assert len(lines) > 40
    sequences = [line.sequence or 0 for line in lines]
    assert sequences == sorted(sequences)
    first = lines[0]
    assert first.label == "Ghi nhận phiếu" and first.criteria == ()
    assert "Ngày gửi: 09/11/2020" in first.what and "Số văn bản: 786/DHKH-VP" in first.what
    assert first.user == "demo" and first.who == "demo (máy demo)"
    labels = {line.label for line in lines}
    assert {"Số liệu, điểm tự chấm", "Lập kế hoạch khảo sát", "Áp dụng kết quả khảo sát"} <= labels
    general = next(line for line in lines if line.action == "general.self")
    assert general.what.startswith("Tổng số cán bộ, công chức, viên chức của cơ quan (CB): — →")
    others = history_lines(demo_db, YEAR, "NH")
    assert not {line.sequence for line in lines} & {line.sequence for line in others}


def test_one_criterion(demo_db: Database) -> None:
    lines = history_lines(demo_db, YEAR, "DHKH", "1.6.2")
    assert [line.action for line in lines] == [
        "score.self",
        "survey.plan",
        "survey.record",
        "score.appraise",
        "survey.apply",
    ]
    applied = lines[3]
    assert applied.what == "Điểm thẩm định: — → 4,00; Nguồn: Phiếu tự đánh giá → Khảo sát thực tế"
    assert applied.reason.startswith("Khảo sát thực tế ngày 03/12/2020")
    assert "1.6.2" in criteria_of(history_lines(demo_db, YEAR, "DHKH"))
    answered = history_lines(demo_db, YEAR, "NH", "4.6")
    assert [line.action for line in answered] == [
        "score.self",
        "explanation.request",
        "explanation.answer",
    ]


def test_a_change_reads_old_to_new_with_who_when_why(
    demo_db: Database, vietnam_clock: None
) -> None:
    before = datetime.now()
    appraisal.set_appraised_points(
        demo_db, YEAR, "SNV", "1.8", Decimal("12.5"), reason="Kiểm tra IPv6", actor=CLERK
    )
    appraisal.set_appraised_points(
        demo_db, YEAR, "SNV", "1.8", Decimal("10"), reason="Kiểm tra lại", actor=CLERK
    )
    appraisal.set_general_value(
        demo_db, YEAR, "SNV", "CB", Decimal(1200), appraised=True, reason="Sở Nội vụ", actor=CLERK
    )
    rid = receipts.add_receipt(
        demo_db,
        YEAR,
        "SNV",
        Channel.EMAIL,
        date(2020, 11, 30),
        actor=CLERK,
        today=date(2020, 12, 2),
    )
    receipt_edits.update_receipt(
        demo_db,
        rid,
        receipts.ReceiptInput(Channel.EMAIL, date(2020, 11, 30), None, "15/SNV-VP"),
        reason="Bổ sung số",
        actor=CLERK,
        today=date(2020, 12, 2),
    )
    lines = history_lines(demo_db, YEAR, "SNV")
    *_, first, second, general, added, updated = lines
    assert (second.user, second.machine, second.reason) == ("can-bo-a", "may-1", "Kiểm tra lại")
    assert "Điểm thẩm định: 12,50 → 10,00" in second.what
    assert second.criteria == ("1.8",) and first.what.startswith("Điểm thẩm định: — → 12,50")
    assert abs((second.at - before).total_seconds()) < 60  # local (Vietnam) time
    assert second.when == second.at.strftime("%d/%m/%Y %H:%M")
    assert general.what.endswith("(CB) thẩm định: — → 1.200")
    assert added.label == "Ghi nhận phiếu" and "Thư điện tử công vụ" in added.what
    assert updated.what == "Số văn bản: — → 15/SNV-VP" and updated.reason == "Bổ sung số"


def test_local_time_and_formats(vietnam_clock: None) -> None:
    assert local_time(datetime(2020, 12, 31, 17, 30)) == datetime(2021, 1, 1, 0, 30)
    assert format_number("1000") == "1.000" and format_number("842.5") == "842,5"
    assert format_number(None) == "—"
    assert format_answer({"numerator": "133", "denominator": "373"}) == "133/373"
    assert format_answer({"yes": False}) == "Không" and format_answer({"count": "3"}) == "3"
    assert format_answer({"option": "Mức 2"}) == "Mức 2" and format_answer(None) == "—"
    assert describe_event("council.decide", None, {"points": "7", "meeting_date": "2020-12-20",
                                                   "decision": "Giữ nguyên"}) == (
        "7,00 điểm, họp ngày 20/12/2020: Giữ nguyên"
    )  # fmt: skip


def test_unknown_agency_and_heading(demo_db: Database) -> None:
    with pytest.raises(NotFound):
        history_lines(demo_db, YEAR, "KHONG-CO")
    agency = agency_in_round(demo_db, YEAR, "DHKH")
    assert agency.name == "Trường Đại học Khánh Hòa" and agency.criteria["1.6.2"].startswith(
        "Phòng máy chủ"
    )
