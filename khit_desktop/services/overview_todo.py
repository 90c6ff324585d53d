"""The appraisal's open work, read in bulk: explanations, council decisions, surveys, and
each criterion whose appraised points differ from the self-assessed ones; and the "việc cần
làm" list built from it, each item naming the screen and the row that settles it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import compress, repeat
from operator import gt, sub

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.criteria import FormTree, RuleKind
from ..domain.dates import format_date
from ..domain.lateness import LatenessStatus
from ..domain.numbers import format_points
from ..store.models import CouncilDecision, Explanation, Survey, SurveyFinding
from .general_data import uses_general
from .overview_model import Screen, TodoItem
from .overview_rank import Member, RoundFacts

# kind → (what the window may show as the kind's heading, the screen that settles it), in
# the order of the list: the work of the round from receiving to the decision
ITEM_KINDS: dict[str, tuple[str, Screen]] = {
    "missing_form": ("Chưa nhận phiếu", Screen.RECEIPTS),
    "not_imported": ("Đã nhận phiếu, chưa nhập vào chương trình", Screen.SCORING),
    "not_appraised": ("Đã nhập phiếu, chưa thẩm định", Screen.SCORING),
    "unexplained": ("Điểm thẩm định khác điểm tự chấm, chưa có lý do", Screen.SCORING),
    "survey_not_recorded": ("Khảo sát chưa ghi kết quả", Screen.SURVEYS),
    "finding_pending": ("Kết quả khảo sát chưa áp dụng", Screen.SURVEYS),
    "explanation_awaited": ("Đang chờ giải trình", Screen.SURVEYS),
    "decision_pending": ("Chờ Hội đồng quyết định", Screen.SURVEYS),
    "appraisal_open": ("Đang thẩm định, chưa đánh dấu xong", Screen.SCORING),
    "decision_number": ("Chưa có số, ngày ký quyết định công bố", Screen.ROUND),
}


@dataclass(frozen=True)
class Change:
    """A leaf whose appraised points differ from the self-assessed ones."""

    agency_id: int
    code: str
    self_points: Decimal
    appraised: Decimal


@dataclass(frozen=True)
class Tally:
    """One agency's leaves whose appraised points differ from the self-assessed ones."""

    changed: int
    raised: Decimal
    lowered: Decimal


@dataclass(frozen=True)
class OpenWork:
    """The appraisal's records that the overview counts and lists."""

    tallies: dict[int, Tally]  # agencies with at least one change
    unexplained: list[Change]  # changes with no written reason
    explanations: list[tuple[int, int, tuple[str, ...], str, date, bool]]
    # (id, agency id, criteria, letter number, letter date, answered)
    decided: set[tuple[int, str]]  # (agency id, criterion) the council decided
    surveys: list[tuple[int, int, date, str]]  # (id, agency id, planned date, state)
    findings: list[tuple[int, int, str, Decimal | None, bool, bool]]
    # (id, survey id, criterion, proposed points, applied, dismissed)
    pending_decisions: list[tuple[int, str, int]] = field(default_factory=list)
    # (agency id, criterion, explanation id) answered, with no council decision yet


def _explained(tree: FormTree, code: str, facts: RoundFacts, agency: int) -> bool:
    """A difference nobody typed has its reason in the rule: a criterion normalised to the
    group's best moves with the others' figures, and a ratio over a general datum moves with
    the appraised datum (whose reason is written on it)."""
    leaf = tree.get(code)
    if leaf.rule is not None and leaf.rule.kind is RuleKind.NORMALISED:
        return True
    datum = uses_general(leaf)
    if datum is None:
        return False
    figure = facts.scores.general.get(agency, {}).get(datum)
    return figure is not None and figure.appraised_value is not None and bool(figure.reason)


