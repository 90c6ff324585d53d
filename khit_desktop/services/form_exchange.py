"""Phiếu in Excel both ways: blank forms out, filled forms in (one transaction per file)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..domain.criteria import FormTree, ScoringError, score_leaf
from ..domain.form_spec import form_checksum
from ..domain.lateness import deadlines
from ..store.database import Database
from ..store.models import Form, FormImport, RoundAgency, ScoreRow
from .attachments import add_attachment, file_sha256
from .audit import Actor, now_utc, record
from .backups import automatic_backup
from .errors import InputRefused, NotFound
from .forms import form_tree
from .permissions import Permission
from .receipts import member
from .rounds import get_round, rules_of
from .scores import open_sheet


def _identities(db: Database, year: int, group: int | None, agency: str | None) -> list[Any]:
    from ..exchange.agency_form import FormIdentity

    with db.session() as s:
        rnd = get_round(s, year)
        members: Iterable[RoundAgency] = rnd.members
        if agency is not None:
            members = [member(s, rnd, agency)]
        elif group is not None:
            members = [m for m in rnd.members if m.group.number == group]
            if not members:
                raise NotFound(f"Kỳ đánh giá năm {year} không có cơ quan nào thuộc nhóm {group}.")
        deadline = deadlines(rules_of(rnd)).effective
        result = []
        for m in sorted(members, key=lambda x: (x.group.number, x.agency.code)):
            if m.group.form_id is None:
                raise InputRefused(f"Nhóm {m.group.number} năm {year} chưa có phiếu đánh giá.")
            form = s.get(Form, m.group.form_id)
            assert form is not None
            tree = form_tree(s, form.id)
            result.append(
                (
                    tree,
                    FormIdentity(
                        year=year,
                        agency_code=m.agency.code,
                        agency_name=m.name,
                        group=m.group.number,
                        group_name=m.group.name,
                        form_id=form.id,
                        form_version=form.version,
                        form_name=form.name,
                        checksum=form_checksum(tree),
                        deadline=deadline,
                    ),
                )
            )
        return result


def write_blank_forms(
    db: Database,
    year: int,
    out_dir: Path,
    *,
    group: int | None = None,
    agency: str | None = None,
) -> list[Path]:
    """Blank Phiếu for one agency, one group, or every agency of the round."""
    from ..exchange.agency_form import write_blank_form

    forms = _identities(db, year, group, agency)  # refused before any folder is made
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for tree, identity in forms:
        paths.append(write_blank_form(tree, identity, out_dir / identity.file_name))
    return paths


class AlreadyImported(InputRefused):
    """The agency's form was imported before: replace it (kept in history) or cancel."""

    def __init__(self, agency: str, when: str, file_name: str) -> None:
        super().__init__(
            f"Phiếu của {agency} đã được nhập lúc {when} (tệp {file_name}). Nhập lại sẽ thay "
            "số liệu tự đánh giá; lần nhập trước vẫn được lưu trong lịch sử."
        )


@dataclass
class ImportResult:
    """What happened to one file."""

    file: Path
    state: str  # imported / skipped / refused
    message: str
    agency_code: str = ""
    flagged: list[str] = field(default_factory=list)  # typed points ≠ computed

    @property
    def label(self) -> str:
        return {"imported": "Đã nhập", "skipped": "Bỏ qua", "refused": "Từ chối"}[self.state]


