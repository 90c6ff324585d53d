"""The council (Hội đồng thẩm định) and its working team (Tổ giúp việc) of a round."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.collation import nfc
from ..store.database import Database
from ..store.models import CouncilMember, Round
from .audit import Actor, record
from .errors import InputRefused, NotFound
from .permissions import Permission
from .rounds import ensure_round_open, get_round

BODIES = {"council": "Hội đồng thẩm định", "team": "Tổ giúp việc"}
ROLES = {
    "chair": "Chủ tịch Hội đồng",
    "vice_chair": "Phó Chủ tịch Hội đồng",
    "member": "Thành viên Hội đồng",
    "lead": "Tổ trưởng Tổ giúp việc",
    "clerk": "Thành viên Tổ giúp việc",
}
ROLE_BODY = {
    "chair": "council",
    "vice_chair": "council",
    "member": "council",
    "lead": "team",
    "clerk": "team",
}


@dataclass(frozen=True)
class RosterMember:
    id: int
    body: str
    role: str
    name: str
    position: str
    agency: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def line(self) -> str:
        """'Ông/Bà … — Phó Giám đốc Sở TT&TT, Chủ tịch Hội đồng'."""
        where = ", ".join(p for p in (self.position, self.agency) if p)
        return (
            f"{self.name} — {where}; {self.role_label}"
            if where
            else f"{self.name} — {self.role_label}"
        )


def _view(m: CouncilMember) -> RosterMember:
    return RosterMember(m.id, m.body, m.role, m.name, m.position, m.agency)


def roster(db: Database, year: int) -> list[RosterMember]:
    """Council first (chair, vice-chair, members), then the working team, in entry order."""
    order = list(ROLES)
    with db.session() as s:
        rnd = get_round(s, year)
        members = s.scalars(select(CouncilMember).where(CouncilMember.round_id == rnd.id)).all()
        views = [_view(m) for m in members]
    return sorted(views, key=lambda m: (order.index(m.role) if m.role in order else 99, m.id))


def add_member(
    db: Database,
    year: int,
    *,
    role: str,
    name: str,
    position: str = "",
    agency: str = "",
    actor: Actor | None = None,
) -> int:
    actor = actor or Actor()
    actor.require(Permission.ROSTER)
    name = nfc(name).strip()
    if role not in ROLES:
        raise InputRefused(f"Vai trò '{role}' không hợp lệ.")
    if not name:
        raise InputRefused("Cần ghi họ và tên thành viên.")
    with db.session() as s:
        rnd = get_round(s, year)
        ensure_round_open(rnd)
        if role == "chair" and s.scalar(
            select(CouncilMember.id).where(
                CouncilMember.round_id == rnd.id, CouncilMember.role == "chair"
            )
        ):
            raise InputRefused(f"Hội đồng năm {year} đã có Chủ tịch.")
        member = CouncilMember(
            round_id=rnd.id,
            body=ROLE_BODY[role],
            role=role,
            name=name,
            position=nfc(position).strip(),
            agency=nfc(agency).strip(),
        )
        s.add(member)
        s.flush()
        record(
            s,
            actor,
            "roster.add",
            "council_member",
            member.id,
            year=year,
            new={"role": role, "name": name, "position": member.position, "agency": member.agency},
        )
        return member.id


def remove_member(db: Database, member_id: int, *, actor: Actor | None = None) -> None:
    actor = actor or Actor()
    actor.require(Permission.ROSTER)
    with db.session() as s:
        member = s.get(CouncilMember, member_id)
        if member is None:
            raise NotFound(f"Không có thành viên số {member_id}.")
        rnd = s.get(Round, member.round_id)
        if rnd is not None:
            ensure_round_open(rnd)
        record(
            s,
            actor,
            "roster.remove",
            "council_member",
            member.id,
            year=rnd.year if rnd else None,
            old={"role": member.role, "name": member.name},
        )
        s.delete(member)


def copy_roster(session: Session, source: Round, target: Round) -> int:
    """Carry a round's council and team to a new round (called when a round is copied)."""
    count = 0
    for m in session.scalars(select(CouncilMember).where(CouncilMember.round_id == source.id)):
        session.add(
            CouncilMember(
                round_id=target.id,
                body=m.body,
                role=m.role,
                name=m.name,
                position=m.position,
                agency=m.agency,
                position_order=m.position_order,
            )
        )
        count += 1
    return count
