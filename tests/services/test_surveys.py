"""The council's roster and its field surveys (khảo sát thực tế, Điều 7.2.c): planning a visit,
recording its findings, applying or dismissing each finding; every refusal writes nothing."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from khit_desktop.services import appraisal, attachments, council, results, rounds, surveys
from khit_desktop.services.audit import Actor
from khit_desktop.services.errors import InputRefused, NotFound
from khit_desktop.services.surveys import FindingInput
from khit_desktop.store.database import Database
from khit_desktop.store.models import AuditEvent, Survey, SurveyFinding

YEAR = 2020
TODAY = date(2020, 12, 31)
VISIT = date(2020, 12, 9)

# the demo (services/demo.py, _council_work)
CHAIR, VICE_CHAIR, LEAD, CLERK = 1, 2, 7, 8  # roster ids of round 2020
DHKH_SURVEY, KV_SURVEY = 1, 2  # done (1.6.2 applied, 3.8 pending) / planned (1.3, 3.3)
DHKH_APPLIED, DHKH_PENDING = 1, 2  # finding ids: 1.6.2 (4 points, applied), 3.8 (10, pending)
DEMO_ROLES = ["chair", "vice_chair"] + ["member"] * 4 + ["lead"] + ["clerk"] * 2

WATCHED = (
    "survey",
    "survey_finding",
    "survey_attachment",
    "attachment",
    "explanation",
    "council_decision",
    "council_member",
    "score",
    "audit_event",
    "round",
)


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def snapshot(db: Database) -> dict[str, Any]:
    """Row counts, the rows a refusal must leave alone, appraised values and stored files."""
    with db.session() as s:
        counts = {t: s.scalar(text(f"SELECT count(*) FROM {t}")) for t in WATCHED}
        rows = {
            t: s.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()
            for t in (
                "survey",
                "survey_finding",
                "survey_attachment",
                "attachment",
                "council_member",
                "explanation",
                "council_decision",
            )
        }
        appraised = s.execute(
            text(
                "SELECT id, self_points, appraised_answer, appraised_points, source, reason "
                "FROM score ORDER BY id"
            )
        ).all()
    folder = attachments.attachments_dir(db)
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []
    return {"counts": counts, "rows": rows, "appraised": appraised, "files": files}


def refused(db: Database, call: Callable[[], object], exc: type = InputRefused) -> str:
    """``call`` is refused with ``exc`` and the database (and attachment folder) is unchanged;
    returns the message."""
    before = snapshot(db)
    with pytest.raises(exc) as info:
        call()
    assert snapshot(db) == before
    return str(info.value)


def events_after(db: Database, last_id: int, action: str | None = None) -> list[dict[str, Any]]:
    with db.session() as s:
        query = select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return [
            {
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "year": e.round_year,
                "user": e.user,
                "machine": e.machine,
                "old": json.loads(e.old_json) if e.old_json else None,
                "new": json.loads(e.new_json) if e.new_json else None,
                "reason": e.reason,
            }
            for e in s.scalars(query)
        ]


def last_event_id(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def count(db: Database, table: str) -> int:
    with db.session() as s:
        return s.scalar(text(f"SELECT count(*) FROM {table}")) or 0


def total(db: Database, code: str) -> Decimal:
    row = next(r for r in results.ranking(db, YEAR) if r.agency_code == code)
    assert row.appraised_total is not None
    return row.appraised_total


def finding(db: Database, survey_id: int, code: str) -> surveys.FindingView:
    return next(f for f in surveys.survey_view(db, survey_id).findings if f.code == code)


def record(db: Database, survey_id: int, *findings: FindingInput, **kw: Any) -> None:
    kw.setdefault("visit_date", VISIT)
    kw.setdefault("today", TODAY)
    kw.setdefault("actor", Actor(user="tester", machine="test-machine"))
    surveys.record_survey(db, survey_id, findings=list(findings), **kw)


def plan(db: Database, actor: Actor, code: str = "NH", **kw: Any) -> int:
    kw.setdefault("member_ids", [CHAIR, CLERK])
    kw.setdefault("criteria", ["3.8"])
    return surveys.plan_survey(db, YEAR, code, kw.pop("planned", VISIT), actor=actor, **kw)


# ---- roster ---------------------------------------------------------------------------------


def test_demo_roster_is_council_first_then_team(demo_db: Database) -> None:
    people = council.roster(demo_db, YEAR)
    assert [m.role for m in people] == DEMO_ROLES
    assert [m.body for m in people] == ["council"] * 6 + ["team"] * 3
    assert people[0].name == "Trần Minh Quang"
    assert people[0].line == (
        "Trần Minh Quang — Phó Giám đốc, Sở Thông tin và Truyền thông; Chủ tịch Hội đồng"
    )
    assert people[-1].role_label == "Thành viên Tổ giúp việc"


def test_roster_orders_by_role_then_entry_whatever_the_entry_order(
    demo_db: Database, actor: Actor
) -> None:
    rounds.create_round(demo_db, 2021, actor=actor)
    for role, name in [
        ("clerk", "Clerk A"),
        ("member", "Member B"),
        ("lead", "Lead C"),
        ("vice_chair", "Vice D"),
        ("member", "Member E"),
        ("chair", "Chair F"),
        ("clerk", "Clerk G"),
    ]:
        council.add_member(demo_db, 2021, role=role, name=name, actor=actor)
    people = council.roster(demo_db, 2021)
    assert [(m.role, m.name) for m in people] == [
        ("chair", "Chair F"),
        ("vice_chair", "Vice D"),
        ("member", "Member B"),
        ("member", "Member E"),
        ("lead", "Lead C"),
        ("clerk", "Clerk A"),
        ("clerk", "Clerk G"),
    ]
    assert [m.body for m in people] == ["council"] * 4 + ["team"] * 3
    assert people[0].line == "Chair F — Chủ tịch Hội đồng"  # no position, no agency


def test_add_member_stores_nfc_trimmed_and_audits(demo_db: Database, actor: Actor) -> None:
    last = last_event_id(demo_db)
    new_id = council.add_member(
        demo_db,
        YEAR,
        role="clerk",
        name=nfd("  Trương Thị Ánh Tuyết "),
        position=nfd(" Chuyên viên "),
        agency=nfd("Sở Thông tin và Truyền thông "),
        actor=actor,
    )
    added = council.roster(demo_db, YEAR)[-1]
    assert (added.id, added.body, added.role) == (new_id, "team", "clerk")
    assert added.name == unicodedata.normalize("NFC", "Trương Thị Ánh Tuyết")
    assert (added.position, added.agency) == ("Chuyên viên", "Sở Thông tin và Truyền thông")
    assert events_after(demo_db, last) == [
        {
            "action": "roster.add",
            "entity": "council_member",
            "entity_id": new_id,
            "year": YEAR,
            "user": "tester",
            "machine": "test-machine",
            "old": None,
            "new": {
                "role": "clerk",
                "name": "Trương Thị Ánh Tuyết",
                "position": "Chuyên viên",
                "agency": "Sở Thông tin và Truyền thông",
            },
            "reason": "",
        }
    ]


def test_a_second_chair_is_refused(demo_db: Database, actor: Actor) -> None:
    message = refused(
        demo_db, lambda: council.add_member(demo_db, YEAR, role="chair", name="X", actor=actor)
    )
    assert "đã có Chủ tịch" in message


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("member", ""),
        ("member", "   "),
        ("member", "\u00a0\t"),
        ("secretary", "Nguyễn Văn A"),
        ("Chair", "Nguyễn Văn A"),
        ("", "Nguyễn Văn A"),
    ],
)
def test_empty_names_and_unknown_roles_are_refused(
    demo_db: Database, actor: Actor, role: str, name: str
) -> None:
    refused(demo_db, lambda: council.add_member(demo_db, YEAR, role=role, name=name, actor=actor))


def test_add_member_to_an_unknown_round_is_refused(demo_db: Database, actor: Actor) -> None:
    refused(
        demo_db,
        lambda: council.add_member(demo_db, 2031, role="member", name="A", actor=actor),
        NotFound,
    )


def test_remove_member_removes_and_audits(demo_db: Database, actor: Actor) -> None:
    last = last_event_id(demo_db)
    council.remove_member(demo_db, CLERK, actor=actor)
    people = council.roster(demo_db, YEAR)
    assert CLERK not in [m.id for m in people]
    assert [m.role for m in people] == ["chair", "vice_chair"] + ["member"] * 4 + ["lead", "clerk"]
    [event] = events_after(demo_db, last)
    assert (event["action"], event["entity"], event["entity_id"], event["year"]) == (
        "roster.remove",
        "council_member",
        CLERK,
        YEAR,
    )
    assert event["old"] == {"role": "clerk", "name": "Bùi Thị Lan"}
    assert event["user"] == "tester"


def test_removing_the_chair_lets_a_new_chair_in(demo_db: Database, actor: Actor) -> None:
    council.remove_member(demo_db, CHAIR, actor=actor)
    council.add_member(demo_db, YEAR, role="chair", name="Chủ tịch mới", actor=actor)
    assert council.roster(demo_db, YEAR)[0].name == "Chủ tịch mới"


def test_remove_an_unknown_member_is_refused(demo_db: Database, actor: Actor) -> None:
    refused(demo_db, lambda: council.remove_member(demo_db, 999, actor=actor), NotFound)


def test_a_copied_round_carries_the_roster(demo_db: Database, actor: Actor) -> None:
    old = council.roster(demo_db, YEAR)
    rounds.create_round(demo_db, 2021, copy_from=YEAR, actor=actor)
    new = council.roster(demo_db, 2021)

    def people(xs: list[council.RosterMember]) -> list[tuple[str, ...]]:
        return [(m.body, m.role, m.name, m.position, m.agency) for m in xs]

    assert people(new) == people(old)
    assert not {m.id for m in new} & {m.id for m in old}  # rows of their own
    assert council.roster(demo_db, YEAR) == old  # the source round keeps its roster
    # the copy has one chair already: a second one is still refused in the new round
    refused(demo_db, lambda: council.add_member(demo_db, 2021, role="chair", name="X"))
    # removing from the copy leaves the source alone
    council.remove_member(demo_db, new[0].id, actor=actor)
    assert council.roster(demo_db, YEAR) == old
    # surveys are the year's own work: not copied
    assert surveys.list_surveys(demo_db, 2021) == []


def test_a_round_created_without_copy_has_no_roster(demo_db: Database, actor: Actor) -> None:
    rounds.create_round(demo_db, 2021, actor=actor)
    assert council.roster(demo_db, 2021) == []
    council.add_member(demo_db, 2021, role="chair", name="Chủ tịch 2021", actor=actor)
    assert [m.name for m in council.roster(demo_db, 2021)] == ["Chủ tịch 2021"]
    assert [m.role for m in council.roster(demo_db, YEAR)] == DEMO_ROLES


# ---- the demo's surveys ---------------------------------------------------------------------


def test_demo_surveys(demo_db: Database) -> None:
    done, planned = surveys.list_surveys(demo_db, YEAR)
    assert (done.id, done.agency_code, done.state, done.visit_date) == (
        DHKH_SURVEY,
        "DHKH",
        "done",
        date(2020, 12, 3),
    )
    assert done.state_label == "Đã khảo sát"
    assert [(f.code, f.proposed_points, f.applied) for f in done.findings] == [
        ("1.6.2", Decimal("4.00"), True),
        ("3.8", Decimal("10.00"), False),
    ]
    assert (planned.id, planned.agency_code, planned.state, planned.visit_date) == (
        KV_SURVEY,
        "KV",
        "planned",
        None,
    )
    assert planned.criteria == ("1.3", "3.3")
    assert planned.findings == ()
    state = appraisal.appraisal_state(demo_db, YEAR, "DHKH", "3.8")
    assert (state.points, state.source) == (None, "form")  # pending: not applied


# ---- plan_survey ----------------------------------------------------------------------------


def test_plan_survey_is_planned_and_audited(demo_db: Database, actor: Actor) -> None:
    last = last_event_id(demo_db)
    before = count(demo_db, "survey")
    survey_id = plan(
        demo_db, actor, member_ids=[LEAD, CHAIR], criteria=["3.8", "1.6.2"], planned=VISIT
    )
    assert count(demo_db, "survey") == before + 1
    view = surveys.survey_view(demo_db, survey_id)
    assert (view.year, view.agency_code, view.agency_name) == (YEAR, "NH", "UBND thị xã Ninh Hòa")
    assert (view.planned_date, view.visit_date, view.state) == (VISIT, None, "planned")
    assert view.state_label == "Đã lên kế hoạch"
    assert view.criteria == ("3.8", "1.6.2")
    assert view.members[0].startswith("Hoàng Văn Long — ")  # in the order chosen
    assert view.members[1].startswith("Trần Minh Quang — ")
    assert (view.findings, view.attachments, view.remarks) == ((), (), "")
    [event] = events_after(demo_db, last)
    assert (event["action"], event["entity"], event["entity_id"], event["year"]) == (
        "survey.plan",
        "survey",
        survey_id,
        YEAR,
    )
    assert event["new"] == {
        "agency": "NH",
        "date": "2020-12-09",
        "members": [LEAD, CHAIR],
        "criteria": ["3.8", "1.6.2"],
    }


@pytest.mark.parametrize(
    "criteria",
    [["9.9"], ["1.6"], ["3"], ["3.8", "1.6"], ["3.8", "nope"]],
    ids=["unknown", "parent", "area", "leaf-and-parent", "leaf-and-unknown"],
)
def test_plan_survey_refuses_unknown_and_parent_criteria(
    demo_db: Database, actor: Actor, criteria: list[str]
) -> None:
    message = refused(demo_db, lambda: plan(demo_db, actor, criteria=criteria))
    assert "Tiêu chí không có hoặc không chấm trực tiếp" in message


@pytest.mark.parametrize("member_ids", [[], [999], [CHAIR, 999], [0]])
def test_plan_survey_refuses_people_outside_the_roster_or_nobody(
    demo_db: Database, actor: Actor, member_ids: list[int]
) -> None:
    message = refused(demo_db, lambda: plan(demo_db, actor, member_ids=member_ids))
    assert "danh sách Hội đồng và Tổ giúp việc" in message


def test_plan_survey_refuses_people_of_another_years_roster(
    demo_db: Database, actor: Actor
) -> None:
    rounds.create_round(demo_db, 2021, copy_from=YEAR, actor=actor)
    ids_2021 = [m.id for m in council.roster(demo_db, 2021)]
    refused(demo_db, lambda: plan(demo_db, actor, member_ids=ids_2021[:2]))


def test_plan_survey_refuses_unknown_agency_and_year(demo_db: Database, actor: Actor) -> None:
    refused(demo_db, lambda: plan(demo_db, actor, code="NOPE"), NotFound)
    refused(
        demo_db,
        lambda: surveys.plan_survey(
            demo_db, 2031, "NH", VISIT, member_ids=[CHAIR], criteria=["3.8"], actor=actor
        ),
        NotFound,
    )


def test_list_surveys_by_planned_date_then_vietnamese_name(demo_db: Database, actor: Actor) -> None:
    same_day = date(2020, 12, 5)
    for code in ("SXD", "PTTH", "SDL"):  # Sở Xây dựng, Đài Phát thanh…, Sở Du lịch
        plan(demo_db, actor, code=code, planned=same_day)
    plan(demo_db, actor, code="NH", planned=date(2020, 12, 1))
    assert [v.agency_code for v in surveys.list_surveys(demo_db, YEAR)] == [
        "NH",  # 01/12
        "DHKH",  # 03/12
        "PTTH",  # 05/12: Đ comes after D and before S, not after Z
        "SDL",
        "SXD",
        "KV",  # 08/12
    ]


# ---- record_survey --------------------------------------------------------------------------


def test_record_survey_stores_nfc_findings_and_marks_done(demo_db: Database, actor: Actor) -> None:
    last = last_event_id(demo_db)
    seen = "Hệ thống một cửa điện tử đã kết nối cổng dịch vụ công; tỷ lệ hồ sơ trực tuyến thấp."
    record(
        demo_db,
        KV_SURVEY,
        FindingInput("3.3", nfd(f"  {seen} "), nfd(" 120 hồ sơ trên 400 "), Decimal("12.5")),
        FindingInput("1.3", nfd("Đã có mạng nội bộ."), "", None),
        remarks=nfd(" Đoàn làm việc tại trụ sở UBND huyện. "),
        actor=actor,
    )
    view = surveys.survey_view(demo_db, KV_SURVEY)
    assert (view.state, view.visit_date) == ("done", VISIT)
    assert view.state_label == "Đã khảo sát"
    assert view.remarks == "Đoàn làm việc tại trụ sở UBND huyện."
    by_code = {f.code: f for f in view.findings}
    assert by_code["3.3"].seen == seen
    assert unicodedata.is_normalized("NFC", by_code["3.3"].seen)
    assert by_code["3.3"].figure == "120 hồ sơ trên 400"
    assert by_code["3.3"].proposed_points == Decimal("12.50")
    assert (by_code["3.3"].max_points, by_code["3.3"].applied) == (Decimal(50), False)
    assert by_code["3.3"].dismissed_reason == ""
    assert by_code["1.3"].seen == "Đã có mạng nội bộ."
    assert by_code["1.3"].proposed_points is None
    with demo_db.session() as s:  # what is stored, not only what is shown
        stored = s.scalars(select(SurveyFinding).where(SurveyFinding.survey_id == KV_SURVEY))
        for row in stored:
            for value in (row.seen, row.figure):
                assert unicodedata.is_normalized("NFC", value)
        survey = s.get(Survey, KV_SURVEY)
        assert survey is not None and unicodedata.is_normalized("NFC", survey.remarks)
    [event] = events_after(demo_db, last)
    assert (event["action"], event["entity_id"], event["year"]) == (
        "survey.record",
        KV_SURVEY,
        YEAR,
    )
    assert event["new"]["agency"] == "KV"
    assert event["new"]["visit_date"] == "2020-12-09"


def test_a_recorded_finding_changes_no_score(demo_db: Database, actor: Actor) -> None:
    scores_before = snapshot(demo_db)["appraised"]
    total_before = total(demo_db, "KV")
    record(demo_db, KV_SURVEY, FindingInput("3.3", "Ít hồ sơ trực tuyến.", "", Decimal(20)))
    assert snapshot(demo_db)["appraised"] == scores_before
    assert total(demo_db, "KV") == total_before
    state = appraisal.appraisal_state(demo_db, YEAR, "KV", "3.3")
    assert (state.points, state.source) == (None, "form")


@pytest.mark.parametrize(
    "proposed",
    [Decimal(-1), Decimal("-0.01"), Decimal("50.01"), Decimal(51), Decimal("10.005")],
    ids=["negative", "just-below-zero", "just-over-max", "over-max", "three-decimals"],
)
def test_proposed_points_out_of_range_or_with_three_decimals_are_refused(
    demo_db: Database, proposed: Decimal
) -> None:
    message = refused(
        demo_db, lambda: record(demo_db, KV_SURVEY, FindingInput("3.3", "ghi nhận", "", proposed))
    )
    assert "3.3" in message


@pytest.mark.parametrize("proposed", [Decimal(0), Decimal(50), Decimal("49.99"), Decimal("7.10")])
def test_proposed_points_at_the_bounds_are_accepted(demo_db: Database, proposed: Decimal) -> None:
    record(demo_db, KV_SURVEY, FindingInput("3.3", "ghi nhận", "", proposed))
    assert finding(demo_db, KV_SURVEY, "3.3").proposed_points == proposed


@pytest.mark.parametrize("seen", ["", "   ", "\n\t", "\u00a0"])
def test_a_finding_without_what_was_seen_is_refused(demo_db: Database, seen: str) -> None:
    message = refused(
        demo_db,
        lambda: record(
            demo_db,
            KV_SURVEY,
            FindingInput("1.3", "ghi nhận", "", Decimal(30)),
            FindingInput("3.3", seen, "120 hồ sơ", Decimal(20)),
        ),
    )
    assert "3.3" in message


@pytest.mark.parametrize("code", ["9.9", "3", "1.6", ""])
def test_a_finding_on_an_unknown_or_parent_criterion_is_refused(
    demo_db: Database, code: str
) -> None:
    refused(demo_db, lambda: record(demo_db, KV_SURVEY, FindingInput(code, "ghi nhận")))


def test_a_visit_after_today_is_refused_and_today_is_accepted(demo_db: Database) -> None:
    message = refused(
        demo_db,
        lambda: record(
            demo_db,
            KV_SURVEY,
            FindingInput("3.3", "x"),
            visit_date=date(2020, 12, 10),
            today=date(2020, 12, 9),
        ),
    )
    assert "10/12/2020" in message
    record(
        demo_db,
        KV_SURVEY,
        FindingInput("3.3", "x"),
        visit_date=date(2020, 12, 10),
        today=date(2020, 12, 10),
    )
    assert surveys.survey_view(demo_db, KV_SURVEY).visit_date == date(2020, 12, 10)


def test_a_visit_before_the_rounds_year_is_refused(demo_db: Database) -> None:
    message = refused(
        demo_db,
        lambda: record(demo_db, KV_SURVEY, FindingInput("3.3", "x"), visit_date=date(2019, 12, 31)),
    )
    assert "31/12/2019" in message
    record(demo_db, KV_SURVEY, FindingInput("3.3", "x"), visit_date=date(2020, 1, 1))
    assert surveys.survey_view(demo_db, KV_SURVEY).state == "done"


def test_record_an_unknown_survey_is_refused(demo_db: Database) -> None:
    refused(demo_db, lambda: record(demo_db, 999, FindingInput("3.3", "x")), NotFound)


def test_attachments_are_copied_by_content_hash_and_listed(
    demo_db: Database, tmp_path: Path
) -> None:
    folder = attachments.attachments_dir(demo_db)
    assert not folder.exists()
    scan = b"%PDF-1.4\n% bien ban khao sat\n" + bytes(range(256)) * 4
    photo = b"\xff\xd8\xff\xe0 anh phong may chu" + bytes(64)
    first = tmp_path / "in" / "Biên bản khảo sát.pdf"
    first.parent.mkdir()
    first.write_bytes(scan)
    same = tmp_path / "in" / "ban-sao.pdf"  # the same content under another name
    same.write_bytes(scan)
    other = tmp_path / "in" / "phong-may-chu.jpg"
    other.write_bytes(photo)
    before = {t: count(demo_db, t) for t in ("attachment", "survey_attachment")}

    record(demo_db, KV_SURVEY, FindingInput("3.3", "x"), attachments=[first, same, other])

    assert count(demo_db, "attachment") == before["attachment"] + 2
    assert count(demo_db, "survey_attachment") == before["survey_attachment"] + 2
    for content, suffix in ((scan, ".pdf"), (photo, ".jpg")):
        sha = hashlib.sha256(content).hexdigest()
        stored = folder / sha[:2] / f"{sha}{suffix}"
        assert stored.read_bytes() == content
    assert first.read_bytes() == scan and other.exists()  # copied, never moved
    listed = surveys.survey_view(demo_db, KV_SURVEY).attachments
    assert sorted(name for _id, name in listed) == sorted(
        [unicodedata.normalize("NFC", "Biên bản khảo sát.pdf"), "phong-may-chu.jpg"]
    )
    # recording again with the same file links nothing new
    record(demo_db, KV_SURVEY, FindingInput("3.3", "y"), attachments=[same])
    assert count(demo_db, "attachment") == before["attachment"] + 2
    assert count(demo_db, "survey_attachment") == before["survey_attachment"] + 2
    assert surveys.survey_view(demo_db, KV_SURVEY).attachments == listed
    # the same file on another survey is stored once and listed there too
    record(demo_db, DHKH_SURVEY, FindingInput("3.8", "z", "", Decimal(5)), attachments=[first])
    assert count(demo_db, "attachment") == before["attachment"] + 2
    dhkh = surveys.survey_view(demo_db, DHKH_SURVEY).attachments
    assert [name for _id, name in dhkh] == [unicodedata.normalize("NFC", "Biên bản khảo sát.pdf")]


def test_a_missing_attachment_is_refused(demo_db: Database, tmp_path: Path) -> None:
    refused(
        demo_db,
        lambda: record(
            demo_db, KV_SURVEY, FindingInput("3.3", "x"), attachments=[tmp_path / "none.pdf"]
        ),
    )


def test_a_refused_recording_copies_no_attachment(demo_db: Database, tmp_path: Path) -> None:
    scan = tmp_path / "bien-ban.pdf"
    scan.write_bytes(b"%PDF-1.4 bien ban")
    refused(
        demo_db,
        lambda: record(
            demo_db,
            KV_SURVEY,
            FindingInput("3.3", "x", "", Decimal(99)),  # over the maximum
            attachments=[scan],
        ),
    )
    assert not attachments.attachments_dir(demo_db).exists()


def test_recording_again_replaces_unapplied_findings(demo_db: Database) -> None:
    record(demo_db, KV_SURVEY, FindingInput("3.3", "lần đầu", "100 hồ sơ", Decimal(20)))
    first = finding(demo_db, KV_SURVEY, "3.3")
    record(
        demo_db,
        KV_SURVEY,
        FindingInput("3.3", "lần sau", "", Decimal("25.5")),
        visit_date=date(2020, 12, 10),
        remarks="đã sửa",
    )
    view = surveys.survey_view(demo_db, KV_SURVEY)
    assert [(f.id, f.code, f.seen, f.figure, f.proposed_points) for f in view.findings] == [
        (first.id, "3.3", "lần sau", "", Decimal("25.50"))
    ]
    assert (view.visit_date, view.remarks, view.state) == (date(2020, 12, 10), "đã sửa", "done")
    # the pending finding of the demo survey is replaced too (applied one untouched)
    record(demo_db, DHKH_SURVEY, FindingInput("3.8", "3 cơ sở dữ liệu", "3", Decimal(15)))
    dhkh = {f.code: f for f in surveys.survey_view(demo_db, DHKH_SURVEY).findings}
    assert (dhkh["3.8"].id, dhkh["3.8"].proposed_points) == (DHKH_PENDING, Decimal("15.00"))
    assert (dhkh["1.6.2"].proposed_points, dhkh["1.6.2"].applied) == (Decimal("4.00"), True)


def test_an_applied_finding_cannot_be_recorded_again(demo_db: Database) -> None:
    message = refused(
        demo_db,
        lambda: record(
            demo_db,
            DHKH_SURVEY,
            FindingInput("3.8", "đổi", "", Decimal(5)),
            FindingInput("1.6.2", "đổi", "", Decimal(10)),
            visit_date=date(2020, 12, 3),
        ),
    )
    assert "1.6.2" in message and "đã được áp dụng" in message


def test_the_same_criterion_twice_in_one_recording_is_refused(demo_db: Database) -> None:
    refused(
        demo_db,
        lambda: record(
            demo_db,
            KV_SURVEY,
            FindingInput("3.3", "a", "", Decimal(10)),
            FindingInput("3.3", "b", "", Decimal(20)),
        ),
    )


def test_recording_again_drops_unapplied_findings_left_out(demo_db: Database) -> None:
    record(
        demo_db,
        KV_SURVEY,
        FindingInput("3.3", "ghi nhận", "", Decimal(20)),
        FindingInput("1.3", "ghi nhận", "", Decimal(0)),
    )
    record(demo_db, KV_SURVEY, FindingInput("3.3", "chỉ còn 3.3", "", Decimal(20)))
    assert [f.code for f in surveys.survey_view(demo_db, KV_SURVEY).findings] == ["3.3"]


def test_a_new_finding_reopens_an_applied_survey(demo_db: Database, actor: Actor) -> None:
    surveys.dismiss_finding(demo_db, DHKH_PENDING, "Hội đồng không dùng", actor=actor)
    assert surveys.survey_view(demo_db, DHKH_SURVEY).state == "applied"
    record(
        demo_db,
        DHKH_SURVEY,
        FindingInput("1.7", "2 ứng dụng trên mạng WAN", "", Decimal(4)),
        visit_date=date(2020, 12, 3),
    )
    view = surveys.survey_view(demo_db, DHKH_SURVEY)
    assert not finding(demo_db, DHKH_SURVEY, "1.7").applied
    assert view.state == "done"


def test_re_recording_a_dismissed_finding_makes_it_pending_again(
    demo_db: Database, actor: Actor
) -> None:
    surveys.dismiss_finding(demo_db, DHKH_PENDING, "Số liệu chưa rõ", actor=actor)
    record(
        demo_db,
        DHKH_SURVEY,
        FindingInput("3.8", "Đã xác minh lại: 3 cơ sở dữ liệu", "3", Decimal(15)),
        visit_date=date(2020, 12, 3),
    )
    assert finding(demo_db, DHKH_SURVEY, "3.8").dismissed_reason == ""


# ---- apply_finding --------------------------------------------------------------------------


def test_finding_reason_names_the_visit_date_what_was_seen_and_the_figure() -> None:
    survey = Survey(visit_date=date(2020, 12, 3))
    assert (
        surveys.finding_reason(survey, SurveyFinding(seen="Có điều hòa.", figure="2 tiêu chuẩn"))
        == "Khảo sát thực tế ngày 03/12/2020: Có điều hòa.; số liệu ghi nhận: 2 tiêu chuẩn"
    )
    assert (
        surveys.finding_reason(survey, SurveyFinding(seen="Có điều hòa.", figure=""))
        == "Khảo sát thực tế ngày 03/12/2020: Có điều hòa."
    )


def test_the_demo_applied_finding_set_the_score(demo_db: Database) -> None:
    state = appraisal.appraisal_state(demo_db, YEAR, "DHKH", "1.6.2")
    assert (state.points, state.source, state.answer) == (Decimal("4.00"), "survey", None)
    assert state.reason == (
        "Khảo sát thực tế ngày 03/12/2020: Phòng máy chủ có điều hòa, lưu điện; chưa có hệ "
        "thống chống sét và kiểm soát ra vào.; số liệu ghi nhận: 2 tiêu chuẩn"
    )


def test_apply_finding_sets_the_appraised_points_only_when_called(
    demo_db: Database, actor: Actor
) -> None:
    seen = "Tỷ lệ hồ sơ trực tuyến thực tế thấp hơn báo cáo."
    record(demo_db, KV_SURVEY, FindingInput("3.3", seen, "80/400 hồ sơ", Decimal("20.25")))
    total_before = total(demo_db, "KV")
    assert appraisal.appraisal_state(demo_db, YEAR, "KV", "3.3").points is None
    finding_id = finding(demo_db, KV_SURVEY, "3.3").id
    last = last_event_id(demo_db)

    surveys.apply_finding(demo_db, finding_id, actor=actor)

    state = appraisal.appraisal_state(demo_db, YEAR, "KV", "3.3")
    assert (state.points, state.source, state.answer) == (Decimal("20.25"), "survey", None)
    assert (
        state.reason == f"Khảo sát thực tế ngày 09/12/2020: {seen}; số liệu ghi nhận: 80/400 hồ sơ"
    )
    assert finding(demo_db, KV_SURVEY, "3.3").applied
    # KV 3.3 counted its self-assessed 37,06 before
    assert total(demo_db, "KV") == total_before - Decimal("37.06") + Decimal("20.25")
    with demo_db.session() as s:
        row = s.get(SurveyFinding, finding_id)
        assert row is not None and row.applied_at is not None and row.applied_by == "tester"
    events = events_after(demo_db, last)
    assert [e["action"] for e in events] == ["score.appraise", "survey.apply"]
    score_event, apply_event = events
    assert score_event["entity"] == "score"
    assert score_event["new"]["criterion"] == "3.3"
    assert score_event["new"]["agency"] == "KV"
    assert score_event["new"]["appraised_points"] == "20.25"
    assert score_event["new"]["source"] == "survey"
    assert score_event["reason"] == state.reason
    assert score_event["old"]["appraised_points"] is None
    assert (apply_event["entity"], apply_event["entity_id"], apply_event["year"]) == (
        "survey_finding",
        finding_id,
        YEAR,
    )
    assert apply_event["new"] == {"agency": "KV", "criterion": "3.3", "points": "20.25"}
    assert apply_event["user"] == "tester"


def test_applying_twice_is_refused(demo_db: Database, actor: Actor) -> None:
    message = refused(demo_db, lambda: surveys.apply_finding(demo_db, DHKH_APPLIED, actor=actor))
    assert "1.6.2" in message and "đã được áp dụng" in message


def test_a_finding_without_proposed_points_cannot_be_applied(
    demo_db: Database, actor: Actor
) -> None:
    record(demo_db, KV_SURVEY, FindingInput("1.3", "Có mạng LAN, chưa có mạng WAN."))
    finding_id = finding(demo_db, KV_SURVEY, "1.3").id
    message = refused(demo_db, lambda: surveys.apply_finding(demo_db, finding_id, actor=actor))
    assert "chưa có điểm đề xuất" in message


def test_apply_an_unknown_finding_is_refused(demo_db: Database, actor: Actor) -> None:
    refused(demo_db, lambda: surveys.apply_finding(demo_db, 999, actor=actor), NotFound)


def test_the_survey_is_applied_when_its_last_finding_is_applied(
    demo_db: Database, actor: Actor
) -> None:
    surveys.apply_finding(demo_db, DHKH_PENDING, actor=actor)
    view = surveys.survey_view(demo_db, DHKH_SURVEY)
    assert view.state == "applied"
    assert view.state_label == "Đã áp dụng kết quả"
    assert all(f.applied for f in view.findings)
    state = appraisal.appraisal_state(demo_db, YEAR, "DHKH", "3.8")
    assert (state.points, state.source) == (Decimal("10.00"), "survey")


def test_the_survey_is_applied_once_every_finding_is_applied_or_dismissed(
    demo_db: Database, actor: Actor
) -> None:
    record(
        demo_db,
        KV_SURVEY,
        FindingInput("3.3", "a", "", Decimal(20)),
        FindingInput("1.3", "b", "", Decimal(0)),
    )
    ids = {f.code: f.id for f in surveys.survey_view(demo_db, KV_SURVEY).findings}
    surveys.apply_finding(demo_db, ids["3.3"], actor=actor)
    assert surveys.survey_view(demo_db, KV_SURVEY).state == "done"
    surveys.dismiss_finding(demo_db, ids["1.3"], "Hội đồng giữ điểm tự chấm.", actor=actor)
    assert surveys.survey_view(demo_db, KV_SURVEY).state == "applied"


def test_a_survey_recorded_with_no_findings_stays_done(demo_db: Database) -> None:
    record(demo_db, KV_SURVEY)
    view = surveys.survey_view(demo_db, KV_SURVEY)
    assert (view.state, view.findings) == ("done", ())


# ---- dismiss_finding ------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_dismissing_needs_a_reason(demo_db: Database, actor: Actor, reason: str) -> None:
    message = refused(
        demo_db, lambda: surveys.dismiss_finding(demo_db, DHKH_PENDING, reason, actor=actor)
    )
    assert "lý do" in message


def test_an_applied_finding_cannot_be_dismissed(demo_db: Database, actor: Actor) -> None:
    message = refused(
        demo_db,
        lambda: surveys.dismiss_finding(demo_db, DHKH_APPLIED, "Không dùng", actor=actor),
    )
    assert "đã được áp dụng" in message


def test_dismiss_an_unknown_finding_is_refused(demo_db: Database, actor: Actor) -> None:
    refused(demo_db, lambda: surveys.dismiss_finding(demo_db, 999, "x", actor=actor), NotFound)


def test_dismiss_keeps_the_score_stores_the_reason_and_audits(
    demo_db: Database, actor: Actor
) -> None:
    scores_before = snapshot(demo_db)["appraised"]
    last = last_event_id(demo_db)
    reason = "Hội đồng thống nhất giữ số liệu của đơn vị."
    surveys.dismiss_finding(demo_db, DHKH_PENDING, nfd(f" {reason} "), actor=actor)
    assert snapshot(demo_db)["appraised"] == scores_before
    dismissed = finding(demo_db, DHKH_SURVEY, "3.8")
    assert (dismissed.applied, dismissed.dismissed_reason) == (False, reason)
    assert surveys.survey_view(demo_db, DHKH_SURVEY).state == "applied"
    [event] = events_after(demo_db, last)
    assert (event["action"], event["entity"], event["entity_id"]) == (
        "survey.dismiss",
        "survey_finding",
        DHKH_PENDING,
    )
    assert event["reason"] == reason
    assert event["new"] == {"agency": "DHKH", "criterion": "3.8"}
