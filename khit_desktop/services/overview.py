"""Tổng quan: where a round stands, for the council chair's home screen, the one-page PDF
"Báo cáo tiến độ thẩm định" and ``khit overview``.

``overview(db, year, today=…)`` gives every figure at once (``overview_model.Overview``):

* the round's stage (``round_stage``) and the regulation's calendar with days left
  (``overview_calendar``, where the rule for done / overdue / upcoming is written);
* the forms of each group: on time, late, very late, missing, exempt (as the receipt register
  decides them) and how far their appraisal has come (as ``score_grid.progress`` says);
* the appraisal: criteria whose appraised points differ from the self-assessed ones, the
  points moved each way, explanations awaited, council decisions pending, surveys;
* the results so far: classes per group, the top and bottom of each group's ranking, marked
  provisional until the round is finalised, and last year beside them where it exists;
* the open items ("việc cần làm", ``overview_todo``), each naming the screen and row.

Built from a few bulk queries (``overview_rank``, ``overview_points``, ``overview_todo``):
the numbers are those of ``results.ranking``, ``receipts.register`` and the other services,
which the tests check figure by figure on the demo.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ..domain.classification import Classification
from ..domain.lateness import LatenessStatus
from ..domain.movement import MovementKind, Standing, compare
from ..domain.numbers import ZERO
from ..domain.rules import RoundRules
from ..store.database import Database
from ..store.models import Round
from .catalog import is_demo
from .finalise import FINALIZED, RECEIVING, FinalisationInfo, Reopening
from .overview_calendar import DISTRICT_GROUP, round_calendar
from .overview_model import (
    AgencyResult,
    GroupAppraisal,
    GroupForms,
    GroupResults,
    MovementCounts,
    Overview,
    Results,
    SurveyCounts,
    zero_counts,
)
from .overview_query import ScoresAhead, can_read_ahead, head_of, one_snapshot
from .overview_rank import Ranked, RoundFacts, by_name, read_facts
from .overview_todo import OpenWork, progress_state, read_records, todo_items, with_changes
from .round_stage import StageInfo, stage_of
from .rounds import get_round, rules_of

EDGE = 3  # agencies shown at the top and at the bottom of each group
PROVISIONAL = "Kết quả tạm tính — kỳ đánh giá chưa chốt."
TOTAL_NAME = "Toàn tỉnh"


def _forms(facts: RoundFacts, names: dict[int, str]) -> tuple[GroupForms, ...]:
    rows: list[GroupForms] = []
    for group in [*sorted(names), 0]:
        mine = [m for m in facts.members if group in (0, m.group)]
        if group and not mine:
            continue
        status = [m.decision.status for m in mine]
        states = [progress_state(m, facts) for m in mine]
        rows.append(
            GroupForms(
                group,
                names.get(group, TOTAL_NAME),
                len(mine),
                status.count(LatenessStatus.ON_TIME),
                status.count(LatenessStatus.LATE),
                status.count(LatenessStatus.VERY_LATE),
                status.count(LatenessStatus.MISSING),
                status.count(LatenessStatus.NOT_RANKED),
                states.count("none"),
                states.count("imported"),
                states.count("appraising"),
                states.count("done"),
            )
        )
    return tuple(rows)


def _appraisal(
    facts: RoundFacts, work: OpenWork, names: dict[int, str]
) -> tuple[GroupAppraisal, ...]:
    group_of = {m.agency_id: m.group for m in facts.members}
    rows: list[GroupAppraisal] = []
    for group in [*sorted(names), 0]:
        if group and not any(m.group == group for m in facts.members):
            continue

        def ours(agency: int, group: int = group) -> bool:
            return group == 0 or group_of.get(agency) == group

        tallies = [t for a, t in work.tallies.items() if ours(a)]
        letters = [e for e in work.explanations if ours(e[1])]
        rows.append(
            GroupAppraisal(
                group,
                names.get(group, TOTAL_NAME),
                sum(t.changed for t in tallies),
                len(tallies),
                sum((t.raised for t in tallies), ZERO),
                sum((t.lowered for t in tallies), ZERO),
                sum(1 for c in work.unexplained if ours(c.agency_id)),
                sum(1 for e in letters if not e[5]),
                sum(1 for e in letters if e[5]),
                sum(1 for a, _ in work.decided if ours(a)),
                sum(1 for a, _, _ in work.pending_decisions if ours(a)),
            )
        )
    return tuple(rows)


def _surveys(work: OpenWork) -> SurveyCounts:
    states = [s[3] for s in work.surveys]
    return SurveyCounts(
        states.count("planned"),
        states.count("done"),
        states.count("applied"),
        sum(1 for f in work.findings if f[4]),
        sum(1 for f in work.findings if f[5] and not f[4]),
        sum(1 for f in work.findings if not f[4] and not f[5]),
    )


def _result(line: Ranked) -> AgencyResult:
    return AgencyResult(
        line.code,
        line.name,
        line.group,
        line.rank,
        line.final_score,
        line.percent,
        line.classification,
    )


def _standings(db: Database, year: int) -> list[Ranked] | None:
    """The ranking of ``year`` (None when it has no round): a published year through
    ``results.ranking``, an appraised one through the same bulk reading as this year."""
    from .results import ranking

    with db.session() as s:
        rnd = s.scalar(select(Round).where(Round.year == year))
        if rnd is None:
            return None
        if rnd.kind != "published":
            return read_facts(s, rnd, rules_of(rnd), None).ranking
    return [
        Ranked(
            0,
            r.agency_code,
            r.agency_name,
            r.group,
            r.classification,
            r.final_score,
            r.percent,
            r.rank,
            r.appraised_total is not None,
        )
        for r in ranking(db, year)
    ]


def _movements(before: list[Ranked], now: list[Ranked]) -> dict[int, MovementCounts]:
    previous = {r.code: Standing(r.group, r.rank) for r in before}
    kinds: dict[int, list[MovementKind]] = {}
    for r in now:
        kinds.setdefault(r.group, []).append(
            compare(previous.get(r.code), Standing(r.group, r.rank)).kind
        )
    return {
        group: MovementCounts(
            k.count(MovementKind.UP),
            k.count(MovementKind.DOWN),
            k.count(MovementKind.SAME),
            k.count(MovementKind.NEW),
            k.count(MovementKind.GROUP_CHANGED),
        )
        for group, k in kinds.items()
    }


def _counts(lines: list[Ranked]) -> dict[int, dict[Classification, int]]:
    counts: dict[int, dict[Classification, int]] = {}
    for line in lines:
        mine = counts.setdefault(line.group, zero_counts())
        mine[line.classification] += 1
    return counts


def _results(
    year: int,
    lines: list[Ranked],
    names: dict[int, str],
    final: bool,
    note: str,
    before: list[Ranked] | None,
) -> Results:
    """``before``: the ranking of ``year - 1`` (``_standings``; None: no round)."""
    then = _counts(before) if before is not None else {}
    moves = _movements(before, lines) if before is not None else {}
    now = _counts(lines)
    groups = []
    for group in sorted(now):
        mine = [r for r in lines if r.group == group]
        ranked = sum(1 for r in mine if r.rank is not None)
        top = by_name(mine, 0, min(EDGE, ranked))
        bottom = by_name(mine, max(ranked - EDGE, len(top)), ranked)
        groups.append(
            GroupResults(
                group,
                names.get(group, f"Nhóm {group}"),
                now[group],
                tuple(_result(r) for r in top),
                tuple(_result(r) for r in bottom),
                then.get(group, zero_counts()) if before is not None else None,
                moves.get(group) if before is not None else None,
                ranked,
            )
        )
    return Results(not final, tuple(groups), year - 1 if before is not None else None, note)


def _finalisation(rnd: Round, steps: StageInfo) -> FinalisationInfo:
    """``finalise.finalisation`` from the events the stage has read already (one pass over
    the audit trail instead of two)."""
    reopenings = [
        Reopening(m.at, m.by, m.reason)
        for m in steps.moves
        if m.old == FINALIZED and m.new == RECEIVING
    ]
    return FinalisationInfo(
        rnd.year, rnd.state, rnd.kind, rnd.finalized_at, rnd.finalized_by or "", reopenings
    )


_RECENT: dict[tuple[str, int, date], tuple[tuple[int, str] | None, Overview]] = {}
RECENT_SIZE = 8


def _head(db: Database) -> tuple[int, str] | None:
    """The audit trail's last event (sequence, hash): every change appends one."""
    with db.session() as s:
        return head_of(s)


