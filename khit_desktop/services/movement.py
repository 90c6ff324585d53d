"""Ranks across years: each agency's movement since last year, and its rank year by year.

Agencies are followed by their id (their code stays across renames), whatever name they had
each year. Movement phrases and rules are in ``domain.movement``: ranks compare only within
one group; a group change reads "đổi nhóm"; "mới" for an agency not ranked the year before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from ..domain.movement import Movement, Standing, compare
from ..store.database import Database
from ..store.models import Round
from .results import ResultRow, ranking


class RankPoint(NamedTuple):
    """An agency's place in one year (``rank`` None: in the round but not ranked)."""

    year: int
    rank: int | None
    group: int


def _years(db: Database) -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(Round.year).order_by(Round.year)))


def movements_between(
    previous: list[ResultRow] | None, current: list[ResultRow]
) -> dict[str, Movement]:
    """The movement of each agency of ``current`` against ``previous`` (the year before's
    ranking; None when there was no round that year: no movement at all)."""
    if previous is None:
        return {}
    before = {r.agency_code: Standing(r.group, r.rank) for r in previous}
    return {
        r.agency_code: compare(before.get(r.agency_code), Standing(r.group, r.rank))
        for r in current
    }


def previous_ranking(db: Database, year: int) -> list[ResultRow] | None:
    """The ranking of ``year - 1``, or None when that year has no round."""
    return ranking(db, year - 1) if year - 1 in _years(db) else None


def movement(db: Database, year: int, *, as_of: date | None = None) -> dict[str, Movement]:
    """Each agency's movement in ``year`` since ``year - 1``, by agency code: empty when
    ``year - 1`` has no round (nothing to compare with). NotFound for an unknown ``year``."""
    current = ranking(db, year, as_of=as_of)
    return movements_between(previous_ranking(db, year), current)


def rank_history(db: Database, codes: Iterable[str] | None = None) -> dict[str, list[RankPoint]]:
    """Every round's rank of each agency (or of ``codes`` only), oldest year first: the data
    of a "rank over the years" chart. An agency appears in the years it was a member."""
    wanted = set(codes) if codes is not None else None
    history: dict[str, list[RankPoint]] = {code: [] for code in wanted or ()}
    for year in _years(db):
        for row in ranking(db, year):
            if wanted is None or row.agency_code in wanted:
                history.setdefault(row.agency_code, []).append(RankPoint(year, row.rank, row.group))
    return history
