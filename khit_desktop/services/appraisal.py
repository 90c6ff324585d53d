"""The scoring grid's writes: appraised points with a reason, undo, general data, done flag,
cross-check records (Điều 7.2.b)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.collation import nfc
from ..store.database import Database
from ..store.models import CriterionRow, CrossCheck, ScoreRow
from .audit import Actor, now_utc, record
from .concurrency import reported_as_conflict
from .errors import InputRefused, NotFound
from .general_data import general_versions as load_general_versions
from .general_data import locked_general
from .permissions import Permission
from .receipts import member
from .rounds import ensure_round_open, get_round
from .scores import open_sheet, score_conflicts


@dataclass(frozen=True)
class AppraisalState:
    """What a criterion's appraisal was, so an edit can be undone exactly."""

    answer: dict[str, Any] | None
    points: Decimal | None
    reason: str
    source: str


def appraisal_state(db: Database, year: int, agency_code: str, code: str) -> AppraisalState:
    with db.session() as s:
        sheet = open_sheet(s, year, agency_code, Actor())
        row = sheet.rows.get(sheet.ids.get(code, -1))
        if row is None:
            return AppraisalState(None, None, "", "form")
        return AppraisalState(
            json.loads(row.appraised_answer) if row.appraised_answer else None,
            row.appraised_points,
            row.reason,
            row.source,
        )


def set_appraised_points(
    db: Database,
    year: int,
    agency_code: str,
    code: str,
    points: Decimal,
    *,
    reason: str,
    source: str = "cross_check",
    actor: Actor | None = None,
    expected_version: int | None = None,
    overwrite_reason: str = "",
) -> None:
    """The appraised points of a leaf; a reason is required (the grid asks when they differ
    from the self-assessed points, and keeps the agency's own points as reason otherwise).
    ``expected_version`` is the row's version the grid showed (``GridRow.version``): another
    clerk's save in between is refused with ``EditConflict`` unless ``overwrite_reason``."""
    actor = actor or Actor()
    actor.require(Permission.EDIT_SCORES)
    with score_conflicts(db, year, agency_code, code), db.session() as s:
        sheet = open_sheet(s, year, agency_code, actor)
        sheet.set_appraised(
            code,
            points_value=points,
            reason=reason,
            source=source,
            expected_version=expected_version,
            overwrite_reason=overwrite_reason,
        )


def restore_appraisal(
    db: Database,
    year: int,
    agency_code: str,
    code: str,
    state: AppraisalState,
    *,
    reason: str,
    actor: Actor | None = None,
    expected_version: int | None = None,
    overwrite_reason: str = "",
) -> None:
    """Put a criterion's appraisal back as it was (undo), audited as a change of its own.
    ``expected_version``: the row's version after the edit being undone — an undo never
    silently erases another clerk's later change (``services.concurrency``)."""
    actor = actor or Actor()
    actor.require(Permission.EDIT_SCORES)
    with score_conflicts(db, year, agency_code, code), db.session() as s:
        sheet = open_sheet(s, year, agency_code, actor)
        sheet.restore_appraised(
            code,
            state.answer,
            state.points,
            state.reason,
            state.source,
            why=reason,
            expected_version=expected_version,
            overwrite_reason=overwrite_reason,
        )


def set_done(
    db: Database, year: int, agency_code: str, done: bool, *, actor: Actor | None = None
) -> None:
    """Mark an agency's appraisal finished (or reopen it)."""
    actor = actor or Actor()
    actor.require(Permission.EDIT_SCORES)
    with db.session() as s:
        rnd = get_round(s, year)
        ensure_round_open(rnd)
        m = member(s, rnd, agency_code)
        if m.appraisal_done == done:
            return
        m.appraisal_done = done
        record(
            s,
            actor,
            "appraisal.done" if done else "appraisal.reopen",
            "round_agency",
            m.id,
            year=year,
            old={"done": not done},
            new={"agency": m.agency.code, "done": done},
        )


def set_general_value(
    db: Database,
    year: int,
    agency_code: str,
    code: str,
    value: Decimal | None,
    *,
    appraised: bool,
    reason: str = "",
    actor: Actor | None = None,
    expected_version: int | None = None,
    overwrite_reason: str = "",
) -> None:
    """A general datum; ``expected_version`` is the datum's version the screen showed
    (``general_versions``; 0 = no row yet), checked like a score's (``services.concurrency``)."""
    actor = actor or Actor()
    # the agency's own figure is part of its form; the appraised one is an appraisal
    actor.require(Permission.EDIT_SCORES if appraised else Permission.IMPORT_FORMS)
    with _general_conflicts(db, year, agency_code, code), db.session() as s:
        open_sheet(s, year, agency_code, actor).set_general(
            code,
            value,
            appraised=appraised,
            reason=reason,
            expected_version=expected_version,
            overwrite_reason=overwrite_reason,
        )


