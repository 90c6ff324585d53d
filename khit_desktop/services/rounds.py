"""Rounds (kỳ đánh giá): creating a year, reading its rules and members."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ..domain.collation import nfc
from ..domain.dates import Holiday
from ..domain.rules import RoundRules, Thresholds
from ..store.database import Database
from ..store.models import Agency, GroupCatalog, Round, RoundAgency, RoundGroup, RoundHoliday
from .audit import Actor, now_utc, record
from .catalog import is_initialised, latest_form_id
from .errors import InputRefused, NotFound
from .permissions import Permission

MIN_YEAR, MAX_YEAR = 2000, 2100


def get_round(session: Session, year: int) -> Round:
    found = session.scalar(select(Round).where(Round.year == year))
    if found is None:
        years = ", ".join(str(y) for y in session.scalars(select(Round.year).order_by(Round.year)))
        hint = f" Các kỳ hiện có: {years}." if years else " Chưa có kỳ đánh giá nào."
        raise NotFound(f"Không có kỳ đánh giá năm {year}.{hint}")
    return found


def rules_of(rnd: Round) -> RoundRules:
    """The domain rules of a stored round."""
    return RoundRules(
        year=rnd.year,
        deadline=rnd.deadline,
        grace_days=rnd.grace_days,
        late_penalty=rnd.late_penalty,
        thresholds=Thresholds(rnd.threshold_good, rnd.threshold_fair, rnd.threshold_average),
        shift_to_working_day=rnd.shift_to_working_day,
        holidays=tuple(Holiday(h.day, h.name) for h in rnd.holidays),
        group_names={g.number: g.name for g in rnd.groups},
    )


def apply_rules(rnd: Round, rules: RoundRules) -> None:
    """Store ``rules`` on ``rnd`` (its holidays replaced)."""
    rnd.deadline = rules.deadline
    rnd.grace_days = rules.grace_days
    rnd.late_penalty = rules.late_penalty
    rnd.threshold_good = rules.thresholds.good
    rnd.threshold_fair = rules.thresholds.fair
    rnd.threshold_average = rules.thresholds.average
    rnd.shift_to_working_day = rules.shift_to_working_day
    rnd.holidays = [RoundHoliday(day=h.day, name=h.name) for h in rules.holidays]


@dataclass(frozen=True)
class RoundSummary:
    year: int
    agencies: int
    state: str
    is_demo: bool
    kind: str = "appraised"  # "published": results imported from the province's sheet


def list_rounds(db: Database) -> list[RoundSummary]:
    with db.session() as s:
        return [
            RoundSummary(r.year, len(r.members), r.state, r.is_demo, r.kind)
            for r in s.scalars(select(Round).order_by(Round.year))
        ]


def create_round(
    db: Database,
    year: int,
    *,
    copy_from: int | None = None,
    actor: Actor | None = None,
    is_demo: bool = False,
) -> int:
    """A new round for ``year``: the regulation's defaults, the catalogue's active agencies
    and the latest form — or a copy of year ``copy_from``'s agencies, groups, rules and form.
    A copy of a published past year (no forms) takes the latest form, and only the agencies
    that still exist, under their current names. Returns the round's id."""
    actor = actor or Actor()
    actor.require(Permission.CREATE_ROUND)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputRefused(f"Năm {year} không hợp lệ (từ {MIN_YEAR} đến {MAX_YEAR}).")
    if not is_initialised(db):
        raise InputRefused("Cơ sở dữ liệu chưa được khởi tạo: hãy chạy 'khit init' trước.")
    default_form = latest_form_id(db)
    with db.session() as s:
        if s.scalar(select(Round.id).where(Round.year == year)) is not None:
            raise InputRefused(f"Kỳ đánh giá năm {year} đã có.")
        source = get_round(s, copy_from) if copy_from is not None else None
        rules = rules_of(source).for_year(year) if source else RoundRules.defaults(year)
        rnd = Round(year=year, state="receiving", is_demo=is_demo, created_at=now_utc())
        apply_rules(rnd, rules)
        s.add(rnd)
        if source is not None:
            published = source.kind == "published"
            groups = {
                g.number: RoundGroup(
                    number=g.number, name=g.name, form_id=g.form_id or default_form
                )
                for g in source.groups
            }
            rnd.groups = list(groups.values())
            for m in source.members:
                if published and not m.agency.active:
                    continue
                rnd.members.append(
                    RoundAgency(
                        agency=m.agency,
                        group=groups[m.group.number],
                        name=m.agency.name if published else m.name,
                        exempt_reason=None,
                    )
                )
        else:
            groups = {
                g.number: RoundGroup(number=g.number, name=g.name, form_id=default_form)
                for g in s.scalars(select(GroupCatalog).order_by(GroupCatalog.number))
            }
            rnd.groups = list(groups.values())
            for agency in s.scalars(select(Agency).where(Agency.active.is_(True))):
                rnd.members.append(
                    RoundAgency(agency=agency, group=groups[agency.default_group], name=agency.name)
                )
        s.flush()
        if source is not None:
            from .council import copy_roster

            copy_roster(s, source, rnd)
        record(
            s,
            actor,
            "round.create",
            "round",
            rnd.id,
            year=year,
            new={"year": year, "copy_from": copy_from, "agencies": len(rnd.members)},
        )
        return rnd.id


