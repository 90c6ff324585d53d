"""The round's stage (bước của kỳ đánh giá), shown as a step bar: tiếp nhận → thẩm định →
trình Hội đồng → đã chốt, with who moved it and when.

The stage is ``round.state``: "receiving", "appraising", "submitted" (the working team's
steps, moved here) and "finalized" (only ``finalise.finalise``, the chair's; a reopening by
an administrator, ``finalise.reopen``, puts the round back to "receiving"). Every move is an
audit event "round.stage" (old and new state, reason); when and by whom each step was reached
is read from the trail: "round.create", "round.stage", "round.finalize", "round.reopen".

Nothing is refused by the stage itself: receipts, scores and surveys stay open until the
round is finalised (``rounds.ensure_round_open`` refuses only "finalized"). The stage says
where the work stands; it does not lock it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..domain.collation import nfc
from ..store.database import Database
from ..store.models import AuditEvent, Round
from .audit import Actor, record
from .errors import InputRefused
from .finalise import format_vietnam
from .permissions import Permission
from .rounds import ensure_round_open, get_round

RECEIVING, APPRAISING, SUBMITTED, FINALIZED = "receiving", "appraising", "submitted", "finalized"
STAGES = (RECEIVING, APPRAISING, SUBMITTED, FINALIZED)
STAGE_LABELS = {
    RECEIVING: "Tiếp nhận",
    APPRAISING: "Thẩm định",
    SUBMITTED: "Trình Hội đồng",
    FINALIZED: "Đã chốt",
}
# the round's state in a sentence or the status bar ("Kỳ đánh giá năm 2020: đang thẩm định")
STATE_PHRASES = {
    RECEIVING: "đang tiếp nhận phiếu",
    APPRAISING: "đang thẩm định",
    SUBMITTED: "đã trình Hội đồng thẩm định",
    FINALIZED: "đã chốt",
}
MOVABLE = (RECEIVING, APPRAISING, SUBMITTED)  # the working team's steps
STAGE_EVENTS = ("round.create", "round.stage", "round.finalize", "round.reopen")
MAX_REASON = 500


@dataclass(frozen=True)
class Step:
    """One step of the bar: reached or not, and when and by whom the round last entered it
    (``at`` in UTC; None when the trail does not say, e.g. a published past year)."""

    key: str
    label: str
    reached: bool
    at: datetime | None = None
    by: str = ""
    reason: str = ""  # the reason written when the round was moved (back) to this step

    @property
    def at_text(self) -> str:
        """'16/11/2020 08:30' in Vietnam time, '' when unknown."""
        return format_vietnam(self.at) if self.at is not None else ""


@dataclass(frozen=True)
class StageMove:
    """One move of the round between steps, from the audit trail (time in UTC)."""

    at: datetime
    by: str
    old: str  # "" for the round's creation
    new: str
    reason: str

    @property
    def text(self) -> str:
        """'16/11/2020 08:30 — canbo: Tiếp nhận → Thẩm định (lý do)'."""
        move = STAGE_LABELS.get(self.new, self.new)
        if self.old:
            move = f"{STAGE_LABELS.get(self.old, self.old)} → {move}"
        else:
            move = f"Tạo kỳ đánh giá ({move})"
        why = f" ({self.reason})" if self.reason else ""
        return f"{format_vietnam(self.at)} — {self.by}: {move}{why}"


@dataclass(frozen=True)
class StageInfo:
    """Where the round stands: the current stage and the four steps of the bar."""

    year: int
    current: str
    steps: list[Step]
    moves: list[StageMove]  # oldest first
    published: bool = False  # a past year's published results: nothing to move

    @property
    def current_label(self) -> str:
        return STAGE_LABELS.get(self.current, self.current)

    @property
    def phrase(self) -> str:
        return STATE_PHRASES.get(self.current, self.current)

    @property
    def forward(self) -> str | None:
        """The next step a clerk may move to (None from "submitted": finalising is the
        chair's, and from a finalised or published round)."""
        if self.published or self.current not in (RECEIVING, APPRAISING):
            return None
        return STAGES[STAGES.index(self.current) + 1]

    @property
    def back(self) -> str | None:
        """The step before (with a reason), None from "receiving" or a finalised round."""
        if self.published or self.current not in (APPRAISING, SUBMITTED):
            return None
        return STAGES[STAGES.index(self.current) - 1]


def _state_of(action: str, old_json: str | None, new_json: str | None) -> tuple[str, str]:
    """(old state, new state) that an event of ``STAGE_EVENTS`` records."""
    if action == "round.create":
        return "", RECEIVING
    if action == "round.reopen":
        return FINALIZED, RECEIVING
    old = json.loads(old_json or "{}").get("state", "")
    new = FINALIZED if action == "round.finalize" else json.loads(new_json or "{}").get("state")
    return str(old or ""), str(new or "")


def stage(db: Database, year: int) -> StageInfo:
    """The round's stage and its step bar; who entered each reached step, and when, comes
    from the latest event that moved the round into it."""
    with db.session() as s:
        return stage_of(s, get_round(s, year))


@dataclass
class _TrailRead:
    """The rounds' moves read from a database's trail, up to the event ``sequence``."""

    sequence: int
    hash: str
    moves: dict[int, list[StageMove]]  # by round id, oldest first


_READ: dict[str, _TrailRead] = {}


def _moves(session: Session, round_id: int) -> list[StageMove]:
    """The round's moves. The audit table has no index on its entity, so finding a round's
    events reads the whole trail (50 ms at 178.000 events, more each year); the trail only
    grows, so what was read is kept per database and only the events after it are read
    again (through the index on ``sequence``). The kept part is trusted only while the event
    it ends at still has the same hash: the chain then guarantees everything before it."""
    key = str(session.connection().engine.url)
    head = session.execute(
        select(AuditEvent.sequence, AuditEvent.hash)
        .where(AuditEvent.sequence.is_not(None))
        .order_by(AuditEvent.sequence.desc())
        .limit(1)
    ).first()
    last = (int(head[0]), str(head[1])) if head is not None and head[0] is not None else (0, "")
    kept = _READ.get(key)
    query = select(
        AuditEvent.entity_id,
        AuditEvent.action,
        AuditEvent.old_json,
        AuditEvent.new_json,
        AuditEvent.at_utc,
        AuditEvent.user,
        AuditEvent.reason,
    ).where(AuditEvent.entity == "round", AuditEvent.action.in_(STAGE_EVENTS))
    moves: dict[int, list[StageMove]] = {}
    if kept is not None and kept.sequence <= last[0]:
        still = session.scalar(select(AuditEvent.hash).where(AuditEvent.sequence == kept.sequence))
        if still == kept.hash or kept.sequence == 0:
            moves = {k: list(v) for k, v in kept.moves.items()}
            query = query.where(AuditEvent.sequence > kept.sequence)
    query = query.where(or_(AuditEvent.sequence <= last[0], AuditEvent.sequence.is_(None)))
    rows = session.execute(query.order_by(AuditEvent.sequence, AuditEvent.id)).all()
    for entity_id, action, old_json, new_json, at, user, reason in rows:
        old, new = _state_of(action, old_json, new_json)
        if new in STAGES and entity_id is not None:
            moves.setdefault(entity_id, []).append(StageMove(at, user, old, new, reason))
    if key not in _READ and len(_READ) >= 16:  # a few databases at most in one program
        _READ.pop(next(iter(_READ)))
    _READ[key] = _TrailRead(last[0], last[1], moves)
    return list(moves.get(round_id, []))


def stage_of(session: Session, rnd: Round) -> StageInfo:
    """``stage`` inside an open session."""
    moves = _moves(session, rnd.id)
    current, published = rnd.state, rnd.kind == "published"
    entered: dict[str, StageMove] = {}
    for move in moves:
        position = STAGES.index(move.new)
        for later in STAGES[position + 1 :]:
            entered.pop(later, None)  # moved back: the later steps are no longer reached
        entered[move.new] = move
    index = STAGES.index(current) if current in STAGES else 0
    steps = []
    for position, key in enumerate(STAGES):
        reached = published or position <= index
        last = entered.get(key) if reached and not published else None
        steps.append(
            Step(
                key,
                STAGE_LABELS[key],
                reached,
                last.at if last else None,
                last.by if last else "",
                last.reason if last else "",
            )
        )
    return StageInfo(rnd.year, current, steps, moves, published)


def move_to(db: Database, year: int, target: str, *, actor: Actor, reason: str = "") -> bool:
    """Move the round to ``target`` among "receiving", "appraising", "submitted" (the working
    team's steps: the clerk's permission to appraise, ``Permission.EDIT_SCORES``). Moving back
    needs a reason; moving forward may give one. Returns False when the round is already
    there. Refused for a finalised or published round, and for "finalized" (the chair
    finalises through ``finalise.finalise``)."""
    actor.require(Permission.EDIT_SCORES)
    reason = " ".join(nfc(reason).split())
    if target == FINALIZED:
        raise InputRefused(
            "Chốt kỳ đánh giá là việc của Chủ tịch Hội đồng (Kỳ đánh giá → Chốt kỳ đánh giá…), "
            "sau khi có số và ngày ký của quyết định công bố."
        )
    if target not in MOVABLE:
        raise InputRefused(f"Bước '{target}' không có trong kỳ đánh giá.")
    if len(reason) > MAX_REASON:
        raise InputRefused(f"Lý do quá dài (tối đa {MAX_REASON} ký tự).")
    with db.session() as s:
        rnd = get_round(s, year)
        if rnd.kind == "published":
            raise InputRefused(
                f"Năm {year} là kết quả đã công bố nhập từ bảng của tỉnh: không có các bước "
                "thẩm định trong chương trình."
            )
        ensure_round_open(rnd)
        old = rnd.state
        if old == target:
            return False
        backwards = old in STAGES and STAGES.index(target) < STAGES.index(old)
        if backwards and not reason:
            raise InputRefused(
                f"Cần ghi lý do đưa kỳ đánh giá năm {year} trở lại bước “{STAGE_LABELS[target]}”."
            )
        rnd.state = target
        s.flush()
        record(
            s,
            actor,
            "round.stage",
            "round",
            rnd.id,
            year=year,
            old={"state": old},
            new={"state": target},
            reason=reason,
        )
    return True
