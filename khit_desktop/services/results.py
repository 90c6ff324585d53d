"""Results of a round: totals per agency, penalty, classification and rank, group by group."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.classification import Classification, outcome
from ..domain.criteria import FormTree, ScoringError, group_bests, score_leaf, tree_totals
from ..domain.lateness import LatenessDecision, LatenessStatus
from ..domain.numbers import ZERO
from ..domain.ranking import RankEntry, rank_group
from ..store.database import Database
from ..store.models import CriterionRow, ScoreRow
from .errors import ServiceError
from .forms import form_tree
from .general_data import load_general, uses_general, with_denominator
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


Answers = dict[str, dict[str, Any]]


def _leaf_points(
    tree: FormTree, answers: Mapping[int, Answers], fixed: Mapping[int, dict[str, Decimal]]
) -> dict[int, dict[str, Decimal]]:
    """Points per leaf: fixed points where given, else computed from answers in group context."""
    bests = group_bests(tree, answers)
    result: dict[int, dict[str, Decimal]] = {}
    for agency_id in set(answers) | set(fixed):
        mine: dict[str, Decimal] = {}
        for code, answer in answers.get(agency_id, {}).items():
            mine[code] = score_leaf(tree.get(code), answer, bests.get(code))
        mine.update(fixed.get(agency_id, {}))
        result[agency_id] = mine
    return result


def _group_scores(
    session: Session, round_id: int, form_id: int, participants: set[int]
) -> tuple[FormTree, dict[int, dict[str, Decimal]], dict[int, dict[str, Decimal]]]:
    tree = form_tree(session, form_id)
    rows = session.execute(
        select(ScoreRow, CriterionRow.code)
        .join(CriterionRow, ScoreRow.criterion_id == CriterionRow.id)
        .where(
            ScoreRow.round_id == round_id,
            CriterionRow.form_id == form_id,
            ScoreRow.agency_id.in_(participants),
        )
    ).all()
    general = load_general(session, round_id, participants)

    def filled(agency: int, code: str, answer: dict[str, Any], appraised: bool) -> dict[str, Any]:
        datum = uses_general(tree.get(code))
        if datum is None:
            return answer
        figure = general.get(agency, {}).get(datum)
        value = None if figure is None else (figure.effective if appraised else figure.self_value)
        if value is None and "denominator" not in answer:
            raise ServiceError(
                f"Thiếu số liệu chung '{datum}' của một cơ quan để tính tiêu chí {code}."
            )
        return with_denominator(tree.get(code), answer, value)

    self_answers: dict[int, Answers] = {}
    self_fixed: dict[int, dict[str, Decimal]] = {}
    appr_answers: dict[int, Answers] = {}
    appr_fixed: dict[int, dict[str, Decimal]] = {}
    for row, code in rows:
        a = row.agency_id
        own = json.loads(row.self_answer) if row.self_answer else None
        if row.self_points is not None:
            self_fixed.setdefault(a, {})[code] = row.self_points
        elif own is not None:
            self_answers.setdefault(a, {})[code] = filled(a, code, own, False)
        if row.appraised_points is not None:
            appr_fixed.setdefault(a, {})[code] = row.appraised_points
        elif row.appraised_answer:
            appraised = json.loads(row.appraised_answer)
            appr_answers.setdefault(a, {})[code] = filled(a, code, appraised, True)
        elif own is not None:
            appr_answers.setdefault(a, {})[code] = filled(a, code, own, True)
        elif row.self_points is not None:
            appr_fixed.setdefault(a, {})[code] = row.self_points
    try:
        self_points = _leaf_points(tree, self_answers, self_fixed)
        appraised = _leaf_points(tree, appr_answers, appr_fixed)
    except ScoringError as exc:
        raise ServiceError(f"Dữ liệu điểm đã lưu không tính được: {exc}") from None
    return tree, self_points, appraised


def ranking(db: Database, year: int, *, as_of: date | None = None) -> list[ResultRow]:
    """All agencies of the round in the annex's order: group 1, 2, 3, then as ranked."""
    with db.session() as s:
        rnd = get_round(s, year)
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
            tree, self_pts, appr_pts = _group_scores(s, rnd.id, group.form_id, participants)
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
