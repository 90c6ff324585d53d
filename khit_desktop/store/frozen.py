"""A form becomes read-only once any score refers to it (its criteria are then frozen)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, exists, select
from sqlalchemy.orm import Session, sessionmaker

from .errors import FormFrozenError
from .models import CriterionRow, Form, ScoreRow


def _form_has_scores(session: Session, form_id: int) -> bool:
    query = select(
        exists().where(ScoreRow.criterion_id == CriterionRow.id, CriterionRow.form_id == form_id)
    )
    with session.no_autoflush:
        return bool(session.execute(query).scalar())


def _guard(session: Session, _context: Any, _instances: Any) -> None:
    touched: dict[int, str] = {}
    for obj in list(session.dirty) + list(session.deleted) + list(session.new):
        if isinstance(obj, CriterionRow) and obj.form_id is not None:
            if obj in session.new or session.is_modified(obj) or obj in session.deleted:
                touched[obj.form_id] = obj.code
        elif isinstance(obj, Form) and obj.id is not None and obj not in session.new:
            if session.is_modified(obj) or obj in session.deleted:
                touched[obj.id] = ""
    for form_id in touched:
        if _form_has_scores(session, form_id):
            raise FormFrozenError(
                "Phiếu đánh giá này đã có điểm chấm nên không sửa được; "
                "hãy tạo phiên bản mới của phiếu."
            )


def install_frozen_form_guard(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _guard)
