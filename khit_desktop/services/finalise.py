"""Chốt kỳ đánh giá: the chair finalises a round after the council's decision; from then on
nothing in it can be changed (``rounds.ensure_round_open`` and the services' own guards). An
admin may reopen it, only with a written reason: audited, and printed on every later annex
of the round ("Đã mở lại ngày … vì …")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from ..domain.collation import nfc
from ..domain.dates import format_date
from ..store.database import Database
from ..store.models import AuditEvent, Round
from .audit import Actor, now_utc, record
from .errors import InputRefused
from .permissions import Permission
from .rounds import get_round

FINALIZED, RECEIVING, PUBLISHED = "finalized", "receiving", "published"
VIETNAM = timezone(timedelta(hours=7), "ICT")  # printed times are Vietnam time (UTC+7)
BACKUP_REASON = "chot-ky"


def vietnam_time(at_utc: datetime) -> datetime:
    """A stored UTC time (naive) as Vietnam time (naive), whatever the computer's zone."""
    return at_utc.replace(tzinfo=UTC).astimezone(VIETNAM).replace(tzinfo=None)


def format_vietnam(at_utc: datetime) -> str:
    """'31/12/2020 10:05' in Vietnam time."""
    return vietnam_time(at_utc).strftime("%d/%m/%Y %H:%M")


class Reopening(NamedTuple):
    at: datetime  # UTC
    user: str
    reason: str


@dataclass(frozen=True)
class FinalisationInfo:
    """Whether the round is finalised, when and by whom, and every reopening so far."""

    year: int
    state: str
    kind: str
    finalized_at: datetime | None  # UTC
    finalized_by: str
    reopenings: list[Reopening]

    @property
    def is_final(self) -> bool:
        return self.state == FINALIZED

    @property
    def published(self) -> bool:
        return self.kind == PUBLISHED

    def describe(self) -> str:
        """One sentence for the window and `khit` (Vietnam time)."""
        if self.published:
            return f"Năm {self.year}: kết quả đã công bố, nhập từ bảng kết quả của tỉnh."
        if self.is_final and self.finalized_at is not None:
            return (
                f"Kỳ đánh giá năm {self.year} đã chốt lúc {format_vietnam(self.finalized_at)} "
                f"(giờ Việt Nam), người chốt: {self.finalized_by}."
            )
        if self.is_final:
            return f"Kỳ đánh giá năm {self.year} đã chốt."
        return f"Kỳ đánh giá năm {self.year} chưa chốt — kết quả tạm tính."


def finalisation(db: Database, year: int) -> FinalisationInfo:
    with db.session() as s:
        rnd = get_round(s, year)
        events = s.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity == "round",
                AuditEvent.entity_id == rnd.id,
                AuditEvent.action == "round.reopen",
            )
            .order_by(AuditEvent.sequence, AuditEvent.id)
        ).all()
        return FinalisationInfo(
            year,
            rnd.state,
            rnd.kind,
            rnd.finalized_at,
            rnd.finalized_by or "",
            [Reopening(e.at_utc, e.user, e.reason) for e in events],
        )


@dataclass(frozen=True)
class FinaliseNote:
    """Something the chair should know before finalising; ``blocking`` ones refuse it."""

    text: str
    detail: str = ""
    blocking: bool = False


def blockers(db: Database, year: int, *, check_integrity: bool = True) -> list[FinaliseNote]:
    """What refuses finalising (blocking first), then what is still open (warnings)."""
    from . import explanations, round_decision, score_grid, surveys

    notes: list[FinaliseNote] = []
    info = finalisation(db, year)
    if info.published:
        notes.append(
            FinaliseNote(
                f"Năm {year} là kết quả đã công bố nhập từ bảng của tỉnh, không chốt trong "
                "chương trình.",
                blocking=True,
            )
        )
        return notes
    if info.is_final:
        notes.append(FinaliseNote(info.describe(), blocking=True))
        return notes
    decision = round_decision.decision_info(db, year)
    if not decision.is_set:
        notes.append(
            FinaliseNote(
                "Chưa ghi số và ngày ký của quyết định công bố kết quả: chỉ chốt kỳ sau khi có "
                "quyết định (Kỳ đánh giá → Quyết định công bố kết quả…).",
                blocking=True,
            )
        )
    if check_integrity:
        from .integrity import verify

        report = verify(db)
        if not report.ok:
            notes.append(
                FinaliseNote(
                    "Kiểm tra toàn vẹn dữ liệu phát hiện dữ liệu bị sửa ngoài chương trình: "
                    "không chốt trên dữ liệu này. Hãy báo quản trị và phục hồi từ bản sao lưu.",
                    report.first_problem() or "",
                    blocking=True,
                )
            )
    waiting: dict[int, list[str]] = {}
    for p in score_grid.progress(db, year):
        if p.state in ("imported", "appraising"):
            waiting.setdefault(p.group, []).append(p.agency_name)
    for group in sorted(waiting):
        names = waiting[group]
        notes.append(
            FinaliseNote(
                f"Nhóm {group}: {len(names)} cơ quan đã nhập phiếu nhưng chưa đánh dấu thẩm định "
                "xong.",
                ", ".join(names),
            )
        )
    for e in explanations.explanations(db, year):
        if e.pending:
            notes.append(
                FinaliseNote(
                    f"{e.agency_code}: tiêu chí {', '.join(e.criteria)} đang chờ giải trình "
                    f"(công văn {e.letter_number} ngày {format_date(e.letter_date)}).",
                    e.question,
                )
            )
    for survey in surveys.list_surveys(db, year):
        if survey.state == "planned":
            notes.append(
                FinaliseNote(
                    f"{survey.agency_name}: khảo sát dự kiến ngày "
                    f"{format_date(survey.planned_date)} chưa ghi kết quả."
                )
            )
        elif survey.state == "done":
            notes.append(
                FinaliseNote(
                    f"{survey.agency_name}: kết quả khảo sát chưa áp dụng hết vào điểm thẩm định."
                )
            )
    return sorted(notes, key=lambda n: not n.blocking)


