"""Leaf points of a whole round in bulk, for the overview: the same numbers as
``group_points`` (self-assessed and appraised), without the per-agency objects.

``group_points`` scores one group at a time and also computes what each agency's own figures
give (the grid's "flagged" column); the overview needs neither. Here one query reads every
score row of the round straight from the database cursor, answers are read only where a rule
must compute the points (no stored points), and the points of one answer are computed once
per distinct (criterion, answer, denominator, group best): most answers repeat ("Có", a
count, an option). The rules themselves are ``domain.criteria.score_leaf``, unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from operator import gt
from typing import Any

from sqlalchemy import String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import Executable

from ..domain.criteria import (
    Criterion,
    FormTree,
    RuleKind,
    ScoringError,
    group_bests,
    score_leaf,
)
from ..domain.numbers import ZERO, points
from ..store.models import GeneralValue, ScoreRow
from .errors import ServiceError
from .general_data import GeneralFigure, uses_general, with_denominator

Leaves = dict[str, Decimal]


def _number(value: Any) -> Decimal | None:
    """A stored decimal as the cursor gives it: text on SQLite, a Decimal elsewhere."""
    return None if value is None else Decimal(str(value))


@dataclass
class AgencyPoints:
    """One agency's leaves: self-assessed and appraised points, and what each row says."""

    self_points: Leaves = field(default_factory=dict)
    appraised: Leaves = field(default_factory=dict)
    adjusted: set[str] = field(default_factory=set)  # the appraisal set its figure or points
    unreasoned: set[str] = field(default_factory=set)  # adjusted, but no reason written


