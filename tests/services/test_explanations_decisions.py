"""Explanations asked of an agency (giải trình) and the council's decisions: a decision is
the last word on a criterion's appraised score; every refusal writes nothing."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text

from khit_desktop.services import appraisal, explanations, results, surveys
from khit_desktop.services.appraisal import AppraisalState
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.services.surveys import FindingInput
from khit_desktop.store.database import Database
from khit_desktop.store.models import AuditEvent

YEAR = 2020
TODAY = date(2020, 12, 31)
LETTER_DATE = date(2020, 11, 30)
MEETING = date(2020, 12, 15)  # the demo's decision: CR 3.4 = 24
DECISION = "Hội đồng thống nhất tính theo số liệu của Văn phòng UBND tỉnh."
DECIDED_REASON = f"Hội đồng thẩm định họp ngày 15/12/2020: {DECISION}"
CR_PENDING, NH_ANSWERED = 1, 2  # the demo's explanations
DHKH_PENDING_FINDING = 2  # 3.8 of the demo survey of DHKH, 10 points proposed

WATCHED = (
    "survey",
    "survey_finding",
    "survey_attachment",
    "explanation",
    "council_decision",
    "score",
    "audit_event",
)


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def snapshot(db: Database) -> dict[str, Any]:
    """Row counts, the rows a refusal must leave alone and the appraised values."""
    with db.session() as s:
        counts = {t: s.scalar(text(f"SELECT count(*) FROM {t}")) for t in WATCHED}
        rows = {
            t: s.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()
            for t in ("survey", "survey_finding", "explanation", "council_decision")
        }
        appraised = s.execute(
            text(
                "SELECT id, self_points, appraised_answer, appraised_points, source, reason "
                "FROM score ORDER BY id"
            )
        ).all()
    return {"counts": counts, "rows": rows, "appraised": appraised}


def refused(db: Database, call: Callable[[], object], exc: type = InputRefused) -> str:
    before = snapshot(db)
    with pytest.raises(exc) as info:
        call()
    assert snapshot(db) == before
    return str(info.value)


def last_event_id(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def events_after(db: Database, last_id: int) -> list[dict[str, Any]]:
    with db.session() as s:
        return [
            {
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "year": e.round_year,
                "user": e.user,
                "old": json.loads(e.old_json) if e.old_json else None,
                "new": json.loads(e.new_json) if e.new_json else None,
                "reason": e.reason,
            }
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            )
        ]


def count(db: Database, table: str) -> int:
    with db.session() as s:
        return s.scalar(text(f"SELECT count(*) FROM {table}")) or 0


def total(db: Database, code: str) -> Decimal:
    row = next(r for r in results.ranking(db, YEAR) if r.agency_code == code)
    assert row.appraised_total is not None
    return row.appraised_total


def request(db: Database, actor: Actor, code: str = "CR", **kw: Any) -> int:
    kw.setdefault("criteria", ["3.5"])
    kw.setdefault("letter_number", "1600/STTTT-CNTT")
    kw.setdefault("letter_date", date(2020, 12, 4))
    return explanations.request_explanation(db, YEAR, code, actor=actor, **kw)


def decide(
    db: Database, actor: Actor, code: str = "3.4", points: Decimal = Decimal(20), **kw: Any
) -> int:
    kw.setdefault("meeting_date", date(2020, 12, 22))
    kw.setdefault("decision", "Hội đồng họp lại, tính theo số liệu đã giải trình.")
    kw.setdefault("agency", "CR")
    agency = kw.pop("agency")
    return explanations.record_decision(
        db, YEAR, agency, code, points_value=points, actor=actor, **kw
    )


# ---- explanations ---------------------------------------------------------------------------


def test_demo_explanations(demo_db: Database) -> None:
    cr, nh = explanations.explanations(demo_db, YEAR)
    assert (cr.id, cr.agency_code, cr.criteria, cr.letter_number, cr.letter_date) == (
        CR_PENDING,
        "CR",
        ("3.3", "3.4"),
        "1520/STTTT-CNTT",
        LETTER_DATE,
    )
    assert cr.pending and cr.state_label == "đang chờ giải trình"
    assert (nh.id, nh.agency_code, nh.criteria, nh.answer_number) == (
        NH_ANSWERED,
        "NH",
        ("4.6",),
        "845/UBND-VP",
    )
    assert not nh.pending and nh.state_label == "đã giải trình ngày 07/12/2020"
    assert [e.id for e in explanations.explanations(demo_db, YEAR, "CR")] == [CR_PENDING]
    assert explanations.explanations(demo_db, YEAR, "DHKH") == []
    assert explanations.pending_criteria(demo_db, YEAR, "CR") == {"3.3", "3.4"}
    assert explanations.pending_criteria(demo_db, YEAR, "NH") == set()
    assert explanations.pending_criteria(demo_db, YEAR, "DHKH") == set()


def test_request_explanation_stores_nfc_and_audits(demo_db: Database, actor: Actor) -> None:
    last = last_event_id(demo_db)
    question = "Đề nghị giải trình số hồ sơ trực tuyến mức độ 4."
    new_id = request(
        demo_db,
        actor,
        "KV",
        criteria=["3.3", "1.3"],
        letter_number=nfd(" 1601/STTTT-CNTT "),
        question=nfd(f" {question} "),
    )
    [view] = explanations.explanations(demo_db, YEAR, "KV")
    assert (view.id, view.criteria, view.letter_number) == (
        new_id,
        ("3.3", "1.3"),
        "1601/STTTT-CNTT",
    )
    assert view.question == question
    assert unicodedata.is_normalized("NFC", view.question)
    assert (view.answer, view.answer_date, view.answer_number) == ("", None, "")
    assert explanations.pending_criteria(demo_db, YEAR, "KV") == {"3.3", "1.3"}
    [event] = events_after(demo_db, last)
    assert (event["action"], event["entity"], event["entity_id"], event["year"]) == (
        "explanation.request",
        "explanation",
        new_id,
        YEAR,
    )
    assert event["new"] == {
        "agency": "KV",
        "criteria": ["3.3", "1.3"],
        "letter": "1601/STTTT-CNTT",
        "letter_date": "2020-12-04",
        "question": question,
    }
    assert event["user"] == "tester"


@pytest.mark.parametrize(
    "kw",
    [
        {"criteria": []},
        {"letter_number": ""},
        {"letter_number": "   "},
        {"criteria": ["9.9"]},
        {"criteria": ["3.3", "nope"]},
    ],
    ids=["no-criteria", "no-letter", "blank-letter", "unknown", "one-unknown"],
)
def test_request_explanation_refusals(demo_db: Database, actor: Actor, kw: dict) -> None:
    refused(demo_db, lambda: request(demo_db, actor, **kw))


def test_request_explanation_unknown_agency_or_year(demo_db: Database, actor: Actor) -> None:
    refused(demo_db, lambda: request(demo_db, actor, "NOPE"), NotFound)
    refused(
        demo_db,
        lambda: explanations.request_explanation(
            demo_db,
            2031,
            "CR",
            criteria=["3.3"],
            letter_number="1",
            letter_date=LETTER_DATE,
            actor=actor,
        ),
        NotFound,
    )


def test_pending_criteria_until_answered(demo_db: Database, actor: Actor) -> None:
    second = request(demo_db, actor, criteria=["3.5", "3.3"])
    assert explanations.pending_criteria(demo_db, YEAR, "CR") == {"3.3", "3.4", "3.5"}
    last = last_event_id(demo_db)
    answer = "Đơn vị đã rà soát lại số liệu hồ sơ trực tuyến."
    explanations.record_answer(
        demo_db,
        CR_PENDING,
        answer=nfd(f" {answer} "),
        answer_date=date(2020, 12, 10),
        answer_number=nfd(" 1200/UBND-VP "),
        actor=actor,
    )
    assert explanations.pending_criteria(demo_db, YEAR, "CR") == {"3.3", "3.5"}
    answered = next(e for e in explanations.explanations(demo_db, YEAR, "CR") if e.id == CR_PENDING)
    assert (answered.answer, answered.answer_date, answered.answer_number) == (
        answer,
        date(2020, 12, 10),
        "1200/UBND-VP",
    )
    assert answered.state_label == "đã giải trình ngày 10/12/2020"
    [event] = events_after(demo_db, last)
    assert (event["action"], event["entity"], event["entity_id"], event["year"]) == (
        "explanation.answer",
        "explanation",
        CR_PENDING,
        YEAR,
    )
    assert event["old"] == {"answer": "", "answer_date": None}
    assert event["new"] == {
        "answer": answer,
        "answer_date": "2020-12-10",
        "answer_number": "1200/UBND-VP",
    }
    explanations.record_answer(
        demo_db, second, answer="Đã bổ sung.", answer_date=date(2020, 12, 4), actor=actor
    )  # on the letter's own date: accepted
    assert explanations.pending_criteria(demo_db, YEAR, "CR") == set()


def test_an_answer_dated_before_the_letter_is_refused(demo_db: Database, actor: Actor) -> None:
    message = refused(
        demo_db,
        lambda: explanations.record_answer(
            demo_db,
            CR_PENDING,
            answer="Đã giải trình.",
            answer_date=date(2020, 11, 29),
            actor=actor,
        ),
    )
    assert "29/11/2020" in message and "30/11/2020" in message
    assert explanations.pending_criteria(demo_db, YEAR, "CR") == {"3.3", "3.4"}


@pytest.mark.parametrize("answer", ["", "  ", "\n\t"])
def test_an_empty_answer_is_refused(demo_db: Database, actor: Actor, answer: str) -> None:
    refused(
        demo_db,
        lambda: explanations.record_answer(
            demo_db, CR_PENDING, answer=answer, answer_date=date(2020, 12, 10), actor=actor
        ),
    )


def test_answer_an_unknown_explanation_is_refused(demo_db: Database, actor: Actor) -> None:
    refused(
        demo_db,
        lambda: explanations.record_answer(
            demo_db, 999, answer="x", answer_date=date(2020, 12, 10), actor=actor
        ),
        NotFound,
    )


# ---- council decisions ----------------------------------------------------------------------


def test_demo_decision(demo_db: Database) -> None:
    [decision] = explanations.decisions(demo_db, YEAR)
    assert (decision.agency_code, decision.code, decision.meeting_date, decision.points) == (
        "CR",
        "3.4",
        MEETING,
        Decimal("24.00"),
    )
    assert decision.decision == DECISION
    assert explanations.decisions(demo_db, YEAR, "NH") == []
    state = appraisal.appraisal_state(demo_db, YEAR, "CR", "3.4")
    assert state == AppraisalState(None, Decimal("24.00"), DECIDED_REASON, "council")


def test_record_decision_sets_the_score_and_audits(demo_db: Database, actor: Actor) -> None:
    last = last_event_id(demo_db)
    before = count(demo_db, "council_decision")
    decision_id = decide(
        demo_db,
        actor,
        "3.3",
        Decimal("30.5"),
        meeting_date=date(2020, 12, 22),
        decision=nfd(" Tính theo số liệu của Văn phòng UBND tỉnh. "),
    )
    assert count(demo_db, "council_decision") == before + 1
    reason = "Hội đồng thẩm định họp ngày 22/12/2020: Tính theo số liệu của Văn phòng UBND tỉnh."
    state = appraisal.appraisal_state(demo_db, YEAR, "CR", "3.3")
    assert state == AppraisalState(None, Decimal("30.50"), reason, "council")
    view = next(d for d in explanations.decisions(demo_db, YEAR, "CR") if d.code == "3.3")
    assert (view.id, view.meeting_date, view.points) == (
        decision_id,
        date(2020, 12, 22),
        Decimal("30.50"),
    )
    assert view.decision == "Tính theo số liệu của Văn phòng UBND tỉnh."
    events = events_after(demo_db, last)
    assert [e["action"] for e in events] == ["score.appraise", "council.decide"]
    score_event, decide_event = events
    assert score_event["new"]["source"] == "council"
    assert score_event["new"]["appraised_points"] == "30.50"
    assert score_event["reason"] == reason
    assert decide_event["entity"] == "council_decision"
    assert decide_event["entity_id"] == decision_id
    assert decide_event["old"] is None
    assert decide_event["new"] == {
        "agency": "CR",
        "criterion": "3.3",
        "meeting_date": "2020-12-22",
        "decision": "Tính theo số liệu của Văn phòng UBND tỉnh.",
        "points": "30.50",
    }
    assert decide_event["reason"] == reason


def test_a_second_decision_replaces_the_first(demo_db: Database, actor: Actor) -> None:
    [first] = explanations.decisions(demo_db, YEAR)
    last = last_event_id(demo_db)
    same_id = decide(demo_db, actor, "3.4", Decimal(20), decision="Họp lại: 20 điểm.")
    assert same_id == first.id
    [again] = explanations.decisions(demo_db, YEAR)
    assert (again.id, again.meeting_date, again.decision, again.points) == (
        first.id,
        date(2020, 12, 22),
        "Họp lại: 20 điểm.",
        Decimal("20.00"),
    )
    state = appraisal.appraisal_state(demo_db, YEAR, "CR", "3.4")
    assert state.points == Decimal("20.00") and state.source == "council"
    assert state.reason == "Hội đồng thẩm định họp ngày 22/12/2020: Họp lại: 20 điểm."
    decide_event = events_after(demo_db, last)[-1]
    assert decide_event["action"] == "council.decide"
    assert decide_event["old"] == {
        "decision": DECISION,
        "points": "24.00",
        "meeting_date": "2020-12-15",
    }
    assert decide_event["new"]["points"] == "20.00"
    assert decide_event["new"]["meeting_date"] == "2020-12-22"
    # and the lock now names the new meeting
    message = refused(
        demo_db,
        lambda: appraisal.set_appraised_points(
            demo_db, YEAR, "CR", "3.4", Decimal(30), reason="x", actor=actor
        ),
    )
    assert "22/12/2020" in message and "15/12/2020" not in message


@pytest.mark.parametrize(
    ("code", "points", "decision", "exc"),
    [
        ("3.4", Decimal(20), "", InputRefused),
        ("3.4", Decimal(20), "   ", InputRefused),
        ("3.4", Decimal(31), "x", InputRefused),  # 3.4 is out of 30
        ("3.4", Decimal(-1), "x", InputRefused),
        ("3.4", Decimal("20.001"), "x", InputRefused),
        ("3", Decimal(20), "x", InputRefused),  # a parent: the sum of its children
        ("9.9", Decimal(20), "x", NotFound),
    ],
    ids=["no-decision", "blank", "over-max", "negative", "three-decimals", "parent", "unknown"],
)
def test_record_decision_refusals(
    demo_db: Database, actor: Actor, code: str, points: Decimal, decision: str, exc: type
) -> None:
    refused(demo_db, lambda: decide(demo_db, actor, code, points, decision=decision), exc)
    assert appraisal.appraisal_state(demo_db, YEAR, "CR", "3.4").points == Decimal("24.00")


def test_record_decision_unknown_agency(demo_db: Database, actor: Actor) -> None:
    refused(demo_db, lambda: decide(demo_db, actor, agency="NOPE"), NotFound)


@pytest.mark.parametrize("source", ["cross_check", "survey", "form"])
def test_after_a_decision_other_appraisals_are_refused(
    demo_db: Database, actor: Actor, source: str
) -> None:
    message = refused(
        demo_db,
        lambda: appraisal.set_appraised_points(
            demo_db,
            YEAR,
            "CR",
            "3.4",
            Decimal(10),
            reason="Đối chiếu số liệu Văn phòng UBND tỉnh.",
            source=source,
            actor=actor,
        ),
    )
    assert "Hội đồng thẩm định đã quyết định" in message
    assert "15/12/2020" in message
    assert "3.4" in message


def test_the_lock_is_per_agency_and_criterion(demo_db: Database, actor: Actor) -> None:
    appraisal.set_appraised_points(demo_db, YEAR, "CR", "3.3", Decimal(40), reason="x")
    appraisal.set_appraised_points(demo_db, YEAR, "NH", "3.4", Decimal(20), reason="y")
    assert appraisal.appraisal_state(demo_db, YEAR, "CR", "3.3").points == Decimal("40.00")
    assert appraisal.appraisal_state(demo_db, YEAR, "NH", "3.4").points == Decimal("20.00")


@pytest.mark.parametrize(
    "state",
    [
        AppraisalState(None, None, "", "form"),  # what 3.4 was before any appraisal
        AppraisalState(None, Decimal(10), "Đối chiếu số liệu.", "cross_check"),
        AppraisalState({"numerator": "10", "denominator": "40"}, None, "Khảo sát.", "survey"),
    ],
    ids=["untouched", "cross-check", "survey-answer"],
)
def test_after_a_decision_undo_is_refused(
    demo_db: Database, actor: Actor, state: AppraisalState
) -> None:
    message = refused(
        demo_db,
        lambda: appraisal.restore_appraisal(
            demo_db, YEAR, "CR", "3.4", state, reason="Hoàn tác", actor=actor
        ),
    )
    assert "15/12/2020" in message


def test_undo_of_an_edit_made_before_the_decision_is_refused(
    demo_db: Database, actor: Actor
) -> None:
    before = appraisal.appraisal_state(demo_db, YEAR, "CR", "3.3")
    appraisal.set_appraised_points(demo_db, YEAR, "CR", "3.3", Decimal(40), reason="Đối chiếu.")
    decide(demo_db, actor, "3.3", Decimal(35))
    refused(
        demo_db,
        lambda: appraisal.restore_appraisal(
            demo_db, YEAR, "CR", "3.3", before, reason="Hoàn tác", actor=actor
        ),
    )
    assert appraisal.appraisal_state(demo_db, YEAR, "CR", "3.3").points == Decimal("35.00")


def test_after_a_decision_a_council_sourced_edit_is_refused(
    demo_db: Database, actor: Actor
) -> None:
    refused(
        demo_db,
        lambda: appraisal.set_appraised_points(
            demo_db, YEAR, "CR", "3.4", Decimal(10), reason="x", source="council", actor=actor
        ),
    )


def test_a_council_source_is_written_only_by_a_decision(demo_db: Database, actor: Actor) -> None:
    """Without a recorded decision nobody may label points as the council's."""
    refused(
        demo_db,
        lambda: appraisal.set_appraised_points(
            demo_db, YEAR, "NH", "1.3", Decimal(10), reason="x", source="council", actor=actor
        ),
    )


