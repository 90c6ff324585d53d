"""Khảo sát thực tế (Điều 7.2.c): plan a visit, record its findings, apply each finding only
when a clerk confirms it (source "khảo sát", the finding as its reason)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.collation import nfc, vietnamese_key
from ..domain.dates import format_date
from ..domain.numbers import points
from ..store.database import Database
from ..store.models import (
    Agency,
    CouncilMember,
    Round,
    RoundAgency,
    Survey,
    SurveyAttachment,
    SurveyFinding,
)
from .attachments import add_attachment, check_attachment_file
from .audit import Actor, now_utc, record
from .errors import InputRefused, NotFound
from .forms import form_tree
from .permissions import Permission
from .receipts import member
from .rounds import ensure_round_open, get_round
from .scores import open_sheet

STATES = {"planned": "Đã lên kế hoạch", "done": "Đã khảo sát", "applied": "Đã áp dụng kết quả"}


@dataclass(frozen=True)
class FindingInput:
    code: str
    seen: str
    figure: str = ""
    proposed_points: Decimal | None = None


@dataclass(frozen=True)
class FindingView:
    id: int
    code: str
    title: str
    max_points: Decimal
    seen: str
    figure: str
    proposed_points: Decimal | None
    applied: bool
    dismissed_reason: str


@dataclass(frozen=True)
class SurveyView:
    id: int
    year: int
    agency_code: str
    agency_name: str
    planned_date: date
    visit_date: date | None
    members: tuple[str, ...]  # roster lines
    criteria: tuple[str, ...]
    remarks: str
    state: str
    findings: tuple[FindingView, ...]
    attachments: tuple[tuple[int, str], ...]  # (attachment id, original name)

    @property
    def state_label(self) -> str:
        return STATES[self.state]


def _leaf_codes(session: Session, m: RoundAgency) -> dict[str, tuple[str, Decimal]]:
    if m.group.form_id is None:
        raise InputRefused(f"Nhóm {m.group.number} chưa có phiếu đánh giá.")
    tree = form_tree(session, m.group.form_id)
    return {leaf.code: (leaf.title, leaf.max_points) for leaf in tree.leaves()}


def plan_survey(
    db: Database,
    year: int,
    agency_code: str,
    planned_date: date,
    *,
    member_ids: list[int],
    criteria: list[str],
    actor: Actor | None = None,
) -> int:
    actor = actor or Actor()
    actor.require(Permission.SURVEYS)
    with db.session() as s:
        rnd = get_round(s, year)
        ensure_round_open(rnd)
        if planned_date.year < year:
            raise InputRefused(
                f"Ngày khảo sát dự kiến {format_date(planned_date)} trước năm đánh giá {year}."
            )
        m = member(s, rnd, agency_code)
        leaves = _leaf_codes(s, m)
        unknown = [c for c in criteria if c not in leaves]
        if unknown:
            raise InputRefused(
                "Tiêu chí không có hoặc không chấm trực tiếp: " + ", ".join(unknown) + "."
            )
        roster = {
            x.id for x in s.scalars(select(CouncilMember).where(CouncilMember.round_id == rnd.id))
        }
        strangers = [i for i in member_ids if i not in roster]
        if strangers or not member_ids:
            raise InputRefused(
                "Chọn thành viên đoàn khảo sát trong danh sách Hội đồng và Tổ giúp việc của năm."
            )
        survey = Survey(
            round_id=rnd.id,
            agency_id=m.agency_id,
            planned_date=planned_date,
            member_ids_json=json.dumps(member_ids),
            criteria_json=json.dumps(criteria),
            remarks="",
            state="planned",
            created_at=now_utc(),
            created_by=actor.user,
        )
        s.add(survey)
        s.flush()
        record(
            s,
            actor,
            "survey.plan",
            "survey",
            survey.id,
            year=year,
            new={
                "agency": m.agency.code,
                "date": planned_date,
                "members": member_ids,
                "criteria": criteria,
            },
        )
        return survey.id


def record_survey(
    db: Database,
    survey_id: int,
    *,
    visit_date: date,
    findings: list[FindingInput],
    remarks: str = "",
    attachments: list[Path] | None = None,
    actor: Actor | None = None,
    today: date | None = None,
) -> None:
    """The visit's findings (replacing those recorded before, unless already applied)."""
    actor = actor or Actor()
    actor.require(Permission.SURVEYS)
    for path in attachments or []:
        check_attachment_file(path)
    if visit_date > (today or date.today()):
        raise InputRefused(f"Ngày khảo sát {format_date(visit_date)} ở sau ngày hôm nay.")
    with db.session() as s:
        survey, rnd, m = _load(s, survey_id)
        ensure_round_open(rnd)
        leaves = _leaf_codes(s, m)
        if visit_date.year < rnd.year:
            raise InputRefused(f"Ngày khảo sát {format_date(visit_date)} trước năm {rnd.year}.")
        existing = {
            f.code: f
            for f in s.scalars(select(SurveyFinding).where(SurveyFinding.survey_id == survey.id))
        }
        codes = [item.code for item in findings]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise InputRefused("Mỗi tiêu chí chỉ ghi một kết quả; trùng: " + ", ".join(twice) + ".")
        for code, old in existing.items():
            if code not in codes and old.applied_at is None:
                s.delete(old)  # the new recording is the whole set of unapplied findings
        for item in findings:
            if item.code not in leaves:
                raise InputRefused(f"Tiêu chí {item.code} không có hoặc không chấm trực tiếp.")
            _title, maximum = leaves[item.code]
            proposed = item.proposed_points
            if proposed is not None and (
                proposed < 0 or proposed > maximum or proposed != points(proposed)
            ):
                raise InputRefused(
                    f"Tiêu chí {item.code}: điểm đề xuất {proposed} ngoài khoảng "
                    f"0 đến {maximum} hoặc quá 2 chữ số thập phân."
                )
            if not nfc(item.seen).strip():
                raise InputRefused(f"Tiêu chí {item.code}: cần ghi điều đoàn khảo sát ghi nhận.")
            row = existing.get(item.code)
            if row is not None and row.applied_at is not None:
                raise InputRefused(
                    f"Kết quả khảo sát tiêu chí {item.code} đã được áp dụng; không sửa được."
                )
            if row is None:
                row = SurveyFinding(
                    survey_id=survey.id, code=item.code, applied_by="", dismissed_reason=""
                )
                s.add(row)
            seen, figure = nfc(item.seen).strip(), nfc(item.figure).strip()
            new_points = points(proposed) if proposed is not None else None
            if (row.seen, row.figure, row.proposed_points) != (seen, figure, new_points):
                row.dismissed_reason = ""  # changed: to be decided again
            row.seen, row.figure = seen, figure
            row.proposed_points = points(proposed) if proposed is not None else None
        survey.visit_date = visit_date
        survey.remarks = nfc(remarks).strip()
        survey.state = "done"  # any pending finding reopens an applied survey
        s.flush()
        _settle(s, survey)
        for path in attachments or []:
            stored = add_attachment(db, s, path, actor)
            if not s.scalar(
                select(SurveyAttachment.id).where(
                    SurveyAttachment.survey_id == survey.id,
                    SurveyAttachment.attachment_id == stored.id,
                )
            ):
                s.add(SurveyAttachment(survey_id=survey.id, attachment_id=stored.id, caption=""))
        s.flush()
        record(
            s,
            actor,
            "survey.record",
            "survey",
            survey.id,
            year=rnd.year,
            new={
                "agency": m.agency.code,
                "visit_date": visit_date,
                "findings": [f.__dict__ for f in findings],
                "remarks": survey.remarks,
            },
        )


