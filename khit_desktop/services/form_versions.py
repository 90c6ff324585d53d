"""Criteria sets (Phiếu) as versions: adding one, choosing which one a round's group uses.

A form that any score refers to is frozen (``store.frozen``); a changed set is therefore a new
version of the same name. A group can switch form only while none of its agencies has a score
in that round, so no score ever points at a criterion of another set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, select

from ..domain.collation import nfc
from ..domain.criteria import FormTree
from ..domain.form_spec import form_checksum
from ..store.database import Database
from ..store.models import CriterionRow, Form, Round, RoundAgency, RoundGroup, ScoreRow
from .audit import Actor, record
from .errors import InputRefused, NotFound
from .forms import form_tree, save_form
from .permissions import Permission
from .rounds import get_round


@dataclass(frozen=True)
class FormSummary:
    id: int
    name: str
    version: int
    year: int | None
    is_sample: bool
    max_points: str
    criteria: int
    checksum: str
    frozen: bool  # some score refers to it
    used_by: tuple[str, ...]  # "2020 · Nhóm 1", …


def list_forms(db: Database) -> list[FormSummary]:
    with db.session() as s:
        forms = s.scalars(select(Form).order_by(Form.name, Form.version)).all()
        summaries = []
        for form in forms:
            tree = form_tree(s, form.id)
            frozen = bool(
                s.scalar(
                    select(
                        exists().where(
                            ScoreRow.criterion_id == CriterionRow.id,
                            CriterionRow.form_id == form.id,
                        )
                    )
                )
            )
            uses = s.execute(
                select(RoundGroup.number, RoundGroup.round_id).where(RoundGroup.form_id == form.id)
            ).all()
            used_by = []
            for number, round_id in uses:
                rnd = s.get(Round, round_id)
                used_by.append(f"{rnd.year if rnd else '?'} · Nhóm {number}")
            summaries.append(
                FormSummary(
                    form.id,
                    form.name,
                    form.version,
                    form.year,
                    form.is_sample,
                    f"{tree.max_points:f}",
                    sum(1 for _ in tree.walk()),
                    form_checksum(tree),
                    frozen,
                    tuple(sorted(used_by)),
                )
            )
        return summaries


def add_form_version(
    db: Database,
    tree: FormTree,
    *,
    name: str,
    year: int | None = None,
    source: str = "",
    actor: Actor | None = None,
) -> tuple[int, bool]:
    """Store ``tree`` as the next version of ``name``; returns (form id, created). A tree
    identical to the latest version of that name is not stored twice."""
    actor = actor or Actor()
    actor.require(Permission.MANAGE_CRITERIA)
    name = nfc(name).strip()
    if not name:
        raise InputRefused("Cần đặt tên cho bộ tiêu chí (ví dụ 'Phiếu đánh giá năm 2021').")
    problems = tree.problems()
    if problems:
        raise InputRefused("Bộ tiêu chí có lỗi: " + " ".join(problems))
    checksum = form_checksum(tree)
    with db.session() as s:
        latest = s.scalar(
            select(Form).where(Form.name == name).order_by(Form.version.desc()).limit(1)
        )
        if latest is not None and form_checksum(form_tree(s, latest.id)) == checksum:
            return latest.id, False
        form = save_form(s, name, tree, source=source, year=year)
        record(
            s,
            actor,
            "form.add",
            "form",
            form.id,
            year=year,
            new={
                "name": name,
                "version": form.version,
                "checksum": checksum,
                "max_points": tree.max_points,
                "criteria": sum(1 for _ in tree.walk()),
            },
        )
        return form.id, True


def use_form(
    db: Database, year: int, group: int, form_id: int, *, actor: Actor | None = None
) -> None:
    """Make group ``group`` of round ``year`` use form ``form_id``."""
    actor = actor or Actor()
    actor.require(Permission.MANAGE_CRITERIA)
    with db.session() as s:
        rnd = get_round(s, year)
        if rnd.state == "finalized":
            raise InputRefused(f"Kỳ đánh giá năm {year} đã chốt, không đổi phiếu được.")
        form = s.get(Form, form_id)
        if form is None:
            raise NotFound(f"Không có bộ tiêu chí số {form_id}.")
        target = next((g for g in rnd.groups if g.number == group), None)
        if target is None:
            raise NotFound(f"Kỳ đánh giá năm {year} không có nhóm {group}.")
        if target.form_id == form_id:
            return
        scored = s.scalar(
            select(func.count())
            .select_from(ScoreRow)
            .join(
                RoundAgency,
                (RoundAgency.agency_id == ScoreRow.agency_id)
                & (RoundAgency.round_id == ScoreRow.round_id),
            )
            .where(ScoreRow.round_id == rnd.id, RoundAgency.group_id == target.id)
        )
        if scored:
            raise InputRefused(
                f"Nhóm {group} năm {year} đã có {scored} điểm chấm theo phiếu hiện tại; "
                "không đổi phiếu được (điểm sẽ không còn khớp tiêu chí)."
            )
        old = target.form_id
        target.form_id = form_id
        record(
            s,
            actor,
            "round.form",
            "round_group",
            target.id,
            year=year,
            old={"group": group, "form_id": old},
            new={"group": group, "form_id": form_id, "name": form.name, "version": form.version},
        )


def form_json(db: Database, form_id: int) -> str:
    """The stored tree as JSON (what ``resources/criteria`` files hold)."""
    from ..domain.form_spec import criterion_to_json, general_to_json

    with db.session() as s:
        form = s.get(Form, form_id)
        if form is None:
            raise NotFound(f"Không có bộ tiêu chí số {form_id}.")
        tree = form_tree(s, form_id)
        return json.dumps(
            {
                "name": form.name,
                "version": form.version,
                "general": general_to_json(tree),
                "criteria": [criterion_to_json(a) for a in tree.areas],
            },
            ensure_ascii=False,
            indent=1,
        )


def tree_of(db: Database, form_id: int) -> FormTree:
    with db.session() as s:
        if s.get(Form, form_id) is None:
            raise NotFound(f"Không có bộ tiêu chí số {form_id}.")
        return form_tree(s, form_id)


def preview_criteria_file(path: Path) -> Any:
    """Read a criteria-set workbook into a preview (tree, totals, errors, warnings)."""
    from ..exchange.criteria_xlsx import read_criteria_workbook
    from ..exchange.safe_xlsx import WorkbookRefused

    try:
        return read_criteria_workbook(path)
    except WorkbookRefused as refused:
        raise InputRefused(str(refused)) from None


def import_criteria_file(
    db: Database,
    path: Path,
    *,
    name: str,
    year: int | None = None,
    actor: Actor | None = None,
) -> tuple[int, bool, Any]:
    """Store the criteria set of ``path`` as a new version of ``name`` if it has no errors;
    returns (form id, created, preview)."""
    actor = actor or Actor()
    actor.require(Permission.MANAGE_CRITERIA)
    preview = preview_criteria_file(path)
    if preview.errors or preview.tree is None:
        shown = "; ".join(f"{p.ref}: {p.message.rstrip('.')}" for p in preview.errors[:10])
        more = f" (và {len(preview.errors) - 10} lỗi khác)" if len(preview.errors) > 10 else ""
        raise InputRefused(f"Bộ tiêu chí trong '{path.name}' có lỗi, chưa lưu gì: {shown}{more}.")
    form_id, created = add_form_version(
        db, preview.tree, name=name, year=year, source=f"Nhập từ tệp {path.name}", actor=actor
    )
    return form_id, created, preview


def export_criteria_file(db: Database, form_id: int, path: Path) -> Path:
    from ..exchange.criteria_xlsx import write_criteria_workbook

    with db.session() as s:
        form = s.get(Form, form_id)
        if form is None:
            raise NotFound(f"Không có bộ tiêu chí số {form_id}.")
        title = f"{form.name} (phiên bản {form.version})"
        tree = form_tree(s, form_id)
    return write_criteria_workbook(tree, path, title=title)
