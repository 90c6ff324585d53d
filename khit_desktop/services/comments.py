"""Ý kiến: council members' comments on an agency (or one of its criteria) in a round.

A comment changes no score; it is kept, with its author, beside the appraisal and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain.collation import nfc
from ..store.database import Database
from ..store.models import Agency, CriterionRow, RoundAgency
from ..store.models_accounts import AppUser, Comment
from .audit import Actor, now_utc, record
from .errors import InputRefused, NotFound
from .permissions import Permission
from .receipts import member
from .rounds import ensure_round_open, get_round

MAX_COMMENT = 4000


@dataclass(frozen=True)
class CommentLine:
    id: int
    agency_code: str
    agency_name: str  # the name the agency had that year
    criterion_code: str | None
    text: str
    at_utc: datetime
    author: str  # the account's user name
    author_name: str  # its display name (the user name when the account is gone)


def add_comment(
    db: Database,
    year: int,
    agency_code: str,
    text: str,
    *,
    criterion_code: str | None = None,
    actor: Actor,
) -> int:
    """Record a comment; refused once the round is finalised. Returns its id."""
    actor.require(Permission.COMMENT)
    text = nfc(text).strip()
    if not text:
        raise InputRefused("Cần ghi nội dung ý kiến.")
    if len(text) > MAX_COMMENT:
        raise InputRefused(f"Ý kiến dài quá {MAX_COMMENT} ký tự.")
    code = criterion_code.strip() if criterion_code else None
    with db.session() as s:
        rnd = get_round(s, year)
        ensure_round_open(rnd)
        m = member(s, rnd, agency_code)
        if code is not None and (
            m.group.form_id is None
            or s.scalar(
                select(CriterionRow.id).where(
                    CriterionRow.form_id == m.group.form_id, CriterionRow.code == code
                )
            )
            is None
        ):
            raise NotFound(f"Phiếu đánh giá của {m.name} không có tiêu chí mã '{code}'.")
        row = Comment(
            round_id=rnd.id,
            agency_id=m.agency_id,
            criterion_code=code,
            text=text,
            at_utc=now_utc(),
            author=actor.user,
        )
        s.add(row)
        s.flush()
        record(
            s,
            actor,
            "comment.add",
            "comment",
            row.id,
            year=year,
            new={"agency": m.agency.code, "criterion": code, "text": text},
        )
        return row.id


def comments(db: Database, year: int, agency_code: str | None = None) -> list[CommentLine]:
    """The round's comments (of one agency when ``agency_code`` is given), oldest first."""
    with db.session() as s:
        rnd = get_round(s, year)
        query = (
            select(Comment, Agency.code, RoundAgency.name, AppUser.display_name)
            .join(Agency, Comment.agency_id == Agency.id)
            .join(
                RoundAgency,
                (RoundAgency.agency_id == Comment.agency_id)
                & (RoundAgency.round_id == Comment.round_id),
            )
            .outerjoin(AppUser, AppUser.username == Comment.author)
            .where(Comment.round_id == rnd.id)
            .order_by(Comment.at_utc, Comment.id)
        )
        if agency_code is not None:
            query = query.where(Agency.code == member(s, rnd, agency_code).agency.code)
        return [
            CommentLine(
                c.id,
                code,
                name,
                c.criterion_code,
                c.text,
                c.at_utc,
                c.author,
                shown or c.author,
            )
            for c, code, name, shown in s.execute(query).all()
        ]
