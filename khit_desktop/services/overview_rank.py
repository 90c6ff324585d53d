"""A round's members, their lateness and the ranking, read in bulk for the overview.

The numbers are those of ``results.ranking`` (a test compares them on the demo): the same
lateness decisions (``domain.lateness``), the same leaf points (``overview_points``), the same
totals, penalties and classes (``domain.classification.outcome``) and the same order and
ranks as ``domain.ranking.rank_group``. What is left out is what the overview does not show:
the area totals, the self-assessed totals, the explanations' sentences, and the Vietnamese
collation key of every name — only names that tie (and the unranked ones) need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.classification import Classification, outcome
from ..domain.collation import vietnamese_key
from ..domain.criteria import FormTree
from ..domain.lateness import (
    Channel,
    LatenessDecision,
    LatenessStatus,
    Receipt,
    decide_lateness,
)
from ..domain.numbers import ZERO
from ..domain.rules import RoundRules
from ..store.models import Agency, CriterionRow, ReceiptRow, Round, RoundAgency
from .errors import ServiceError
from .forms import form_tree
from .overview_points import RoundScores, read_scores
from .overview_query import ScoresAhead
from .overview_totals import ListTotals, compile_list_totals


@dataclass(frozen=True, slots=True)
class Member:
    """An agency of the round with its lateness decision (as of the overview's day; the
    receipt it counts is read without its number and id: the overview needs only whether
    one counts)."""

    agency_id: int
    code: str
    name: str
    group: int
    group_id: int
    exempt_reason: str | None
    done: bool  # the clerk marked its appraisal finished
    decision: LatenessDecision

    @property
    def sent(self) -> bool:
        return self.decision.counted is not None


@dataclass(frozen=True, slots=True)
class Ranked:
    """One line of the ranking, as ``results.ranking`` orders and ranks it."""

    agency_id: int
    code: str
    name: str
    group: int
    classification: Classification
    final_score: Decimal
    percent: Decimal
    rank: int | None
    sent: bool


@dataclass(frozen=True)
class RoundFacts:
    """Everything the overview reads from an appraised round's data."""

    members: list[Member]
    scores: RoundScores
    forms: dict[int, FormTree]  # form id → tree
    form_of_group: dict[int, int | None]  # group number → form id
    ranking: list[Ranked]
    imported: set[int]  # agencies with a form imported from Excel


def read_members(
    session: Session, rnd: Round, rules: RoundRules, as_of: date | None
) -> list[Member]:
    groups = {g.id: g.number for g in rnd.groups}
    receipts: dict[int, list[tuple[str, date, date | None, bool]]] = {}
    query = (
        select(
            ReceiptRow.agency_id,
            ReceiptRow.channel,
            ReceiptRow.sent_date,
            ReceiptRow.received_date,
            ReceiptRow.valid,
        )
        .where(ReceiptRow.round_id == rnd.id)
        .order_by(ReceiptRow.id)
    )
    connection = session.connection()  # plain rows: no ORM objects for 2,000 members
    for agency, channel, sent, received, valid in connection.execute(query):
        receipts.setdefault(agency, []).append((channel, sent, received, bool(valid)))
    decided: dict[tuple[object, ...], LatenessDecision] = {}

    def decide(agency: int, exempt: str | None) -> LatenessDecision:
        """The same receipts decide alike: most agencies share a sending date and channel
        (compared as the plain values read, before any ``Receipt`` is built)."""
        mine = receipts.get(agency, ())
        key = (exempt, *mine)
        found = decided.get(key)
        if found is None:
            given = [Receipt(Channel(c), s, r, v) for c, s, r, v in mine]
            found = decide_lateness(rules, given, exempt_reason=exempt, as_of=as_of)
            decided[key] = found
        return found

    rows = connection.execute(
        select(
            RoundAgency.agency_id,
            Agency.code,
            RoundAgency.name,
            RoundAgency.group_id,
            RoundAgency.exempt_reason,
            RoundAgency.appraisal_done,
        )
        .join(Agency, Agency.id == RoundAgency.agency_id)
        .where(RoundAgency.round_id == rnd.id)
        .order_by(RoundAgency.id)
    )
    return [
        Member(
            agency,
            code,
            name,
            groups[group_id],
            group_id,
            exempt,
            bool(done),
            decide(agency, exempt),
        )
        for agency, code, name, group_id, exempt, done in rows
    ]


def _ties(lines: list[Ranked]) -> list[tuple[int, int]]:
    """(start, end) of each run of equal class and score among ranked ``lines``."""
    runs: list[tuple[int, int]] = []
    start = 0
    while start < len(lines) and lines[start].rank is not None:
        end = start + 1
        while end < len(lines) and lines[end].rank == lines[start].rank:
            end += 1
        runs.append((start, end))
        start = end
    return runs


