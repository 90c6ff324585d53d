"""What the ranking screen's charts show, computed exactly (Decimal) and without Qt."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ..domain.classification import Classification
from ..domain.numbers import HUNDRED, ZERO, points
from ..store.database import Database
from ..store.models import RoundGroup
from . import movement
from .errors import ServiceError
from .forms import form_tree
from .results import ResultRow
from .rounds import get_round


@dataclass(frozen=True)
class AreaAverage:
    """The mean appraised points of one area (lĩnh vực) over a group's agencies that sent
    a form, and that mean as a share of the area's maximum."""

    group: int
    area: int
    title: str
    average: Decimal
    max_points: Decimal
    percent: Decimal
    agencies: int


def class_counts(rows: Sequence[ResultRow]) -> dict[int, Counter[Classification]]:
    """Per group number, how many agencies have each classification."""
    counts: dict[int, Counter[Classification]] = {}
    for row in rows:
        counts.setdefault(row.group, Counter())[row.classification] += 1
    return counts


def self_vs_appraised(rows: Sequence[ResultRow], group: int) -> list[tuple[str, Decimal, Decimal]]:
    """(name, self-assessed total, appraised total) of each agency of ``group`` that sent
    a form, in the ranking's order."""
    return [
        (r.agency_name, r.self_total, r.appraised_total)
        for r in rows
        if r.group == group and r.self_total is not None and r.appraised_total is not None
    ]


def area_averages(db: Database, year: int, rows: Sequence[ResultRow]) -> list[AreaAverage]:
    """Each group's mean points per area, over the agencies that sent a form. Groups whose
    results carry no area subtotals (a year imported from published results) are left out."""
    by_group: dict[int, list[ResultRow]] = {}
    for row in rows:
        if row.self_total is not None and row.area_totals:
            by_group.setdefault(row.group, []).append(row)
    if not by_group:
        return []
    out: list[AreaAverage] = []
    with db.session() as s:
        rnd = get_round(s, year)
        forms = {
            g.number: g.form_id
            for g in s.scalars(select(RoundGroup).where(RoundGroup.round_id == rnd.id))
        }
        for group in sorted(by_group):
            form_id = forms.get(group)
            if form_id is None:
                continue
            members = by_group[group]
            tree = form_tree(s, form_id)
            for index, area in enumerate(tree.areas):
                values = [r.area_totals[index] for r in members if index < len(r.area_totals)]
                if not values:
                    continue
                average = points(sum(values, ZERO) / len(values))
                percent = (
                    points(average * HUNDRED / area.max_points) if area.max_points > 0 else ZERO
                )
                out.append(
                    AreaAverage(
                        group, area.area, area.title, average, area.max_points, percent, len(values)
                    )
                )
    return out


def rank_history(
    db: Database, rows: Sequence[ResultRow], year: int | None
) -> dict[int, dict[str, list[tuple[int, int]]]]:
    """Per group of ``year``, each of its agencies' ranks over every year up to ``year``
    (``rows`` is ``year``'s ranking, as shown on screen); years where an agency was not ranked
    are left out of its line. Agencies are followed by code, so a renamed one keeps one line.
    When a year cannot be ranked at all (a ServiceError), only ``year`` is drawn."""
    if year is None or not rows:
        return {}
    codes = [r.agency_code for r in rows]
    try:
        past = movement.rank_history(db, codes)
    except ServiceError:
        past = {}
    out: dict[int, dict[str, list[tuple[int, int]]]] = {}
    for row in rows:
        line = [
            (p.year, p.rank)
            for p in past.get(row.agency_code, [])
            if p.year < year and p.rank is not None
        ]
        if row.rank is not None:
            line.append((year, row.rank))
        if line:
            out.setdefault(row.group, {})[row.agency_name] = line
    return out
