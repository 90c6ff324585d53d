"""A form (criteria tree) to and from its plain data form (the JSON files in ``resources/``).

Layout of one criterion: ``{"code": "1.6", "title": "…", "max": "30", "rule": {…}}`` for a
leaf, or ``{"code": …, "title": …, "max": …, "children": […], "gate": "1.6.1"}`` for a parent;
optional ``input_label``, ``evidence`` and ``verifier``. Rules: see ``Rule.from_json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from .collation import nfc
from .criteria import Criterion, FormTree, GeneralField, Rule


class FormSpecError(ValueError):
    """A form file that cannot be read (message in Vietnamese)."""


def criterion_from_json(data: Mapping[str, Any], parent_code: str = "") -> Criterion:
    code = str(data.get("code", "")).strip()
    where = f"Tiêu chí '{code or '?'}'"
    if not code:
        raise FormSpecError("Có tiêu chí thiếu mã.")
    if parent_code and not code.startswith(parent_code + "."):
        raise FormSpecError(f"{where}: mã không nằm dưới tiêu chí cha {parent_code}.")
    try:
        maximum = Decimal(str(data["max"]))
    except (KeyError, InvalidOperation):
        raise FormSpecError(f"{where}: điểm tối đa không hợp lệ.") from None
    children = tuple(criterion_from_json(c, code) for c in data.get("children", ()))
    rule = None
    if not children:
        if "rule" not in data:
            raise FormSpecError(f"{where}: thiếu cách tính điểm.")
        try:
            rule = Rule.from_json(data["rule"])
        except (KeyError, ValueError, InvalidOperation) as exc:
            raise FormSpecError(f"{where}: cách tính điểm không hợp lệ ({exc}).") from None
    return Criterion(
        code=code,
        title=nfc(str(data.get("title", ""))).strip(),
        max_points=maximum,
        rule=rule,
        children=children,
        gate=data.get("gate"),
        evidence=nfc(str(data.get("evidence", ""))),
        verifier=nfc(str(data.get("verifier", ""))),
        input_label=nfc(str(data.get("input_label", ""))),
    )


def form_from_json(
    criteria: Sequence[Mapping[str, Any]], general: Sequence[Mapping[str, Any]] = ()
) -> FormTree:
    """Build and check a tree; duplicate codes and unsound trees are refused."""
    fields = tuple(
        GeneralField(str(g["code"]).strip(), nfc(str(g["label"])).strip()) for g in general
    )
    form = FormTree(tuple(criterion_from_json(c) for c in criteria), fields)
    codes = [c.code for c in form.walk()]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise FormSpecError("Mã tiêu chí bị trùng: " + ", ".join(duplicates) + ".")
    problems = form.problems()
    if problems:
        raise FormSpecError(" ".join(problems))
    return form


def criterion_to_json(c: Criterion) -> dict[str, Any]:
    data: dict[str, Any] = {"code": c.code, "title": c.title, "max": str(c.max_points)}
    if c.rule is not None:
        data["rule"] = c.rule.to_json()
    if c.children:
        data["children"] = [criterion_to_json(ch) for ch in c.children]
    if c.gate:
        data["gate"] = c.gate
    for key in ("input_label", "evidence", "verifier"):
        if getattr(c, key):
            data[key] = getattr(c, key)
    return data


def general_to_json(form: FormTree) -> list[dict[str, str]]:
    return [{"code": g.code, "label": g.label} for g in form.general]


def form_checksum(form: FormTree) -> str:
    """A fingerprint of a criteria set (codes, titles, maxima, rules, gates, general data): a
    filled form whose checksum differs was made from another set, and a changed set — even
    reworded — becomes a new version."""
    import hashlib
    import json

    def essential(c: Criterion) -> list[Any]:
        return [
            c.code,
            nfc(c.title).strip(),
            str(c.max_points.normalize()),
            c.rule.to_json() if c.rule else None,
            c.gate,
            [essential(ch) for ch in c.children],
        ]

    payload = {
        "areas": [essential(a) for a in form.areas],
        "general": [[g.code, g.label] for g in form.general],
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
