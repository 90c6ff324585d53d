"""Two clerks, one row (issue 9): the second save is refused with EditConflict naming the
first clerk's change; "tải lại" gives the new version; "ghi đè" needs a reason and is
audited. Runs on SQLite and, when given, on PostgreSQL (tests/services/conftest.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from khit_desktop.domain.lateness import Channel
from khit_desktop.services import appraisal, receipt_edits, receipts, score_grid, scores
from khit_desktop.services.audit import Actor
from khit_desktop.services.concurrency import EditConflict
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.permissions import Role
from khit_desktop.services.receipts import ReceiptInput
from khit_desktop.store.database import Database
from khit_desktop.store.models import AuditEvent, GeneralValue, ReceiptRow

YEAR = 2020
AN = Actor(user="an.clerk", machine="may-an", role=Role.CLERK)
BINH = Actor(user="binh.clerk", machine="may-binh", role=Role.CLERK)


def grid_row(db: Database, agency: str, code: str) -> score_grid.GridRow:
    sheet = score_grid.agency_sheet(db, YEAR, agency)
    return next(r for r in sheet.rows if r.code == code)


def leaf_codes(db: Database, agency: str) -> list[str]:
    return [r.code for r in score_grid.agency_sheet(db, YEAR, agency).rows if r.is_leaf]


def last_event(db: Database) -> AuditEvent:
    with db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc())).first()
        assert event is not None
        return event


def test_second_save_of_a_score_is_refused_naming_the_first(demo_db: Database) -> None:
    code = "1.8"
    seen_by_an = grid_row(demo_db, "STP", code)
    seen_by_binh = grid_row(demo_db, "STP", code)
    assert seen_by_an.version == seen_by_binh.version > 0
    appraisal.set_appraised_points(
        demo_db, YEAR, "STP", code, Decimal(3), reason="Thiếu minh chứng", actor=AN,
        expected_version=seen_by_an.version,
    )  # fmt: skip
    before = last_event(demo_db).sequence
    with pytest.raises(EditConflict) as caught:
        appraisal.set_appraised_points(
            demo_db, YEAR, "STP", code, Decimal(5), reason="Đủ minh chứng", actor=BINH,
            expected_version=seen_by_binh.version,
        )  # fmt: skip
    conflict = caught.value
    assert isinstance(conflict, InputRefused)  # `khit` exit 3, nothing written
    assert last_event(demo_db).sequence == before
    assert grid_row(demo_db, "STP", code).appraised == Decimal("3.00")
    assert conflict.latest is not None and conflict.latest.user == "an.clerk"
    text = str(conflict)
    assert "an.clerk" in text and "may-an" in text and "Thiếu minh chứng" in text
    assert "→ 3,00" in text and "Tải lại" in text and "Ghi đè" in text
    assert conflict.current_version == seen_by_binh.version + 1

    # "tải lại": the grid carries the new version; saving with it goes through
    reloaded = grid_row(demo_db, "STP", code)
    assert reloaded.version == conflict.current_version
    appraisal.set_appraised_points(
        demo_db, YEAR, "STP", code, Decimal(4), reason="Sau khi xem lại", actor=BINH,
        expected_version=reloaded.version,
    )  # fmt: skip
    assert grid_row(demo_db, "STP", code).appraised == Decimal("4.00")


def test_overwrite_needs_a_reason_and_is_audited(demo_db: Database) -> None:
    code = "1.8"
    stale = grid_row(demo_db, "STP", code).version
    appraisal.set_appraised_points(
        demo_db, YEAR, "STP", code, Decimal(3), reason="Lần một", actor=AN, expected_version=stale
    )
    with pytest.raises(InputRefused, match="cần ghi lý do"):
        appraisal.set_appraised_points(
            demo_db, YEAR, "STP", code, Decimal(6), reason="Lần hai", actor=BINH,
            expected_version=stale, overwrite_reason="   ",
        )  # fmt: skip
    appraisal.set_appraised_points(
        demo_db, YEAR, "STP", code, Decimal(6), reason="Lần hai", actor=BINH,
        expected_version=stale, overwrite_reason="Hội đồng đã thống nhất",
    )  # fmt: skip
    event = last_event(demo_db)
    assert event.user == "binh.clerk" and event.action == "score.appraise"
    assert "Ghi đè thay đổi của người khác" in event.reason
    assert "Hội đồng đã thống nhất" in event.reason and event.reason.startswith("Lần hai")
    assert json.loads(event.old_json or "{}")["appraised_points"] == "3.00"
    assert grid_row(demo_db, "STP", code).appraised == Decimal("6.00")


def test_scores_of_different_agencies_and_criteria_never_conflict(demo_db: Database) -> None:
    first, second = leaf_codes(demo_db, "STP")[:2]
    versions = {
        (a, c): grid_row(demo_db, a, c).version
        for a, c in (("STP", first), ("STP", second), ("KS", first))
    }
    for (agency, code), version in versions.items():
        scores.set_appraised_score(
            demo_db, YEAR, agency, code, points_value=Decimal(0), reason="Kiểm tra",
            actor=AN, expected_version=version,
        )  # fmt: skip


def test_a_score_row_created_meanwhile_is_a_conflict(round_db: Database) -> None:
    code = leaf_codes(round_db, "STP")[0]
    assert grid_row(round_db, "STP", code).version == 0  # no row yet
    scores.set_self_score(round_db, YEAR, "STP", code, claimed=Decimal(1), expected_version=0)
    with pytest.raises(EditConflict) as caught:
        scores.set_self_score(round_db, YEAR, "STP", code, claimed=Decimal(2), expected_version=0)
    assert caught.value.current_version == 1
    assert grid_row(round_db, "STP", code).self_points == Decimal(1)


def test_second_edit_of_a_receipt_is_refused(demo_db: Database) -> None:
    line = next(r for r in receipts.register(demo_db, YEAR) if r.agency_code == "STP")
    view = line.receipts[0]
    data = ReceiptInput(
        Channel(view.channel), view.sent_date, view.received_date, view.doc_number, "ghi chú An"
    )
    receipt_edits.update_receipt(demo_db, view.id, data, actor=AN, expected_version=view.version)
    other = ReceiptInput(
        Channel(view.channel), view.sent_date, view.received_date, view.doc_number, "ghi chú Bình"
    )
    with pytest.raises(EditConflict) as caught:
        receipt_edits.update_receipt(
            demo_db, view.id, other, actor=BINH, expected_version=view.version
        )
    assert "an.clerk" in str(caught.value) and "ghi chú An" in str(caught.value)
    with pytest.raises(EditConflict):
        receipt_edits.invalidate_receipt(
            demo_db, view.id, "Phiếu photo", actor=BINH, expected_version=view.version
        )
    receipt_edits.update_receipt(
        demo_db, view.id, other, actor=BINH, expected_version=view.version,
        overwrite_reason="Đã hỏi lại văn thư",
    )  # fmt: skip
    with demo_db.session() as s:
        row = s.get(ReceiptRow, view.id)
        assert row is not None and row.note == "ghi chú Bình"
        assert row.version == view.version + 2
    assert "Đã hỏi lại văn thư" in last_event(demo_db).reason


def test_receipts_of_different_agencies_never_conflict(demo_db: Database) -> None:
    for agency in ("STP", "KS", "SNV"):
        receipts.add_receipt(
            demo_db, YEAR, agency, Channel.EMAIL, date(2020, 11, 12),
            doc_number=f"bổ sung/{agency}", actor=AN, today=date(2020, 11, 20),
        )  # fmt: skip


def test_a_stale_unversioned_update_is_refused_not_lost(demo_db: Database) -> None:
    """Without an expected version, a save that raced past another at commit still cannot
    overwrite it silently: the row's version refuses the UPDATE."""
    with demo_db.session() as s:
        row = s.scalars(select(GeneralValue)).first()
        assert row is not None
        row_id, version = row.id, row.version
    with pytest.raises(Exception) as caught, demo_db.session() as s:
        row = s.get(GeneralValue, row_id)
        assert row is not None
        with demo_db.session() as other:  # another clerk commits first
            theirs = other.get(GeneralValue, row_id)
            assert theirs is not None
            theirs.reason = "người khác"
        row.reason = "của tôi"
    assert "Người khác vừa sửa" in str(caught.value)
    with demo_db.session() as s:
        row = s.get(GeneralValue, row_id)
        assert row is not None and row.reason == "người khác" and row.version == version + 1


def test_an_undo_never_erases_a_later_change_by_another_clerk(demo_db: Database) -> None:
    code = "1.8"
    before = appraisal.appraisal_state(demo_db, YEAR, "STP", code)
    appraisal.set_appraised_points(
        demo_db, YEAR, "STP", code, Decimal(3), reason="An sửa", actor=AN,
        expected_version=grid_row(demo_db, "STP", code).version,
    )  # fmt: skip
    after_an = grid_row(demo_db, "STP", code).version
    appraisal.set_appraised_points(
        demo_db, YEAR, "STP", code, Decimal(7), reason="Bình sửa", actor=BINH,
        expected_version=after_an,
    )  # fmt: skip
    with pytest.raises(EditConflict, match=r"binh\.clerk"):
        appraisal.restore_appraisal(
            demo_db, YEAR, "STP", code, before, reason="Hoàn tác", actor=AN,
            expected_version=after_an,
        )  # fmt: skip
    assert grid_row(demo_db, "STP", code).appraised == Decimal("7.00")
