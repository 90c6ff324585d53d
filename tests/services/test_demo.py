"""The demo round 2020 and its published past year 2019: every case the app must show is
present, and it is deterministic."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from khit_desktop.cli_output import rank_json, receipts_json
from khit_desktop.domain.classification import Classification
from khit_desktop.domain.lateness import LatenessStatus
from khit_desktop.domain.movement import MovementKind
from khit_desktop.services import (
    catalog,
    demo,
    demo_history,
    history,
    movement,
    receipts,
    results,
    rounds,
)
from khit_desktop.services.errors import InputRefused
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import Agency, AuditEvent, ReceiptRow, ScoreRow

YEAR = demo.DEMO_YEAR


@pytest.fixture(scope="module")
def demo_read(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """One copy of the demo for the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo-read") / "demo.db"
    path.write_bytes(demo_template.read_bytes())
    db = open_database(path)
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def demo_rows(demo_read: Database) -> list[results.ResultRow]:
    return results.ranking(demo_read, YEAR)


def test_demo_round_2020(demo_read) -> None:
    assert catalog.is_demo(demo_read)
    past, summary = rounds.list_rounds(demo_read)
    assert (summary.year, summary.agencies, summary.is_demo) == (2020, 37, True)
    assert summary.kind == "appraised"
    assert (past.year, past.is_demo, past.kind, past.state) == (
        2019,
        True,
        "published",
        "finalized",
    )


def test_past_year_shows_every_movement_and_one_difference(demo_read, demo_rows) -> None:
    moves = movement.movement(demo_read, YEAR)
    kinds = Counter(m.kind for m in moves.values())
    assert set(kinds) == set(MovementKind)
    by = {r.agency_code: r for r in demo_rows}
    for code, moved in moves.items():
        if by[code].rank is None:
            assert moved.kind is MovementKind.NONE
    assert moves[demo_history.GROUP_CHANGED].text == "đổi nhóm"
    assert moves[demo_history.NEW_IN_2020[0]].text == "mới"
    [difference] = history.differences(demo_read, demo_history.PAST_YEAR)
    assert difference.agency_code in demo_history.TIED_2019
    assert difference.published_rank == difference.recomputed_rank + 1
    assert not difference.class_differs


def test_past_year_holds_an_agency_that_no_longer_exists(demo_read) -> None:
    past = results.ranking(demo_read, demo_history.PAST_YEAR)
    name = demo_history.GONE[0]
    [gone] = [r for r in past if r.agency_name == name]
    assert gone.agency_code.endswith("-2019")
    with demo_read.session() as s:
        agency = s.scalars(select(Agency).where(Agency.code == gone.agency_code)).one()
        assert not agency.active and "tạo khi nhập kết quả năm 2019" in agency.note
    assert all(r.status is LatenessStatus.ON_TIME and r.rank is not None for r in past)
    names = {r.agency_code: r.agency_name for r in past}
    assert names["NT"] == "UBND TP. Nha Trang"  # as published, matched tolerantly


def test_every_status_is_present(demo_rows) -> None:
    assert len(demo_rows) == 37
    statuses = Counter(r.status for r in demo_rows)
    assert set(statuses) == set(LatenessStatus)
    assert statuses[LatenessStatus.MISSING] == len(demo.MISSING)
    assert statuses[LatenessStatus.NOT_RANKED] == len(demo.EXEMPT)
    by = {r.agency_code: r for r in demo_rows}
    for code in demo.MISSING:
        assert by[code].rank is None
        assert by[code].classification is Classification.WEAK
    for code in demo.EXEMPT:
        assert by[code].classification is Classification.NOT_RANKED
        assert by[code].rank is None
    assert by["STP"].status is LatenessStatus.LATE and by["STP"].penalty == Decimal(100)
    assert by["CL"].status is LatenessStatus.LATE  # grace end moved from Sat 21/11 to 23/11
    assert by["SNGV"].status is LatenessStatus.VERY_LATE
    assert by["SNGV"].classification is Classification.WEAK
    assert by[demo.SUNDAY_SENDER].status is LatenessStatus.ON_TIME
    assert by[demo.MONDAY_SENDER].status is LatenessStatus.ON_TIME
    assert by[demo.INVALID_FIRST].status is LatenessStatus.LATE
    assert by[demo.CORRECTED].status is LatenessStatus.ON_TIME


