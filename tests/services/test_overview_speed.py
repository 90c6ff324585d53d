"""The fast paths of the overview's bulk reading, each against the plain services or the
domain rules: the points aligned to a form's layout, the totals compiled over them
(Hypothesis, on random trees with caps and gates), the score lines read ahead in a thread
(on SQLite and, with ``KHIT_TEST_POSTGRES_URL``, on PostgreSQL), and the garbage collector
left as it was found."""

from __future__ import annotations

import gc
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from khit_desktop.domain.criteria import Criterion, FormTree, Rule, RuleKind, tree_totals
from khit_desktop.services import overview as overview_module
from khit_desktop.services import rounds
from khit_desktop.services.errors import ServiceError
from khit_desktop.services.group_points import group_points
from khit_desktop.services.overview import forget_recent, overview
from khit_desktop.services.overview_query import (
    ScoresAhead,
    _scores_query,
    _unpack,
    can_read_ahead,
    head_of,
)
from khit_desktop.services.overview_rank import RoundFacts, by_name, read_facts
from khit_desktop.services.overview_totals import BLANK, compile_list_totals, compile_totals
from khit_desktop.services.results import ranking
from khit_desktop.store.database import Database
from khit_desktop.store.models import CriterionRow, RoundGroup, ScoreRow

YEAR, TODAY = 2020, date(2020, 11, 25)
TYPED = Rule(RuleKind.TYPED)


# -- totals over aligned lists ------------------------------------------------------------


@st.composite
def trees(draw: st.DrawFn) -> FormTree:
    """Forms of up to three levels whose parents' maxima may bind (or not), some gated."""

    def node(code: str, depth: int) -> Criterion:
        if depth == 0 or draw(st.booleans()):
            return Criterion(code, code, Decimal(draw(st.integers(1, 30))), TYPED)
        children = tuple(
            node(f"{code}.{i}", depth - 1) for i in range(1, draw(st.integers(1, 4)) + 1)
        )
        room = sum((c.max_points for c in children), Decimal(0))
        maximum = draw(st.sampled_from([room, room + 5, max(room - 7, Decimal(1))]))
        gate = draw(st.sampled_from([None, None, children[0].code, children[-1].code]))
        return Criterion(code, code, maximum, children=children, gate=gate)

    return FormTree(tuple(node(str(a), 2) for a in range(1, draw(st.integers(1, 4)) + 1)))


@settings(max_examples=300, deadline=None)
@given(trees(), st.data())
def test_list_totals_equal_tree_totals(tree: FormTree, data: st.DataObject) -> None:
    leaves = list(tree.leaves())
    values: list[Decimal] = []
    for leaf in leaves:
        cents = int(leaf.max_points * 100)
        choice = st.sampled_from([0, cents]) | st.integers(0, cents)
        values.append(Decimal(data.draw(choice)) / 100 if data.draw(st.booleans()) else BLANK)
    by_code = {leaf.code: v for leaf, v in zip(leaves, values, strict=True) if v is not BLANK}
    expected = tree_totals(tree, by_code).total
    assert compile_list_totals(tree)(values) == expected
    assert compile_list_totals(tree)([*values, Decimal(999)]) == expected  # parents: nowhere
    assert compile_totals(tree)(by_code) == expected
    assert str(compile_list_totals(tree)(values)) == str(expected)  # the same digits too


@settings(max_examples=100, deadline=None)
@given(trees(), st.data())
def test_list_totals_refuse_points_out_of_range(tree: FormTree, data: st.DataObject) -> None:
    leaves = list(tree.leaves())
    values = [BLANK] * len(leaves)
    at = data.draw(st.integers(0, len(leaves) - 1))
    values[at] = data.draw(
        st.sampled_from([Decimal("-0.01"), leaves[at].max_points + Decimal("0.01")])
    )
    try:
        compile_list_totals(tree)(values)
    except ServiceError as exc:
        assert leaves[at].code in str(exc)
    else:
        raise AssertionError("points out of range were counted")


# -- the bulk reading on every backend ------------------------------------------------------


