"""Results of a round: totals per agency, penalty, classification and rank, group by group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..domain.classification import Classification, outcome
from ..domain.criteria import FormTree, tree_totals
from ..domain.lateness import LatenessDecision, LatenessStatus
from ..domain.numbers import ZERO
from ..domain.ranking import RankEntry, rank_group
from ..store.database import Database
from .errors import ServiceError
from .group_points import group_points
from .receipts import lateness_by_agency
from .rounds import get_round, rules_of


@dataclass(frozen=True)
class ResultRow:
    """One line of the ranking (and of the annex)."""

    agency_code: str
    agency_name: str
    group: int
    group_name: str
    self_total: Decimal | None
    appraised_total: Decimal | None
    area_totals: tuple[Decimal, ...]
    penalty: Decimal
    final_score: Decimal
    max_points: Decimal
    percent: Decimal
    classification: Classification
    rank: int | None
    status: LatenessStatus
    explanation: str


def ranking(db: Database, year: int, *, as_of: date | None = None) -> list[ResultRow]:
    """All agencies of the round in the annex's order: group 1, 2, 3, then as ranked. A past
    year imported from published results is ranked from its published totals (see
    ``published_results``)."""
    with db.session() as s:
        rnd = get_round(s, year)
        if rnd.kind == "published":  # a past year imported from the province's sheet
            from .published_results import published_ranking

            return published_ranking(s, rnd)
        rules = rules_of(rnd)
        lateness = lateness_by_agency(s, rnd, as_of)
        rows: list[ResultRow] = []
        for group in rnd.groups:
            members = [v for v in lateness.values() if v[0].group_id == group.id]
            if not members:
                continue
            if group.form_id is None:
                raise ServiceError(f"Nhóm {group.number} năm {year} chưa có phiếu đánh giá.")
            participants = {m.agency_id for m, _, d in members if d.counted is not None}
            points = group_points(s, rnd.id, group.form_id, participants)
            tree, self_pts, appr_pts = points.tree, points.self_points, points.appraised
            built: dict[int, ResultRow] = {}
            entries = []
            for m, _, decision in members:
                sent = decision.counted is not None
                row = _result_row(
                    m.agency.code,
                    m.name,
                    group.number,
                    group.name,
                    tree,
                    decision,
                    sent,
                    self_pts.get(m.agency_id, {}),
                    appr_pts.get(m.agency_id, {}),
                    rules,
                )
                built[m.agency_id] = row
                entries.append(
                    RankEntry(m.agency_id, m.name, row.classification, row.final_score, sent)
                )
            for ranked in rank_group(entries):
                row = built[ranked.entry.key]
                rows.append(_with_rank(row, ranked.rank))
        return rows


def _with_rank(row: ResultRow, rank: int | None) -> ResultRow:
    from dataclasses import replace

    return replace(row, rank=rank)


def _result_row(
    code: str,
    name: str,
    group: int,
    group_name: str,
    tree: FormTree,
    decision: LatenessDecision,
    sent: bool,
    self_leaf: dict[str, Decimal],
    appraised_leaf: dict[str, Decimal],
    rules: Any,
) -> ResultRow:
    maximum = tree.max_points
    areas = tuple(a.area for a in tree.areas)
    if not sent:
        cls = (
            Classification.NOT_RANKED
            if decision.status is LatenessStatus.NOT_RANKED
            else Classification.WEAK
        )
        return ResultRow(
            code,
            name,
            group,
            group_name,
            None,
            None,
            tuple(ZERO for _ in areas),
            ZERO,
            ZERO,
            maximum,
            ZERO,
            cls,
            None,
            decision.status,
            decision.explanation,
        )
    self_totals = tree_totals(tree, self_leaf)
    appraised = tree_totals(tree, appraised_leaf)
    result = outcome(appraised.total, maximum, decision, rules.thresholds)
    return ResultRow(
        code,
        name,
        group,
        group_name,
        self_totals.total,
        appraised.total,
        tuple(appraised.area(n) for n in areas),
        result.penalty,
        result.final_score,
        maximum,
        result.percent,
        result.classification,
        None,
        decision.status,
        decision.explanation,
    )
