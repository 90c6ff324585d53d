"""Score sheets (self-assessed and appraised) and the results of a round: penalty,
classification, ranks, ties, normalised criteria and exact thresholds."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from khit_desktop.domain.classification import Classification
from khit_desktop.domain.criteria import FormTree, RuleKind
from khit_desktop.domain.lateness import Channel, LatenessStatus
from khit_desktop.services import receipt_edits, receipts, results, rounds, scores
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.store.models import AuditEvent, CriterionRow, ScoreRow

YEAR = 2020
ON_TIME = date(2020, 11, 10)
LATE = date(2020, 11, 20)  # effective deadline Mon 16/11, grace to Mon 23/11
VERY_LATE = date(2020, 11, 25)
TODAY = date(2020, 12, 1)
ZERO_RATIO = {"numerator": "0", "denominator": "1"}

# yes/no criteria of the sample form and their maxima: handy to take exact points away
YES_NO = {"1.3": 30, "2.4": 10, "3.9": 20, "5.3": 10, "5.4": 10, "6.3": 20, "6.4": 10, "6.6": 20}


def full_answer(tree: FormTree, code: str) -> dict[str, Any]:
    """An answer that earns the criterion's maximum."""
    leaf = tree.get(code)
    rule = leaf.rule
    assert rule is not None
    match rule.kind:
        case RuleKind.TYPED:
            return {"points": str(leaf.max_points)}
        case RuleKind.YES_NO:
            return {"yes": True}
        case RuleKind.OPTIONS:
            return {"option": max(rule.options, key=lambda o: o.points).label}
        case RuleKind.RATIO:
            return {"numerator": "40", "denominator": "40"}
        case RuleKind.TIERS:
            return {"value": str(max(t.minimum for t in rule.tiers))}
        case RuleKind.NORMALISED:
            return {"value": "10"}
        case RuleKind.PER_ITEM:
            return {"count": 100}
        case RuleKind.DEDUCTION:
            return {"count": 0}
    raise AssertionError(rule.kind)


def fill(db, actor, code: str, overrides: Mapping[str, Mapping[str, Any]] = ()) -> None:
    """Self-assess every leaf at full marks except ``overrides`` (one transaction)."""
    overrides = dict(overrides)
    with db.session() as s:
        sheet = scores.open_sheet(s, YEAR, code, actor)
        for leaf in sheet.tree.leaves():
            sheet.set_self(
                leaf.code, overrides.get(leaf.code) or full_answer(sheet.tree, leaf.code)
            )


def without(*codes: str) -> dict[str, dict[str, Any]]:
    """Yes/no criteria answered 'no'."""
    return {code: {"yes": False} for code in codes}


def send(db, actor, code: str, sent: date = ON_TIME) -> int:
    return receipts.add_receipt(db, YEAR, code, Channel.EOFFICE, sent, today=TODAY, actor=actor)


def rows_by_code(db, **kw) -> dict[str, results.ResultRow]:
    return {r.agency_code: r for r in results.ranking(db, YEAR, **kw)}


def score_row(db, agency_code: str, code: str) -> ScoreRow:
    with db.session() as s:
        row = s.scalar(
            select(ScoreRow)
            .join(CriterionRow, ScoreRow.criterion_id == CriterionRow.id)
            .where(CriterionRow.code == code, ScoreRow.agency_id == _agency_id(s, agency_code))
        )
        assert row is not None
        return row


def _agency_id(s, code: str) -> int:
    rnd = rounds.get_round(s, YEAR)
    return receipts.member(s, rnd, code).agency_id


def audit_events(db) -> list[AuditEvent]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