def test_after_a_decision_redo_of_an_earlier_edit_is_refused(
    demo_db: Database, actor: Actor
) -> None:
    appraisal.set_appraised_points(
        demo_db, YEAR, "CR", "3.3", Decimal(30), reason="Đối chiếu số liệu.", source="cross_check"
    )
    edited = appraisal.appraisal_state(demo_db, YEAR, "CR", "3.3")
    decide(demo_db, actor, "3.3", Decimal(35))
    refused(
        demo_db,
        lambda: appraisal.restore_appraisal(
            demo_db, YEAR, "CR", "3.3", edited, reason="Làm lại", actor=actor
        ),
    )


def test_after_a_decision_applying_a_survey_finding_is_refused(
    demo_db: Database, actor: Actor
) -> None:
    survey_id = surveys.plan_survey(
        demo_db, YEAR, "CR", date(2020, 12, 9), member_ids=[1, 8], criteria=["3.4"], actor=actor
    )
    surveys.record_survey(
        demo_db,
        survey_id,
        visit_date=date(2020, 12, 9),
        today=TODAY,
        findings=[FindingInput("3.4", "Hồ sơ trực tuyến ít hơn báo cáo.", "", Decimal(10))],
        actor=actor,
    )
    [finding] = surveys.survey_view(demo_db, survey_id).findings
    message = refused(demo_db, lambda: surveys.apply_finding(demo_db, finding.id, actor=actor))
    assert "15/12/2020" in message
    assert not surveys.survey_view(demo_db, survey_id).findings[0].applied
    assert appraisal.appraisal_state(demo_db, YEAR, "CR", "3.4").points == Decimal("24.00")
    # the finding can still be dismissed, which settles the survey
    surveys.dismiss_finding(demo_db, finding.id, "Hội đồng đã quyết định.", actor=actor)
    assert surveys.survey_view(demo_db, survey_id).state == "applied"


