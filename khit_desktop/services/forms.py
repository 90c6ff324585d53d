"""Forms (Phiếu đánh giá): stored as criteria rows, read back as a domain ``FormTree``."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.criteria import Criterion, FormTree, GeneralField, Rule
from ..domain.form_spec import form_from_json, general_to_json
from ..paths import resources_dir
from ..store.models import CriterionRow, Form
from .audit import now_utc

SAMPLE_FORM_FILE = "criteria/bo-tieu-chi-mau.json"


def read_form_file(path: Path) -> tuple[dict[str, object], FormTree]:
    """A form file of ``resources/criteria`` (its header, its checked tree)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data, form_from_json(data["criteria"], data.get("general", ()))


def save_form(
    session: Session,
    name: str,
    tree: FormTree,
    *,
    source: str = "",
    is_sample: bool = False,
    year: int | None = None,
) -> Form:
    """A new form (next version of ``name``) holding ``tree``."""
    latest = session.scalar(
        select(Form.version).where(Form.name == name).order_by(Form.version.desc()).limit(1)
    )
    form = Form(
        name=name,
        version=(latest or 0) + 1,
        year=year,
        source=source,
        is_sample=is_sample,
        created_at=now_utc(),
        general_json=json.dumps(general_to_json(tree), ensure_ascii=False),
    )
    session.add(form)
    session.flush()
    position = 0

    def add(node: Criterion, parent: CriterionRow | None) -> None:
        nonlocal position
        position += 1
        row = CriterionRow(
            code=node.code,
            position=position,
            title=node.title,
            max_points=node.max_points,
            rule_json=json.dumps(node.rule.to_json(), ensure_ascii=False) if node.rule else None,
            gate_code=node.gate,
            evidence=node.evidence,
            verifier=node.verifier,
            input_label=node.input_label,
            form_id=form.id,
            parent_id=parent.id if parent is not None else None,
        )
        session.add(row)
        session.flush()
        for child in node.children:
            add(child, row)

    for area in tree.areas:
        add(area, None)
    return form


def install_sample_form(session: Session) -> Form:
    data, tree = read_form_file(resources_dir() / SAMPLE_FORM_FILE)
    return save_form(
        session, str(data["name"]), tree, source=str(data.get("note", "")), is_sample=True
    )


def form_tree(session: Session, form_id: int) -> FormTree:
    """Rebuild the domain tree of a stored form."""
    rows = session.scalars(
        select(CriterionRow).where(CriterionRow.form_id == form_id).order_by(CriterionRow.position)
    ).all()
    children: dict[int | None, list[CriterionRow]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)

    def build(row: CriterionRow) -> Criterion:
        return Criterion(
            code=row.code,
            title=row.title,
            max_points=row.max_points,
            rule=Rule.from_json(json.loads(row.rule_json)) if row.rule_json else None,
            children=tuple(build(c) for c in children.get(row.id, [])),
            gate=row.gate_code,
            evidence=row.evidence,
            verifier=row.verifier,
            input_label=row.input_label,
        )

    form = session.get(Form, form_id)
    general = json.loads(form.general_json) if form is not None and form.general_json else []
    fields = tuple(GeneralField(g["code"], g["label"]) for g in general)
    return FormTree(tuple(build(r) for r in children.get(None, [])), fields)


def criterion_ids(session: Session, form_id: int) -> dict[str, int]:
    rows = session.execute(
        select(CriterionRow.code, CriterionRow.id).where(CriterionRow.form_id == form_id)
    ).all()
    return {code: cid for code, cid in rows}
