"""Every figure of the overview (Tổng quan) against the demo round, each computed again
independently: through the other services (register, progress, scoring grid, ranking,
explanations, surveys, movement) or the domain rules; cases the demo lacks are built through
the services. The calendar's rule is checked around each date with Hypothesis."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import astuple
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from khit_desktop.domain.classification import Classification
from khit_desktop.domain.criteria import Criterion, FormTree, Rule, RuleKind, tree_totals
from khit_desktop.domain.lateness import Channel, LatenessStatus, deadlines
from khit_desktop.domain.movement import Movement
from khit_desktop.domain.rules import RoundRules
from khit_desktop.paths import resources_dir
from khit_desktop.services import (
    appraisal,
    explanations,
    movement,
    receipts,
    round_decision,
    rounds,
    score_grid,
    scores,
    surveys,
)
from khit_desktop.services.audit import Actor
from khit_desktop.services.finalise import finalisation, finalise
from khit_desktop.services.forms import SAMPLE_FORM_FILE, read_form_file
from khit_desktop.services.group_points import group_points
from khit_desktop.services.overview import forget_recent, overview
from khit_desktop.services.overview_calendar import date_status, round_calendar
from khit_desktop.services.overview_model import CLASSES, DateStatus, Overview, Screen
from khit_desktop.services.overview_rank import by_name, read_facts
from khit_desktop.services.overview_todo import ITEM_KINDS
from khit_desktop.services.overview_totals import compile_totals
from khit_desktop.services.permissions import Role
from khit_desktop.services.results import ResultRow, ranking
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import ScoreRow

YEAR, TODAY = 2020, date(2020, 11, 25)
CLERK = Actor("can-bo", "may-1", Role.CLERK)
CHAIR = Actor("chu-tich", "may-hd", Role.CHAIR)


@pytest.fixture(scope="module")
def db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A demo copy the read-only tests share."""
    path = tmp_path_factory.mktemp("overview") / "demo.db"
    shutil.copy(demo_template, path)
    database = open_database(path)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def ov(db: Database) -> Overview:
    return overview(db, YEAR, today=TODAY)


def classes(rows: list[ResultRow], group: int) -> dict[Classification, int]:
    return {c: sum(r.classification is c for r in rows if r.group == group) for c in CLASSES}


def moved(moves: dict[str, Movement], rows: list[ResultRow], group: int) -> tuple[int, ...]:
    kinds = Counter(moves[r.agency_code].kind.value for r in rows if r.group == group)
    return tuple(kinds[k] for k in ("up", "down", "same", "new", "group_changed"))


def test_the_demo_holds_every_case(ov: Overview) -> None:
    total, work = ov.forms_total, ov.appraisal_total
    assert min(total.on_time, total.late, total.very_late, total.missing, total.exempt) > 0
    assert total.imported > 0 and total.appraising > 0 and total.no_form > 0
    assert work.explanations_awaited and work.explanations_answered and work.decisions_recorded
    assert work.decisions_pending and work.changed and work.lowered and work.raised
    assert ov.surveys.planned and ov.surveys.done and ov.surveys.findings_applied
    assert ov.surveys.findings_pending and ov.results.last_year == 2019
    assert ov.demo and not ov.published


def test_forms_per_group_match_the_register_and_the_progress(db: Database, ov: Overview) -> None:
    status = Counter((line.group, line.decision.status) for line in receipts.register(db, YEAR))
    state = Counter((p.group, p.state) for p in score_grid.progress(db, YEAR))
    for f in ov.forms:
        groups = [f.group] if f.group else [1, 2, 3]

        def n(counter: Counter[tuple[int, object]], key: object, groups: list[int] = groups) -> int:
            return sum(counter[(g, key)] for g in groups)

        assert (f.on_time, f.late, f.very_late, f.missing, f.exempt) == tuple(
            n(status, s) for s in LatenessStatus
        )
        assert (f.no_form, f.imported, f.appraising, f.done) == tuple(
            n(state, s) for s in ("none", "imported", "appraising", "done")
        )
        assert f.members == sum(status[(g, s)] for g in groups for s in LatenessStatus)
        assert f.received == f.on_time + f.late + f.very_late
    assert [f.group for f in ov.forms] == [1, 2, 3, 0]
    assert ov.forms_total.members == 37


