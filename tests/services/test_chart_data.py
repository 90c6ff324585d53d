"""What the ranking charts show, checked against the ranking and the criteria sets."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from khit_desktop.services import chart_data, forms
from khit_desktop.services.results import ranking
from khit_desktop.store.models import Round, RoundGroup

YEAR = 2020


def test_class_counts_follow_the_ranking(demo_db) -> None:
    rows = ranking(demo_db, YEAR)
    counts = chart_data.class_counts(rows)
    assert sorted(counts) == [1, 2, 3]
    for group, counter in counts.items():
        assert counter == Counter(r.classification for r in rows if r.group == group)
    assert sum(sum(c.values()) for c in counts.values()) == len(rows)


def test_self_vs_appraised_is_every_sender_in_ranking_order(demo_db) -> None:
    rows = ranking(demo_db, YEAR)
    data = chart_data.self_vs_appraised(rows, 1)
    senders = [r for r in rows if r.group == 1 and r.self_total is not None]
    assert [name for name, _, _ in data] == [r.agency_name for r in senders]
    assert all(isinstance(v, Decimal) for _, s, a in data for v in (s, a))
    # the demo has criteria the appraisal lowered: some bars differ
    assert any(s != a for _, s, a in data)


def test_area_averages_are_exact_means_over_senders(demo_db) -> None:
    rows = ranking(demo_db, YEAR)
    averages = chart_data.area_averages(demo_db, YEAR, rows)
    with demo_db.session() as s:
        rnd = s.scalar(select(Round).where(Round.year == YEAR))
        form_of = {
            g.number: g.form_id
            for g in s.scalars(select(RoundGroup).where(RoundGroup.round_id == rnd.id))
        }
        trees = {n: forms.form_tree(s, f) for n, f in form_of.items()}
    assert {a.group for a in averages} == {1, 2, 3}
    for a in averages:
        senders = [r for r in rows if r.group == a.group and r.self_total is not None]
        index = [c.area for c in trees[a.group].areas].index(a.area)
        total = sum((r.area_totals[index] for r in senders), Decimal(0))
        mean = (total / len(senders)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert a.agencies == len(senders)
        assert a.average == mean
        assert a.max_points == trees[a.group].areas[index].max_points
        assert a.percent == (mean * 100 / a.max_points).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert Decimal(0) <= a.percent <= Decimal(100)
    assert len(averages) == sum(len(t.areas) for t in trees.values())


def test_rank_history_of_one_year_is_this_years_ranks(demo_db) -> None:
    rows = ranking(demo_db, YEAR)
    history = chart_data.rank_history(demo_db, rows, YEAR)
    for row in rows:
        line = history.get(row.group, {}).get(row.agency_name)
        if row.rank is None:  # not ranked this year: at most the earlier years' ranks
            assert line is None or all(year < YEAR for year, _ in line)
        else:
            assert line is not None and line[-1] == (YEAR, row.rank)
    assert chart_data.rank_history(demo_db, [], YEAR) == {}
    assert chart_data.rank_history(demo_db, rows, None) == {}


def test_rank_history_follows_agencies_across_years(demo_db) -> None:
    rows = ranking(demo_db, YEAR)
    earlier = {r.agency_code: r for r in ranking(demo_db, YEAR - 1)}
    history = chart_data.rank_history(demo_db, rows, YEAR)
    two_years = 0
    for row in rows:
        line = dict(history.get(row.group, {}).get(row.agency_name, []))
        before = earlier.get(row.agency_code)
        if before is not None and before.rank is not None:
            assert line[YEAR - 1] == before.rank  # followed by code, whatever its 2019 name
            two_years += 1
        else:
            assert YEAR - 1 not in line
    assert two_years > 20
