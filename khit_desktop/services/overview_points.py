"""Leaf points of a whole round in bulk, for the overview: the same numbers as
``group_points`` (self-assessed and appraised), without the per-agency objects.

``group_points`` scores one group at a time and also computes what each agency's own figures
give (the grid's "flagged" column); the overview needs neither. Here one aggregate query
gives each agency's rows as joined lists (its points, and the answers only where a rule must
compute the points: no stored points), read ahead on a second connection while the caller
reads the rest (``ScoresAhead``); the points of one answer are computed once per distinct
(criterion, answer, denominator, group best): most answers repeat ("Có", a count, an
option). The rules themselves are ``domain.criteria.score_leaf``, unchanged.

Each agency's points are kept as lists aligned to its form's ``Layout`` (no dictionary per
agency); the totals are compiled to sums of slices of those lists (``compile_list_totals``)
and the differences are taken list against list (``overview_todo.changes``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import gt
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
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
from ..store.database import Database
from ..store.models import AuditEvent, GeneralValue, ScoreRow
from .errors import ServiceError
from .general_data import GeneralFigure, uses_general, with_denominator

Leaves = dict[str, Decimal]
BLANK = Decimal(0)  # no points on one side: counts 0, in the totals as in the differences
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


def _silent() -> Any:
    """A row whose appraisal (figure or points) has no written reason."""
    return and_(
        ScoreRow.reason == "",  # the services store reasons trimmed
        or_(ScoreRow.appraised_points.is_not(None), ScoreRow.appraised_answer.is_not(None)),
    )


SEP = "\x1f"  # between answers: JSON escapes control characters, json.loads refuses them raw
GIVEN = "="  # before an appraised answer in the joined list ("" alone: none)


def _scores_query(round_id: int) -> Select[Any]:
    """One line per agency, every list joined in one pass over the round's rows:

    * its criteria, self-assessed points and appraised points ("" for no points);
    * the criteria whose appraisal has no written reason;
    * the rows whose points a rule computes (no stored points on one side): their criteria,
      the appraised answer (after ``GIVEN``; "" when none counts) and the self-assessed
      answer when that side needs it ("" otherwise), joined by ``SEP``.

    A database aggregate: fetching 2,000 lines costs far less than 86,000 rows, and one list
    per column costs the database less than one joined text per row. The aggregates of one
    line take its rows in the same order, and those of the computed rows leave out the same
    rows (an aggregate skips NULL), so the lists line up."""
    no_appraised_points = ScoreRow.appraised_points.is_(None)
    computed = or_(no_appraised_points, ScoreRow.self_points.is_(None))
    own_needed = or_(
        ScoreRow.self_points.is_(None),
        and_(
            no_appraised_points,
            or_(ScoreRow.appraised_answer.is_(None), ScoreRow.appraised_answer == ""),
        ),
    )
    criterion = cast(ScoreRow.criterion_id, String)
    appraised_answer = case(
        (
            and_(no_appraised_points, ScoreRow.appraised_answer.is_not(None)),
            literal(GIVEN, String) + ScoreRow.appraised_answer,
        ),
        else_=literal("", String),
    )
    own_answer = case(
        (own_needed, func.coalesce(ScoreRow.self_answer, "")), else_=literal("", String)
    )

    def joined(value: Any, separator: str = ",") -> Any:
        return func.aggregate_strings(value, separator)

    return (
        select(
            ScoreRow.agency_id,
            joined(criterion),
            joined(func.coalesce(cast(ScoreRow.self_points, String), "")),
            joined(func.coalesce(cast(ScoreRow.appraised_points, String), "")),
            joined(case((_silent(), criterion))),
            joined(case((computed, criterion))),
            joined(case((computed, appraised_answer)), SEP),
            joined(case((computed, own_answer)), SEP),
        )
        .where(ScoreRow.round_id == round_id)
        .group_by(ScoreRow.agency_id)
    )


def _answers_query(round_id: int, agency: int) -> Executable:
    """The rows of one agency whose points a rule computes, one by one (should a stored
    answer hold a control character, which no valid answer does)."""
    no_appraised_points = ScoreRow.appraised_points.is_(None)
    own_needed = or_(
        ScoreRow.self_points.is_(None),
        and_(
            no_appraised_points,
            or_(ScoreRow.appraised_answer.is_(None), ScoreRow.appraised_answer == ""),
        ),
    )
    return select(
        ScoreRow.criterion_id,
        case((no_appraised_points, ScoreRow.appraised_answer), else_=None),
        case((own_needed, ScoreRow.self_answer), else_=None),
    ).where(
        ScoreRow.round_id == round_id,
        ScoreRow.agency_id == agency,
        or_(no_appraised_points, ScoreRow.self_points.is_(None)),
    )


FIELD, LINE = "\x1d", "\x1e"  # between the lists of a line, between lines (as ``SEP``)


def _packed_query(round_id: int) -> Select[Any]:
    """``_scores_query`` as one text (a single row to fetch: the database does all the work
    in one step, without Python's lock)."""
    lines = _scores_query(round_id).subquery()
    agency, *lists = lines.c
    text: Any = cast(agency, String)
    for column in lists:
        text = text + literal(FIELD, String) + func.coalesce(column, literal("", String))
    return select(func.aggregate_strings(text, LINE))


def _unpack(packed: str | None) -> list[tuple[Any, ...]] | None:
    """The lines of ``_packed_query``'s text as ``_scores_query`` gives them (None for a
    text that does not split as it should: an answer holding a control character, which no
    valid answer does)."""
    if not packed:
        return []
    lines: list[tuple[Any, ...]] = []
    for line in packed.split(LINE):
        fields = line.split(FIELD)
        if len(fields) != 8:
            return None
        lines.append((int(fields[0]), *fields[1:]))
    return lines


def head_of(session: Session) -> tuple[int, str] | None:
    """The audit trail's last event (sequence, hash) as ``session`` sees it: every change
    made through the program appends one, in the change's own transaction."""
    row = session.execute(
        select(AuditEvent.sequence, AuditEvent.hash)
        .where(AuditEvent.sequence.is_not(None))
        .order_by(AuditEvent.sequence.desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None:
        return None
    return int(row[0]), str(row[1])


def one_snapshot(session: Session, db: Database) -> None:
    """Every statement of ``session`` (not used yet) reads the same snapshot of the
    database: what a SQLite transaction does anyway; REPEATABLE READ on PostgreSQL."""
    if db.is_postgres:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def can_read_ahead(db: Database) -> bool:
    """A second connection sees the same database: a SQLite file or a server (an
    in-memory SQLite database is one per connection)."""
    return db.is_postgres or db.path is not None


def _ahead_query(round_id: int) -> Executable:
    """The audit trail's last event and ``_packed_query``, in one statement: one snapshot,
    one row."""
    last = AuditEvent.sequence.is_not(None)
    latest = AuditEvent.sequence.desc()
    sequence = select(AuditEvent.sequence).where(last).order_by(latest).limit(1)
    hash_ = select(AuditEvent.hash).where(last).order_by(latest).limit(1)
    packed = _packed_query(round_id)
    return select(sequence.scalar_subquery(), hash_.scalar_subquery(), packed.scalar_subquery())


class ScoresAhead:
    """The score lines of a round (``_scores_query``) read on a connection of its own, in a
    thread, while the caller reads the members, forms and the rest: the aggregate is the
    largest query of the overview.

    The thread runs a single statement that gives a single row (``_ahead_query``): SQLite and
    PostgreSQL's driver release Python's lock while they work, and a thread that needs the
    lock back waits for the other to hand it over (up to 5 ms each time), so the fewer times
    the better — 2,000 rows would hand it over 2,000 times. The statement is built here, in
    the caller's thread, and the text split there too.

    One snapshot: a single statement reads one, with the audit trail's last event; the
    caller's session reads one too (``one_snapshot``). ``lines`` gives the lines only when
    both end with the same event: every change made through the program appends one in its
    own transaction, so the two saw the same data. Otherwise (a change committed in
    between), or if anything failed in the thread, it gives None and the caller reads the
    lines itself."""

    def __init__(self, db: Database, round_id: int) -> None:
        self._found: tuple[Any, ...] | None = None
        self._thread = threading.Thread(
            target=self._read,
            args=(db, _ahead_query(round_id)),
            name="khit-overview-scores",
            daemon=True,
        )
        self._thread.start()

    def _read(self, db: Database, statement: Executable) -> None:
        try:
            with db.engine.connect() as connection:
                self._found = tuple(connection.execute(statement).one())
        except Exception:  # the caller reads the lines itself, and meets the error there
            self._found = None

    def close(self) -> None:
        """Wait for the thread (its connection back in the pool)."""
        self._thread.join()

    def lines(self, head: tuple[int, str] | None) -> list[tuple[Any, ...]] | None:
        """The lines, if read at a snapshot whose last audit event is ``head``."""
        self._thread.join()
        found = self._found
        if found is None:
            return None
        sequence, hash_, packed = found
        seen = None if sequence is None else (int(sequence), str(hash_))
        return _unpack(packed) if seen == head else None


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


Totals = Callable[[Mapping[str, Decimal]], Decimal]
ListTotals = Callable[[Sequence[Decimal]], Decimal]
_Part = Callable[[Sequence[Decimal]], Decimal]


def _flat(node: Criterion) -> bool:
    """No cap or gate can bind anywhere in ``node``: its value is the sum of its leaves."""
    if node.is_leaf:
        return True
    fits = sum((c.max_points for c in node.children), ZERO) <= node.max_points
    return node.gate is None and fits and all(_flat(c) for c in node.children)


def _spans(tree: FormTree) -> dict[str, tuple[int, int]]:
    """Each node's leaves as a slice of ``tree.leaves()`` (a node's leaves follow each
    other in that order)."""
    spans: dict[str, tuple[int, int]] = {}
    count = 0

    def visit(node: Criterion) -> None:
        nonlocal count
        start = count
        if node.is_leaf:
            count += 1
        for child in node.children:
            visit(child)
        spans[node.code] = (start, count)

    for area in tree.areas:
        visit(area)
    return spans


def _slice_sum(start: int, end: int) -> _Part:
    return lambda values: sum(values[start:end], BLANK)


def _node_total(node: Criterion, spans: dict[str, tuple[int, int]]) -> _Part:
    """A node's points: its flat children as sums of slices of leaves; the others (and the
    gate) each on their own, then the gate and the cap."""
    if _flat(node):
        return _slice_sum(*spans[node.code])
    gate, maximum = node.gate, node.max_points
    runs: list[tuple[int, int]] = []  # the flat children, as runs of consecutive leaves
    parts: list[_Part] = []
    gate_part: _Part | None = None
    for child in node.children:
        start, end = spans[child.code]
        if child.code == gate:
            gate_part = _node_total(child, spans)
        elif not _flat(child):
            parts.append(_node_total(child, spans))
        elif runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    slices = [slice(start, end) for start, end in runs]

    def capped(values: Sequence[Decimal]) -> Decimal:
        opened = ZERO if gate_part is None else gate_part(values)
        if gate is not None and opened == 0:
            return ZERO  # the other children count for nothing
        got = [part(values) for part in parts]
        got += [sum(values[cut], BLANK) for cut in slices]
        return min(sum(got, opened), maximum)

    return capped


def compile_list_totals(tree: FormTree) -> ListTotals:
    """A function giving ``tree_totals(tree, leaves).total`` for the leaf points as a list in
    ``tree.leaves()`` order (a blank leaf ``BLANK``; items after the leaves are counted
    nowhere): the areas where no cap or gate can bind add up as one sum; caps and gates are
    applied where they can matter. Leaf points outside 0..maximum are refused, as
    ``tree_totals`` refuses them."""
    leaves = list(tree.leaves())
    count = len(leaves)
    codes = [leaf.code for leaf in leaves]
    maxima = [leaf.max_points for leaf in leaves]
    spans = _spans(tree)
    # the areas where no cap or gate binds as runs of consecutive leaves; the others apart
    runs: list[tuple[int, int]] = []
    bound: list[_Part] = []
    for area in tree.areas:
        start, end = spans[area.code]
        if not _flat(area):
            bound.append(_node_total(area, spans))
        elif runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    cuts = [slice(start, end) for start, end in runs]
    whole = cuts == [slice(0, count)]

    def check(values: Sequence[Decimal]) -> None:
        for code, value, maximum in zip(codes, values, maxima, strict=False):
            if not ZERO <= value <= maximum:
                raise ServiceError(
                    f"Dữ liệu điểm đã lưu không tính được: Tiêu chí {code}: điểm vượt điểm tối đa."
                )

    def total(values: Sequence[Decimal]) -> Decimal:
        mine = values[:count]
        if mine and (any(map(gt, mine, maxima)) or min(mine) < ZERO):
            check(mine)
        if whole:
            return points(sum(mine, ZERO))
        result = ZERO
        for cut in cuts:
            result += sum(mine[cut], ZERO)
        for area in bound:
            result += area(mine)
        return points(result)

    return total


def compile_totals(tree: FormTree) -> Totals:
    """``compile_list_totals`` for leaf points by code (codes that are not leaves of the tree
    are counted nowhere, as in ``tree_totals``)."""
    codes = [leaf.code for leaf in tree.leaves()]
    total = compile_list_totals(tree)
    return lambda values: total([values.get(code, BLANK) for code in codes])