def test_the_calendar_of_the_demo(db: Database, ov: Overview) -> None:
    d = deadlines(rounds.round_rules(db, YEAR))
    expected = [
        ("districts", date(2020, 10, 30), None, DateStatus.PASSED),  # KS (Nhóm 2) sent nothing
        ("deadline", d.effective, d.nominal, DateStatus.OVERDUE),
        ("grace_end", d.grace_end, d.grace_nominal, DateStatus.OVERDUE),
        ("publication", date(2020, 12, 30), None, DateStatus.UPCOMING),
    ]
    got = [(c.key, c.day, c.nominal, c.status) for c in ov.calendar]
    assert got == expected
    assert (d.effective, d.grace_end) == (date(2020, 11, 16), date(2020, 11, 23))
    assert [c.days_left for c in ov.calendar] == [(c.day - TODAY).days for c in ov.calendar]
    assert [c.days_text for c in ov.calendar] == [
        "đã qua 26 ngày",
        "đã qua 9 ngày",
        "đã qua 2 ngày",
        "còn 35 ngày",
    ]
    assert [c.article for c in ov.calendar] == ["Điều 9.3", "Điều 6.1", "Điều 8.3", "Điều 6.2"]
    assert "Chủ nhật" in ov.calendar[1].note and "Còn 2 cơ quan" in ov.calendar[1].note
    assert ov.calendar[1].day_text == "16/11/2020"


@settings(max_examples=200, deadline=None)
@given(st.integers(-400, 400), st.booleans(), st.booleans())
def test_the_status_rule(offset: int, done: bool, tracked: bool) -> None:
    day = date(2020, 11, 16)
    today = day + timedelta(days=offset)
    found = date_status(day, today, done=done, tracked=tracked)
    if done:
        assert found is DateStatus.DONE
    elif offset <= 0:
        assert found is DateStatus.UPCOMING  # the date itself still counts as in time
    else:
        assert found is (DateStatus.OVERDUE if tracked else DateStatus.PASSED)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["districts", "deadline", "grace_end", "publication"]),
    st.integers(-2, 2),
    st.integers(0, 3),
    st.integers(0, 8),
    st.booleans(),
)
def test_the_calendar_around_each_date(
    key: str, offset: int, missing: int, sent: int, finalised: bool
) -> None:
    rules = RoundRules.defaults(YEAR)
    calendar = round_calendar(
        rules, TODAY, missing=0, districts=8, districts_sent=8, finalised=False
    )
    anchor = {c.key: c.day for c in calendar}
    today = anchor[key] + timedelta(days=offset)
    found = {
        c.key: c
        for c in round_calendar(
            rules, today, missing=missing, districts=8, districts_sent=sent, finalised=finalised
        )
    }[key]
    assert found.days_left == -offset
    done = {
        "districts": sent == 8,
        "deadline": missing == 0,
        "grace_end": missing == 0,
        "publication": finalised,
    }[key]
    late = DateStatus.PASSED if key == "districts" else DateStatus.OVERDUE
    assert found.status is (
        DateStatus.DONE if done else DateStatus.UPCOMING if offset <= 0 else late
    )


def _grid_changes(db: Database) -> dict[int, tuple[int, int, Decimal, Decimal]]:
    """(changed leaves, agencies, raised, lowered) per group, from each agency's scoring grid."""
    out: dict[int, tuple[int, int, Decimal, Decimal]] = {}
    for line in receipts.register(db, YEAR):
        if line.decision.counted is None:
            continue  # no form counted (missing, exempt): its points count nowhere
        sheet = score_grid.agency_sheet(db, YEAR, line.agency_code)
        moved = [
            (r.appraised or Decimal(0)) - (r.self_points or Decimal(0))
            for r in sheet.rows
            if r.is_leaf and (r.appraised or Decimal(0)) != (r.self_points or Decimal(0))
        ]
        n, agencies, up, down = out.get(line.group, (0, 0, Decimal(0), Decimal(0)))
        out[line.group] = (
            n + len(moved),
            agencies + bool(moved),
            up + sum((m for m in moved if m > 0), Decimal(0)),
            down - sum((m for m in moved if m < 0), Decimal(0)),
        )
    return out


def test_appraised_differences_match_the_scoring_grid(db: Database, ov: Overview) -> None:
    expected = _grid_changes(db)
    for a in ov.appraisal:
        groups = [a.group] if a.group else [1, 2, 3]
        want = [expected[g] for g in groups]
        assert a.changed == sum(w[0] for w in want)
        assert a.agencies_changed == sum(w[1] for w in want)
        assert a.raised == sum((w[2] for w in want), Decimal(0))
        assert a.lowered == sum((w[3] for w in want), Decimal(0))
        assert a.net == a.raised - a.lowered
        assert a.unexplained == 0  # every adjustment of the demo has its reason
    assert ov.appraisal_total.lowered == Decimal("265.74")