def _rank(lines: list[Ranked]) -> list[Ranked]:
    """``rank_group``'s ranks (1, 2, 2, 4) and order, by class then score; the lines without
    a form, then the exempt ones, last and without a rank. Lines that tie keep their input
    order here: ``by_name`` puts them in Vietnamese alphabetical order, as the ranking
    lists them, only where a caller needs it (the collation key of 2,000 names is the
    costliest part of ranking a large round)."""
    ranked = [r for r in lines if r.classification is not Classification.NOT_RANKED and r.sent]
    missing = [r for r in lines if r.classification is not Classification.NOT_RANKED and not r.sent]
    exempt = [r for r in lines if r.classification is Classification.NOT_RANKED]
    ranked.sort(key=lambda r: (r.classification.order, -r.final_score))
    out: list[Ranked] = []
    previous: tuple[Classification, Decimal] | None = None
    rank = 0
    for position, line in enumerate(ranked, start=1):
        if (line.classification, line.final_score) != previous:
            rank, previous = position, (line.classification, line.final_score)
        out.append(_ranked(line, rank))
    for rest in (missing, exempt):
        out += [_ranked(r, None) for r in sorted(rest, key=lambda r: vietnamese_key(r.name))]
    return out


def by_name(lines: list[Ranked], start: int = 0, end: int | None = None) -> list[Ranked]:
    """``lines[start:end]`` of one group (as ``read_facts`` gives them) in the ranking's exact
    order: every tie that reaches into the slice sorted by Vietnamese name first."""
    stop = len(lines) if end is None else min(end, len(lines))
    ordered = list(lines)
    for first, last in _ties(lines):
        if last > start and first < stop and last - first > 1:
            ordered[first:last] = sorted(lines[first:last], key=lambda r: vietnamese_key(r.name))
    return ordered[start:stop]


def _ranked(line: Ranked, rank: int | None) -> Ranked:
    return Ranked(
        line.agency_id,
        line.code,
        line.name,
        line.group,
        line.classification,
        line.final_score,
        line.percent,
        rank,
        line.sent,
    )


def read_facts(
    session: Session,
    rnd: Round,
    rules: RoundRules,
    as_of: date | None,
    ahead: ScoresAhead | None = None,
) -> RoundFacts:
    """The members, scores and ranking of an appraised round, from a few bulk queries
    (``ahead``: the score lines being read in another thread)."""
    from ..store.models import FormImport

    members = read_members(session, rnd, rules, as_of)
    imported = set(
        session.scalars(select(FormImport.agency_id).where(FormImport.round_id == rnd.id))
    )
    in_use = {m.group_id for m in members}
    form_of_group: dict[int, int | None] = {g.number: g.form_id for g in rnd.groups}
    forms: dict[int, FormTree] = {}
    for group in rnd.groups:
        if group.id not in in_use:
            continue
        if group.form_id is None:
            raise ServiceError(f"Nhóm {group.number} năm {rnd.year} chưa có phiếu đánh giá.")
        if group.form_id not in forms:
            forms[group.form_id] = form_tree(session, group.form_id)
    criteria = {
        cid: (form, code)
        for cid, form, code in session.execute(
            select(CriterionRow.id, CriterionRow.form_id, CriterionRow.code).where(
                CriterionRow.form_id.in_(list(forms))
            )
        )
    }
    form_of_member = {m.agency_id: form_of_group[m.group] for m in members}
    participants = {m.agency_id: form_of_member[m.agency_id] for m in members if m.sent}
    scores = read_scores(
        session,
        rnd.id,
        {a: f for a, f in participants.items() if f is not None},
        forms,
        criteria,
        {m.agency_id: m.group_id for m in members},
        ahead,
    )
    totals = {form: compile_list_totals(tree) for form, tree in forms.items()}
    lines: list[Ranked] = []
    for group in rnd.groups:
        mine = [m for m in members if m.group_id == group.id]
        if not mine:
            continue
        assert group.form_id is not None
        maximum, total = forms[group.form_id].max_points, totals[group.form_id]
        unsorted = [_line(m, maximum, total, scores, rules) for m in mine]
        lines += _rank(unsorted)
    return RoundFacts(members, scores, forms, form_of_group, lines, imported)


def _line(
    m: Member, maximum: Decimal, total: ListTotals, scores: RoundScores, rules: RoundRules
) -> Ranked:
    if not m.sent:
        cls = (
            Classification.NOT_RANKED
            if m.decision.status is LatenessStatus.NOT_RANKED
            else Classification.WEAK
        )
        return Ranked(m.agency_id, m.code, m.name, m.group, cls, ZERO, ZERO, None, False)
    mine = scores.points.get(m.agency_id)
    appraised = total(mine.appraised_values if mine else ())
    result = outcome(appraised, maximum, m.decision, rules.thresholds)
    return Ranked(
        m.agency_id,
        m.code,
        m.name,
        m.group,
        result.classification,
        result.final_score,
        result.percent,
        None,
        True,
    )