def test_a_decision_after_a_recorded_finding_blocks_its_application(
    demo_db: Database, actor: Actor
) -> None:
    decide(demo_db, actor, "3.8", Decimal(15), agency="DHKH")
    refused(demo_db, lambda: surveys.apply_finding(demo_db, DHKH_PENDING_FINDING, actor=actor))
    assert appraisal.appraisal_state(demo_db, YEAR, "DHKH", "3.8").points == Decimal("15.00")


def test_the_ranking_uses_the_decided_points(demo_db: Database, actor: Actor) -> None:
    before = total(demo_db, "CR")
    decide(demo_db, actor, "3.4", Decimal(10))
    assert total(demo_db, "CR") == before - Decimal(14)  # 24 → 10
    decide(demo_db, actor, "3.4", Decimal("29.99"))
    assert total(demo_db, "CR") == before + Decimal("5.99")


def test_a_decision_on_an_unappraised_criterion_moves_the_ranking(
    demo_db: Database, actor: Actor
) -> None:
    before = total(demo_db, "NH")
    state = appraisal.appraisal_state(demo_db, YEAR, "NH", "3.3")
    assert (state.points, state.source) == (None, "form")  # counted its 38,72 self points
    decide(demo_db, actor, "3.3", Decimal(50), agency="NH")
    assert total(demo_db, "NH") == before - Decimal("38.72") + Decimal(50)