def test_explanations_and_council_decisions(db: Database, ov: Overview) -> None:
    groups = {line.agency_code: line.group for line in receipts.register(db, YEAR)}
    letters = explanations.explanations(db, YEAR)
    decided = {(d.agency_code, d.code) for d in explanations.decisions(db, YEAR)}
    awaiting = {(e.agency_code, c) for e in letters if e.pending for c in e.criteria}
    pending = {
        (e.agency_code, c)
        for e in letters
        if not e.pending
        for c in e.criteria
        if (e.agency_code, c) not in decided | awaiting
    }
    assert pending == {("NH", "4.6")}
    for a in ov.appraisal:

        def ours(code: str, group: int = a.group) -> bool:
            return group == 0 or groups[code] == group

        assert a.explanations_awaited == sum(
            1 for e in letters if e.pending and ours(e.agency_code)
        )
        assert a.explanations_answered == sum(
            1 for e in letters if not e.pending and ours(e.agency_code)
        )
        assert a.decisions_recorded == sum(1 for code, _ in decided if ours(code))
        assert a.decisions_pending == sum(1 for code, _ in pending if ours(code))


def test_surveys(db: Database, ov: Overview) -> None:
    views = surveys.list_surveys(db, YEAR)
    findings = [f for v in views for f in v.findings]
    states = Counter(v.state for v in views)
    counts = (ov.surveys.planned, ov.surveys.done, ov.surveys.applied)
    assert counts == tuple(states[k] for k in ("planned", "done", "applied"))
    assert ov.surveys.findings_applied == sum(f.applied for f in findings)
    assert ov.surveys.findings_dismissed == sum(bool(f.dismissed_reason) for f in findings)
    assert ov.surveys.findings_pending == sum(
        not f.applied and not f.dismissed_reason for f in findings
    )
    assert ov.surveys.total == len(views) == 2


def test_results_so_far_match_the_ranking(db: Database, ov: Overview) -> None:
    rows = ranking(db, YEAR)
    before = ranking(db, YEAR - 1)
    moves = movement.movement(db, YEAR)
    assert ov.results.provisional and ov.results.note.startswith("Kết quả tạm tính")
    assert [g.group for g in ov.results.groups] == [1, 2, 3]
    for g in ov.results.groups:
        mine = [r for r in rows if r.group == g.group]
        ranked = [r for r in mine if r.rank is not None]
        assert g.counts == classes(rows, g.group) and g.ranked == len(ranked)

        def key(r: object) -> tuple[object, ...]:
            return tuple(
                getattr(r, f)
                for f in ("agency_code", "rank", "final_score", "percent", "classification")
            )

        assert [key(r) for r in g.top] == [key(r) for r in ranked[:3]]
        assert [key(r) for r in g.bottom] == [key(r) for r in ranked[-3:]]
        assert g.last_year_counts == classes(before, g.group)
        assert g.movement is not None and astuple(g.movement) == moved(moves, rows, g.group)


def test_the_todo_list_names_each_open_item(db: Database, ov: Overview) -> None:
    items: dict[str, list[tuple[object, ...]]] = {}
    for t in ov.todo:
        assert t.screen == ITEM_KINDS[t.kind][1].value and t.text
        items.setdefault(t.kind, []).append(
            (t.agency_code, t.criterion_code, t.survey_id, t.finding_id, t.explanation_id)
        )
    assert list(items) == [k for k in ITEM_KINDS if k in items]  # grouped, in the list's order
    lines = receipts.register(db, YEAR)
    exempt = {line.agency_code for line in lines if line.exempt_reason}
    missing = {line.agency_code for line in lines if line.decision.status.value == "missing"}
    progress = {p.agency_code: p.state for p in score_grid.progress(db, YEAR)}
    views = surveys.list_surveys(db, YEAR)
    letters = explanations.explanations(db, YEAR)
    expected = {
        "missing_form": {(c, "", None, None, None) for c in missing},
        "not_appraised": {
            (c, "", None, None, None)
            for c, s in progress.items()
            if s == "imported" and c not in exempt
        },
        "appraisal_open": {
            (c, "", None, None, None)
            for c, s in progress.items()
            if s == "appraising" and c not in exempt
        },
        "survey_not_recorded": {
            (v.agency_code, "", v.id, None, None) for v in views if v.state == "planned"
        },
        "finding_pending": {
            (v.agency_code, f.code, v.id, f.id, None)
            for v in views
            for f in v.findings
            if not f.applied and not f.dismissed_reason
        },
        "explanation_awaited": {
            (e.agency_code, e.criteria[0], None, None, e.id) for e in letters if e.pending
        },
        "decision_pending": {
            ("NH", "4.6", None, None, next(e.id for e in letters if e.agency_code == "NH"))
        },
        "decision_number": {("", "", None, None, None)},
    }
    assert {k: set(v) for k, v in items.items()} == expected
    assert all(len(v) == len(set(v)) for v in items.values())
    assert {t.screen for t in ov.todo} <= {s.value for s in Screen}
    assert ov.todo[0].text.startswith("UBND huyện Khánh Sơn (Nhóm 2): Không gửi phiếu")


