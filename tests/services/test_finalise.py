"""Finalising a round (the chair) and reopening it with a reason (the admin): the refusals,
the backup taken first, the audit events, what the trail tells afterwards, and that a
finalised round refuses every change — receipts, scores, rules, surveys, the decision."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from khit_desktop.domain.lateness import Channel
from khit_desktop.services import (
    appraisal,
    comments,
    explanations,
    receipt_edits,
    receipts,
    round_decision,
    rounds,
    scores,
    surveys,
)
from khit_desktop.services.audit import Actor
from khit_desktop.services.backups import list_backups
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.finalise import (
    blockers,
    finalisation,
    finalise,
    format_vietnam,
    reopen,
)
from khit_desktop.services.integrity import verify
from khit_desktop.services.permissions import PermissionDenied, Role
from khit_desktop.store.database import Database
from khit_desktop.store.models import AuditEvent, Round
from tests.db_state import db_state

YEAR = 2020
CHAIR = Actor("chu-tich", "may-hd", Role.CHAIR)
ADMIN = Actor("quan-tri", "may-qt", Role.ADMIN)
CLERK = Actor("can-bo", "may-1", Role.CLERK)
REASON = "Sửa sai điểm tiêu chí 1.8 của Sở Nội vụ theo Kết luận số 12/KL-HĐ"


def sign(db: Database) -> None:
    round_decision.set_decision(
        db, YEAR, round_decision.DecisionInfo("3456", date(2020, 12, 30)), actor=CLERK
    )


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def test_refused_without_the_decision_number_and_date(demo_db: Database) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="quyết định công bố"):
        finalise(demo_db, YEAR, actor=CHAIR)
    assert db_state(demo_db) == before
    assert demo_db.path is None or not list_backups(demo_db.path)
    notes = blockers(demo_db, YEAR)
    assert notes[0].blocking and "quyết định" in notes[0].text
    warnings = [n.text for n in notes if not n.blocking]
    assert any("đang chờ giải trình" in w for w in warnings)
    assert any("chưa đánh dấu thẩm định xong" in w for w in warnings)
    assert any("chưa ghi kết quả" in w for w in warnings)


def test_only_the_chair_finalises_only_the_admin_reopens(demo_db: Database) -> None:
    sign(demo_db)
    for actor in (CLERK, ADMIN, Actor("tv", "m", Role.MEMBER)):
        with pytest.raises(PermissionDenied, match="Chủ tịch Hội đồng"):
            finalise(demo_db, YEAR, actor=actor)
    finalise(demo_db, YEAR, actor=CHAIR)
    for actor in (CLERK, CHAIR):
        with pytest.raises(PermissionDenied, match="Quản trị"):
            reopen(demo_db, YEAR, REASON, actor=actor)
    reopen(demo_db, YEAR, REASON, actor=ADMIN)


def test_finalise_backs_up_first_then_records_who_and_when(demo_db: Database) -> None:
    sign(demo_db)
    started = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    backup = finalise(demo_db, YEAR, actor=CHAIR, now=datetime(2021, 1, 5, 9, 30))
    if demo_db.path is None:  # a PostgreSQL server is backed up with pg_dump, not by us
        assert backup is None
    else:
        assert backup is not None and backup.exists() and ".chot-ky.20210105-093000" in backup.name
    info = finalisation(demo_db, YEAR)
    assert info.is_final and info.finalized_by == "chu-tich" and info.reopenings == []
    assert info.finalized_at is not None and info.finalized_at >= started
    assert f"đã chốt lúc {format_vietnam(info.finalized_at)}" in info.describe()
    (event,) = events(demo_db, "round.finalize")
    assert (event.user, event.machine, event.round_year) == ("chu-tich", "may-hd", YEAR)
    new = json.loads(event.new_json or "{}")
    assert new["finalized_at"] == info.finalized_at.isoformat()
    assert new["decision_number"] == "3456"
    assert new["backup"] == (backup.name if backup is not None else None)
    assert verify(demo_db).ok
    with pytest.raises(InputRefused, match="đã chốt"):
        finalise(demo_db, YEAR, actor=CHAIR)


def test_reopen_needs_a_reason_and_is_told_by_the_trail(demo_db: Database) -> None:
    sign(demo_db)
    with pytest.raises(InputRefused, match="chưa chốt"):
        reopen(demo_db, YEAR, REASON, actor=ADMIN)
    finalise(demo_db, YEAR, actor=CHAIR)
    with pytest.raises(InputRefused, match="lý do"):
        reopen(demo_db, YEAR, "  \n ", actor=ADMIN)
    reopen(demo_db, YEAR, f"  {REASON}\n", actor=ADMIN)
    info = finalisation(demo_db, YEAR)
    assert not info.is_final and info.finalized_at is None and info.finalized_by == ""
    assert "chưa chốt — kết quả tạm tính" in info.describe()
    ((at, user, reason),) = info.reopenings
    assert (user, reason) == ("quan-tri", REASON) and isinstance(at, datetime)
    (event,) = events(demo_db, "round.reopen")
    assert event.reason == REASON and json.loads(event.old_json or "{}")["state"] == "finalized"
    assert verify(demo_db).ok
    # open again: a change goes through; then finalised a second time
    appraisal.set_appraised_points(
        demo_db, YEAR, "SNV", "1.8", Decimal(5), reason="Kết luận 12/KL-HĐ", actor=CLERK
    )
    finalise(demo_db, YEAR, actor=CHAIR)
    assert finalisation(demo_db, YEAR).is_final
    assert len(finalisation(demo_db, YEAR).reopenings) == 1


def test_a_published_year_is_neither_finalised_nor_reopened(demo_db: Database) -> None:
    for attempt in (
        lambda: finalise(demo_db, 2019, actor=CHAIR),
        lambda: reopen(demo_db, 2019, REASON, actor=ADMIN),
    ):
        with pytest.raises(InputRefused, match="đã công bố"):
            attempt()
    assert finalisation(demo_db, 2019).published


def test_refused_when_the_data_was_changed_outside_the_program(demo_db: Database) -> None:
    sign(demo_db)
    with demo_db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE score SET self_points = '1.00' WHERE id = 7")
    with pytest.raises(InputRefused, match="toàn vẹn") as refused:
        finalise(demo_db, YEAR, actor=CHAIR)
    assert "Điểm #7" in str(refused.value)
    assert not finalisation(demo_db, YEAR).is_final


def test_a_finalisation_faked_with_sql_is_found(demo_db: Database) -> None:
    sign(demo_db)
    finalise(demo_db, YEAR, actor=CHAIR)
    with demo_db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE round SET finalized_by = 'nguoi-khac' WHERE year = 2020")
    report = verify(demo_db)
    assert [c.key for c in report.failed] == ["rounds"]
    assert "người chốt" in report.failed[0].findings[0].message


def _finalised_round_attempts(db: Database) -> dict[str, Callable[[], Any]]:
    today = date(2020, 12, 31)
    rules = rounds.round_rules(db, YEAR)
    return {
        "receipt.add": lambda: receipts.add_receipt(
            db, YEAR, "KS", Channel.POST, date(2020, 11, 30), actor=CLERK, today=today
        ),
        "receipt.update": lambda: receipt_edits.update_receipt(
            db,
            1,
            receipts.ReceiptInput(Channel.POST, date(2020, 11, 2), None, "1/X"),
            reason="sửa",
            actor=CLERK,
            today=today,
        ),
        "receipt.invalidate": lambda: receipt_edits.invalidate_receipt(
            db, 1, "Thiếu chữ ký", actor=CLERK
        ),
        "membership.exempt": lambda: receipt_edits.set_exempt(
            db, YEAR, "CR", "Sáp nhập", actor=CLERK
        ),
        "score.appraise": lambda: appraisal.set_appraised_points(
            db, YEAR, "SNV", "1.8", Decimal(5), reason="x", actor=CLERK
        ),
        "general.appraise": lambda: appraisal.set_general_value(
            db, YEAR, "SNV", "CB", Decimal(300), appraised=True, reason="x", actor=CLERK
        ),
        "round.rules": lambda: rounds.update_rules(
            db, YEAR, replace(rules, grace_days=7), reason="x", actor=ADMIN
        ),
        "survey.plan": lambda: surveys.plan_survey(
            db, YEAR, "CR", date(2020, 12, 20), member_ids=[1], criteria=["3.3"], actor=CLERK
        ),
        "survey.dismiss": lambda: surveys.dismiss_finding(db, 2, "Không áp dụng", actor=CLERK),
        "explanation.request": lambda: explanations.request_explanation(
            db,
            YEAR,
            "CR",
            criteria=["3.3"],
            letter_number="9/X",
            letter_date=date(2020, 12, 1),
            actor=CLERK,
        ),
        "appraisal.done": lambda: appraisal.set_done(db, YEAR, "SNV", True, actor=CLERK),
        "cross_check.add": lambda: appraisal.add_cross_check(
            db, YEAR, "SNV", "1.8", source_agency="Sở Nội vụ", figure="300", actor=CLERK
        ),
        "score.self": lambda: scores.set_self_score(
            db, YEAR, "SNV", "1.3", answer={"yes": True}, actor=CLERK
        ),
        "comment.add": lambda: comments.add_comment(db, YEAR, "SNV", "Ý kiến", actor=CHAIR),
        "round.decision": lambda: round_decision.set_decision(
            db,
            YEAR,
            round_decision.DecisionInfo("3457", date(2020, 12, 30)),
            reason="sửa số",
            actor=CLERK,
        ),
    }


def test_after_finalising_every_change_is_refused(demo_db: Database) -> None:
    sign(demo_db)
    finalise(demo_db, YEAR, actor=CHAIR)
    before = db_state(demo_db)
    refused = []
    for name, attempt in _finalised_round_attempts(demo_db).items():
        with pytest.raises(InputRefused, match="đã chốt"):
            attempt()
        refused.append(name)
    assert len(refused) == 15
    assert db_state(demo_db) == before
    with demo_db.session() as s:
        assert s.scalar(select(Round.state).where(Round.year == YEAR)) == "finalized"
    assert verify(demo_db).ok
