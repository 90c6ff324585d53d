"""The round's step bar: tiếp nhận → thẩm định → trình Hội đồng → đã chốt; who moved it and
when, from the audit trail; what a clerk may move, what stays the chair's and the admin's."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from khit_desktop.domain.lateness import Channel
from khit_desktop.services import receipts, round_decision, rounds
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.finalise import finalise, reopen
from khit_desktop.services.integrity import verify
from khit_desktop.services.permissions import PermissionDenied, Role
from khit_desktop.services.round_stage import (
    APPRAISING,
    FINALIZED,
    RECEIVING,
    STAGE_LABELS,
    STAGES,
    SUBMITTED,
    move_to,
    stage,
)
from khit_desktop.store.database import Database
from khit_desktop.store.models import AuditEvent, Round
from tests.db_state import db_state

YEAR = 2020
CLERK = Actor("can-bo", "may-1", Role.CLERK)
CHAIR = Actor("chu-tich", "may-hd", Role.CHAIR)
ADMIN = Actor("quan-tri", "may-qt", Role.ADMIN)
MEMBER = Actor("thanh-vien", "may-2", Role.MEMBER)


def stage_events(db: Database) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "round.stage")
                .order_by(AuditEvent.sequence)
            )
        )


def state(db: Database, year: int = YEAR) -> str:
    with db.session() as s:
        return s.scalar(select(Round.state).where(Round.year == year)) or ""


def test_a_new_round_is_receiving_since_it_was_created(demo_db: Database) -> None:
    info = stage(demo_db, YEAR)
    assert info.current == RECEIVING and info.current_label == "Tiếp nhận"
    assert [s.key for s in info.steps] == list(STAGES)
    assert [s.label for s in info.steps] == [
        "Tiếp nhận",
        "Thẩm định",
        "Trình Hội đồng",
        "Đã chốt",
    ]
    assert [s.reached for s in info.steps] == [True, False, False, False]
    with demo_db.session() as s:
        created = s.scalar(select(AuditEvent).where(AuditEvent.action == "round.create"))
        assert created is not None
        assert (info.steps[0].at, info.steps[0].by) == (created.at_utc, created.user)
    assert all(step.at is None and step.by == "" for step in info.steps[1:])
    assert (info.forward, info.back) == (APPRAISING, None)
    assert info.phrase == "đang tiếp nhận phiếu"


def test_the_clerk_moves_forward_each_move_audited(demo_db: Database) -> None:
    assert move_to(demo_db, YEAR, APPRAISING, actor=CLERK)
    assert move_to(demo_db, YEAR, SUBMITTED, actor=CLERK, reason="Trình họp ngày 20/12")
    assert state(demo_db) == SUBMITTED
    info = stage(demo_db, YEAR)
    assert [s.reached for s in info.steps] == [True, True, True, False]
    assert [s.by for s in info.steps[1:3]] == ["can-bo", "can-bo"]
    assert info.steps[2].reason == "Trình họp ngày 20/12"
    assert (info.forward, info.back) == (None, APPRAISING)  # finalising is the chair's
    found = stage_events(demo_db)
    assert [(json.loads(e.old_json or "{}"), json.loads(e.new_json or "{}")) for e in found] == [
        ({"state": RECEIVING}, {"state": APPRAISING}),
        ({"state": APPRAISING}, {"state": SUBMITTED}),
    ]
    assert [e.entity for e in found] == ["round", "round"]
    assert [m.text.split(": ", 1)[1] for m in info.moves[1:]] == [
        "Tiếp nhận → Thẩm định",
        "Thẩm định → Trình Hội đồng (Trình họp ngày 20/12)",
    ]
    assert verify(demo_db).ok  # the stage is not a finalisation: the data check agrees


def test_the_same_stage_again_changes_nothing(demo_db: Database) -> None:
    move_to(demo_db, YEAR, APPRAISING, actor=CLERK)
    before = db_state(demo_db)
    assert move_to(demo_db, YEAR, APPRAISING, actor=CLERK) is False
    assert db_state(demo_db) == before


def test_moving_back_needs_a_reason_and_unreaches_the_later_steps(demo_db: Database) -> None:
    move_to(demo_db, YEAR, APPRAISING, actor=CLERK)
    move_to(demo_db, YEAR, SUBMITTED, actor=CLERK)
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="lý do"):
        move_to(demo_db, YEAR, APPRAISING, actor=CLERK, reason="   ")
    assert db_state(demo_db) == before
    assert move_to(demo_db, YEAR, RECEIVING, actor=CLERK, reason="Nhận thêm phiếu bổ sung")
    info = stage(demo_db, YEAR)
    assert [s.reached for s in info.steps] == [True, False, False, False]
    assert info.steps[0].by == "can-bo" and info.steps[0].reason == "Nhận thêm phiếu bổ sung"
    assert stage_events(demo_db)[-1].reason == "Nhận thêm phiếu bổ sung"


def test_finalising_stays_the_chairs_and_unknown_stages_are_refused(demo_db: Database) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="Chủ tịch"):
        move_to(demo_db, YEAR, FINALIZED, actor=CLERK)
    with pytest.raises(InputRefused, match="không có"):
        move_to(demo_db, YEAR, "published", actor=CLERK)
    with pytest.raises(InputRefused, match="quá dài"):
        move_to(demo_db, YEAR, APPRAISING, actor=CLERK, reason="x" * 501)
    assert db_state(demo_db) == before


@pytest.mark.parametrize("actor", [CHAIR, ADMIN, MEMBER], ids=["chair", "admin", "member"])
def test_only_the_working_team_moves_the_round(demo_db: Database, actor: Actor) -> None:
    before = db_state(demo_db)
    with pytest.raises(PermissionDenied, match="Cán bộ Tổ giúp việc"):
        move_to(demo_db, YEAR, APPRAISING, actor=actor)
    assert db_state(demo_db) == before


def test_the_middle_stages_lock_nothing(demo_db: Database) -> None:
    """Receipts (and every other change) stay open until the round is finalised."""
    for target in (APPRAISING, SUBMITTED):
        move_to(demo_db, YEAR, target, actor=CLERK)
        with demo_db.session() as s:
            rounds.ensure_round_open(rounds.get_round(s, YEAR))  # no refusal
    receipts.add_receipt(
        demo_db, YEAR, "KS", Channel.POST, date(2020, 11, 25), actor=CLERK, today=date(2021, 1, 5)
    )


def test_finalise_and_reopen_show_on_the_bar(demo_db: Database) -> None:
    move_to(demo_db, YEAR, APPRAISING, actor=CLERK)
    move_to(demo_db, YEAR, SUBMITTED, actor=CLERK)
    round_decision.set_decision(
        demo_db, YEAR, round_decision.DecisionInfo("3456", date(2020, 12, 30)), actor=CLERK
    )
    finalise(demo_db, YEAR, actor=CHAIR)
    info = stage(demo_db, YEAR)
    assert info.current == FINALIZED and all(s.reached for s in info.steps)
    assert info.steps[3].by == "chu-tich" and info.steps[3].at is not None
    assert (info.forward, info.back) == (None, None)
    with pytest.raises(InputRefused, match="đã chốt"):
        move_to(demo_db, YEAR, SUBMITTED, actor=CLERK, reason="sửa")
    reopen(demo_db, YEAR, "Sửa điểm tiêu chí 1.8 theo kết luận của Hội đồng", actor=ADMIN)
    info = stage(demo_db, YEAR)
    assert info.current == RECEIVING
    assert [s.reached for s in info.steps] == [True, False, False, False]
    assert info.steps[0].by == "quan-tri"
    assert info.steps[0].reason == "Sửa điểm tiêu chí 1.8 theo kết luận của Hội đồng"
    assert [(m.old, m.new) for m in info.moves][-2:] == [
        (SUBMITTED, FINALIZED),
        (FINALIZED, RECEIVING),
    ]
    assert move_to(demo_db, YEAR, SUBMITTED, actor=CLERK)  # straight back to the council
    assert verify(demo_db).ok


def test_a_published_year_has_every_step_and_nothing_to_move(demo_db: Database) -> None:
    info = stage(demo_db, 2019)
    assert info.published and info.current == FINALIZED
    assert all(s.reached and s.at is None for s in info.steps)
    assert (info.forward, info.back) == (None, None)
    with pytest.raises(InputRefused, match="đã công bố"):
        move_to(demo_db, 2019, APPRAISING, actor=CLERK)


def test_labels_cover_every_stage() -> None:
    assert set(STAGE_LABELS) == set(STAGES)


def test_the_trail_is_read_once_then_only_its_new_events(demo_db: Database) -> None:
    from khit_desktop.services import round_stage

    first = stage(demo_db, YEAR)  # reads the whole trail
    move_to(demo_db, YEAR, APPRAISING, actor=CLERK)
    later = stage(demo_db, YEAR)  # reads only the events after what it kept
    assert [(m.old, m.new) for m in later.moves] == [
        *[(m.old, m.new) for m in first.moves],
        (RECEIVING, APPRAISING),
    ]
    key = str(demo_db.engine.url)
    kept = round_stage._READ[key]
    # a trail that does not continue what was kept (a restore): read again from the start
    round_stage._READ[key] = round_stage._TrailRead(kept.sequence, "0" * 64, {})
    assert stage(demo_db, YEAR).moves == later.moves