def test_an_unexplained_difference_is_a_todo_until_a_reason_is_written(
    demo_db: Database,
) -> None:
    sheet = score_grid.agency_sheet(demo_db, YEAR, "SKHDT")
    leaf = next(r for r in sheet.rows if r.kind is RuleKind.YES_NO)
    # the agency typed 0 points beside a "yes": the program computes the full points
    scores.set_self_score(
        demo_db, YEAR, "SKHDT", leaf.code, answer={"yes": True}, claimed=Decimal(0), actor=CLERK
    )
    ov = overview(demo_db, YEAR, today=TODAY)
    found = [t for t in ov.todo if t.kind == "unexplained"]
    assert [(t.agency_code, t.criterion_code, t.screen) for t in found] == [
        ("SKHDT", leaf.code, Screen.SCORING.value)
    ]
    assert "tự chấm 0,00" in found[0].text and ov.appraisal[0].unexplained == 1
    appraisal.set_appraised_points(
        demo_db, YEAR, "SKHDT", leaf.code, leaf.max_points, reason="Có văn bản", actor=CLERK
    )
    ov = overview(demo_db, YEAR, today=TODAY)
    assert not [t for t in ov.todo if t.kind == "unexplained"]
    assert ov.appraisal_total.unexplained == 0
    with demo_db.session() as s:  # a reason erased outside the program (no audit event:
        s.execute(update(ScoreRow).where(ScoreRow.reason == "Có văn bản").values(reason=""))
    forget_recent()  # so nothing tells the overview kept in memory that the data changed)
    found = [t for t in overview(demo_db, YEAR, today=TODAY).todo if t.kind == "unexplained"]
    assert [(t.agency_code, t.criterion_code) for t in found] == [("SKHDT", leaf.code)]


def test_forms_received_done_and_settled_work(demo_db: Database) -> None:
    receipts.add_receipt(
        demo_db, YEAR, "KS", Channel.POST, date(2020, 11, 20), actor=CLERK, today=TODAY
    )
    appraisal.set_done(demo_db, YEAR, "SNV", True, actor=CLERK)
    pending = next(
        f for v in surveys.list_surveys(demo_db, YEAR) for f in v.findings if not f.applied
    )
    surveys.dismiss_finding(demo_db, pending.id, "Hội đồng giữ điểm thẩm định", actor=CLERK)
    letter = next(e for e in explanations.explanations(demo_db, YEAR) if e.pending)
    explanations.record_answer(
        demo_db, letter.id, answer="Đã gửi số liệu", answer_date=date(2020, 12, 9), actor=CLERK
    )
    ov = overview(demo_db, YEAR, today=TODAY)
    kinds = {(t.kind, t.agency_code) for t in ov.todo}
    assert ("not_imported", "KS") in kinds and ("missing_form", "KS") not in kinds
    assert ("appraisal_open", "SNV") not in kinds and ov.forms_total.done == 1
    forms = {f.group: f for f in ov.forms}
    assert (forms[2].missing, forms[2].late) == (0, 2)
    assert ov.calendar[0].status is DateStatus.DONE  # every district has sent its form
    assert (ov.surveys.findings_pending, ov.surveys.findings_dismissed, ov.surveys.applied) == (
        0,
        1,
        1,
    )
    assert ov.appraisal_total.explanations_awaited == 0
    decisions = {(t.agency_code, t.criterion_code) for t in ov.todo if t.kind == "decision_pending"}
    assert decisions == {("NH", "4.6"), ("CR", "3.3")}  # CR 3.4 was decided already
    round_decision.set_decision(
        demo_db, YEAR, round_decision.DecisionInfo("3456", date(2020, 12, 30)), actor=CLERK
    )
    later = overview(demo_db, YEAR, today=TODAY)
    assert "decision_number" not in later.todo_counts()


