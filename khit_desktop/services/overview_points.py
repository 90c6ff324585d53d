"""Leaf points of a whole round in bulk, for the overview: the same numbers as
``group_points`` (self-assessed and appraised), without the per-agency objects.

``group_points`` scores one group at a time and also computes what each agency's own figures
give (the grid's "flagged" column); the overview needs neither. Here one aggregate query
gives each agency's rows as joined lists (its points, and the answers only where a rule must
compute the points: no stored points), read ahead on a second connection while the caller
reads the rest (``overview_query.ScoresAhead``); the points of one answer are computed once
per distinct (criterion, answer, denominator, group best): most answers repeat ("Có", a
count, an option). The rules themselves are ``domain.criteria.score_leaf``, unchanged.

Each agency's points are kept as lists aligned to its form's ``Layout`` (no dictionary per
agency); the totals are compiled to sums of slices of those lists
(``overview_totals.compile_list_totals``) and the differences are taken list against list
(``overview_todo.changes``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.criteria import (
    Criterion,
    FormTree,
    RuleKind,
    ScoringError,
    group_bests,
    score_leaf,
)
from ..store.models import GeneralValue
from .errors import ServiceError
from .general_data import GeneralFigure, uses_general, with_denominator
from .overview_query import (
    SEP,
    ScoresAhead,
    _answers_query,
    _scores_query,
    head_of,
)
from .overview_totals import BLANK

Leaves = dict[str, Decimal]
_NONE: dict[str, GeneralFigure] = {}


def _number(value: Any) -> Decimal | None:
    """A stored decimal as the cursor gives it: text on SQLite, a Decimal elsewhere."""
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class Layout:
    """The criteria of one form in a fixed order, to which every agency's points are aligned:
    the tree's leaves in ``tree.leaves()`` order (what ``compile_list_totals`` adds up), then
    the form's other criteria (points stored on a parent are counted nowhere, as in
    ``tree_totals``)."""

    form: int
    tree: FormTree
    codes: tuple[str, ...]
    leaves: int  # the first ``leaves`` codes are the tree's leaves
    position: dict[int, int]  # criterion id → index
    leaf: tuple[Criterion, ...]  # by index
    datum: tuple[str | None, ...]  # the general datum a ratio divides by, by index
    normalised: tuple[bool, ...]  # by index


def layout_of(form: int, tree: FormTree, criteria: Mapping[int, tuple[int, str]]) -> Layout:
    """``criteria``: criterion id → (form id, code), of this form and maybe others."""
    ids = {code: cid for cid, (of, code) in criteria.items() if of == form}
    leaves = [leaf.code for leaf in tree.leaves()]
    codes = leaves + sorted(set(ids) - set(leaves), key=ids.__getitem__)
    nodes = tuple(tree.get(code) for code in codes)
    return Layout(
        form,
        tree,
        tuple(codes),
        len(leaves),
        {ids[code]: at for at, code in enumerate(codes) if code in ids},
        nodes,
        tuple(uses_general(node) for node in nodes),
        tuple(n.rule is not None and n.rule.kind is RuleKind.NORMALISED for n in nodes),
    )


COMPUTED = "="  # in a ``given`` list: points a rule computed here (no stored text)
_NOTHING: frozenset[int] = frozenset()


@dataclass(eq=False, slots=True)
class AgencyPoints:
    """One agency's points, self-assessed and appraised, as lists aligned to its form's
    ``Layout`` (``BLANK`` where a side has no points; the lists may stop before the
    layout's parents), and what each row says. The lists serve the totals and the
    differences without a dictionary per agency (2,000 agencies: few objects to build)."""

    layout: Layout
    own_values: list[Decimal]
    appraised_values: list[Decimal]
    own_given: list[str]  # the stored points' text by index, "" for none, or ``COMPUTED``
    appraised_given: list[str]
    answered: frozenset[int] | set[int] = _NOTHING  # an appraised answer, no points stored
    unreasoned: frozenset[int] | set[int] = _NOTHING  # adjusted, but no reason written

    def is_adjusted(self, at: int) -> bool:
        """The appraisal set this criterion's figure or points."""
        text = self.appraised_given[at]
        return (bool(text) and text != COMPUTED) or at in self.answered

    def all_adjusted(self) -> bool:
        """Every criterion (with a row) has its figure or points set by the appraisal."""
        given = self.appraised_given
        return "" not in given and COMPUTED not in given

    @property
    def self_points(self) -> Leaves:
        """Code → self-assessed points, where there are any (as ``group_points`` gives)."""
        return self._leaves(self.own_values, self.own_given)

    @property
    def appraised(self) -> Leaves:
        """Code → appraised points, where there are any (as ``group_points`` gives)."""
        return self._leaves(self.appraised_values, self.appraised_given)

    @property
    def adjusted(self) -> set[str]:
        codes = self.layout.codes
        return {codes[at] for at in range(len(self.appraised_given)) if self.is_adjusted(at)}

    def _leaves(self, values: list[Decimal], given: list[str]) -> Leaves:
        codes = self.layout.codes
        return {codes[at]: values[at] for at, text in enumerate(given) if text}


@dataclass
class _Pending:
    """Answers of one group waiting for its group bests: (agency, index, text, appraised),
    and the answers of its normalised leaves by agency (the group bests' input)."""

    layout: Layout
    answers: list[tuple[int, AgencyPoints, int, str, bool]] = field(default_factory=list)
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


class _Numbers(dict[str, Decimal]):
    """Stored decimal texts as Decimals, each distinct text converted once ("" is
    ``BLANK``)."""

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = Decimal(text) if text else BLANK
        return value


class _Scorer:
    """``score_leaf`` with a memory: the same answer of the same criterion, with the same
    denominator and group best, gives the same points."""

    def __init__(self, general: dict[int, dict[str, GeneralFigure]]) -> None:
        self.parsed = _Parsed()
        self.general = general
        self.memory: dict[tuple[Any, ...], Decimal] = {}

    def score(
        self,
        layout: Layout,
        at: int,
        agency: int,
        text: str,
        appraised: bool,
        best: Decimal | None,
    ) -> Decimal:
        datum = layout.datum[at]
        value: Decimal | None = None
        if datum is not None:
            figure = self.general.get(agency, _NONE).get(datum)
            if figure is not None:
                value = figure.effective if appraised else figure.self_value
        key = (layout.form, at, text, value, best)
        found = self.memory.get(key)
        if found is not None:
            return found
        answer = self.parsed[text]
        leaf = layout.leaf[at]
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


class _Parsed(dict[str, Any]):
    """Answers as ``json.loads`` reads them, each distinct text once (nothing changes them:
    ``with_denominator`` copies)."""

    def __missing__(self, text: str) -> Any:
        value = self[text] = json.loads(text)
        return value


def _bests(
    tree: FormTree, texts: Mapping[int, Mapping[str, str]], parsed: _Parsed
) -> dict[str, Decimal]:
    """``group_bests`` over the answers of the normalised leaves (the only ones ``texts``
    holds)."""
    normalised = RuleKind.NORMALISED
    if not any(leaf.rule is not None and leaf.rule.kind is normalised for leaf in tree.leaves()):
        return {}
    answers = {
        agency: {code: parsed[text] for code, text in mine.items()}
        for agency, mine in texts.items()
    }
    try:
        return group_bests(tree, answers)
    except ScoringError as exc:
        raise ServiceError(f"Dữ liệu điểm đã lưu không tính được: {exc}") from None


Align = Callable[[list[str]], list[str]] | None


def _aligner(layout: Layout, ids: str) -> Align:
    """How an agency's lists, in the order of ``ids`` (its criteria as the aggregate joined
    them), become the layout's order: None when they are in it already (every agency that
    has all the criteria of its form); otherwise a function that reorders them, "" where a
    criterion has no row and without the criteria of another form."""
    row = [layout.position.get(int(i)) for i in ids.split(",")]
    if len(row) >= layout.leaves and row == list(range(len(row))):
        return None  # every leaf, in order (the parents, which have no rows, after them)
    where = {at: n for n, at in enumerate(row) if at is not None}
    take = [where.get(at, len(row)) for at in range(len(layout.codes))]

    def align(texts: list[str]) -> list[str]:
        padded = [*texts, ""]
        return [padded[n] for n in take]

    return align


def read_scores(
    session: Session,
    round_id: int,
    participants: Mapping[int, int],
    forms: Mapping[int, FormTree],
    criteria: Mapping[int, tuple[int, str]],
    group_of: Mapping[int, int],
    ahead: ScoresAhead | None = None,
) -> RoundScores:
    """Every score row of the round, from one aggregate query (and the general data).

    ``participants``: agency id → form id of its group, for agencies whose form counts (as
    the ranking's group points take them); ``criteria``: criterion id → (form id, code);
    ``group_of``: agency id → group id (normalised rules compare within a group);
    ``ahead``: the aggregate already being read in another thread (``ScoresAhead``).
    """
    general = read_general(session, round_id)
    layouts = {form: layout_of(form, tree, criteria) for form, tree in forms.items()}
    numbers = _Numbers()  # the same stored text is one Decimal
    number = numbers.__getitem__
    result: dict[int, AgencyPoints] = {}
    scored: set[int] = set()
    adjusted_any: set[int] = set()
    connection = session.connection()
    aligners: dict[tuple[int, str], Align] = {}
    pending: dict[int, _Pending] = {}
    lines: Sequence[Any] | None = ahead.lines(head_of(session)) if ahead is not None else None
    if lines is None:
        lines = connection.execute(_scores_query(round_id)).cursor.fetchall()
    for agency, ids, own_text, appraised_text, silent, *answers in lines:
        scored.add(agency)
        if appraised_text.strip(",") or (answers[1] and answers[1].strip(SEP)):
            adjusted_any.add(agency)
        form = participants.get(agency)
        if form is None:
            continue
        layout = layouts[form]
        key = (form, ids)
        if key in aligners:
            align = aligners[key]
        else:
            align = aligners[key] = _aligner(layout, ids)
        own = own_text.split(",")
        appraised = appraised_text.split(",")
        if align is not None:  # another order, a criterion missing or of another form
            own, appraised = align(own), align(appraised)
        mine = result[agency] = AgencyPoints(
            layout, list(map(number, own)), list(map(number, appraised)), own, appraised
        )
        if silent:  # rare: the services require a reason
            found = map(layout.position.get, map(int, silent.split(",")))
            mine.unreasoned = {at for at in found if at is not None}
        if answers[0]:
            group = group_of[agency]
            pend = pending.get(group)
            if pend is None:
                pend = pending[group] = _Pending(layout)
            _take_answers(pend, agency, mine, _rows(connection, round_id, agency, *answers))
    scorer = _Scorer(general)
    for pend in pending.values():
        layout = pend.layout
        self_bests = _bests(layout.tree, pend.self_texts, scorer.parsed)
        appraised_bests = _bests(layout.tree, pend.appraised_texts, scorer.parsed)
        own_best = [self_bests.get(code) for code in layout.codes]
        appraised_best = [appraised_bests.get(code) for code in layout.codes]
        for agency, mine, at, text, of_appraisal in pend.answers:
            if of_appraisal:
                value = scorer.score(layout, at, agency, text, True, appraised_best[at])
                mine.appraised_values[at] = value
                mine.appraised_given[at] = COMPUTED
            else:
                value = scorer.score(layout, at, agency, text, False, own_best[at])
                mine.own_values[at] = value
                mine.own_given[at] = COMPUTED
    return RoundScores(result, general, scored, adjusted_any)


def _rows(
    connection: Any, round_id: int, agency: int, ids: str, appraised: str, own: str
) -> list[tuple[int, str | None, str | None]]:
    """The computed rows of one agency from its joined lists: (criterion, appraised answer
    or None, self-assessed answer or None)."""
    criteria = [int(cid) for cid in ids.split(",")]
    appraised_texts = appraised.split(SEP)
    own_texts = own.split(SEP)
    if len(appraised_texts) != len(criteria) or len(own_texts) != len(criteria):
        return list(connection.execute(_answers_query(round_id, agency)))  # never in practice
    return [
        (cid, a[1:] if a else None, o or None)
        for cid, a, o in zip(criteria, appraised_texts, own_texts, strict=True)
    ]


def _take_answers(
    pend: _Pending,
    agency: int,
    mine: AgencyPoints,
    rows: Iterable[tuple[int, str | None, str | None]],
) -> None:
    """The answers of one agency to score with its group; an appraisal left blank takes the
    self-assessed points where no answer computes them."""
    layout = mine.layout
    for criterion, appr_text, own_text in rows:
        at = layout.position.get(criterion)
        if at is None:  # a criterion of another form: not counted (as in group_points)
            continue
        if appr_text is not None:
            answered = mine.answered
            if not isinstance(answered, set):  # the shared empty one
                answered = mine.answered = set()
            answered.add(at)
        normalised = layout.normalised[at]
        own_blank = not mine.own_given[at]
        if own_blank and own_text:
            if normalised:
                pend.self_texts.setdefault(agency, {})[layout.codes[at]] = own_text
            pend.answers.append((agency, mine, at, own_text, False))
        if not mine.appraised_given[at]:
            text = appr_text or own_text
            if text:
                if normalised:
                    pend.appraised_texts.setdefault(agency, {})[layout.codes[at]] = text
                pend.answers.append((agency, mine, at, text, True))
            elif not own_blank:
                mine.appraised_values[at] = mine.own_values[at]
                mine.appraised_given[at] = COMPUTED