def test_an_invalid_receipt_and_a_corrected_one(demo_read) -> None:
    with demo_read.session() as s:
        invalid = s.scalars(select(ReceiptRow).where(ReceiptRow.valid.is_(False))).all()
    assert invalid
    assert all(r.invalid_reason.strip() for r in invalid)
    lines = {line.agency_code: line for line in receipts.register(demo_read, YEAR)}
    first, second = lines[demo.INVALID_FIRST].receipts
    assert not first.valid and not first.counted and first.invalid_reason
    assert second.valid and second.counted
    corrected = lines[demo.CORRECTED].receipts
    assert len(corrected) == 2
    assert [r.counted for r in corrected] == [True, False]  # the earliest sent counts
    assert corrected[0].sent_date < corrected[1].sent_date


def test_some_appraised_scores_differ_from_the_self_assessment(demo_read, demo_rows) -> None:
    with demo_read.session() as s:
        appraised = s.scalars(
            select(ScoreRow).where(
                (ScoreRow.appraised_answer.is_not(None)) | (ScoreRow.appraised_points.is_not(None))
            )
        ).all()
    assert appraised
    differing = [
        row
        for row in appraised
        if row.appraised_answer != row.self_answer or row.appraised_points is not None
    ]
    assert differing
    assert all(row.reason.strip() for row in differing)
    assert {row.source for row in differing} <= {"cross_check", "survey", "council"}
    lowered = [
        r for r in demo_rows if r.self_total is not None and r.appraised_total != r.self_total
    ]
    assert lowered


def test_a_tie_shares_a_rank(demo_rows) -> None:
    ranks = Counter((r.group, r.rank) for r in demo_rows if r.rank is not None)
    shared = [key for key, n in ranks.items() if n >= 2]
    assert shared
    by = {r.agency_code: r for r in demo_rows}
    a, b = (by[code] for code in demo.TIED)
    assert a.rank == b.rank
    assert a.final_score == b.final_score
    # the rank after a tie skips: 1, 2, 2, 4
    group = [r.rank for r in demo_rows if r.group == a.group and r.rank is not None]
    after = group[group.index(a.rank) + 2]
    assert after == a.rank + 2


def test_an_agency_exactly_on_the_threshold_is_good(demo_rows) -> None:
    on_threshold = [r for r in demo_rows if r.final_score == Decimal("850.00")]
    assert on_threshold
    row = on_threshold[0]
    assert row.max_points == Decimal(1000)
    assert row.percent == Decimal("85.00")
    assert row.classification is Classification.GOOD
    assert row.status is LatenessStatus.ON_TIME


def test_ranks_are_ordered_within_each_group(demo_rows) -> None:
    assert [r.group for r in demo_rows] == sorted(r.group for r in demo_rows)
    for group in (1, 2, 3):
        ranks = [r.rank for r in demo_rows if r.group == group]
        numbered = [r for r in ranks if r is not None]
        assert numbered == sorted(numbered)
        assert numbered[0] == 1
        assert ranks[: len(numbered)] == numbered  # the unranked come last


def test_demo_audit_trail(demo_read) -> None:
    with demo_read.session() as s:
        events = s.scalars(select(AuditEvent)).all()
    actions = Counter(e.action for e in events)
    assert actions["round.create"] == 2  # 2020, and the published 2019
    assert actions["history.import"] == 1 and actions["agency.create"] == 1
    assert actions["receipt.invalidate"] >= 1
    assert actions["receipt.add"] >= 35
    assert actions["score.self"] > 0 and actions["score.appraise"] > 0
    assert {e.user for e in events} == {"demo"}


def test_demo_needs_an_empty_database(demo_db) -> None:
    with pytest.raises(InputRefused):
        demo.build_demo(demo_db)


def test_demo_is_deterministic(demo_read, tmp_path: Path) -> None:
    again = open_database(tmp_path / "again.db")
    try:
        seen: list[tuple[int, int]] = []
        demo.build_demo(again, progress=lambda done, total: seen.append((done, total)))
        assert seen[-1][0] == seen[-1][1] == 37 - len(demo.MISSING)
        second = json.dumps(rank_json(results.ranking(again, YEAR)), ensure_ascii=False)
        second_register = receipts_json(receipts.register(again, YEAR))
    finally:
        again.dispose()
    first = json.dumps(rank_json(results.ranking(demo_read, YEAR)), ensure_ascii=False)
    assert first == second
    assert receipts_json(receipts.register(demo_read, YEAR)) == second_register