def test_a_finalised_round(demo_db: Database) -> None:
    round_decision.set_decision(
        demo_db, YEAR, round_decision.DecisionInfo("3456", date(2020, 12, 30)), actor=CLERK
    )
    finalise(demo_db, YEAR, actor=CHAIR)
    ov = overview(demo_db, YEAR, today=date(2020, 12, 31))
    assert not ov.results.provisional and ov.todo == ()
    assert ov.results.note == finalisation(demo_db, YEAR).describe()
    assert ov.calendar[-1].status is DateStatus.DONE and ov.stage.current == "finalized"
    assert (ov.decision_number, ov.decision_date) == ("3456", date(2020, 12, 30))


def test_an_appraised_year_before(demo_db: Database) -> None:
    rounds.create_round(demo_db, 2021, copy_from=YEAR, actor=Actor())
    for code, day in (("SNV", date(2021, 11, 10)), ("NT", date(2021, 11, 12))):
        receipts.add_receipt(demo_db, 2021, code, Channel.EOFFICE, day, today=date(2021, 11, 20))
        sheet = score_grid.agency_sheet(demo_db, 2021, code)
        for row in [r for r in sheet.rows if r.kind is RuleKind.YES_NO][:3]:
            scores.set_self_score(demo_db, 2021, code, row.code, answer={"yes": True})
    ov = overview(demo_db, 2021, today=date(2021, 11, 1))
    before = ranking(demo_db, YEAR)
    moves = movement.movement(demo_db, 2021)
    now = ranking(demo_db, 2021)
    assert ov.results.last_year == YEAR
    for g in ov.results.groups:
        assert g.last_year_counts == classes(before, g.group)
        assert g.movement is not None and astuple(g.movement) == moved(moves, now, g.group)
    assert ov.forms_total.on_time == 2 and ov.forms_total.missing == ov.forms_total.members - 2
    assert [c.status for c in ov.calendar[1:]] == [DateStatus.UPCOMING] * 3
    assert ov.calendar[1].days_left == 14


def test_a_published_year(db: Database) -> None:
    ov = overview(db, YEAR - 1, today=TODAY)
    rows = ranking(db, YEAR - 1)
    assert ov.published and ov.todo == () and ov.results.last_year is None
    assert not ov.results.provisional
    for g in ov.results.groups:
        assert g.counts == classes(rows, g.group)
        assert [r.agency_code for r in g.top] == [
            r.agency_code for r in rows if r.group == g.group and r.rank is not None
        ][:3]
    assert ov.forms_total.members == len(rows)
    assert {c.status for c in ov.calendar} == {DateStatus.DONE}


# -- the bulk reading gives the numbers of the services it replaces --------------------------


def test_the_bulk_ranking_equals_results_ranking(db: Database) -> None:
    rows = ranking(db, YEAR)
    with db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        facts = read_facts(s, rnd, rounds.rules_of(rnd), TODAY)
    lines = [r for g in (1, 2, 3) for r in by_name([x for x in facts.ranking if x.group == g])]
    fields = ("group", "classification", "final_score", "percent", "rank")
    assert [(r.code, *(getattr(r, f) for f in fields)) for r in lines] == [
        (r.agency_code, *(getattr(r, f) for f in fields)) for r in rows
    ]


def test_the_leaf_points_equal_group_points(db: Database) -> None:
    with db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        facts = read_facts(s, rnd, rounds.rules_of(rnd), TODAY)
        for group in rnd.groups:
            mine = {m.agency_id for m in facts.members if m.group == group.number and m.sent}
            assert group.form_id is not None
            points = group_points(s, rnd.id, group.form_id, mine)
            for agency in mine:
                got = facts.scores.points[agency]
                assert got.self_points == points.self_points.get(agency, {})
                assert got.appraised == points.appraised.get(agency, {})


def _sample_tree() -> FormTree:
    return read_form_file(resources_dir() / SAMPLE_FORM_FILE)[1]


TYPED = Rule(RuleKind.TYPED)
CHILDREN = (Criterion("1.1", "a", Decimal(8), TYPED), Criterion("1.2", "b", Decimal(8), TYPED))
CAPPED = FormTree(  # 8 + 8 under a maximum of 10: the cap binds
    (
        Criterion("1", "Lĩnh vực", Decimal(10), children=CHILDREN),
        Criterion("2", "x", Decimal(5), TYPED),
    )
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_compiled_totals_equal_tree_totals(data: st.DataObject) -> None:
    for tree in (_sample_tree(), CAPPED):
        leaves = {}
        for leaf in tree.leaves():
            cents = int(leaf.max_points * 100)
            if data.draw(st.booleans()):
                value = data.draw(st.sampled_from([0, cents]) | st.integers(0, cents))
                leaves[leaf.code] = Decimal(value) / 100
        assert compile_totals(tree)(leaves) == tree_totals(tree, leaves).total
