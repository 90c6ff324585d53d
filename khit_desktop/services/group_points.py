"""Points of a group's agencies, leaf by leaf: self-assessed, computed, appraised.

Scored together because a rule normalised to the group's best (chuẩn hóa theo đơn vị cao
nhất) depends on every agency's value: one agency's correction moves everyone's points.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.criteria import FormTree, ScoringError, group_bests, score_leaf
from ..store.models import CriterionRow, ScoreRow
from .errors import ServiceError
from .forms import form_tree
from .general_data import load_general, uses_general, with_denominator

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


@dataclass(frozen=True)
class GroupPoints:
    """Leaf points of every participating agency of one group, per agency id and code."""

    tree: FormTree
    self_points: dict[int, dict[str, Decimal]]  # claimed, else computed from the figure
    computed: dict[int, dict[str, Decimal]]  # what the rule gives for the agency's figures
    appraised: dict[int, dict[str, Decimal]]  # what the appraisal counts


def group_points(
    session: Session, round_id: int, form_id: int, participants: set[int]
) -> GroupPoints:
    """Score a group together (normalised rules need every agency's value)."""
    tree = form_tree(session, form_id)
    # plain columns, not ScoreRow entities: a round of 2,000 agencies holds some 86,000 rows
    rows = session.execute(
        select(
            ScoreRow.agency_id,
            ScoreRow.self_answer,
            ScoreRow.self_points,
            ScoreRow.appraised_answer,
            ScoreRow.appraised_points,
            CriterionRow.code,
        )
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
    all_self_answers: dict[int, Answers] = {}
    self_fixed: dict[int, dict[str, Decimal]] = {}
    appr_answers: dict[int, Answers] = {}
    appr_fixed: dict[int, dict[str, Decimal]] = {}
    for a, self_answer, self_pts, appraised_answer, appraised_pts, code in rows:
        own = json.loads(self_answer) if self_answer else None
        if own is not None:
            all_self_answers.setdefault(a, {})[code] = filled(a, code, own, False)
        if self_pts is not None:
            self_fixed.setdefault(a, {})[code] = self_pts
        elif own is not None:
            self_answers.setdefault(a, {})[code] = filled(a, code, own, False)
        if appraised_pts is not None:
            appr_fixed.setdefault(a, {})[code] = appraised_pts
        elif appraised_answer:
            appraised = json.loads(appraised_answer)
            appr_answers.setdefault(a, {})[code] = filled(a, code, appraised, True)
        elif own is not None:
            appr_answers.setdefault(a, {})[code] = filled(a, code, own, True)
        elif self_pts is not None:
            appr_fixed.setdefault(a, {})[code] = self_pts
    try:
        self_points = _leaf_points(tree, self_answers, self_fixed)
        computed = _leaf_points(tree, all_self_answers, {})
        appraised = _leaf_points(tree, appr_answers, appr_fixed)
    except ScoringError as exc:
        raise ServiceError(f"Dữ liệu điểm đã lưu không tính được: {exc}") from None
    return GroupPoints(tree, self_points, computed, appraised)