# ---- self-assessment -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answer", "expected"),
    [
        ("1.8", {"points": "12.34"}, "12.34"),  # typed
        ("1.3", {"yes": True}, "30.00"),  # yes/no
        ("1.3", {"yes": False}, "0.00"),
        ("1.5", {"option": "Một phần"}, "10.00"),  # options
        ("1.5", {"option": "MỘT PHẦN"}, "10.00"),
        ("1.1", {"numerator": "2", "denominator": "3"}, "20.00"),  # ratio
        ("3.1", {"numerator": "1", "denominator": "3"}, "16.67"),
        ("2.5", {"value": "65"}, "20.00"),  # tiers
        ("2.5", {"value": "19"}, "0.00"),
        ("1.7", {"count": 3}, "6.00"),  # per item
        ("1.7", {"count": 9}, "10.00"),  # capped at the maximum
        ("6.7", {"count": 1}, "10.00"),  # deduction
        ("6.7", {"count": 5}, "0.00"),  # never below 0
    ],
)
def test_set_self_with_each_rule_kind(round_db, actor, code, answer, expected) -> None:
    scores.set_self_score(round_db, YEAR, "STP", code, answer=answer, actor=actor)
    row = score_row(round_db, "STP", code)
    assert row.self_points == Decimal(expected)
    assert str(row.self_points) == expected
    assert json.loads(row.self_answer) == answer
    assert row.appraised_points is None and row.appraised_answer is None
    assert row.source == "form"


def test_set_self_normalised_keeps_the_figure_for_the_group(round_db, actor) -> None:
    scores.set_self_score(round_db, YEAR, "STP", "1.4", answer={"value": "7.5"}, actor=actor)
    row = score_row(round_db, "STP", "1.4")
    assert row.self_points is None  # computed in the group's context, not stored
    assert json.loads(row.self_answer) == {"value": "7.5"}


def test_set_self_with_claimed_points(round_db, actor) -> None:
    scores.set_self_score(
        round_db,
        YEAR,
        "STP",
        "1.1",
        answer={"numerator": "1", "denominator": "2"},
        claimed=Decimal("30"),
        actor=actor,
    )
    row = score_row(round_db, "STP", "1.1")
    assert row.self_points == Decimal("30.00")  # what the agency claimed, not the figure


def test_parent_and_unknown_criteria_are_refused(round_db, actor, counts) -> None:
    before = counts(round_db)
    with pytest.raises(InputRefused, match="tiêu chí cha"):
        scores.set_self_score(round_db, YEAR, "STP", "1.6", answer={"yes": True}, actor=actor)
    with pytest.raises(NotFound, match=re.escape("9.9")):
        scores.set_self_score(round_db, YEAR, "STP", "9.9", answer={"yes": True}, actor=actor)
    with pytest.raises(NotFound, match="XYZ"):
        scores.set_self_score(round_db, YEAR, "XYZ", "1.3", answer={"yes": True}, actor=actor)
    assert counts(round_db) == before


def test_every_change_writes_an_audit_event_with_old_and_new(round_db, actor) -> None:
    start = len(audit_events(round_db))
    scores.set_self_score(round_db, YEAR, "STP", "1.8", answer={"points": "10"}, actor=actor)
    scores.set_self_score(round_db, YEAR, "STP", "1.8", answer={"points": "12.5"}, actor=actor)
    scores.set_appraised_score(
        round_db,
        YEAR,
        "STP",
        "1.8",
        points_value=Decimal("8"),
        reason="Khảo sát thực tế: chưa triển khai IPv6 ở mạng nội bộ",
        source="survey",
        actor=actor,
    )
    first, second, third = audit_events(round_db)[start:]
    assert [e.action for e in (first, second, third)] == [
        "score.self",
        "score.self",
        "score.appraise",
    ]
    assert all(e.entity == "score" and e.round_year == YEAR for e in (first, second, third))
    assert all(e.user == actor.user and e.machine == actor.machine for e in (first, second))
    assert first.old_json is None
    new1 = json.loads(first.new_json)
    assert (new1["agency"], new1["criterion"], new1["self_points"]) == ("STP", "1.8", "10.00")
    assert json.loads(second.old_json)["self_points"] == "10.00"
    assert json.loads(second.new_json)["self_points"] == "12.50"
    old3, new3 = json.loads(third.old_json), json.loads(third.new_json)
    assert old3["appraised_points"] is None and old3["self_points"] == "12.50"
    assert new3["appraised_points"] == "8.00"
    assert new3["source"] == "survey"
    assert third.reason == "Khảo sát thực tế: chưa triển khai IPv6 ở mạng nội bộ"