def import_filled_form(
    db: Database,
    year: int,
    path: Path,
    *,
    replace: bool = False,
    reset_appraisal: bool = False,
    actor: Actor | None = None,
) -> ImportResult:
    """Import one filled Phiếu in one transaction; the database is unchanged on refusal."""
    from ..exchange.agency_form_reader import FormRefused, read_filled_form

    actor = actor or Actor()
    actor.require(Permission.IMPORT_FORMS)
    trees: dict[int, FormTree] = {}

    def tree_for(identity: Any) -> FormTree:
        with db.session() as s:
            rnd = get_round(s, year)
            m = member(s, rnd, identity.agency_code)
            if m.group.form_id is None:
                raise InputRefused(f"Nhóm {m.group.number} năm {year} chưa có phiếu đánh giá.")
            trees[m.agency_id] = form_tree(s, m.group.form_id)
            return trees[m.agency_id]

    try:
        filled = read_filled_form(path, tree_for, expected_year=year)
    except FormRefused as refused:
        raise InputRefused(str(refused)) from None
    identity = filled.identity
    if not filled.same_form:
        raise InputRefused(
            f"Tệp '{path.name}' được lập theo bộ tiêu chí khác ('{identity.form_name}', phiên "
            f"bản {identity.form_version}) với bộ tiêu chí nhóm {identity.group} đang dùng. "
            "Hãy gửi cho cơ quan phiếu trắng mới xuất từ chương trình."
        )
    if filled.problems:
        lines = "; ".join(f"{p.ref}: {p.message.rstrip('.')}" for p in filled.problems[:12])
        more = f" (và {len(filled.problems) - 12} lỗi khác)" if len(filled.problems) > 12 else ""
        raise InputRefused(
            f"Tệp '{path.name}' có số liệu không hợp lệ: {lines}{more}. Hãy "
            "sửa các ô này trong tệp rồi nhập lại."
        )
    with db.session() as s:
        rnd = get_round(s, year)
        m = member(s, rnd, identity.agency_code)
        earlier = s.scalar(
            select(FormImport).where(
                FormImport.round_id == rnd.id,
                FormImport.agency_id == m.agency_id,
                FormImport.replaced_by_id.is_(None),
            )
        )
        if earlier is not None and not replace:
            raise AlreadyImported(
                m.name, earlier.imported_at.strftime("%d/%m/%Y %H:%M"), earlier.file_name
            )
        sheet = open_sheet(s, year, m.agency.code, actor)
        tree = sheet.tree
        _check_general_present(tree, filled, path)
        for code, value in filled.general.items():
            # the file's own figures were checked against these; rows it leaves blank are
            # cleared below, so earlier figures do not count
            sheet.set_general(code, value, check_numerators=False)
        for leaf in tree.leaves():
            answer = filled.answers.get(leaf.code)
            typed = filled.self_points.get(leaf.code)
            if answer is None and typed is None:
                # the file is the agency's whole self-assessment: a blank row clears what an
                # earlier import left there (that import stays in the history)
                if sheet.has_self(leaf.code):
                    sheet.set_self(leaf.code, None, None)
                continue
            sheet.set_self(leaf.code, answer, typed)
        if reset_appraisal:
            for row in s.scalars(
                select(ScoreRow).where(
                    ScoreRow.round_id == rnd.id, ScoreRow.agency_id == m.agency_id
                )
            ):
                row.appraised_answer, row.appraised_points = None, None
                row.reason, row.source = "", "form"
        sheet.finish()
        stored = add_attachment(db, s, path, actor)
        entry = FormImport(
            round_id=rnd.id,
            agency_id=m.agency_id,
            form_id=m.group.form_id,  # the group's own set; the file's id is only a label
            file_name=path.name,
            file_sha256=file_sha256(path),
            attachment_id=stored.id,
            general_json=json.dumps({k: _text(v) for k, v in filled.general.items()}),
            values_json=json.dumps(
                {
                    code: {"answer": filled.answers.get(code), "points": _text(points)}
                    for code, points in filled.self_points.items()
                },
                ensure_ascii=False,
            ),
            imported_at=now_utc(),
            imported_by=actor.user,
        )
        s.add(entry)
        s.flush()
        if earlier is not None:
            earlier.replaced_by_id = entry.id
        record(
            s,
            actor,
            "form.import",
            "form_import",
            entry.id,
            year=year,
            new={
                "agency": m.agency.code,
                "file": path.name,
                "replaced": earlier.id if earlier else None,
                "reset_appraisal": reset_appraisal,
            },
        )
        flagged = _flagged(tree, filled)
        note = (
            f"; {len(flagged)} tiêu chí có điểm tự chấm khác điểm tính theo số liệu"
            if flagged
            else ""
        )
        return ImportResult(
            path, "imported", f"Đã nhập phiếu của {m.name}{note}.", m.agency.code, flagged
        )