def _facts(db: Database) -> RoundFacts:
    with db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        ahead = ScoresAhead(db, rnd.id) if can_read_ahead(db) else None
        return read_facts(s, rnd, rounds.rules_of(rnd), TODAY, ahead)


def _check_against_the_services(db: Database) -> None:
    facts = _facts(db)
    rows = ranking(db, YEAR)
    lines = [r for g in (1, 2, 3) for r in by_name([x for x in facts.ranking if x.group == g])]
    fields = ("group", "classification", "final_score", "percent", "rank")
    assert [(r.code, *(str(getattr(r, f)) for f in fields)) for r in lines] == [
        (r.agency_code, *(str(getattr(r, f)) for f in fields)) for r in rows
    ]
    with db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        for group in rnd.groups:
            mine = {m.agency_id for m in facts.members if m.group == group.number and m.sent}
            assert group.form_id is not None
            points = group_points(s, rnd.id, group.form_id, mine)
            for agency in mine:
                got = facts.scores.points[agency]
                assert got.self_points == points.self_points.get(agency, {})
                assert got.appraised == points.appraised.get(agency, {})


def test_the_bulk_reading_equals_the_services_on_each_backend(demo_db: Database) -> None:
    _check_against_the_services(demo_db)


def test_the_lines_read_ahead_equal_the_plain_reading(demo_db: Database) -> None:
    with demo_db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        plain = sorted(tuple(r) for r in s.execute(_scores_query(rnd.id)))
        head = head_of(s)
    ahead = ScoresAhead(demo_db, rnd.id)
    got = ahead.lines(head)
    assert got is not None
    # the same lines, a missing list ("" packed, NULL plain) meaning the same
    assert sorted(got) == [tuple("" if v is None else v for v in r) for r in plain]
    assert ScoresAhead(demo_db, rnd.id).lines((-1, "another head")) is None  # read again


def test_a_split_that_goes_wrong_is_read_plainly() -> None:
    assert _unpack(None) == []
    assert _unpack("1\x1d2\x1d3") is None  # an answer holding a control character
    assert _unpack("7\x1d1,2\x1d1.00,\x1d,\x1d\x1d\x1d\x1d") == [
        (7, "1,2", "1.00,", ",", "", "", "", "")
    ]


def test_rows_out_of_order_missing_or_on_a_parent(demo_db: Database) -> None:
    """An agency whose rows lack some leaves and hold points on a parent (written outside the
    program): aligned to the layout as ``group_points`` reads them."""
    with demo_db.session() as s:
        rnd = rounds.get_round(s, YEAR)
        group = s.scalars(select(RoundGroup).where(RoundGroup.round_id == rnd.id)).first()
        assert group is not None and group.form_id is not None
        parent = s.scalars(
            select(CriterionRow).where(
                CriterionRow.form_id == group.form_id, ~CriterionRow.code.contains(".")
            )
        ).first()
        assert parent is not None
        row = s.scalars(select(ScoreRow).where(ScoreRow.round_id == rnd.id)).first()
        assert row is not None
        already = s.scalar(
            select(ScoreRow.id).where(
                ScoreRow.round_id == rnd.id,
                ScoreRow.agency_id == row.agency_id,
                ScoreRow.criterion_id == parent.id,
            )
        )
        if already is None:
            s.execute(
                insert(ScoreRow).values(
                    round_id=rnd.id,
                    agency_id=row.agency_id,
                    criterion_id=parent.id,
                    self_points="1.00",
                    appraised_points="2.00",
                    reason="x",
                    source="form",
                    updated_at=row.updated_at,
                    updated_by="test",
                )
            )
        s.delete(row)
    _check_against_the_services(demo_db)
    forget_recent()
    overview(demo_db, YEAR, today=TODAY)  # reads as well


# -- the collector ------------------------------------------------------------------------


def test_the_collector_is_left_as_it_was(demo_db: Database) -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        forget_recent()
        overview(demo_db, YEAR, today=TODAY)
        assert gc.isenabled()
        gc.disable()
        forget_recent()
        overview(demo_db, YEAR, today=TODAY)
        assert not gc.isenabled()
        assert overview_module._paused[0] == 0
    finally:
        (gc.enable if was else gc.disable)()