# ---- appraisal -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"points_value": Decimal("10"), "reason": ""}, "lý do"),
        ({"points_value": Decimal("10"), "reason": "   "}, "lý do"),
        ({"points_value": Decimal("10"), "reason": "Đối chiếu", "source": "rumour"}, "Nguồn"),
        (
            {"points_value": Decimal("10"), "answer": {"points": "10"}, "reason": "Đối chiếu"},
            "hoặc",
        ),
        ({"reason": "Đối chiếu"}, "hoặc"),
    ],
    ids=["no-reason", "blank-reason", "bad-source", "both", "neither"],
)
def test_set_appraised_requirements(round_db, actor, counts, kw, match) -> None:
    scores.set_self_score(round_db, YEAR, "STP", "1.8", answer={"points": "15"}, actor=actor)
    before = counts(round_db)
    with pytest.raises(InputRefused, match=match):
        scores.set_appraised_score(round_db, YEAR, "STP", "1.8", actor=actor, **kw)
    assert counts(round_db) == before
    row = score_row(round_db, "STP", "1.8")
    assert row.appraised_points is None and row.reason == ""


@pytest.mark.parametrize("source", sorted(set(scores.SOURCES) - {"council"}))
def test_set_appraised_with_each_source(round_db, actor, source) -> None:
    scores.set_appraised_score(
        round_db,
        YEAR,
        "STP",
        "1.1",
        answer={"numerator": "3", "denominator": "4"},
        reason="Số liệu của Sở Nội vụ",
        source=source,
        actor=actor,
    )
    row = score_row(round_db, "STP", "1.1")
    assert row.source == source
    assert json.loads(row.appraised_answer) == {"numerator": "3", "denominator": "4"}
    assert row.appraised_points is None
    assert row.reason == "Số liệu của Sở Nội vụ"


@pytest.mark.parametrize(
    ("code", "answer"),
    [
        ("1.1", {"numerator": "5", "denominator": "3"}),  # ratio > 1
        ("1.1", {"numerator": "1", "denominator": "0"}),  # b = 0
        ("1.1", {"numerator": "-1", "denominator": "3"}),
        ("1.1", {"numerator": 0.5, "denominator": "1"}),  # a float is never a score input
        ("1.7", {"count": -1}),  # negative count
        ("1.7", {"count": "1.5"}),
        ("6.7", {"count": -2}),
        ("1.8", {"points": "20.01"}),  # typed above the maximum
        ("1.8", {"points": "-0.01"}),
        ("1.8", {"points": "1.234"}),  # more than 2 decimals
        ("1.8", {"points": "mười"}),
        ("1.5", {"option": "Gần đủ"}),
        ("1.3", {"yes": "có"}),
        ("2.5", {"value": "-4"}),
        ("1.4", {"value": "-1"}),
        ("1.1", {"numerator": "1"}),  # missing figure
    ],
)
def test_out_of_range_inputs_are_refused_and_write_nothing(
    round_db, actor, counts, code, answer
) -> None:
    before = counts(round_db)
    with pytest.raises(InputRefused, match=re.escape(f"Tiêu chí {code}")):
        scores.set_self_score(round_db, YEAR, "STP", code, answer=answer, actor=actor)
    with pytest.raises(InputRefused, match=re.escape(f"Tiêu chí {code}")):
        scores.set_appraised_score(
            round_db, YEAR, "STP", code, answer=answer, reason="Đối chiếu", actor=actor
        )
    assert counts(round_db) == before


@pytest.mark.parametrize("value", ["30.01", "-1", "12.345"])
def test_points_out_of_range_are_refused(round_db, actor, counts, value) -> None:
    before = counts(round_db)
    with pytest.raises(InputRefused, match=re.escape("Tiêu chí 1.1")):
        scores.set_appraised_score(
            round_db, YEAR, "STP", "1.1", points_value=Decimal(value), reason="HĐ", actor=actor
        )
    with pytest.raises(InputRefused, match=re.escape("Tiêu chí 1.1")):
        scores.set_self_score(round_db, YEAR, "STP", "1.1", claimed=Decimal(value), actor=actor)
    assert counts(round_db) == before


