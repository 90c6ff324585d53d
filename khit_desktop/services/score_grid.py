"""What the scoring grid shows for one agency, and the agencies' appraisal progress."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.classification import Classification, outcome
from ..domain.collation import vietnamese_key
from ..domain.criteria import Criterion, FormTree, RuleKind, tree_totals
from ..domain.lateness import LatenessDecision
from ..domain.rule_syntax import ParentRule, format_rule
from ..store.database import Database
from ..store.models import Explanation, FormImport, Round, RoundAgency, ScoreRow
from .errors import InputRefused
from .general_data import load_general
from .group_points import group_points
from .receipts import lateness_by_agency, member
from .rounds import get_round, rules_of
from .scores import SOURCES

PROGRESS_LABELS = {
    "none": "Chưa có phiếu",
    "imported": "Đã nhập phiếu",
    "appraising": "Đang thẩm định",
    "done": "Đã thẩm định xong",
}


@dataclass(frozen=True)
class GridRow:
    """One criterion of one agency."""

    code: str
    depth: int
    title: str
    max_points: Decimal
    rule_text: str
    is_leaf: bool
    kind: RuleKind | None
    self_figure: str
    self_points: Decimal | None
    computed: Decimal | None
    appraised: Decimal | None
    appraised_figure: str
    reason: str
    source: str
    evidence: str
    adjusted: bool  # the appraisal set its own figure or points
    waiting: str = ""  # "đang chờ giải trình" while an explanation is awaited
    version: int = 0  # the score row's version (0: no row yet), for expected_version

    @property
    def difference(self) -> Decimal | None:
        if self.appraised is None or self.self_points is None:
            return None
        return self.appraised - self.self_points

    @property
    def flagged(self) -> bool:
        """The agency's typed points differ from what its own figures give."""
        return (
            self.is_leaf
            and self.computed is not None
            and self.self_points is not None
            and self.computed != self.self_points
        )


@dataclass(frozen=True)
class GeneralRow:
    code: str
    label: str
    self_value: Decimal | None
    appraised_value: Decimal | None
    reason: str


@dataclass(frozen=True)
class AgencySheet:
    year: int
    agency_code: str
    agency_name: str
    group: int
    rows: tuple[GridRow, ...]
    general: tuple[GeneralRow, ...]
    self_total: Decimal
    appraised_total: Decimal
    penalty: Decimal
    final_score: Decimal
    max_points: Decimal
    percent: Decimal
    classification: Classification
    lateness: LatenessDecision
    normalised: tuple[str, ...]  # codes recomputed for the whole group
    done: bool


def figure_text(
    criterion: Criterion,
    answer: dict[str, Any] | None,
    general: dict[str, Decimal | None] | None = None,
) -> str:
    """An answer as a clerk reads it ('45/50', 'Có', 'Đại học', '3'); a ratio on a general
    datum shows the datum's value ('316/338')."""
    if not answer or criterion.rule is None:
        return ""
    match criterion.rule.kind:
        case RuleKind.TYPED:
            return ""
        case RuleKind.YES_NO:
            return "Có" if answer.get("yes") else "Không"
        case RuleKind.OPTIONS:
            return str(answer.get("option", ""))
        case RuleKind.RATIO:
            a = str(answer.get("numerator", "")).replace(".", ",")
            b = answer.get("denominator")
            if b is None and criterion.rule.denominator:
                value = (general or {}).get(criterion.rule.denominator)
                b = value if value is not None else criterion.rule.denominator
            return f"{a}/{str(b).replace('.', ',')}"
        case RuleKind.PER_ITEM | RuleKind.DEDUCTION:
            return str(answer.get("count", ""))
        case _:
            return str(answer.get("value", "")).replace(".", ",")


def _rows(
    tree: FormTree,
    scores: dict[str, ScoreRow],
    self_points: dict[str, Decimal],
    computed: dict[str, Decimal],
    appraised: dict[str, Decimal],
    self_nodes: dict[str, Decimal],
    appraised_nodes: dict[str, Decimal],
    own_general: dict[str, Decimal | None],
    appraised_general: dict[str, Decimal | None],
    pending: set[str],
) -> list[GridRow]:
    rows: list[GridRow] = []

    def visit(node: Criterion, depth: int) -> None:
        row = scores.get(node.code)
        own = json.loads(row.self_answer) if row and row.self_answer else None
        theirs = json.loads(row.appraised_answer) if row and row.appraised_answer else None
        rule = node.rule if node.rule is not None else ParentRule(node.gate)
        rows.append(
            GridRow(
                code=node.code,
                depth=depth,
                title=node.title,
                max_points=node.max_points,
                rule_text=format_rule(rule, node.max_points),
                is_leaf=node.is_leaf,
                kind=node.rule.kind if node.rule else None,
                self_figure=figure_text(node, own, own_general),
                self_points=(
                    self_points.get(node.code) if node.is_leaf else self_nodes.get(node.code)
                ),
                computed=computed.get(node.code) if node.is_leaf else None,
                appraised=(
                    appraised.get(node.code) if node.is_leaf else appraised_nodes.get(node.code)
                ),
                appraised_figure=figure_text(node, theirs, appraised_general),
                reason=row.reason if row else "",
                source=SOURCES.get(row.source, row.source) if row else "",
                evidence=node.evidence,
                adjusted=bool(row and (row.appraised_answer or row.appraised_points is not None)),
                waiting="đang chờ giải trình" if node.code in pending else "",
                version=row.version if row else 0,
            )
        )
        for child in node.children:
            visit(child, depth + 1)

    for area in tree.areas:
        visit(area, 0)
    return rows


