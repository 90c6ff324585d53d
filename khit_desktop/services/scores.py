"""Scores: the agency's self-assessment and the council's appraisal, kept apart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..domain.collation import nfc
from ..domain.criteria import Criterion, RuleKind, ScoringError, score_leaf
from ..domain.numbers import format_points, points
from ..store.database import Database
from ..store.models import CouncilDecision, GeneralValue, Round, RoundAgency, ScoreRow
from .audit import Actor, now_utc, record
from .concurrency import check_version, overwrite_note, reported_as_conflict
from .errors import InputRefused, NotFound
from .forms import criterion_ids, form_tree
from .general_data import locked_general, uses_general, with_denominator
from .permissions import Permission
from .receipts import member
from .rounds import get_round, hold_round

SOURCES = {
    "form": "Phiếu tự đánh giá",
    "cross_check": "Đối chiếu số liệu",
    "survey": "Khảo sát thực tế",
    "council": "Hội đồng thẩm định",
}


def check_answer(criterion: Criterion, answer: Mapping[str, Any]) -> Decimal:
    """Validate an answer alone (a normalised value against itself); returns its points."""
    best = None
    if criterion.rule is not None and criterion.rule.kind is RuleKind.NORMALISED:
        try:
            best = Decimal(str(answer.get("value")))
        except ArithmeticError:
            best = None
    try:
        return score_leaf(criterion, answer, best)
    except ScoringError as exc:
        raise InputRefused(str(exc)) from None


def _check_points(criterion: Criterion, value: Decimal) -> Decimal:
    if value < 0 or value > criterion.max_points:
        raise InputRefused(
            f"Tiêu chí {criterion.code}: điểm {value} ngoài khoảng 0 đến {criterion.max_points}."
        )
    if value != points(value):
        raise InputRefused(f"Tiêu chí {criterion.code}: điểm chỉ có tối đa 2 chữ số thập phân.")
    return points(value)


def _snapshot(row: ScoreRow) -> dict[str, object]:
    return {
        "self_answer": json.loads(row.self_answer) if row.self_answer else None,
        "self_points": row.self_points,
        "appraised_answer": json.loads(row.appraised_answer) if row.appraised_answer else None,
        "appraised_points": row.appraised_points,
        "source": row.source,
        "reason": row.reason,
    }


class ScoreSheet:
    """Writes the scores of one agency in one round inside an open session."""

    def __init__(self, session: Session, rnd: Round, m: RoundAgency, actor: Actor) -> None:
        hold_round(rnd)
        if rnd.state == "finalized":
            raise InputRefused(f"Kỳ đánh giá năm {rnd.year} đã chốt, không sửa điểm được.")
        form_id = m.group.form_id
        if form_id is None:
            raise InputRefused(f"Nhóm {m.group.number} của năm {rnd.year} chưa có phiếu đánh giá.")
        self.session, self.rnd, self.member, self.actor = session, rnd, m, actor
        self.tree = form_tree(session, form_id)
        self.ids = criterion_ids(session, form_id)
        existing = session.scalars(
            select(ScoreRow).where(ScoreRow.round_id == rnd.id, ScoreRow.agency_id == m.agency_id)
        ).all()
        self.rows = {row.criterion_id: row for row in existing}
        self.general = {
            row.code: row
            for row in session.scalars(
                select(GeneralValue).where(
                    GeneralValue.round_id == rnd.id, GeneralValue.agency_id == m.agency_id
                )
            )
        }
        self._pending: list[tuple[str, ScoreRow, object, dict[str, object], str]] = []
        self.decided = {
            d.code: d
            for d in session.scalars(
                select(CouncilDecision).where(
                    CouncilDecision.round_id == rnd.id, CouncilDecision.agency_id == m.agency_id
                )
            )
        }
        # every change is audited in the same transaction, even if the caller forgets finish()
        event.listen(session, "before_commit", lambda _s: self.finish())

    def _leaf(self, code: str) -> Criterion:
        if code not in self.tree:
            raise NotFound(f"Phiếu đánh giá không có tiêu chí mã '{code}'.")
        criterion = self.tree.get(code)
        if not criterion.is_leaf:
            raise InputRefused(
                f"Tiêu chí {code} là tiêu chí cha: điểm là tổng các tiêu chí con, "
                "không nhập trực tiếp."
            )
        return criterion

    def _row(self, code: str) -> tuple[ScoreRow, dict[str, object] | None]:
        cid = self.ids[code]
        row = self.rows.get(cid)
        if row is not None:
            return row, _snapshot(row)
        row = ScoreRow(
            round_id=self.rnd.id,
            agency_id=self.member.agency_id,
            criterion_id=cid,
            reason="",
            source="form",
            updated_at=now_utc(),
            updated_by=self.actor.user,
        )
        self.session.add(row)
        self.rows[cid] = row
        return row, None

    def guard(self, code: str, expected_version: int | None, overwrite_reason: str) -> str:
        """Refuse with EditConflict when the row moved on since the screen read
        ``expected_version`` (0 = there was no row); locks the row first (PostgreSQL) so two
        saves queue. Returns the overwrite note for the audit ('' when not overwriting)."""
        if expected_version is None and not overwrite_reason:
            return ""
        cid = self.ids[code]
        row = self.session.scalar(
            select(ScoreRow)
            .where(
                ScoreRow.round_id == self.rnd.id,
                ScoreRow.agency_id == self.member.agency_id,
                ScoreRow.criterion_id == cid,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if row is not None:
            self.rows[cid] = row
        current = row.version if row is not None else None
        what = f"Điểm tiêu chí {code} của {self.member.name}"
        check_version(
            self.session,
            what=what,
            entity="score",
            entity_id=row.id if row is not None else None,
            current=current,
            expected=expected_version,
            overwrite=bool(overwrite_reason),
        )
        return overwrite_note(overwrite_reason, current) if overwrite_reason else ""

    def _audit(self, action: str, row: ScoreRow, code: str, old: object, reason: str) -> None:
        # Snapshot now; write when the ids exist: one flush per sheet, not one per score.
        new = {"agency": self.member.agency.code, "criterion": code, **_snapshot(row)}
        self._pending.append((action, row, old, new, reason))

    def _filled(
        self, criterion: Criterion, answer: Mapping[str, Any], *, appraised: bool
    ) -> dict[str, Any]:
        code = uses_general(criterion)
        if code is None:
            return dict(answer)
        row = self.general.get(code)
        value = None
        if row is not None:
            value = (
                row.appraised_value
                if appraised and row.appraised_value is not None
                else (row.self_value)
            )
        if value is None and "denominator" not in answer:
            raise InputRefused(
                f"Tiêu chí {criterion.code}: chưa có số liệu chung '{code}' làm mẫu số."
            )
        return with_denominator(criterion, answer, value)

    def _check_not_decided(self, code: str) -> None:
        decided = self.decided.get(code)
        if decided is not None:
            raise InputRefused(
                f"Tiêu chí {code}: Hội đồng thẩm định đã quyết định điểm "
                f"({format_points(decided.points)}) tại cuộc họp ngày "
                f"{decided.meeting_date.strftime('%d/%m/%Y')};"
                " chỉ một quyết định mới của Hội đồng thay đổi được."
            )

    def has_self(self, code: str) -> bool:
        row = self.rows.get(self.ids.get(code, -1))
        return row is not None and (row.self_answer is not None or row.self_points is not None)

    def _check_denominator(self, code: str, value: Decimal, appraised: bool) -> None:
        """A general datum may not drop below a numerator that divides by it (ratio > 1)."""
        for leaf in self.tree.leaves():
            if leaf.rule is None or leaf.rule.denominator != code:
                continue
            row = self.rows.get(self.ids[leaf.code])
            answers = [row.self_answer] if row is not None else []
            if appraised and row is not None and row.appraised_answer:
                answers.append(row.appraised_answer)
            for text in answers:
                if not text:
                    continue
                numerator = Decimal(str(json.loads(text).get("numerator", "0")))
                if numerator > value:
                    raise InputRefused(
                        f"Số liệu '{code}' = {value} nhỏ hơn tử số {numerator} của tiêu chí "
                        f"{leaf.code} (tỷ lệ sẽ lớn hơn 1). Hãy kiểm tra lại số liệu."
                    )

    def set_general(
        self,
        code: str,
        value: Decimal | None,
        *,
        appraised: bool = False,
        reason: str = "",
        check_numerators: bool = True,
        expected_version: int | None = None,
        overwrite_reason: str = "",
    ) -> None:
        """A general datum of the agency (its own figure, or the appraised one with a reason).
        ``expected_version``: the datum's version the screen showed (0 = no row yet); another
        clerk's save in between is refused with EditConflict unless ``overwrite_reason``."""
        known = {g.code: g for g in self.tree.general}
        if code not in known:
            raise NotFound(f"Phiếu đánh giá không có số liệu chung mã '{code}'.")
        if value is not None and (value < 0 or value != value.to_integral_value()):
            raise InputRefused(f"Số liệu chung '{known[code].label}' phải là số nguyên không âm.")
        reason = nfc(reason).strip()
        if appraised and not reason:
            raise InputRefused(f"Cần ghi lý do khi thẩm định số liệu '{known[code].label}'.")
        if value is not None and check_numerators:
            self._check_denominator(code, value, appraised)
        note = self._guard_general(code, known[code].label, expected_version, overwrite_reason)
        if note:
            reason = f"{reason} — {note}" if reason else note
        row = self.general.get(code)
        old = None if row is None else {"self": row.self_value, "appraised": row.appraised_value}
        if row is None:
            row = GeneralValue(
                round_id=self.rnd.id, agency_id=self.member.agency_id, code=code, reason=""
            )
            self.session.add(row)
            self.general[code] = row
        if appraised:
            row.appraised_value, row.reason = value, reason
        else:
            row.self_value = value
        row.updated_at, row.updated_by = now_utc(), self.actor.user
        self.session.flush()
        record(
            self.session,
            self.actor,
            "general.appraise" if appraised else "general.self",
            "general_value",
            row.id,
            year=self.rnd.year,
            old=old,
            new={
                "agency": self.member.agency.code,
                "code": code,
                "self": row.self_value,
                "appraised": row.appraised_value,
            },
            reason=reason,
        )

    def _guard_general(
        self, code: str, label: str, expected_version: int | None, overwrite_reason: str
    ) -> str:
        """``guard`` for a general datum: EditConflict when its row moved on since the screen
        read ``expected_version``; the overwrite note for the audit ('' when not overwriting)."""
        if expected_version is None and not overwrite_reason:
            return ""
        row = locked_general(self.session, self.rnd.id, self.member.agency_id, code)
        if row is not None:
            self.general[code] = row
        current = row.version if row is not None else None
        check_version(
            self.session,
            what=f"Số liệu chung '{label}' của {self.member.name}",
            entity="general_value",
            entity_id=row.id if row is not None else None,
            current=current,
            expected=expected_version,
            overwrite=bool(overwrite_reason),
        )
        return overwrite_note(overwrite_reason, current) if overwrite_reason else ""

    def restore_appraised(
        self,
        code: str,
        answer: Mapping[str, Any] | None,
        points_value: Decimal | None,
        reason_text: str,
        source: str,
        *,
        why: str,
        expected_version: int | None = None,
        overwrite_reason: str = "",
    ) -> None:
        """Put a leaf's appraisal back to an earlier state (undo), audited with ``why``."""
        self._leaf(code)
        self._check_not_decided(code)
        note = self.guard(code, expected_version, overwrite_reason)
        why = f"{why} — {note}" if note else why
        row, old = self._row(code)
        row.appraised_answer = json.dumps(dict(answer), ensure_ascii=False) if answer else None
        row.appraised_points = points_value
        row.reason, row.source = reason_text, source
        row.updated_at, row.updated_by = now_utc(), self.actor.user
        self._audit("score.restore", row, code, old, why)

    def finish(self) -> None:
        """Write the audit events of the changes made so far (runs before commit anyway)."""
        if not self._pending:
            return
        self.session.flush()
        for action, row, old, new, reason in self._pending:
            record(
                self.session,
                self.actor,
                action,
                "score",
                row.id,
                year=self.rnd.year,
                old=old,
                new=new,
                reason=reason,
            )
        self._pending.clear()

    def set_self(
        self,
        code: str,
        answer: Mapping[str, Any] | None,
        claimed: Decimal | None = None,
        *,
        expected_version: int | None = None,
        overwrite_reason: str = "",
    ) -> None:
        """The agency's figure and/or its self-assessed points (điểm tự chấm)."""
        criterion = self._leaf(code)
        note = self.guard(code, expected_version, overwrite_reason)
        if answer is not None:
            computed = check_answer(criterion, self._filled(criterion, answer, appraised=False))
            if (
                claimed is None
                and criterion.rule
                and criterion.rule.kind is not RuleKind.NORMALISED
            ):
                claimed = computed
        if claimed is not None:
            claimed = _check_points(criterion, claimed)
        row, old = self._row(code)
        row.self_answer = json.dumps(dict(answer), ensure_ascii=False) if answer else None
        row.self_points = claimed
        row.updated_at, row.updated_by = now_utc(), self.actor.user
        self._audit("score.self", row, code, old, note)

    def set_appraised(
        self,
        code: str,
        *,
        answer: Mapping[str, Any] | None = None,
        points_value: Decimal | None = None,
        reason: str,
        source: str = "cross_check",
        by_decision: bool = False,
        expected_version: int | None = None,
        overwrite_reason: str = "",
    ) -> None:
        """The appraised figure or points, with the reason (required) and its source. Source
        "council" is written only by a recorded council decision (``by_decision``).
        ``expected_version``: the row's version the screen showed (``services.concurrency``)."""
        criterion = self._leaf(code)
        reason = nfc(reason).strip()
        if not reason:
            raise InputRefused(f"Tiêu chí {code}: cần ghi lý do của điểm thẩm định.")
        if source not in SOURCES:
            raise InputRefused(f"Nguồn điểm thẩm định '{source}' không hợp lệ.")
        if source == "council" and not by_decision:
            raise InputRefused(
                f"Tiêu chí {code}: điểm theo Hội đồng thẩm định chỉ ghi qua quyết định của Hội "
                "đồng (ngày họp, nội dung quyết định)."
            )
        if not by_decision:
            self._check_not_decided(code)
        if (answer is None) == (points_value is None):
            raise InputRefused(f"Tiêu chí {code}: nhập số liệu thẩm định hoặc điểm thẩm định.")
        if answer is not None:
            check_answer(criterion, self._filled(criterion, answer, appraised=True))
        if points_value is not None:
            points_value = _check_points(criterion, points_value)
        note = self.guard(code, expected_version, overwrite_reason)
        row, old = self._row(code)
        row.appraised_answer = json.dumps(dict(answer), ensure_ascii=False) if answer else None
        row.appraised_points = points_value
        row.reason, row.source = reason, source
        row.updated_at, row.updated_by = now_utc(), self.actor.user
        self._audit("score.appraise", row, code, old, f"{reason} — {note}" if note else reason)