@dataclass
class _Pending:
    """Answers of one group waiting for its group bests: (agency, code, text, appraised)."""

    answers: list[tuple[int, str, str, bool]] = field(default_factory=list)
    self_texts: dict[int, dict[str, str]] = field(default_factory=dict)
    appraised_texts: dict[int, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundScores:
    """What the score rows of a round say, agency by agency."""

    points: dict[int, AgencyPoints]  # participants only (agencies whose form counts)
    general: dict[int, dict[str, GeneralFigure]]
    scored: set[int]  # every agency with a score row (as ``score_grid.progress`` reads it)
    adjusted: set[int]  # every agency with an appraised figure or points on some row


def read_general(session: Session, round_id: int) -> dict[int, dict[str, GeneralFigure]]:
    query = select(
        GeneralValue.agency_id,
        GeneralValue.code,
        GeneralValue.self_value,
        GeneralValue.appraised_value,
        GeneralValue.reason,
    ).where(GeneralValue.round_id == round_id)
    result: dict[int, dict[str, GeneralFigure]] = {}
    for agency, code, own, appraised, reason in (
        session.connection().execute(query).cursor.fetchall()
    ):
        result.setdefault(agency, {})[code] = GeneralFigure(
            _number(own), _number(appraised), reason or ""
        )
    return result


class _Numbers(dict[str, Decimal | None]):
    """Stored decimal texts as Decimals, each distinct text converted once ("" is None)."""

    def __missing__(self, text: str) -> Decimal | None:
        value = self[text] = Decimal(text) if text else None
        return value


class _Scorer:
    """``score_leaf`` with a memory: the same answer of the same criterion, with the same
    denominator and group best, gives the same points."""

    def __init__(self, general: dict[int, dict[str, GeneralFigure]]) -> None:
        self.general = general
        self.memory: dict[tuple[Any, ...], Decimal] = {}

    def denominator(self, agency: int, leaf: Criterion, appraised: bool) -> Decimal | None:
        datum = uses_general(leaf)
        if datum is None:
            return None
        figure = self.general.get(agency, {}).get(datum)
        if figure is None:
            return None
        return figure.effective if appraised else figure.self_value

    def score(
        self,
        form: int,
        leaf: Criterion,
        agency: int,
        text: str,
        appraised: bool,
        best: Decimal | None,
    ) -> Decimal:
        value = self.denominator(agency, leaf, appraised)
        key = (form, leaf.code, text, value, best)
        found = self.memory.get(key)
        if found is not None:
            return found
        answer = json.loads(text)
        datum = uses_general(leaf)
        if datum is not None and value is None and "denominator" not in answer:
            raise ServiceError(
                f"Thiếu số liệu chung '{datum}' của một cơ quan để tính tiêu chí {leaf.code}."
            )
        try:
            result = score_leaf(leaf, with_denominator(leaf, answer, value), best)
        except ScoringError as exc:
            raise ServiceError(f"Dữ liệu điểm đã lưu không tính được: {exc}") from None
        self.memory[key] = result
        return result


def _bests(tree: FormTree, texts: Mapping[int, Mapping[str, str]]) -> dict[str, Decimal]:
    """``group_bests`` over the answers of the normalised leaves only."""
    normalised = {
        leaf.code
        for leaf in tree.leaves()
        if leaf.rule is not None and leaf.rule.kind is RuleKind.NORMALISED
    }
    if not normalised:
        return {}
    answers = {
        agency: {code: json.loads(text) for code, text in mine.items() if code in normalised}
        for agency, mine in texts.items()
    }
    try:
        return group_bests(tree, answers)
    except ScoringError as exc:
        raise ServiceError(f"Dữ liệu điểm đã lưu không tính được: {exc}") from None


def _leaves(
    codes: list[str | None], texts: list[str], numbers: _Numbers, other_form: bool
) -> Leaves:
    """Code → points; None codes (another form) and "" texts (no points) left out. Built in
    one go, then the few blanks taken out (found in the texts: comparing each Decimal with
    None, or filtering in Python, would cost more than the rest)."""
    values = dict(zip(codes, map(numbers.__getitem__, texts), strict=True))
    if "" in texts:
        at = texts.index("")
        while at >= 0:
            values.pop(codes[at], None)
            at = texts.index("", at + 1) if "" in texts[at + 1 :] else -1
    if other_form:
        values.pop(None, None)
    return cast_leaves(values)


def cast_leaves(values: dict[str | None, Decimal | None]) -> Leaves:
    return values  # type: ignore[return-value]  # checked by the caller: no None inside


def _silent() -> Any:
    """A row whose appraisal (figure or points) has no written reason."""
    return and_(
        ScoreRow.reason == "",  # the services store reasons trimmed
        or_(ScoreRow.appraised_points.is_not(None), ScoreRow.appraised_answer.is_not(None)),
    )


def _numbers_query(round_id: int) -> Executable:
    """One line per agency: its criteria, self-assessed points and appraised points, each a
    list joined by commas ("" for no points), and how many of its appraisals have no reason.
    A database aggregate: fetching 2,000 lines costs far less than 86,000 rows, and one list
    per column costs the database less than one joined text per row. The aggregates of one
    line take its rows in the same order, so the lists line up."""
    return (
        select(
            ScoreRow.agency_id,
            func.aggregate_strings(cast(ScoreRow.criterion_id, String), ","),
            func.aggregate_strings(func.coalesce(cast(ScoreRow.self_points, String), ""), ","),
            func.aggregate_strings(func.coalesce(cast(ScoreRow.appraised_points, String), ""), ","),
            func.sum(case((_silent(), 1), else_=0)),
        )
        .where(ScoreRow.round_id == round_id)
        .group_by(ScoreRow.agency_id)
    )


def _answers_query(round_id: int) -> Executable:
    """The rows whose points a rule computes (no stored points on one side), with the
    answers that side needs."""
    no_appraised_points = ScoreRow.appraised_points.is_(None)
    own_needed = or_(
        ScoreRow.self_points.is_(None),
        and_(
            no_appraised_points,
            or_(ScoreRow.appraised_answer.is_(None), ScoreRow.appraised_answer == ""),
        ),
    )
    return select(
        ScoreRow.agency_id,
        ScoreRow.criterion_id,
        case((no_appraised_points, ScoreRow.appraised_answer), else_=None),
        case((own_needed, ScoreRow.self_answer), else_=None),
    ).where(ScoreRow.round_id == round_id, or_(no_appraised_points, ScoreRow.self_points.is_(None)))


def _code(codes: dict[int, dict[str, str]], form: int | None, criterion: int) -> str | None:
    """The code of ``criterion`` on ``form`` (None: not a participant, or another form)."""
    return codes.get(form, {}).get(str(criterion)) if form is not None else None


def read_scores(
    session: Session,
    round_id: int,
    participants: Mapping[int, int],
    forms: Mapping[int, FormTree],
    criteria: Mapping[int, tuple[int, str]],
    group_of: Mapping[int, int],
) -> RoundScores:
    """Every score row of the round, from two queries (three when an appraisal lacks its
    reason).

    ``participants``: agency id → form id of its group, for agencies whose form counts (as
    the ranking's group points take them); ``criteria``: criterion id → (form id, code);
    ``group_of``: agency id → group id (normalised rules compare within a group).
    """
    codes_of_form: dict[int, dict[str, str]] = {}
    for cid, (form_of_criterion, code_of_criterion) in criteria.items():
        codes_of_form.setdefault(form_of_criterion, {})[str(cid)] = code_of_criterion
    numbers = _Numbers()  # the same stored text is one Decimal
    result: dict[int, AgencyPoints] = {}
    scored: set[int] = set()
    adjusted_any: set[int] = set()
    connection = session.connection()
    silent: list[int] = []
    lines = connection.execute(_numbers_query(round_id)).cursor.fetchall()
    for agency, criteria_text, own_text, appraised_text, unreasoned in lines:
        scored.add(agency)
        appraised_texts = appraised_text.split(",")
        if any(appraised_texts):
            adjusted_any.add(agency)
        form = participants.get(agency)
        if form is None:
            continue
        codes = list(map(codes_of_form.get(form, {}).get, criteria_text.split(",")))
        # a criterion of another form is not counted (as in group_points); "" is no points
        other_form = None in codes
        own = _leaves(codes, own_text.split(","), numbers, other_form)
        appraised = _leaves(codes, appraised_texts, numbers, other_form)
        result[agency] = AgencyPoints(own, appraised, set(appraised))
        if unreasoned:
            silent.append(agency)
    if silent:  # rare: the services require a reason; say which criteria
        query = select(ScoreRow.agency_id, ScoreRow.criterion_id).where(
            ScoreRow.round_id == round_id, ScoreRow.agency_id.in_(silent), _silent()
        )
        for agency, criterion in connection.execute(query):
            code = _code(codes_of_form, participants.get(agency), criterion)
            if code is not None:
                result[agency].unreasoned.add(code)
    general = read_general(session, round_id)
    scorer = _Scorer(general)
    pending: dict[int, _Pending] = {}
    answers = connection.execute(_answers_query(round_id)).cursor.fetchall()
    for agency, criterion, appr_text, own_text in answers:
        if appr_text is not None:
            adjusted_any.add(agency)
        code = _code(codes_of_form, participants.get(agency), criterion)
        if code is None:
            continue
        mine = result[agency]
        pend = pending.setdefault(group_of[agency], _Pending())
        if appr_text is not None:
            mine.adjusted.add(code)
        if code not in mine.self_points and own_text:
            pend.self_texts.setdefault(agency, {})[code] = own_text
            pend.answers.append((agency, code, own_text, False))
        if code not in mine.appraised:
            if appr_text or own_text:
                text = appr_text or own_text
                pend.appraised_texts.setdefault(agency, {})[code] = text
                pend.answers.append((agency, code, text, True))
            elif code in mine.self_points:
                mine.appraised[code] = mine.self_points[code]
    for pend in pending.values():
        agencies = list(pend.self_texts) + list(pend.appraised_texts)
        if not agencies:
            continue
        form_id = participants[agencies[0]]
        tree = forms[form_id]
        self_bests = _bests(tree, pend.self_texts)
        appraised_bests = _bests(tree, pend.appraised_texts)
        for agency, code, text, of_appraisal in pend.answers:
            bests = appraised_bests if of_appraisal else self_bests
            leaf = tree.get(code)
            value = scorer.score(form_id, leaf, agency, text, of_appraisal, bests.get(code))
            mine = result[agency]
            (mine.appraised if of_appraisal else mine.self_points)[code] = value
    return RoundScores(result, general, scored, adjusted_any)


Totals = Callable[[Mapping[str, Decimal]], Decimal]


def _flat(node: Criterion) -> bool:
    """No cap or gate can bind anywhere in ``node``: its value is the sum of its leaves."""
    if node.is_leaf:
        return True
    fits = sum((c.max_points for c in node.children), ZERO) <= node.max_points
    return node.gate is None and fits and all(_flat(c) for c in node.children)


def _leaf_sum(codes: list[str]) -> Totals:
    zeros = [ZERO] * len(codes)
    return lambda values: sum(map(values.get, codes, zeros), ZERO)


def _node_total(node: Criterion) -> Totals:
    """A node's points: its flat children as one sum of their leaves; the others (and the
    gate) each on their own, then the gate and the cap."""
    if _flat(node):
        return _leaf_sum([leaf.code for leaf in node.walk() if leaf.is_leaf])
    gate, maximum = node.gate, node.max_points
    own = [c for c in node.children if not _flat(c) or c.code == gate]
    plain = _leaf_sum(
        [leaf.code for c in node.children if c not in own for leaf in c.walk() if leaf.is_leaf]
    )
    parts = [(c.code, _node_total(c)) for c in own]

    def capped(values: Mapping[str, Decimal]) -> Decimal:
        got = {code: fn(values) for code, fn in parts}
        if gate is not None and got[gate] == 0:
            return ZERO  # the other children count for nothing
        return min(plain(values) + sum(got.values(), ZERO), maximum)

    return capped


def compile_totals(tree: FormTree) -> Totals:
    """A function giving ``tree_totals(tree, leaves).total`` for leaf points of this tree: the
    areas where no cap or gate can bind add up as one sum of their leaves; caps and gates are
    applied where they can matter. Leaf points outside 0..maximum are refused, as
    ``tree_totals`` refuses them."""
    codes = [leaf.code for leaf in tree.leaves()]
    maxima = [leaf.max_points for leaf in tree.leaves()]
    known, zeros = set(codes), [ZERO] * len(codes)
    areas = [_node_total(area) for area in tree.areas]
    bound = [
        (_node_total(area), _leaf_sum([leaf.code for leaf in area.walk() if leaf.is_leaf]))
        for area in tree.areas
        if not _flat(area)
    ]

    def check(values: Mapping[str, Decimal]) -> None:
        for code, maximum in zip(codes, maxima, strict=True):
            if not ZERO <= values.get(code, ZERO) <= maximum:
                raise ServiceError(
                    f"Dữ liệu điểm đã lưu không tính được: Tiêu chí {code}: điểm vượt điểm tối đa."
                )

    def total(values: Mapping[str, Decimal]) -> Decimal:
        leaf_values = list(map(values.get, codes, zeros))
        if any(map(gt, leaf_values, maxima)) or (values and min(values.values()) < ZERO):
            check(values)
        if not values.keys() <= known:  # not a leaf of this tree: counted nowhere
            return points(sum([area(values) for area in areas], ZERO))
        result = sum(leaf_values, ZERO)
        for area, flat in bound:
            result += area(values) - flat(values)
        return points(result)

    return total
