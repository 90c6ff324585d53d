"""A round's rules after its creation: grace days, penalty, thresholds, holidays and the
working-day shift, changed with a reason and followed by the register and the ranking. Each
test works on its own copy of the demo."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from khit_desktop.domain.classification import Classification
from khit_desktop.domain.dates import Holiday
from khit_desktop.domain.lateness import LatenessStatus
from khit_desktop.domain.rules import RoundRules, Thresholds
from khit_desktop.services import results, rounds
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.services.receipts import register
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import (
    AuditEvent,
    Round,
    RoundHoliday,
)
from tests.db_state import db_state

YEAR = 2020
ACTOR = Actor(user="tester", machine="test-machine")
REASON = "Theo Quyết định điều chỉnh của UBND tỉnh"


# ---- helpers -------------------------------------------------------------------------------


def rules_events(db: Database) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.action == "round.rules").order_by(AuditEvent.id)
            )
        )


def statuses(db: Database) -> dict[str, LatenessStatus]:
    return {line.agency_code: line.decision.status for line in register(db, YEAR)}


def by_code(db: Database) -> dict[str, results.ResultRow]:
    return {row.agency_code: row for row in results.ranking(db, YEAR)}


def change(db: Database, reason: str = REASON, **changes: Any) -> bool:
    rules = replace(rounds.round_rules(db, YEAR), **changes)
    return rounds.update_rules(db, YEAR, rules, reason=reason, actor=ACTOR)


# ---- changing and reading back -------------------------------------------------------------


def test_the_demo_round_has_the_regulation_defaults(demo_db) -> None:
    rules = rounds.round_rules(demo_db, YEAR)
    defaults = RoundRules.defaults(YEAR)
    assert (rules.deadline, rules.grace_days, rules.late_penalty) == (
        date(2020, 11, 15),
        5,
        Decimal(100),
    )
    assert rules.thresholds == Thresholds()
    assert rules.shift_to_working_day
    assert rules.holidays == defaults.holidays


def test_update_rules_persists_every_value_and_audits_it(demo_db, tmp_path: Path) -> None:
    old = rounds.round_rules(demo_db, YEAR)
    holidays = (
        *old.holidays,
        Holiday(date(2020, 11, 16), "Nghỉ bù"),
        Holiday(date(2021, 1, 1), "Tết Dương lịch 2021"),
    )
    new = replace(
        old,
        deadline=date(2020, 11, 20),
        grace_days=7,
        late_penalty=Decimal("50.5"),
        thresholds=Thresholds(Decimal("80"), Decimal("65.5"), Decimal("45")),
        shift_to_working_day=False,
        holidays=tuple(sorted(holidays, key=lambda h: h.day)),
    )
    before = db_state(demo_db)["counts"]
    assert rounds.update_rules(demo_db, YEAR, new, reason=f"  {REASON}  ", actor=ACTOR) is True

    after = db_state(demo_db)["counts"]
    assert after == {
        **before,
        "audit_event": before["audit_event"] + 1,
        "round_holiday": before["round_holiday"] + 2,
    }
    assert rounds.round_rules(demo_db, YEAR) == new
    demo_db.dispose()
    reopened = open_database(demo_db.path or demo_db.url.render_as_string(hide_password=False))
    try:
        assert rounds.round_rules(reopened, YEAR) == new
    finally:
        reopened.dispose()

    [event] = rules_events(demo_db)
    with demo_db.session() as s:
        round_id = s.scalar(select(Round.id).where(Round.year == YEAR))
    assert (event.entity, event.entity_id, event.round_year) == ("round", round_id, YEAR)
    assert (event.user, event.reason) == (ACTOR.user, REASON)
    old_json, new_json = json.loads(event.old_json), json.loads(event.new_json)
    assert old_json == {
        "deadline": "2020-11-15",
        "grace_days": 5,
        "late_penalty": "100",
        "threshold_good": "85",
        "threshold_fair": "70",
        "threshold_average": "50",
        "shift_to_working_day": True,
        "holidays": [[h.day.isoformat(), h.name] for h in old.holidays],
    }
    assert new_json == {
        "deadline": "2020-11-20",
        "grace_days": 7,
        "late_penalty": "50.5",
        "threshold_good": "80",
        "threshold_fair": "65.5",
        "threshold_average": "45",
        "shift_to_working_day": False,
        "holidays": [[h.day.isoformat(), h.name] for h in new.holidays],
    }


def test_no_change_returns_false_and_writes_nothing(demo_db) -> None:
    before = db_state(demo_db)
    same = rounds.round_rules(demo_db, YEAR)
    assert rounds.update_rules(demo_db, YEAR, same, reason=REASON, actor=ACTOR) is False
    assert rounds.update_rules(demo_db, YEAR, same, reason="", actor=ACTOR) is False
    # equal values written differently are no change either
    alike = replace(
        same,
        late_penalty=Decimal("100.00"),
        thresholds=Thresholds(Decimal("85.0"), Decimal("70"), Decimal("50.00")),
    )
    assert rounds.update_rules(demo_db, YEAR, alike, reason="", actor=ACTOR) is False
    assert db_state(demo_db) == before
    assert rules_events(demo_db) == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_change_without_a_reason_is_refused(demo_db, reason) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="Cần ghi lý do"):
        change(demo_db, reason=reason, grace_days=10)
    assert db_state(demo_db) == before
    assert rounds.round_rules(demo_db, YEAR).grace_days == 5


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"deadline": date(2021, 1, 5)}, "phải nằm trong năm 2020"),
        ({"deadline": date(2019, 11, 15)}, "phải nằm trong năm 2020"),
        ({"year": 2021, "deadline": date(2021, 11, 15)}, "năm 2021 không áp dụng cho năm 2020"),
        ({"grace_days": 61}, "tối đa 60 ngày"),
        (
            {
                "holidays": (
                    Holiday(date(2020, 9, 2), "Quốc khánh"),
                    Holiday(date(2020, 11, 16), "Nghỉ bù"),
                    Holiday(date(2020, 9, 2), "Quốc khánh (trùng)"),
                )
            },
            "bị trùng",
        ),
    ],
    ids=["deadline-next-year", "deadline-last-year", "other-year", "grace-61", "same-holiday"],
)
def test_rules_refusals_change_nothing(demo_db, changes, match) -> None:
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match=match):
        change(demo_db, **changes)
    assert db_state(demo_db) == before


def test_grace_days_of_sixty_are_accepted(demo_db) -> None:
    assert change(demo_db, grace_days=60) is True
    assert rounds.round_rules(demo_db, YEAR).grace_days == 60


def test_rules_of_an_unknown_year(demo_db) -> None:
    with pytest.raises(NotFound, match="2018"):
        rounds.round_rules(demo_db, 2018)
    before = db_state(demo_db)
    with pytest.raises(NotFound, match="2018"):
        rounds.update_rules(demo_db, 2018, RoundRules.defaults(2018), reason=REASON, actor=ACTOR)
    assert db_state(demo_db) == before


def test_rules_of_a_finalized_round_are_refused(demo_db) -> None:
    with demo_db.session() as s:
        rounds.get_round(s, YEAR).state = "finalized"
    before = db_state(demo_db)
    with pytest.raises(InputRefused, match="đã chốt"):
        change(demo_db, grace_days=10)
    assert db_state(demo_db) == before


def test_a_holiday_renamed_on_the_same_date(demo_db) -> None:
    old = rounds.round_rules(demo_db, YEAR)
    renamed = tuple(
        Holiday(h.day, "Quốc khánh nước CHXHCN Việt Nam") if h.day == date(2020, 9, 2) else h
        for h in old.holidays
    )
    before = db_state(demo_db)["counts"]
    assert change(demo_db, holidays=renamed) is True
    assert rounds.round_rules(demo_db, YEAR).holidays == renamed
    assert db_state(demo_db)["counts"]["round_holiday"] == before["round_holiday"]
    with demo_db.session() as s:
        names = s.scalars(
            select(RoundHoliday.name).where(RoundHoliday.day == date(2020, 9, 2))
        ).all()
    assert names == ["Quốc khánh nước CHXHCN Việt Nam"]


def test_holidays_removed_and_added(demo_db) -> None:
    others = len(rounds.round_rules(demo_db, YEAR - 1).holidays)  # the demo's past year
    assert change(demo_db, holidays=(Holiday(date(2020, 11, 16), "Nghỉ bù"),)) is True
    assert rounds.round_rules(demo_db, YEAR).holidays == (Holiday(date(2020, 11, 16), "Nghỉ bù"),)
    assert db_state(demo_db)["counts"]["round_holiday"] == others + 1
    assert change(demo_db, holidays=()) is True
    assert rounds.round_rules(demo_db, YEAR).holidays == ()
    assert db_state(demo_db)["counts"]["round_holiday"] == others
    assert len(rules_events(demo_db)) == 2


# ---- the register and the ranking follow the rules -----------------------------------------


def test_without_the_working_day_shift_monday_16_11_is_late(demo_db) -> None:
    before = statuses(demo_db)
    assert before["SCT"] is LatenessStatus.ON_TIME  # sent Mon 16/11, deadline Sun 15/11
    assert before["SXD"] is LatenessStatus.ON_TIME  # sent Sun 15/11
    assert before["CL"] is LatenessStatus.LATE  # 23/11: grace end Sat 21/11 moved to Mon 23/11

    assert change(demo_db, shift_to_working_day=False) is True
    after = statuses(demo_db)
    assert after["SCT"] is LatenessStatus.LATE
    assert after["SXD"] is LatenessStatus.ON_TIME
    assert after["CL"] is LatenessStatus.VERY_LATE  # grace ends on 20/11 now
    sct = by_code(demo_db)["SCT"]
    assert sct.penalty == Decimal(100)
    assert sct.final_score == sct.appraised_total - Decimal(100)


def test_a_holiday_on_monday_moves_the_deadline_again(demo_db) -> None:
    rules = rounds.round_rules(demo_db, YEAR)
    holidays = (*rules.holidays, Holiday(date(2020, 11, 16), "Nghỉ bù"))
    assert change(demo_db, holidays=holidays) is True
    line = next(x for x in register(demo_db, YEAR) if x.agency_code == "SCT")
    assert line.decision.status is LatenessStatus.ON_TIME
    assert "17/11/2020" in line.decision.explanation


def test_more_grace_days_and_a_smaller_penalty(demo_db) -> None:
    before = by_code(demo_db)
    assert before["SNGV"].status is LatenessStatus.VERY_LATE
    assert before["SNGV"].classification is Classification.WEAK

    assert change(demo_db, grace_days=10, late_penalty=Decimal(50)) is True
    after = by_code(demo_db)
    sngv = after["SNGV"]  # sent 24/11: within 10 days now
    assert sngv.status is LatenessStatus.LATE
    assert sngv.penalty == Decimal(50)
    assert sngv.final_score == before["SNGV"].appraised_total - Decimal(50)
    stp = after["STP"]
    assert stp.penalty == Decimal(50)
    assert stp.final_score == stp.appraised_total - Decimal(50)
    assert stp.final_score == before["STP"].final_score + Decimal(50)


def test_thresholds_are_compared_exactly(demo_db) -> None:
    before = by_code(demo_db)
    # the demo lands one agency on exactly 850,00 of 1.000
    code = next(c for c, row in before.items() if row.final_score == Decimal("850.00"))
    exact = before[code]
    assert (exact.final_score, exact.max_points) == (Decimal("850.00"), Decimal(1000))
    assert exact.classification is Classification.GOOD

    assert change(demo_db, thresholds=Thresholds(Decimal("85.01"), Decimal(70), Decimal(50)))
    assert by_code(demo_db)[code].classification is Classification.FAIR

    assert change(demo_db, thresholds=Thresholds(Decimal(85), Decimal(70), Decimal(50)))
    assert by_code(demo_db)[code].classification is Classification.GOOD
    assert len(rules_events(demo_db)) == 2
