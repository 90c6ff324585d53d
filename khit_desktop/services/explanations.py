"""Giải trình (explanations asked of an agency) and the council's decisions on disputed
criteria — the last word on a criterion's appraised score."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..domain.collation import nfc
from ..domain.dates import format_date
from ..store.database import Database
from ..store.models import Agency, CouncilDecision, Explanation, Round
from .audit import Actor, now_utc, record
from .errors import InputRefused, NotFound
from .permissions import Permission
from .receipts import member
from .rounds import ensure_round_open, get_round
from .scores import open_sheet


@dataclass(frozen=True)
class ExplanationView:
    id: int
    agency_code: str
    criteria: tuple[str, ...]
    letter_number: str
    letter_date: date
    question: str
    answer: str
    answer_date: date | None
    answer_number: str

    @property
    def pending(self) -> bool:
        return self.answer_date is None

    @property
    def state_label(self) -> str:
        if self.pending:
            return "đang chờ giải trình"
        return f"đã giải trình ngày {format_date(self.answer_date)}" if self.answer_date else ""


def request_explanation(
    db: Database,
    year: int,
    agency_code: str,
    *,
    criteria: list[str],
    letter_number: str,
    letter_date: date,
    question: str = "",
    actor: Actor | None = None,
) -> int:
    actor = actor or Actor()
    actor.require(Permission.EXPLANATIONS)
    letter_number = nfc(letter_number).strip()
    if not criteria:
        raise InputRefused("Chọn ít nhất một tiêu chí cần giải trình.")
    if not letter_number:
        raise InputRefused("Cần ghi số, ký hiệu văn bản đề nghị giải trình.")
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        if letter_date > date.today() or letter_date.year < year:
            raise InputRefused(
                f"Ngày văn bản {format_date(letter_date)} không hợp lý cho kỳ đánh giá năm {year}."
            )
        sheet = open_sheet(s, year, agency_code, actor)
        unknown = [c for c in criteria if c not in sheet.tree]
        if unknown:
            raise InputRefused("Phiếu không có tiêu chí: " + ", ".join(unknown) + ".")
        row = Explanation(
            round_id=rnd.id,
            agency_id=m.agency_id,
            criteria_json=json.dumps(criteria),
            letter_number=letter_number,
            letter_date=letter_date,
            question=nfc(question).strip(),
            answer="",
            answer_number="",
            created_at=now_utc(),
            created_by=actor.user,
        )
        s.add(row)
        s.flush()
        record(
            s,
            actor,
            "explanation.request",
            "explanation",
            row.id,
            year=year,
            new={
                "agency": m.agency.code,
                "criteria": criteria,
                "letter": letter_number,
                "letter_date": letter_date,
                "question": row.question,
            },
        )
        return row.id


def record_answer(
    db: Database,
    explanation_id: int,
    *,
    answer: str,
    answer_date: date,
    answer_number: str = "",
    actor: Actor | None = None,
) -> None:
    actor = actor or Actor()
    actor.require(Permission.EXPLANATIONS)
    answer = nfc(answer).strip()
    if not answer:
        raise InputRefused("Cần ghi nội dung giải trình của cơ quan.")
    with db.session() as s:
        row = s.get(Explanation, explanation_id)
        if row is None:
            raise NotFound(f"Không có đề nghị giải trình số {explanation_id}.")
        rnd_check = s.get(Round, row.round_id)
        if rnd_check is not None:
            ensure_round_open(rnd_check)
        if answer_date > date.today():
            raise InputRefused(f"Ngày giải trình {format_date(answer_date)} ở sau ngày hôm nay.")
        if answer_date < row.letter_date:
            raise InputRefused(
                f"Ngày giải trình {format_date(answer_date)} trước ngày đề nghị "
                f"{format_date(row.letter_date)}."
            )
        rnd = s.get(Round, row.round_id)
        old = {"answer": row.answer, "answer_date": row.answer_date}
        row.answer, row.answer_date = answer, answer_date
        row.answer_number = nfc(answer_number).strip()
        record(
            s,
            actor,
            "explanation.answer",
            "explanation",
            row.id,
            year=rnd.year if rnd else None,
            old=old,
            new={"answer": answer, "answer_date": answer_date, "answer_number": row.answer_number},
        )


def explanations(db: Database, year: int, agency_code: str | None = None) -> list[ExplanationView]:
    with db.session() as s:
        rnd = get_round(s, year)
        query = (
            select(Explanation, Agency.code)
            .join(Agency, Agency.id == Explanation.agency_id)
            .where(Explanation.round_id == rnd.id)
        )
        if agency_code is not None:
            query = query.where(Agency.code == agency_code)
        return [
            ExplanationView(
                e.id,
                code,
                tuple(json.loads(e.criteria_json)),
                e.letter_number,
                e.letter_date,
                e.question,
                e.answer,
                e.answer_date,
                e.answer_number,
            )
            for e, code in s.execute(query.order_by(Explanation.id)).all()
        ]


def pending_criteria(db: Database, year: int, agency_code: str) -> set[str]:
    """Criteria of an agency still "đang chờ giải trình"."""
    return {c for e in explanations(db, year, agency_code) if e.pending for c in e.criteria}


@dataclass(frozen=True)
class DecisionView:
    id: int
    agency_code: str
    code: str
    meeting_date: date
    decision: str
    points: Decimal


def record_decision(
    db: Database,
    year: int,
    agency_code: str,
    code: str,
    *,
    meeting_date: date,
    decision: str,
    points_value: Decimal,
    actor: Actor | None = None,
) -> int:
    """The council's decision on a disputed criterion sets its appraised score (source
    "Hội đồng"); nothing else may change that score afterwards but another decision."""
    actor = actor or Actor()
    actor.require(Permission.COUNCIL_DECISIONS)
    decision = nfc(decision).strip()
    if not decision:
        raise InputRefused("Cần ghi nội dung quyết định của Hội đồng.")
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, agency_code)
        if meeting_date > date.today() or meeting_date.year < year:
            raise InputRefused(
                f"Ngày họp {format_date(meeting_date)} không hợp lý cho kỳ đánh giá năm {year}."
            )
        reason = f"Hội đồng thẩm định họp ngày {format_date(meeting_date)}: {decision}"
        sheet = open_sheet(s, year, agency_code, actor)
        sheet.set_appraised(
            code, points_value=points_value, reason=reason, source="council", by_decision=True
        )
        sheet.finish()
        row = s.scalar(
            select(CouncilDecision).where(
                CouncilDecision.round_id == rnd.id,
                CouncilDecision.agency_id == m.agency_id,
                CouncilDecision.code == code,
            )
        )
        old = (
            None
            if row is None
            else {"decision": row.decision, "points": row.points, "meeting_date": row.meeting_date}
        )
        if row is None:
            row = CouncilDecision(round_id=rnd.id, agency_id=m.agency_id, code=code)
            s.add(row)
        row.meeting_date, row.decision = meeting_date, decision
        row.points = sheet.rows[sheet.ids[code]].appraised_points or Decimal(0)
        row.recorded_at, row.recorded_by = now_utc(), actor.user
        s.flush()
        record(
            s,
            actor,
            "council.decide",
            "council_decision",
            row.id,
            year=year,
            old=old,
            new={
                "agency": m.agency.code,
                "criterion": code,
                "meeting_date": meeting_date,
                "decision": decision,
                "points": row.points,
            },
            reason=reason,
        )
        return row.id


def decisions(db: Database, year: int, agency_code: str | None = None) -> list[DecisionView]:
    with db.session() as s:
        rnd = get_round(s, year)
        query = (
            select(CouncilDecision, Agency.code)
            .join(Agency, Agency.id == CouncilDecision.agency_id)
            .where(CouncilDecision.round_id == rnd.id)
        )
        if agency_code is not None:
            query = query.where(Agency.code == agency_code)
        return [
            DecisionView(d.id, code, d.code, d.meeting_date, d.decision, d.points)
            for d, code in s.execute(query.order_by(CouncilDecision.id)).all()
        ]
