"""A finalised round refuses every change to its surveys, roster and explanations; dates that
cannot be meant are refused; a re-recorded, unchanged dismissed finding stays dismissed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from khit_desktop.services import council, explanations, rounds, surveys
from khit_desktop.services.errors import InputRefused
from khit_desktop.services.surveys import FindingInput

YEAR = 2020


def finalise(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        rounds.get_round(s, YEAR).state = "finalized"


def test_a_finalised_round_refuses_survey_roster_and_explanation_changes(demo_db) -> None:
    finalise(demo_db)
    attempts = [
        lambda: surveys.plan_survey(
            demo_db, YEAR, "CR", date(2020, 12, 20), member_ids=[1], criteria=["3.3"]
        ),
        lambda: surveys.record_survey(
            demo_db,
            2,
            visit_date=date(2020, 12, 8),
            findings=[FindingInput("1.3", "Có kết nối")],
            today=date(2020, 12, 31),
        ),
        lambda: surveys.dismiss_finding(demo_db, 2, "Không áp dụng"),
        lambda: council.add_member(demo_db, YEAR, role="clerk", name="Trần Văn B"),
        lambda: council.remove_member(demo_db, 9),
        lambda: explanations.record_answer(
            demo_db, 1, answer="Đã giải trình", answer_date=date(2020, 12, 10)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(InputRefused, match="đã chốt"):
            attempt()


def test_dates_that_cannot_be_meant_are_refused(demo_db) -> None:
    with pytest.raises(InputRefused, match="không hợp lý"):
        explanations.request_explanation(
            demo_db, YEAR, "CR", criteria=["3.3"], letter_number="1/X", letter_date=date(2031, 1, 1)
        )
    with pytest.raises(InputRefused, match="không hợp lý"):
        explanations.record_decision(
            demo_db,
            YEAR,
            "CR",
            "3.3",
            meeting_date=date(2019, 5, 1),
            decision="x",
            points_value=Decimal(10),
        )
    with pytest.raises(InputRefused, match="sau ngày hôm nay"):
        explanations.record_answer(demo_db, 1, answer="x", answer_date=date(2032, 1, 1))
    with pytest.raises(InputRefused, match="trước năm"):
        surveys.plan_survey(
            demo_db, YEAR, "CR", date(2019, 12, 1), member_ids=[1], criteria=["3.3"]
        )


def test_an_unchanged_dismissed_finding_stays_dismissed(demo_db) -> None:
    view = surveys.survey_view(demo_db, 1)
    pending = next(f for f in view.findings if not f.applied)
    surveys.dismiss_finding(demo_db, pending.id, "Hội đồng xét riêng")
    again = [
        FindingInput(f.code, f.seen, f.figure, f.proposed_points)
        for f in view.findings
        if not f.applied
    ]
    surveys.record_survey(
        demo_db, 1, visit_date=date(2020, 12, 3), findings=again, today=date(2020, 12, 31)
    )
    kept = next(f for f in surveys.survey_view(demo_db, 1).findings if f.code == pending.code)
    assert kept.dismissed_reason == "Hội đồng xét riêng"
    changed = [
        FindingInput(f.code, f.seen + " (bổ sung)", f.figure, f.proposed_points)
        for f in view.findings
        if not f.applied
    ]
    surveys.record_survey(
        demo_db, 1, visit_date=date(2020, 12, 3), findings=changed, today=date(2020, 12, 31)
    )
    reopened = next(f for f in surveys.survey_view(demo_db, 1).findings if f.code == pending.code)
    assert reopened.dismissed_reason == ""