_PAUSE_LOCK = threading.Lock()
_paused = [0, False]  # readings under way, whether the collector ran before the first


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a round is read. A reading keeps some
    tens of thousands of small objects alive for a while, enough to set off a full
    collection of the whole program (every module, SQLAlchemy, Qt: 40–60 ms on the 2-core
    test machine) in the middle of most readings, for little: reference counting frees the
    reading's objects, and the few cycles (about 980 objects, the database session's) wait
    for the next collection. Counted, so that readings in two threads restore it once;
    left off if it was off."""
    with _PAUSE_LOCK:
        if _paused[0] == 0:
            _paused[1] = gc.isenabled()
            gc.disable()
        _paused[0] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _paused[0] -= 1
            if _paused[0] == 0 and _paused[1]:
                gc.enable()


def forget_recent() -> None:
    """Drop the overviews kept in memory (the benchmark's cold runs)."""
    _RECENT.clear()


def overview(db: Database, year: int, *, today: date) -> Overview:
    """Every figure of the overview of round ``year`` as of ``today`` (read only).

    The last few overviews are kept in memory with the audit trail's head they were read
    at: every change through the program appends an event, so an overview asked again with
    the same head (the chair going back to the home screen) is the same and is given back
    without reading the round again; any change, from this window or another program on the
    same database, reads it afresh."""
    key = (str(db.url), year, today)
    head = _head(db)
    kept = _RECENT.get(key)
    if kept is not None and head is not None and kept[0] == head:
        return kept[1]
    with _collector_paused():
        result = _overview(db, year, today)
    if len(_RECENT) >= RECENT_SIZE:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[key] = (head, result)
    return result


def _overview(db: Database, year: int, today: date) -> Overview:
    with db.session() as s:
        one_snapshot(s, db)
        rnd = get_round(s, year)
        # the largest query starts at once on a second connection (``ScoresAhead``)
        ahead = ScoresAhead(db, rnd.id) if rnd.kind != "published" and can_read_ahead(db) else None
        try:
            rules = rules_of(rnd)
            steps = stage_of(s, rnd)
            info = _finalisation(rnd, steps)
            names = {g.number: g.name for g in rnd.groups}
            decision = (rnd.decision_number or "", rnd.decision_date)
            if info.published:
                facts = None
            else:  # what does not need the scores first, while they are read
                records = read_records(s, rnd.id)
                # the year before on a connection of its own (none to spare: after)
                before = _standings(db, year - 1) if ahead is not None else None
                facts = read_facts(s, rnd, rules, today, ahead)
                work = with_changes(records, facts)
        finally:
            if ahead is not None:
                ahead.close()  # never left reading after a refusal
    note = info.describe() if info.is_final else PROVISIONAL
    if facts is None:
        return _published(db, year, today, names, steps, rules, decision, note)
    if ahead is None:
        before = _standings(db, year - 1)
    final = info.is_final
    district = [m for m in facts.members if m.group == DISTRICT_GROUP and not m.exempt_reason]
    missing = sum(1 for m in facts.members if m.decision.status is LatenessStatus.MISSING)
    calendar = round_calendar(
        rules,
        today,
        missing=missing,
        districts=len(district),
        districts_sent=sum(1 for m in district if m.sent),
        finalised=final,
        finalised_text=info.describe() if final else "",
    )
    return Overview(
        year,
        today,
        is_demo(db),
        False,
        steps,
        calendar,
        _forms(facts, names),
        _appraisal(facts, work, names),
        _surveys(work),
        _results(year, facts.ranking, names, final, note, before),
        () if final else todo_items(facts, work, decision_missing=not all(decision), year=year),
        decision[0],
        decision[1],
    )


def _published(
    db: Database,
    year: int,
    today: date,
    names: dict[int, str],
    steps: StageInfo,
    rules: RoundRules,
    decision: tuple[str, date | None],
    note: str,
) -> Overview:
    lines = _standings(db, year) or []
    empty_forms = tuple(
        GroupForms(
            g,
            names.get(g, TOTAL_NAME),
            sum(1 for r in lines if g in (0, r.group)),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
        )
        for g in [*sorted({r.group for r in lines}), 0]
    )
    empty_appraisal = tuple(
        GroupAppraisal(f.group, f.group_name, 0, 0, ZERO, ZERO, 0, 0, 0, 0, 0) for f in empty_forms
    )
    calendar = round_calendar(
        rules, today, missing=0, districts=0, districts_sent=0, finalised=True, published=True
    )
    return Overview(
        year,
        today,
        is_demo(db),
        True,
        steps,
        calendar,
        empty_forms,
        empty_appraisal,
        SurveyCounts(0, 0, 0, 0, 0, 0),
        _results(year, lines, names, True, note, _standings(db, year - 1)),
        (),
        decision[0],
        decision[1],
    )


def write_overview_pdf(
    db: Database, year: int, path: str | os.PathLike[str], *, today: date
) -> Path:
    """The overview of ``year`` as of ``today`` as the one-page A4 PDF "Báo cáo tiến độ thẩm
    định" (the same data and day give the same bytes). ValueError for a name not ending in
    .pdf."""
    from ..exchange.overview_pdf import write_overview

    return write_overview(overview(db, year, today=today), path)