def changes(facts: RoundFacts) -> tuple[dict[int, Tally], list[Change]]:
    """Every leaf of the agencies whose form counts where appraised ≠ self-assessed (a blank
    side counts 0, as in the totals), tallied per agency; and those without a reason. The
    differences are taken a list at a time (``map``/``compress`` over the lists aligned to
    the form's layout), not leaf by leaf: a large round has 86.000 leaves."""
    form_of = {m.agency_id: facts.form_of_group[m.group] for m in facts.members}
    tallies: dict[int, Tally] = {}
    unexplained: list[Change] = []
    zero = Decimal(0)
    for agency, mine in facts.scores.points.items():
        form = form_of.get(agency)
        if form is None:
            continue
        own, appraised = mine.own_values, mine.appraised_values
        if own == appraised:
            continue
        moved = list(map(sub, appraised, own))  # a Decimal 0 is false: unmoved
        changed = len(moved) - moved.count(zero)
        if not changed:
            continue
        raised = sum(compress(moved, map(gt, moved, repeat(zero))), zero)
        net = sum(moved, zero)
        tallies[agency] = Tally(changed, raised, raised - net)
        if not mine.unreasoned and mine.all_adjusted():
            continue  # every difference is an adjustment with its reason
        # an adjustment carries its reason; a difference nobody typed may have its reason
        # in the rule (``_explained``)
        suspects = set(mine.unreasoned)
        if not mine.all_adjusted():  # some criterion the appraisal did not touch
            moved_at = compress(range(len(moved)), moved)
            suspects.update(at for at in moved_at if not mine.is_adjusted(at))
        codes = mine.layout.codes
        for at in sorted(suspects):
            code = codes[at]
            if mine.is_adjusted(at) or not _explained(facts.forms[form], code, facts, agency):
                if moved[at]:
                    unexplained.append(Change(agency, code, own[at], appraised[at]))
    return tallies, unexplained


def read_open_work(session: Session, round_id: int, facts: RoundFacts) -> OpenWork:
    return with_changes(read_records(session, round_id), facts)


def with_changes(records: OpenWork, facts: RoundFacts) -> OpenWork:
    """``records`` (``read_records``) with the differences of ``facts`` (``changes``)."""
    tallies, unexplained = changes(facts)
    return replace(records, tallies=tallies, unexplained=unexplained)


def read_records(session: Session, round_id: int) -> OpenWork:
    """Explanations, council decisions, surveys and findings (no differences yet: they come
    from the scores, ``with_changes``)."""
    explanations = [
        (
            e.id,
            e.agency_id,
            tuple(json.loads(e.criteria_json)),
            e.letter_number,
            e.letter_date,
            e.answer_date is not None,
        )
        for e in session.execute(
            select(
                Explanation.id,
                Explanation.agency_id,
                Explanation.criteria_json,
                Explanation.letter_number,
                Explanation.letter_date,
                Explanation.answer_date,
            )
            .where(Explanation.round_id == round_id)
            .order_by(Explanation.id)
        )
    ]
    decided = {
        (a, c)
        for a, c in session.execute(
            select(CouncilDecision.agency_id, CouncilDecision.code).where(
                CouncilDecision.round_id == round_id
            )
        )
    }
    surveys = [
        (i, a, d, s)
        for i, a, d, s in session.execute(
            select(Survey.id, Survey.agency_id, Survey.planned_date, Survey.state)
            .where(Survey.round_id == round_id)
            .order_by(Survey.planned_date, Survey.id)
        )
    ]
    findings = [
        (i, sid, code, Decimal(p) if p is not None else None, applied is not None, bool(why))
        for i, sid, code, p, applied, why in session.execute(
            select(
                SurveyFinding.id,
                SurveyFinding.survey_id,
                SurveyFinding.code,
                SurveyFinding.proposed_points,
                SurveyFinding.applied_at,
                SurveyFinding.dismissed_reason,
            )
            .join(Survey, Survey.id == SurveyFinding.survey_id)
            .where(Survey.round_id == round_id)
            .order_by(SurveyFinding.survey_id, SurveyFinding.id)
        )
    ]
    # a disputed criterion waits for the council once the agency has answered (a criterion
    # still under an unanswered letter waits for the answer first)
    awaiting = {
        (a, c) for _, a, codes, _, _, answered in explanations if not answered for c in codes
    }
    pending: dict[tuple[int, str], int] = {}
    for eid, agency, codes, _, _, answered in explanations:
        for code in codes:
            key = (agency, code)
            if answered and key not in decided and key not in awaiting:
                pending.setdefault(key, eid)
    return OpenWork(
        {},
        [],
        explanations,
        decided,
        surveys,
        findings,
        [(a, c, e) for (a, c), e in pending.items()],
    )


def progress_state(m: Member, facts: RoundFacts) -> str:
    """``score_grid.progress``'s state: "none", "imported", "appraising" or "done"."""
    if m.done:
        return "done"
    if m.agency_id in facts.scores.adjusted:
        return "appraising"
    if m.agency_id in facts.scores.scored or m.agency_id in facts.imported:
        return "imported"
    return "none"