def test_a_refusal_rolls_back_the_whole_sheet(round_db, actor, counts) -> None:
    before = counts(round_db)
    with pytest.raises(InputRefused), round_db.session() as s:
        sheet = scores.open_sheet(s, YEAR, "STP", actor)
        sheet.set_self("1.3", {"yes": True})
        sheet.set_self("1.8", {"points": "12"})
        sheet.set_self("1.1", {"numerator": "4", "denominator": "3"})
    assert counts(round_db) == before


def test_scores_of_a_finalised_round_are_refused(round_db, actor, counts) -> None:
    with round_db.session() as s:
        rounds.get_round(s, YEAR).state = "finalized"
    before = counts(round_db)
    with pytest.raises(InputRefused, match="đã chốt"):
        scores.set_self_score(round_db, YEAR, "STP", "1.3", answer={"yes": True}, actor=actor)
    assert counts(round_db) == before


# ---- results -------------------------------------------------------------------------------


@pytest.fixture
def ranked_db(round_db, actor):
    """Group 1 of round 2020 with every case: a tie, a late and a very late sender, missing
    forms and an exempt member."""
    cases = {
        "SCT": ({}, ON_TIME),  # 1000
        "SKHDT": (without("1.3", "2.4", "3.9", "6.3", "5.3", "5.4"), ON_TIME),  # 900
        "STC": (without("1.3", "2.4", "3.9", "6.3", "5.3", "5.4"), ON_TIME),  # 900
        "STP": (without("1.3", "2.4", "5.3"), LATE),  # 950 − 100 = 850
        "SXD": (without(*YES_NO), ON_TIME),  # 870: Tốt
        "SNV": (without(*YES_NO) | {c: ZERO_RATIO for c in ("1.1", "1.2", "3.1")}, ON_TIME),
        "SNGV": ({}, VERY_LATE),  # 1000 but very late: Yếu
    }
    for code, (overrides, sent) in cases.items():
        send(round_db, actor, code, sent)
        fill(round_db, actor, code, overrides)
    with round_db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        receipts.member(s, rnd, "SDL").exempt_reason = "Đơn vị mới thành lập"
    send(round_db, actor, "SDL")
    fill(round_db, actor, "SDL")
    return round_db


def test_ranking_applies_penalty_lateness_and_ties(ranked_db) -> None:
    rows = results.ranking(ranked_db, YEAR)
    assert len(rows) == 37
    group1 = [r for r in rows if r.group == 1]
    assert [(r.agency_code, r.rank) for r in group1[:7]] == [
        ("SCT", 1),
        ("SKHDT", 2),  # tie: equal class and score share a rank, names alphabetically
        ("STC", 2),
        ("SXD", 4),
        ("STP", 5),
        ("SNV", 6),
        ("SNGV", 7),
    ]
    by = {r.agency_code: r for r in group1}
    assert by["SCT"].appraised_total == Decimal("1000.00")
    assert by["SCT"].classification is Classification.GOOD
    assert by["SCT"].percent == Decimal("100.00")

    late = by["STP"]
    assert late.status is LatenessStatus.LATE
    assert (late.appraised_total, late.penalty, late.final_score) == (
        Decimal("950.00"),
        Decimal("100.00"),
        Decimal("850.00"),
    )
    assert late.classification is Classification.GOOD
    assert "trừ 100 điểm" in late.explanation

    very_late = by["SNGV"]
    assert very_late.status is LatenessStatus.VERY_LATE
    assert very_late.final_score == Decimal("1000.00")
    assert very_late.penalty == 0
    assert very_late.classification is Classification.WEAK
    assert very_late.rank == 7  # ranked among the Yếu agencies, after every better class

    assert by["SNV"].final_score == Decimal("770.00")  # 1000 − 130 − 30 − 20 − 50 (1.1)
    assert by["SNV"].classification is Classification.FAIR

    # missing forms: Yếu, no rank, after the ranked agencies, names in Vietnamese order
    missing = group1[7:-1]
    assert len(missing) == 21 - 8
    assert all(r.status is LatenessStatus.MISSING for r in missing)
    assert all(r.rank is None and r.classification is Classification.WEAK for r in missing)
    assert all(r.self_total is None and r.final_score == 0 for r in missing)
    # the exempt member comes last, not ranked, never Yếu
    exempt = group1[-1]
    assert exempt.agency_code == "SDL"
    assert exempt.status is LatenessStatus.NOT_RANKED
    assert exempt.classification is Classification.NOT_RANKED
    assert exempt.rank is None
    assert "Đơn vị mới thành lập" in exempt.explanation
    # groups without any form are entirely missing, in order 1, 2, 3
    assert [r.group for r in rows] == sorted(r.group for r in rows)
    assert all(r.rank is None for r in rows if r.group != 1)


