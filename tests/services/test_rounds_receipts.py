"""Catalogue, rounds and the receipt register (services over a real SQLite file)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from khit_desktop.domain.collation import vietnamese_key
from khit_desktop.domain.lateness import Channel, LatenessStatus
from khit_desktop.services import catalog, receipt_edits, receipts, rounds
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.services.forms import form_tree
from khit_desktop.store.models import (
    Agency,
    AuditEvent,
    Form,
    GroupCatalog,
    ReceiptRow,
    Round,
    RoundAgency,
)

YEAR = 2020
TODAY = date(2020, 12, 1)


def events(db, action: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def add(db, actor, code: str = "STP", sent: date = date(2020, 11, 10), **kw) -> int:
    kw.setdefault("today", TODAY)
    kw.setdefault("channel", Channel.EOFFICE)
    channel = kw.pop("channel")
    return receipts.add_receipt(db, YEAR, code, channel, sent, actor=actor, **kw)


def line_of(lines, code: str):
    return next(line for line in lines if line.agency_code == code)


# ---- catalogue -----------------------------------------------------------------------------


def test_initialise_fills_the_catalogue(catalog_db) -> None:
    with catalog_db.session() as s:
        assert s.scalar(select(func.count()).select_from(GroupCatalog)) == 3
        assert s.scalar(select(func.count()).select_from(Agency)) == 37
        forms = s.scalars(select(Form)).all()
        assert len(forms) == 1
        assert forms[0].is_sample
        assert form_tree(s, forms[0].id).max_points == Decimal(1000)
        groups = dict(
            s.execute(
                select(Agency.default_group, func.count()).group_by(Agency.default_group)
            ).all()
        )
    assert groups == {1: 21, 2: 8, 3: 8}
    assert catalog.is_initialised(catalog_db)
    assert not catalog.is_demo(catalog_db)


def test_initialising_twice_is_refused_and_changes_nothing(catalog_db, counts) -> None:
    before = counts(catalog_db)
    with pytest.raises(InputRefused, match="đã được khởi tạo"):
        catalog.initialise(catalog_db)
    assert counts(catalog_db) == before


def test_empty_database_is_not_initialised(fresh_db) -> None:
    assert not catalog.is_initialised(fresh_db)
    with pytest.raises(InputRefused, match="khit init"):
        rounds.create_round(fresh_db, 2020)


# ---- rounds --------------------------------------------------------------------------------


def test_create_round_with_the_regulation_defaults(catalog_db, actor) -> None:
    round_id = rounds.create_round(catalog_db, 2021, actor=actor)
    with catalog_db.session() as s:
        rnd = s.get(Round, round_id)
        assert rnd is not None
        assert rnd.year == 2021
        assert rnd.deadline == date(2021, 11, 15)
        assert rnd.grace_days == 5
        assert rnd.late_penalty == Decimal(100)
        assert (rnd.threshold_good, rnd.threshold_fair, rnd.threshold_average) == (85, 70, 50)
        assert rnd.shift_to_working_day
        assert rnd.state == "receiving"
        assert not rnd.is_demo
        assert len(rnd.members) == 37
        assert [g.number for g in rnd.groups] == [1, 2, 3]
        form_id = s.scalar(select(Form.id))
        assert {g.form_id for g in rnd.groups} == {form_id}
        assert {h.day for h in rnd.holidays} >= {date(2021, 9, 2), date(2021, 1, 1)}
        by_group = {g.number: sum(m.group_id == g.id for m in rnd.members) for g in rnd.groups}
        assert by_group == {1: 21, 2: 8, 3: 8}
    [event] = events(catalog_db, "round.create")
    assert event.round_year == 2021
    assert event.user == actor.user
    assert json.loads(event.new_json) == {"year": 2021, "copy_from": None, "agencies": 37}


def test_create_round_copying_the_demo_year(demo_db) -> None:
    rounds.create_round(demo_db, 2021, copy_from=2020)
    with demo_db.session() as s:
        old, new = (s.scalar(select(Round).where(Round.year == y)) for y in (2020, 2021))
        assert new.deadline == date(2021, 11, 15)
        assert new.grace_days == old.grace_days
        assert new.late_penalty == old.late_penalty
        assert not new.is_demo
        assert [(g.number, g.name, g.form_id) for g in new.groups] == [
            (g.number, g.name, g.form_id) for g in old.groups
        ]
        assert {g.id for g in new.groups}.isdisjoint({g.id for g in old.groups})

        def members(rnd: Round) -> set[tuple[str, int, str]]:
            return {(m.agency.code, m.group.number, m.name) for m in rnd.members}

        assert members(new) == members(old)
        assert len(new.members) == 37
        # this year's exemption is a decision of that year, not carried over
        assert any(m.exempt_reason for m in old.members)
        assert not any(m.exempt_reason for m in new.members)
    summaries = {r.year: r for r in rounds.list_rounds(demo_db)}
    assert sorted(summaries) == [2019, 2020, 2021]  # 2019: the demo's published past year
    assert summaries[2020].is_demo and not summaries[2021].is_demo
    assert summaries[2021].agencies == 37


@pytest.mark.parametrize(
    ("year", "copy_from", "error", "match"),
    [
        (2020, None, InputRefused, "đã có"),
        (2021, 2019, NotFound, "Không có kỳ đánh giá năm 2019"),
        (1999, None, InputRefused, "không hợp lệ"),
        (2101, None, InputRefused, "không hợp lệ"),
    ],
    ids=["duplicate", "unknown-copy-from", "1999", "2101"],
)
def test_create_round_refusals_change_nothing(
    round_db, counts, year, copy_from, error, match
) -> None:
    before = counts(round_db)
    with pytest.raises(error, match=match):
        rounds.create_round(round_db, year, copy_from=copy_from)
    assert counts(round_db) == before


def test_get_round_names_the_existing_years(round_db) -> None:
    with pytest.raises(NotFound, match="Các kỳ hiện có: 2020"), round_db.session() as s:
        rounds.get_round(s, 2024)


# ---- receipts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ({"code": "XYZ"}, NotFound, "mã 'XYZ'"),
        ({"year": 2019, "sent": date(2019, 11, 10)}, NotFound, "năm 2019"),
        ({"sent": date(2020, 11, 11), "today": date(2020, 11, 10)}, InputRefused, "hôm nay"),
        (
            {"sent": date(2020, 11, 12), "received_date": date(2020, 11, 11)},
            InputRefused,
            "trước ngày gửi",
        ),
        ({"sent": date(2019, 12, 31)}, InputRefused, "trước năm đánh giá 2020"),
        (
            {"received_date": date(2020, 12, 2)},
            InputRefused,
            "hôm nay",
        ),
    ],
    ids=[
        "unknown-agency",
        "unknown-year",
        "sent-after-today",
        "received-before-sent",
        "sent-before-the-year",
        "received-after-today",
    ],
)
def test_add_receipt_refusals_change_nothing(round_db, counts, actor, args, error, match) -> None:
    before = counts(round_db)
    args = dict(args)
    year = args.pop("year", YEAR)
    code = args.pop("code", "STP")
    sent = args.pop("sent", date(2020, 11, 10))
    today = args.pop("today", TODAY)
    with pytest.raises(error, match=match):
        receipts.add_receipt(
            round_db, year, code, Channel.POST, sent, today=today, actor=actor, **args
        )
    assert counts(round_db) == before


def test_a_good_receipt_writes_one_row_and_one_event(round_db, counts, actor) -> None:
    before = counts(round_db)
    rid = add(
        round_db,
        actor,
        " STP ",
        date(2020, 11, 13),
        channel=Channel.POST,
        received_date=date(2020, 11, 17),
        doc_number="125/STP-VP",
        note="Dấu bưu điện 13/11",
    )
    after = counts(round_db)
    assert after["receipt"] == before["receipt"] + 1
    assert after["audit_event"] == before["audit_event"] + 1
    assert {k: v for k, v in after.items() if k not in ("receipt", "audit_event")} == {
        k: v for k, v in before.items() if k not in ("receipt", "audit_event")
    }
    with round_db.session() as s:
        row = s.get(ReceiptRow, rid)
        assert row is not None
        assert (row.channel, row.sent_date, row.received_date) == (
            "post",
            date(2020, 11, 13),
            date(2020, 11, 17),
        )
        assert row.valid and row.invalid_reason == ""
        assert row.doc_number == "125/STP-VP"
        assert row.recorded_by == actor.user
    [event] = events(round_db, "receipt.add")
    assert (event.entity, event.entity_id, event.round_year) == ("receipt", rid, 2020)
    assert event.old_json is None
    new = json.loads(event.new_json)
    assert new["agency"] == "STP"
    assert new["sent_date"] == "2020-11-13"
    assert new["received_date"] == "2020-11-17"
    assert new["valid"] is True


def test_receipts_of_a_finalised_round_are_refused(round_db, counts, actor) -> None:
    with round_db.session() as s:
        rounds.get_round(s, YEAR).state = "finalized"
    before = counts(round_db)
    with pytest.raises(InputRefused, match="đã chốt"):
        add(round_db, actor)
    assert counts(round_db) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_invalidate_receipt_needs_a_reason(round_db, counts, actor, reason) -> None:
    rid = add(round_db, actor)
    before = counts(round_db)
    with pytest.raises(InputRefused, match="lý do"):
        receipt_edits.invalidate_receipt(round_db, rid, reason, actor=actor)
    assert counts(round_db) == before
    with round_db.session() as s:
        assert s.get(ReceiptRow, rid).valid


def test_invalidate_unknown_receipt(round_db, actor) -> None:
    with pytest.raises(NotFound):
        receipt_edits.invalidate_receipt(round_db, 999, "Không có chữ ký số", actor=actor)


def test_invalidate_receipt_records_old_and_new(round_db, actor) -> None:
    rid = add(round_db, actor)
    receipt_edits.invalidate_receipt(round_db, rid, "  Phiếu chưa có chữ ký số  ", actor=actor)
    with round_db.session() as s:
        row = s.get(ReceiptRow, rid)
        assert not row.valid
        assert row.invalid_reason == "Phiếu chưa có chữ ký số"
    [event] = events(round_db, "receipt.invalidate")
    assert event.entity_id == rid
    assert event.reason == "Phiếu chưa có chữ ký số"
    assert json.loads(event.old_json)["valid"] is True
    assert json.loads(event.new_json)["valid"] is False
    assert json.loads(event.new_json)["invalid_reason"] == "Phiếu chưa có chữ ký số"


def test_register_lists_every_member_by_group_in_vietnamese_order(round_db, actor) -> None:
    add(round_db, actor, "STP", date(2020, 11, 10))
    lines = receipts.register(round_db, YEAR, as_of=date(2020, 11, 20))
    assert len(lines) == 37
    assert [line.group for line in lines] == sorted(line.group for line in lines)
    for group in (1, 2, 3):
        names = [line.agency_name for line in lines if line.group == group]
        assert names == sorted(names, key=vietnamese_key)
    names = [line.agency_name for line in lines]
    # whole names by base letters first: "Giáo dục" (d) before "Giao thông" (t)
    assert names.index("Sở Giáo dục và Đào tạo") < names.index("Sở Giao thông vận tải")
    assert names.index("Sở Du lịch") < names.index("Sở Giáo dục và Đào tạo")
    assert names.index("UBND huyện Vạn Ninh") < names.index("UBND thành phố Cam Ranh")

    stp = line_of(lines, "STP")
    assert stp.decision.status is LatenessStatus.ON_TIME
    assert len(stp.receipts) == 1 and stp.receipts[0].counted
    assert "đúng hạn" in stp.decision.explanation
    sct = line_of(lines, "SCT")
    assert sct.receipts == ()
    assert sct.decision.status is LatenessStatus.MISSING
    assert "Chưa nhận phiếu" in sct.decision.explanation  # still awaited on 20/11
    after = receipts.register(round_db, YEAR, as_of=date(2020, 12, 1))
    assert "Không gửi phiếu" in line_of(after, "SCT").decision.explanation


def test_register_of_an_unknown_year(round_db) -> None:
    with pytest.raises(NotFound):
        receipts.register(round_db, 2019)


@pytest.mark.parametrize(
    ("sent", "status", "penalty"),
    [
        (date(2020, 11, 16), LatenessStatus.ON_TIME, 0),  # Sun 15/11 moves to Mon 16/11
        (date(2020, 11, 23), LatenessStatus.LATE, 100),  # grace end Sat 21/11 → Mon 23/11
        (date(2020, 11, 24), LatenessStatus.VERY_LATE, 0),
    ],
)
def test_lateness_from_the_sending_date(round_db, actor, sent, status, penalty) -> None:
    add(round_db, actor, "CL", sent, received_date=date(2020, 11, 30), channel=Channel.POST)
    line = line_of(receipts.register(round_db, YEAR), "CL")
    assert line.decision.status is status
    assert line.decision.penalty == penalty


def test_the_earliest_valid_receipt_counts(round_db, actor) -> None:
    later = add(round_db, actor, "NT", date(2020, 11, 18))
    earlier = add(round_db, actor, "NT", date(2020, 11, 12))  # recorded second, sent first
    line = line_of(receipts.register(round_db, YEAR), "NT")
    assert line.decision.status is LatenessStatus.ON_TIME
    assert {r.id: r.counted for r in line.receipts} == {later: False, earlier: True}

    receipt_edits.invalidate_receipt(round_db, earlier, "Thiếu chữ ký của thủ trưởng", actor=actor)
    line = line_of(receipts.register(round_db, YEAR), "NT")
    assert line.decision.status is LatenessStatus.LATE
    assert line.decision.penalty == Decimal(100)
    assert {r.id: r.counted for r in line.receipts} == {later: True, earlier: False}
    invalid = next(r for r in line.receipts if r.id == earlier)
    assert not invalid.valid and invalid.invalid_reason == "Thiếu chữ ký của thủ trưởng"

    receipt_edits.invalidate_receipt(round_db, later, "Sai mẫu phiếu", actor=actor)
    line = line_of(receipts.register(round_db, YEAR), "NT")
    assert line.decision.status is LatenessStatus.MISSING
    assert not any(r.counted for r in line.receipts)


def test_exempt_member_is_not_ranked_in_the_register(round_db, actor) -> None:
    with round_db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        receipts.member(s, rnd, "BQLDA-GT").exempt_reason = "Đang kiện toàn tổ chức"
    add(round_db, actor, "BQLDA-GT", date(2020, 11, 10))
    line = line_of(receipts.register(round_db, YEAR), "BQLDA-GT")
    assert line.decision.status is LatenessStatus.NOT_RANKED
    assert "Đang kiện toàn tổ chức" in line.decision.explanation


def test_round_members_keep_their_name_of_the_year(round_db) -> None:
    with round_db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        member = receipts.member(s, rnd, "SVHTT")
        member.name = "Sở Văn hóa, Thể thao và Du lịch"
        assert isinstance(member, RoundAgency)
    line = line_of(receipts.register(round_db, YEAR), "SVHTT")
    assert line.agency_name == "Sở Văn hóa, Thể thao và Du lịch"
    with round_db.session() as s:
        assert s.scalar(select(Agency.name).where(Agency.code == "SVHTT")) == (
            "Sở Văn hóa và Thể thao"
        )