def _load(session: Session, survey_id: int) -> tuple[Survey, Round, RoundAgency]:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"Không có đợt khảo sát số {survey_id}.")
    rnd = session.get(Round, survey.round_id)
    m = session.scalar(
        select(RoundAgency).where(
            RoundAgency.round_id == survey.round_id, RoundAgency.agency_id == survey.agency_id
        )
    )
    assert rnd is not None and m is not None
    return survey, rnd, m


def finding_reason(survey: Survey, finding: SurveyFinding) -> str:
    when = format_date(survey.visit_date) if survey.visit_date else "?"
    figure = f"; số liệu ghi nhận: {finding.figure}" if finding.figure else ""
    return f"Khảo sát thực tế ngày {when}: {finding.seen}{figure}"


def apply_finding(db: Database, finding_id: int, *, actor: Actor | None = None) -> None:
    """Confirmed by a clerk: the finding's proposed points become the appraised score."""
    actor = actor or Actor()
    actor.require(Permission.SURVEYS)
    with db.session() as s:
        finding = s.get(SurveyFinding, finding_id)
        if finding is None:
            raise NotFound(f"Không có kết quả khảo sát số {finding_id}.")
        survey, rnd, m = _load(s, finding.survey_id)
        if finding.applied_at is not None:
            raise InputRefused(f"Kết quả khảo sát tiêu chí {finding.code} đã được áp dụng.")
        if finding.proposed_points is None:
            raise InputRefused(f"Kết quả khảo sát tiêu chí {finding.code} chưa có điểm đề xuất.")
        if finding.dismissed_reason:
            raise InputRefused(
                f"Kết quả khảo sát tiêu chí {finding.code} đã được ghi là không "
                f"áp dụng ({finding.dismissed_reason}); ghi lại kết quả nếu "
                "cần xét lại."
            )
        sheet = open_sheet(s, rnd.year, m.agency.code, actor)
        sheet.set_appraised(
            finding.code,
            points_value=finding.proposed_points,
            reason=finding_reason(survey, finding),
            source="survey",
        )
        sheet.finish()
        finding.applied_at, finding.applied_by = now_utc(), actor.user
        _settle(s, survey)
        record(
            s,
            actor,
            "survey.apply",
            "survey_finding",
            finding.id,
            year=rnd.year,
            new={
                "agency": m.agency.code,
                "criterion": finding.code,
                "points": finding.proposed_points,
            },
        )