def test_missing_form_wording_depends_on_the_date(ranked_db) -> None:
    early = rows_by_code(ranked_db, as_of=date(2020, 11, 20))
    assert "Chưa nhận phiếu" in early["SGTVT"].explanation
    assert early["SGTVT"].classification is Classification.WEAK
    later = rows_by_code(ranked_db, as_of=date(2020, 12, 30))
    assert "Không gửi phiếu" in later["SGTVT"].explanation


def test_appraised_total_differs_from_self_total(ranked_db, actor) -> None:
    scores.set_appraised_score(
        ranked_db,
        YEAR,
        "SCT",
        "1.1",
        answer={"numerator": "30", "denominator": "40"},
        reason="Đối chiếu số liệu của Sở Nội vụ",
        actor=actor,
    )
    sct = rows_by_code(ranked_db)["SCT"]
    assert sct.self_total == Decimal("1000.00")
    assert sct.appraised_total == Decimal("992.50")
    assert sct.final_score == Decimal("992.50")
    assert sct.area_totals[0] == Decimal("192.50")
    assert sum(sct.area_totals) == sct.appraised_total


def test_invalidated_only_receipt_makes_an_agency_missing(ranked_db, actor) -> None:
    line = next(x for x in receipts.register(ranked_db, YEAR) if x.agency_code == "SCT")
    receipt_edits.invalidate_receipt(ranked_db, line.receipts[0].id, "Gửi nhầm phiếu", actor=actor)
    sct = rows_by_code(ranked_db)["SCT"]
    assert sct.status is LatenessStatus.MISSING
    assert sct.rank is None and sct.classification is Classification.WEAK
    group1 = [r for r in results.ranking(ranked_db, YEAR) if r.group == 1]
    assert [(r.agency_code, r.rank) for r in group1[:3]] == [
        ("SKHDT", 1),
        ("STC", 1),
        ("SXD", 3),
    ]


def test_normalised_criterion_follows_the_group_best(round_db, actor) -> None:
    for code, value in (("SCT", "10"), ("SKHDT", "20"), ("NT", "5")):
        send(round_db, actor, code)
        scores.set_self_score(round_db, YEAR, code, "1.4", answer={"value": value}, actor=actor)
    before = rows_by_code(round_db)
    assert before["SCT"].appraised_total == Decimal("15.00")  # 10 / 20 × 30
    assert before["SKHDT"].appraised_total == Decimal("30.00")
    assert before["NT"].appraised_total == Decimal("30.00")  # another group, its own best

    # the council finds SKHDT's figure was 40: everyone else's points on 1.4 go down
    scores.set_appraised_score(
        round_db,
        YEAR,
        "SKHDT",
        "1.4",
        answer={"value": "40"},
        reason="Đối chiếu hợp đồng dịch vụ Internet",
        actor=actor,
    )
    after = rows_by_code(round_db)
    assert after["SCT"].appraised_total == Decimal("7.50")
    assert after["SCT"].self_total == Decimal("15.00")  # the self-assessment is unchanged
    assert after["SKHDT"].appraised_total == Decimal("30.00")
    assert after["NT"].appraised_total == Decimal("30.00")

    # and back down to 5: SCT is now the group's best
    scores.set_appraised_score(
        round_db,
        YEAR,
        "SKHDT",
        "1.4",
        answer={"value": "5"},
        reason="Hội đồng kết luận lại",
        source="cross_check",
        actor=actor,
    )
    last = rows_by_code(round_db)
    assert last["SCT"].appraised_total == Decimal("30.00")
    assert last["SKHDT"].appraised_total == Decimal("15.00")