def general_versions(db: Database, year: int, agency_code: str) -> dict[str, int]:
    """The versions of an agency's general data rows, by code (absent: no row yet, 0)."""
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        return load_general_versions(s, rnd.id, m.agency_id)


def _general_conflicts(db: Database, year: int, agency_code: str, code: str) -> Any:
    """A save of one datum that lost a race at commit becomes an EditConflict."""

    def find(s: Session) -> tuple[int, int] | None:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        row = locked_general(s, rnd.id, m.agency_id, code)
        return (row.id, row.version) if row is not None else None

    return reported_as_conflict(
        db, f"Số liệu chung '{code}' của {agency_code}", "general_value", find
    )


@dataclass(frozen=True)
class CrossCheckView:
    id: int
    criterion: str
    source_agency: str
    figure: str
    document: str
    note: str
    recorded_at: datetime
    recorded_by: str


def add_cross_check(
    db: Database,
    year: int,
    agency_code: str,
    code: str,
    *,
    source_agency: str,
    figure: str,
    document: str = "",
    note: str = "",
    actor: Actor | None = None,
) -> int:
    """Record the figure a specialised agency reported for a criterion (Điều 7.2.b)."""
    actor = actor or Actor()
    actor.require(Permission.EDIT_SCORES)
    source_agency, figure = nfc(source_agency).strip(), nfc(figure).strip()
    if not source_agency or not figure:
        raise InputRefused("Cần ghi cơ quan cung cấp số liệu và số liệu đối chiếu.")
    with db.session() as s:
        rnd = get_round(s, year)
        ensure_round_open(rnd)
        m = member(s, rnd, agency_code)
        criterion = s.scalar(
            select(CriterionRow).where(
                CriterionRow.form_id == m.group.form_id, CriterionRow.code == code
            )
        )
        if criterion is None:
            raise NotFound(f"Phiếu đánh giá không có tiêu chí mã '{code}'.")
        row = CrossCheck(
            round_id=rnd.id,
            agency_id=m.agency_id,
            criterion_id=criterion.id,
            source_agency=source_agency,
            figure=figure,
            document=nfc(document).strip(),
            note=nfc(note).strip(),
            recorded_at=now_utc(),
            recorded_by=actor.user,
        )
        s.add(row)
        s.flush()
        record(
            s,
            actor,
            "crosscheck.add",
            "cross_check",
            row.id,
            year=year,
            new={
                "agency": m.agency.code,
                "criterion": code,
                "source": source_agency,
                "figure": figure,
                "document": row.document,
                "note": row.note,
            },
        )
        return row.id


def cross_checks(db: Database, year: int, agency_code: str) -> list[CrossCheckView]:
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        rows = s.execute(
            select(CrossCheck, CriterionRow.code)
            .join(CriterionRow, CrossCheck.criterion_id == CriterionRow.id)
            .where(CrossCheck.round_id == rnd.id, CrossCheck.agency_id == m.agency_id)
            .order_by(CrossCheck.id)
        ).all()
        return [
            CrossCheckView(
                c.id,
                code,
                c.source_agency,
                c.figure,
                c.document,
                c.note,
                c.recorded_at,
                c.recorded_by,
            )
            for c, code in rows
        ]


def score_history(db: Database, year: int, agency_code: str, code: str) -> list[dict[str, Any]]:
    """Every audited change of one criterion of one agency, oldest first."""
    from ..store.models import AuditEvent

    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        ids = list(
            s.scalars(
                select(ScoreRow.id)
                .join(CriterionRow, ScoreRow.criterion_id == CriterionRow.id)
                .where(
                    ScoreRow.round_id == rnd.id,
                    ScoreRow.agency_id == m.agency_id,
                    CriterionRow.code == code,
                )
            )
        )
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "score", AuditEvent.entity_id.in_(ids))
            .order_by(AuditEvent.id)
        ).all()
        return [
            {
                "at": e.at_utc,
                "user": e.user,
                "action": e.action,
                "reason": e.reason,
                "new": json.loads(e.new_json) if e.new_json else None,
            }
            for e in events
        ]