def round_rules(db: Database, year: int) -> RoundRules:
    with db.session() as s:
        return rules_of(get_round(s, year))


def _rules_snapshot(rules: RoundRules) -> dict[str, object]:
    return {
        "deadline": rules.deadline,
        "grace_days": rules.grace_days,
        "late_penalty": rules.late_penalty,
        "threshold_good": rules.thresholds.good,
        "threshold_fair": rules.thresholds.fair,
        "threshold_average": rules.thresholds.average,
        "shift_to_working_day": rules.shift_to_working_day,
        "holidays": [[h.day, h.name] for h in rules.holidays],
    }


def update_rules(
    db: Database, year: int, rules: RoundRules, *, reason: str, actor: Actor | None = None
) -> bool:
    """Replace the round's rules (not its group names); a reason is required. Returns False
    when nothing changed."""
    actor = actor or Actor()
    actor.require(Permission.EDIT_RULES)
    reason = nfc(reason).strip()
    # the same holidays in another order, or typed NFD, are the same rules
    holidays = tuple(
        sorted((Holiday(h.day, nfc(h.name).strip()) for h in rules.holidays), key=lambda h: h.day)
    )
    rules = replace(rules, holidays=holidays)
    if any(not h.name for h in holidays):
        raise InputRefused("Mỗi ngày nghỉ cần có tên.")
    if rules.year != year:
        raise InputRefused(f"Quy tắc của năm {rules.year} không áp dụng cho năm {year}.")
    if rules.deadline.year != year:
        raise InputRefused(f"Hạn gửi phiếu phải nằm trong năm {year}.")
    if rules.grace_days > 60:
        raise InputRefused("Số ngày được gửi trễ quá lớn (tối đa 60 ngày).")
    days = [h.day for h in rules.holidays]
    if len(days) != len(set(days)):
        raise InputRefused("Danh sách ngày nghỉ có ngày bị trùng.")
    with db.session() as s:
        rnd = get_round(s, year)
        if rnd.state == "finalized":
            raise InputRefused(f"Kỳ đánh giá năm {year} đã chốt, không sửa quy tắc được.")
        old = _rules_snapshot(rules_of(rnd))
        new = _rules_snapshot(rules)
        if old == new:
            return False
        if not reason:
            raise InputRefused("Cần ghi lý do thay đổi quy tắc của kỳ đánh giá.")
        rnd.holidays.clear()
        s.flush()  # old holiday rows go before new ones take their (round, day) slots
        apply_rules(rnd, rules)
        s.flush()
        record(s, actor, "round.rules", "round", rnd.id, year=year, old=old, new=new, reason=reason)
        return True


def hold_round(rnd: Round) -> None:
    """On PostgreSQL, read the round again under a shared lock: finalising (which updates
    the round row) then waits for the clerks' saves in flight, and a save that follows sees
    the round finalised — none lands in a round finalised meanwhile. Nothing on SQLite,
    whose write lock already lets one writer at a time."""
    session = object_session(rnd)
    if session is not None and session.get_bind().dialect.name == "postgresql":
        session.refresh(rnd, with_for_update={"read": True})


def ensure_round_open(rnd: Round) -> None:
    """Every change of a round's record is refused once the round is finalised (đã chốt)."""
    hold_round(rnd)
    if rnd.state == "finalized":
        raise InputRefused(f"Kỳ đánh giá năm {rnd.year} đã chốt, không sửa được.")