def _refuse_unless_open_appraised(rnd: Round) -> None:
    if rnd.kind == PUBLISHED:
        raise InputRefused(
            f"Năm {rnd.year} là kết quả đã công bố nhập từ bảng của tỉnh: không chốt, không mở "
            "lại trong chương trình."
        )


def finalise(db: Database, year: int, *, actor: Actor, now: datetime | None = None) -> Path | None:
    """Finalise round ``year`` (the chair's permission); an automatic backup "chot-ky" is
    taken first. Returns the backup's path (None for a database that is not a SQLite file).
    Refused for a finalised or published round, without the decision's number and date, and
    when the integrity check finds data changed outside the program."""
    from .backups import automatic_backup

    actor.require(Permission.FINALISE_ROUND)
    refusals = [n for n in blockers(db, year) if n.blocking]
    if refusals:
        detail = f" {refusals[0].detail}" if refusals[0].detail else ""
        raise InputRefused(f"Không chốt được kỳ đánh giá năm {year}: {refusals[0].text}{detail}")
    backup = automatic_backup(db, BACKUP_REASON, now=now)
    with db.session() as s:
        rnd = get_round(s, year)
        _refuse_unless_open_appraised(rnd)
        if rnd.state == FINALIZED:  # finalised by someone else meanwhile
            raise InputRefused(f"Kỳ đánh giá năm {year} đã chốt.")
        previous = rnd.state
        rnd.state = FINALIZED
        rnd.finalized_at = now_utc()
        rnd.finalized_by = actor.user
        s.flush()
        record(
            s,
            actor,
            "round.finalize",
            "round",
            rnd.id,
            year=year,
            old={"state": previous},
            new={
                "state": FINALIZED,
                "finalized_at": rnd.finalized_at,
                "finalized_by": rnd.finalized_by,
                "decision_number": rnd.decision_number,
                "decision_date": rnd.decision_date,
                "backup": backup.name if backup else None,
            },
        )
    return backup


def reopen(db: Database, year: int, reason: str, *, actor: Actor) -> None:
    """Reopen a finalised round (the admin's permission) with a written reason; the round
    goes back to "receiving" and the reason is printed on every later annex."""
    actor.require(Permission.REOPEN_ROUND)
    reason = " ".join(nfc(reason).split())
    if not reason:
        raise InputRefused(
            "Cần ghi lý do mở lại kỳ đánh giá đã chốt (lý do được in trên mọi phụ lục sau này "
            "của kỳ)."
        )
    if len(reason) > 500:
        raise InputRefused("Lý do mở lại quá dài (tối đa 500 ký tự): phụ lục in nguyên văn.")
    with db.session() as s:
        rnd = get_round(s, year)
        _refuse_unless_open_appraised(rnd)
        if rnd.state != FINALIZED:
            raise InputRefused(f"Kỳ đánh giá năm {year} chưa chốt, không cần mở lại.")
        old = {
            "state": rnd.state,
            "finalized_at": rnd.finalized_at,
            "finalized_by": rnd.finalized_by,
        }
        rnd.state = RECEIVING
        rnd.finalized_at = None
        rnd.finalized_by = ""
        s.flush()
        record(
            s,
            actor,
            "round.reopen",
            "round",
            rnd.id,
            year=year,
            old=old,
            new={"state": RECEIVING},
            reason=reason,
        )