def dismiss_finding(
    db: Database, finding_id: int, reason: str, *, actor: Actor | None = None
) -> None:
    """Not applied, with the reason (e.g. the council decided otherwise)."""
    actor = actor or Actor()
    actor.require(Permission.SURVEYS)
    reason = nfc(reason).strip()
    if not reason:
        raise InputRefused("Cần ghi lý do không áp dụng kết quả khảo sát.")
    with db.session() as s:
        finding = s.get(SurveyFinding, finding_id)
        if finding is None:
            raise NotFound(f"Không có kết quả khảo sát số {finding_id}.")
        survey, rnd, m = _load(s, finding.survey_id)
        ensure_round_open(rnd)
        if finding.applied_at is not None:
            raise InputRefused(f"Kết quả khảo sát tiêu chí {finding.code} đã được áp dụng.")
        finding.dismissed_reason = reason
        _settle(s, survey)
        record(
            s,
            actor,
            "survey.dismiss",
            "survey_finding",
            finding.id,
            year=rnd.year,
            new={"agency": m.agency.code, "criterion": finding.code},
            reason=reason,
        )


def _settle(session: Session, survey: Survey) -> None:
    findings = session.scalars(
        select(SurveyFinding).where(SurveyFinding.survey_id == survey.id)
    ).all()
    if findings and all(f.applied_at or f.dismissed_reason for f in findings):
        survey.state = "applied"


def list_surveys(db: Database, year: int) -> list[SurveyView]:
    with db.session() as s:
        rnd = get_round(s, year)
        ids = s.scalars(select(Survey.id).where(Survey.round_id == rnd.id)).all()
    views = [survey_view(db, i) for i in ids]
    return sorted(views, key=lambda v: (v.planned_date, vietnamese_key(v.agency_name)))


def survey_view(db: Database, survey_id: int) -> SurveyView:
    with db.session() as s:
        survey, rnd, m = _load(s, survey_id)
        leaves = _leaf_codes(s, m)
        roster = {
            x.id: x
            for x in s.scalars(select(CouncilMember).where(CouncilMember.round_id == rnd.id))
        }
        from .council import _view

        members = tuple(
            _view(roster[i]).line for i in json.loads(survey.member_ids_json) if i in roster
        )
        findings = tuple(
            FindingView(
                f.id,
                f.code,
                leaves.get(f.code, ("", Decimal(0)))[0],
                leaves.get(f.code, ("", Decimal(0)))[1],
                f.seen,
                f.figure,
                f.proposed_points,
                f.applied_at is not None,
                f.dismissed_reason,
            )
            for f in s.scalars(
                select(SurveyFinding)
                .where(SurveyFinding.survey_id == survey.id)
                .order_by(SurveyFinding.id)
            )
        )
        from ..store.models import Attachment

        attachments = tuple(
            (a.id, a.original_name)
            for a in s.scalars(
                select(Attachment)
                .join(SurveyAttachment, SurveyAttachment.attachment_id == Attachment.id)
                .where(SurveyAttachment.survey_id == survey.id)
            )
        )
        agency = s.get(Agency, survey.agency_id)
        assert agency is not None
        return SurveyView(
            survey.id,
            rnd.year,
            agency.code,
            m.name,
            survey.planned_date,
            survey.visit_date,
            members,
            tuple(json.loads(survey.criteria_json)),
            survey.remarks,
            survey.state,
            findings,
            attachments,
        )