def agency_sheet(
    db: Database, year: int, agency_code: str, *, as_of: date | None = None
) -> AgencySheet:
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        if m.group.form_id is None:
            raise InputRefused(f"Nhóm {m.group.number} năm {year} chưa có phiếu đánh giá.")
        lateness = lateness_by_agency(s, rnd, as_of)
        participants = {
            a
            for a, (mm, _, d) in lateness.items()
            if mm.group_id == m.group_id and d.counted is not None and not mm.exempt_reason
        } | {m.agency_id}
        points = group_points(s, rnd.id, m.group.form_id, participants)
        tree = points.tree
        mine_self = points.self_points.get(m.agency_id, {})
        mine_appraised = points.appraised.get(m.agency_id, {})
        self_totals = tree_totals(tree, mine_self)
        appraised_totals = tree_totals(tree, mine_appraised)
        decision = lateness[m.agency_id][2]
        result = outcome(
            appraised_totals.total, tree.max_points, decision, rules_of(rnd).thresholds
        )
        scores = _scores_by_code(s, rnd, m)
        general = load_general(s, rnd.id, [m.agency_id]).get(m.agency_id, {})
        own_general = {code: f.self_value for code, f in general.items()}
        appraised_general = {code: f.effective for code, f in general.items()}
        return AgencySheet(
            year=year,
            agency_code=m.agency.code,
            agency_name=m.name,
            group=m.group.number,
            rows=tuple(
                _rows(
                    tree,
                    scores,
                    mine_self,
                    points.computed.get(m.agency_id, {}),
                    mine_appraised,
                    self_totals.by_code,
                    appraised_totals.by_code,
                    own_general,
                    appraised_general,
                    _pending(s, rnd.id, m.agency_id),
                )
            ),
            general=tuple(
                GeneralRow(
                    g.code,
                    g.label,
                    general[g.code].self_value if g.code in general else None,
                    general[g.code].appraised_value if g.code in general else None,
                    general[g.code].reason if g.code in general else "",
                )
                for g in tree.general
            ),
            self_total=self_totals.total,
            appraised_total=appraised_totals.total,
            penalty=result.penalty,
            final_score=result.final_score,
            max_points=tree.max_points,
            percent=result.percent,
            classification=result.classification,
            lateness=decision,
            normalised=tuple(
                c.code for c in tree.leaves() if c.rule and c.rule.kind is RuleKind.NORMALISED
            ),
            done=m.appraisal_done,
        )


def _pending(session: Session, round_id: int, agency_id: int) -> set[str]:
    """Criteria with an explanation asked and not yet answered."""
    rows = session.scalars(
        select(Explanation).where(
            Explanation.round_id == round_id,
            Explanation.agency_id == agency_id,
            Explanation.answer_date.is_(None),
        )
    )
    return {code for row in rows for code in json.loads(row.criteria_json)}


def _scores_by_code(session: Session, rnd: Round, m: RoundAgency) -> dict[str, ScoreRow]:
    rows = session.scalars(
        select(ScoreRow).where(ScoreRow.round_id == rnd.id, ScoreRow.agency_id == m.agency_id)
    ).all()
    return {row.criterion.code: row for row in rows}


@dataclass(frozen=True)
class AgencyProgress:
    agency_code: str
    agency_name: str
    group: int
    state: str  # key of PROGRESS_LABELS

    @property
    def label(self) -> str:
        return PROGRESS_LABELS[self.state]


def progress(db: Database, year: int) -> list[AgencyProgress]:
    """Each agency of the round: no form / imported / appraising / done."""
    with db.session() as s:
        rnd = get_round(s, year)
        scored = dict(
            s.execute(
                select(ScoreRow.agency_id, ScoreRow.id).where(ScoreRow.round_id == rnd.id)
            ).all()
        )
        adjusted = set(
            s.scalars(
                select(ScoreRow.agency_id).where(
                    ScoreRow.round_id == rnd.id,
                    (ScoreRow.appraised_answer.is_not(None))
                    | (ScoreRow.appraised_points.is_not(None)),
                )
            )
        )
        imported = set(s.scalars(select(FormImport.agency_id).where(FormImport.round_id == rnd.id)))
        lines = []
        for m in rnd.members:
            if m.appraisal_done:
                state = "done"
            elif m.agency_id in adjusted:
                state = "appraising"
            elif m.agency_id in scored or m.agency_id in imported:
                state = "imported"
            else:
                state = "none"
            lines.append(AgencyProgress(m.agency.code, m.name, m.group.number, state))
    lines.sort(key=lambda p: (p.group, vietnamese_key(p.agency_name)))
    return lines