def _criterion_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


def todo_items(
    facts: RoundFacts,
    work: OpenWork,
    *,
    decision_missing: bool,
    year: int,
) -> tuple[TodoItem, ...]:
    """Every open item, in ``ITEM_KINDS`` order, then by group and the round's list of
    agencies, then criterion."""
    members = {m.agency_id: m for m in facts.members}
    position = {m.agency_id: i for i, m in enumerate(facts.members)}
    items: list[tuple[tuple[object, ...], TodoItem]] = []
    order = {kind: i for i, kind in enumerate(ITEM_KINDS)}

    def add(kind: str, text: str, agency: int | None = None, code: str = "", **ids: int) -> None:
        m = members.get(agency) if agency is not None else None
        key = (
            order[kind],
            m.group if m else 0,
            position.get(agency, -1) if agency is not None else -1,
            _criterion_key(code),
            tuple(ids.values()),
        )
        item = TodoItem(
            kind,
            text,
            ITEM_KINDS[kind][1].value,
            m.code if m else "",
            code,
            ids.get("survey_id"),
            ids.get("finding_id"),
            ids.get("explanation_id"),
            m.group if m else None,
        )
        items.append((key, item))

    def who(agency: int) -> str:
        m = members.get(agency)
        return f"{m.name} (Nhóm {m.group})" if m else f"cơ quan số {agency}"

    for m in facts.members:
        state = progress_state(m, facts)
        if m.exempt_reason is not None:
            continue  # not ranked this year: nothing of its form is awaited
        if m.decision.status is LatenessStatus.MISSING:
            add("missing_form", f"{who(m.agency_id)}: {m.decision.explanation}", m.agency_id)
        elif m.sent and state == "none":
            add(
                "not_imported",
                f"{who(m.agency_id)}: đã nhận phiếu, chưa nhập điểm tự đánh giá.",
                m.agency_id,
            )
        if state == "imported":
            add("not_appraised", f"{who(m.agency_id)}: đã nhập phiếu, chưa thẩm định.", m.agency_id)
        elif state == "appraising":
            add(
                "appraisal_open",
                f"{who(m.agency_id)}: đang thẩm định, chưa đánh dấu thẩm định xong.",
                m.agency_id,
            )
    for change in work.unexplained:
        add(
            "unexplained",
            f"{who(change.agency_id)}, tiêu chí {change.code}: tự chấm "
            f"{format_points(change.self_points)}, thẩm định {format_points(change.appraised)}"
            " — chưa ghi lý do.",
            change.agency_id,
            change.code,
        )
    names = {sid: agency for sid, agency, _, _ in work.surveys}
    for sid, agency, planned, state in work.surveys:
        if state == "planned":
            add(
                "survey_not_recorded",
                f"{who(agency)}: khảo sát dự kiến ngày {format_date(planned)} chưa ghi kết quả.",
                agency,
                survey_id=sid,
            )
    for fid, sid, code, proposed, applied, dismissed in work.findings:
        if applied or dismissed:
            continue
        agency = names[sid]
        offer = (
            f"đề xuất {format_points(proposed)} điểm" if proposed is not None else "chưa có điểm"
        )
        add(
            "finding_pending",
            f"{who(agency)}, tiêu chí {code}: kết quả khảo sát chưa áp dụng ({offer}).",
            agency,
            code,
            survey_id=sid,
            finding_id=fid,
        )
    for eid, agency, codes, letter, day, answered in work.explanations:
        if answered:
            continue
        add(
            "explanation_awaited",
            f"{who(agency)}, tiêu chí {', '.join(codes)}: đang chờ giải "
            f"trình (công văn {letter} ngày {format_date(day)}).",
            agency,
            codes[0] if codes else "",
            explanation_id=eid,
        )
    for agency, code, eid in work.pending_decisions:
        add(
            "decision_pending",
            f"{who(agency)}, tiêu chí {code}: đã giải trình, chờ Hội đồng quyết định.",
            agency,
            code,
            explanation_id=eid,
        )
    if decision_missing:
        add(
            "decision_number",
            f"Chưa ghi số và ngày ký của quyết định công bố kết quả năm {year} "
            "(Kỳ đánh giá → Quyết định công bố kết quả…).",
        )
    items.sort(key=lambda pair: pair[0])
    return tuple(item for _, item in items)