def _check_general_present(tree: FormTree, filled: Any, path: Path) -> None:
    """A ratio figure whose denominator (a general datum) is blank cannot be scored."""
    labels = {g.code: g.label for g in tree.general}
    missing = sorted(
        {
            leaf.rule.denominator
            for leaf in tree.leaves()
            if leaf.rule is not None
            and leaf.rule.denominator
            and leaf.code in filled.answers
            and filled.general.get(leaf.rule.denominator) is None
        }
    )
    if missing:
        names = ", ".join(f"{code} ({labels.get(code, code)})" for code in missing)
        raise InputRefused(
            f"Tệp '{path.name}' có số liệu tính theo tỷ lệ nhưng để trống số liệu chung {names} "
            "ở mục I. Hãy điền số liệu chung rồi nhập lại."
        )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _flagged(tree: FormTree, filled: Any) -> list[str]:
    """Leaves whose typed points differ from what the rule gives for the agency's figures
    (normalised rules are left to the grid: they depend on the whole group)."""
    out = []
    for leaf in tree.leaves():
        answer, typed = filled.answers.get(leaf.code), filled.self_points.get(leaf.code)
        if answer is None or typed is None or leaf.rule is None:
            continue
        datum = leaf.rule.denominator
        if datum and "denominator" not in answer:
            value = filled.general.get(datum)
            if value is None:
                continue
            answer = {**answer, "denominator": str(value)}
        try:
            computed = score_leaf(
                leaf,
                answer,
                Decimal(answer.get("value", 0)) if leaf.rule.kind.value == "normalised" else None,
            )
        except (ScoringError, ArithmeticError):
            continue
        if leaf.rule.kind.value != "normalised" and computed != typed:
            out.append(leaf.code)
    return out


def import_paths(
    db: Database,
    year: int,
    paths: Iterable[Path],
    *,
    replace: bool = False,
    actor: Actor | None = None,
    progress: Callable[[int, int, Path], bool] | None = None,
    decide: Callable[[AlreadyImported, Path], bool] | None = None,
) -> list[ImportResult]:
    """Import files and folders (*.xlsx inside); each file lands whole or not at all.

    ``progress(done, total, file)`` returning False cancels the rest; ``decide`` answers the
    "replace or cancel" question for an agency imported before (default: ``replace``)."""
    actor = actor or Actor()
    actor.require(Permission.IMPORT_FORMS)  # refused as a whole, not file by file
    files = expand(paths)
    automatic_backup(db, "nhap-phieu")  # a copy from just before the import
    results: list[ImportResult] = []
    for index, file in enumerate(files):
        if progress is not None and not progress(index, len(files), file):
            results.extend(
                ImportResult(f, "skipped", "Đã hủy trước khi nhập tệp này.") for f in files[index:]
            )
            break
        try:
            results.append(import_filled_form(db, year, file, replace=replace, actor=actor))
        except AlreadyImported as again:
            if decide is not None and decide(again, file):
                results.append(import_filled_form(db, year, file, replace=True, actor=actor))
            else:
                results.append(ImportResult(file, "skipped", str(again)))
        except InputRefused as refused:
            results.append(ImportResult(file, "refused", str(refused)))
    if progress is not None:
        progress(len(files), len(files), files[-1] if files else Path())
    return results


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the workbooks inside folders (Excel's lock files ~$… left out)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file()
                    and p.suffix.lower() in (".xlsx", ".xls", ".xlsm")
                    and not p.name.startswith("~$")
                )
            )
        else:
            files.append(path)
    return files


def summary_text(results: list[ImportResult], year: int, when: date) -> str:
    """The import summary as plain text a clerk can save next to the files."""
    counts = {
        state: sum(1 for r in results if r.state == state)
        for state in ("imported", "skipped", "refused")
    }
    lines = [
        f"KẾT QUẢ NHẬP PHIẾU ĐÁNH GIÁ NĂM {year} — ngày {when.strftime('%d/%m/%Y')}",
        f"Đã nhập: {counts['imported']}; bỏ qua: {counts['skipped']}; "
        f"từ chối: {counts['refused']}.",
        "",
    ]
    for r in results:
        lines.append(f"[{r.label}] {r.file.name}: {r.message}")
        if r.flagged:
            lines.append(
                "    Điểm tự chấm khác điểm tính theo số liệu ở tiêu chí: " + ", ".join(r.flagged)
            )
    return "\n".join(lines) + "\n"