def open_sheet(session: Session, year: int, agency_code: str, actor: Actor) -> ScoreSheet:
    rnd = get_round(session, year)
    return ScoreSheet(session, rnd, member(session, rnd, agency_code), actor)


def set_self_score(
    db: Database,
    year: int,
    agency_code: str,
    code: str,
    *,
    answer: Mapping[str, Any] | None = None,
    claimed: Decimal | None = None,
    actor: Actor | None = None,
    expected_version: int | None = None,
    overwrite_reason: str = "",
) -> None:
    actor = actor or Actor()
    actor.require(Permission.IMPORT_FORMS)  # the agency's own figures, as on its form
    with score_conflicts(db, year, agency_code, code), db.session() as s:
        open_sheet(s, year, agency_code, actor).set_self(
            code,
            answer,
            claimed,
            expected_version=expected_version,
            overwrite_reason=overwrite_reason,
        )


def set_appraised_score(
    db: Database,
    year: int,
    agency_code: str,
    code: str,
    *,
    reason: str,
    answer: Mapping[str, Any] | None = None,
    points_value: Decimal | None = None,
    source: str = "cross_check",
    actor: Actor | None = None,
    expected_version: int | None = None,
    overwrite_reason: str = "",
) -> None:
    actor = actor or Actor()
    actor.require(Permission.EDIT_SCORES)
    with score_conflicts(db, year, agency_code, code), db.session() as s:
        open_sheet(s, year, agency_code, actor).set_appraised(
            code,
            answer=answer,
            points_value=points_value,
            reason=reason,
            source=source,
            expected_version=expected_version,
            overwrite_reason=overwrite_reason,
        )


def score_conflicts(db: Database, year: int, agency_code: str, code: str) -> Any:
    """A save of one score that lost a race at commit becomes an EditConflict."""

    def find(s: Session) -> tuple[int, int] | None:
        sheet = open_sheet(s, year, agency_code, Actor())
        row = sheet.rows.get(sheet.ids.get(code, -1))
        return (row.id, row.version) if row is not None else None

    return reported_as_conflict(db, f"Điểm tiêu chí {code} của {agency_code}", "score", find)