def test_normalised_best_ignores_agencies_without_a_counted_form(round_db, actor) -> None:
    send(round_db, actor, "SCT")
    scores.set_self_score(round_db, YEAR, "SCT", "1.4", answer={"value": "10"}, actor=actor)
    rid = send(round_db, actor, "SKHDT")
    scores.set_self_score(round_db, YEAR, "SKHDT", "1.4", answer={"value": "20"}, actor=actor)
    assert rows_by_code(round_db)["SCT"].appraised_total == Decimal("15.00")
    receipt_edits.invalidate_receipt(round_db, rid, "Phiếu không hợp lệ", actor=actor)
    assert rows_by_code(round_db)["SCT"].appraised_total == Decimal("30.00")


# The sample form, 1000 points; these answers take away exactly 150.00 through decimals:
#   3.1: 1/3 × 50 = 16.67 (−33.33)      3.3: 2/3 × 50 = 33.33 (−16.67)
#   1.2: 0.3825 × 20 = 7.65 (−12.35)    1.8: typed 12.35 (−7.65)
#   1.3, 2.4, 3.9, 6.3 answered 'no' (−80)
ON_THRESHOLD = {
    "3.1": {"numerator": "1", "denominator": "3"},
    "3.3": {"numerator": "2", "denominator": "3"},
    "1.2": {"numerator": "3825", "denominator": "10000"},
    "1.8": {"points": "12.35"},
    **without("1.3", "2.4", "3.9", "6.3"),
}


def test_a_total_exactly_on_the_threshold_is_good(round_db, actor) -> None:
    send(round_db, actor, "SCT")
    fill(round_db, actor, "SCT", ON_THRESHOLD)
    sct = rows_by_code(round_db)["SCT"]
    assert sct.self_total == Decimal("850.00")
    assert sct.appraised_total == Decimal("850.00")
    assert sct.final_score == Decimal("850.00")
    assert sct.max_points == Decimal("1000")
    assert sct.percent == Decimal("85.00")
    assert sct.classification is Classification.GOOD
    assert sct.rank == 1


def test_one_hundredth_below_the_threshold_is_fair(round_db, actor) -> None:
    send(round_db, actor, "SCT")
    fill(round_db, actor, "SCT", ON_THRESHOLD)
    scores.set_appraised_score(
        round_db,
        YEAR,
        "SCT",
        "1.8",
        points_value=Decimal("12.34"),
        reason="Hội đồng chấm lại",
        source="cross_check",
        actor=actor,
    )
    sct = rows_by_code(round_db)["SCT"]
    assert sct.self_total == Decimal("850.00")
    assert sct.final_score == Decimal("849.99")
    assert sct.percent == Decimal("84.99")  # rounded down, never 85.00 beside Khá
    assert sct.classification is Classification.FAIR


def test_penalty_never_takes_the_score_below_zero(round_db, actor) -> None:
    send(round_db, actor, "STP", LATE)
    scores.set_self_score(round_db, YEAR, "STP", "1.3", answer={"yes": True}, actor=actor)
    stp = rows_by_code(round_db)["STP"]
    assert stp.appraised_total == Decimal("30.00")
    assert stp.penalty == Decimal("100.00")
    assert stp.final_score == Decimal("0.00")
    assert stp.classification is Classification.WEAK


def test_ranking_of_an_unknown_year(round_db) -> None:
    with pytest.raises(NotFound):
        results.ranking(round_db, 2019)


def test_council_points_need_a_recorded_decision(round_db, actor, counts) -> None:
    before = counts(round_db)
    with pytest.raises(InputRefused, match="quyết định của Hội đồng"):
        scores.set_appraised_score(
            round_db,
            YEAR,
            "STP",
            "1.8",
            points_value=Decimal(5),
            reason="x",
            source="council",
            actor=actor,
        )
    assert counts(round_db) == before
