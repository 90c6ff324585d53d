"""Checking the rows read from a criteria table and building the tree from them.

``check_and_build`` runs after ``criteria_xlsx`` has read the rows: codes unique and nested,
every parent present, the rules read against each row's place in the tree and the general
data, the maxima of children against their parent. Every problem goes to the preview with
its cell; the tree is built only when there is none.
"""

from __future__ import annotations

from dataclasses import replace

from ..domain.collation import fold_diacritics
from ..domain.criteria import Criterion, FormTree, GeneralField, Rule
from ..domain.numbers import ZERO
from ..domain.rule_syntax import ParentRule, RuleSyntaxError, parse_rule
from .criteria_table import SHEET_GENERAL, CellProblem, CriteriaPreview, CriteriaRow, shown_points
from .safe_xlsx import cell_ref


def check_and_build(
    sheet: str,
    header: int,
    cols: dict[str, int],
    valid: set[int],
    general: tuple[GeneralField, ...],
    out: CriteriaPreview,
) -> None:
    def ref(row: CriteriaRow, key: str) -> str:
        return cell_ref(sheet, row.row, cols.get(key, cols["code"]))

    def error(row: CriteriaRow, key: str, message: str) -> None:
        out.errors.append(CellProblem(ref(row, key), message))

    if not out.rows:
        message = (
            f"Bảng không có tiêu chí nào dưới dòng tiêu đề (dòng {header}). Hãy nhập mỗi tiêu "
            "chí một dòng: mã, nội dung, điểm tối đa, cách tính điểm."
        )
        out.errors.append(CellProblem(cell_ref(sheet, header + 1, cols["code"]), message))
    numeric = {p.ref for p in out.warnings if "dạng số" in p.message}
    index: dict[str, CriteriaRow] = {}
    for row in (r for r in out.rows if r.row in valid):
        first = index.setdefault(row.code, row)
        if first is not row:
            hint = ""
            if {ref(row, "code"), ref(first, "code")} & numeric:
                hint = " Có thể Excel đã đổi 1.10 thành 1.1: hãy gõ mã dạng văn bản."
            error(row, "code", f"Mã {row.code} trùng với mã ở dòng {first.row}.{hint}")
    children: dict[str, list[str]] = {}
    for code, row in index.items():
        parent = code.rpartition(".")[0]
        if parent and parent not in index:
            error(row, "code", f"Tiêu chí {code}: không có tiêu chí cha {parent} trong bảng. "
                  f"Hãy thêm dòng {parent} hoặc sửa lại mã.")  # fmt: skip
        elif parent:
            children.setdefault(parent, []).append(code)
    known = {g.code.casefold(): g.code for g in general}
    rules: dict[str, Rule | ParentRule] = {}
    for code, row in index.items():
        if row.max_points is not None:
            parsed = _rule(row, children.get(code, []), known, ref(row, "rule"), out)
            if parsed is not None:
                rules[code] = parsed
    for code, kids in children.items():
        row = index[code]
        maxima = [index[k].max_points for k in kids]
        if row.max_points is None or None in maxima:
            continue
        total, own = sum((m for m in maxima if m is not None), ZERO), row.max_points
        shown_total, shown_own = shown_points(total), shown_points(own)
        if total < own:
            error(row, "max", f"Tiêu chí {code}: tổng điểm tối đa các tiêu chí con "
                  f"({shown_total}) nhỏ hơn điểm tối đa ({shown_own}). Hãy sửa điểm "
                  "tối đa hoặc bổ sung tiêu chí con.")  # fmt: skip
        elif total > own:
            out.warnings.append(CellProblem(ref(row, "max"), f"Tiêu chí {code}: tổng điểm "
                f"tối đa các tiêu chí con ({shown_total}) vượt điểm tối đa ({shown_own}); "
                f"điểm được giới hạn ở {shown_own}."))  # fmt: skip
    out.area_totals = [
        (code, row.title, row.max_points)
        for code, row in index.items()
        if "." not in code and row.max_points is not None
    ]
    out.total = sum((m for _, _, m in out.area_totals), ZERO)
    if out.errors:
        return

    def build(code: str) -> Criterion:
        row, rule = index[code], rules[code]
        return Criterion(
            code, row.title, row.max_points or ZERO,
            rule=rule if isinstance(rule, Rule) else None,
            children=tuple(build(k) for k in children.get(code, ())),
            gate=rule.gate if isinstance(rule, ParentRule) else None,
            evidence=row.evidence, verifier=row.verifier, input_label=row.input_label,
        )  # fmt: skip

    tree = FormTree(tuple(build(c) for c in index if "." not in c), general)
    for problem in tree.problems():  # a safety net: the checks above should catch all
        code = problem.removeprefix("Tiêu chí ").split(":", 1)[0]
        where = ref(index[code], "code") if code in index else cell_ref(sheet, header, 1)
        out.errors.append(CellProblem(where, problem))
    out.tree = None if out.errors else tree


def _rule(
    row: CriteriaRow, kids: list[str], known: dict[str, str], ref: str, out: CriteriaPreview
) -> Rule | ParentRule | None:
    """The rule of a row, checked against its place in the tree and the general data."""
    code, folded = row.code, fold_diacritics(row.rule_text)
    if kids and folded.startswith("tong") and "dieu kien" not in folded:
        return ParentRule()  # "Tổng điểm các tiêu chí thành phần" and the like
    problem = ""
    try:
        parsed = parse_rule(row.rule_text, row.max_points or ZERO)
    except RuleSyntaxError as exc:
        parsed, problem = None, str(exc)
    if kids and isinstance(parsed, Rule):
        problem = (
            "có tiêu chí con nên điểm là tổng điểm các tiêu chí con. Hãy ghi 'tổng' hoặc để "
            "trống ô này."
        )
    elif not kids and isinstance(parsed, ParentRule):
        problem = (
            "không có tiêu chí con nên cần ghi cách tính điểm, ví dụ 'nhập', 'có/không', "
            "'tỷ lệ' (xem trang 'Hướng dẫn')."
        )
    elif isinstance(parsed, ParentRule) and parsed.gate is not None:
        gate = "".join(parsed.gate.split()).removesuffix(".")
        parsed = ParentRule(gate)
        if gate not in kids:
            problem = (
                f"điều kiện '{gate}' không phải tiêu chí con của {code}. Hãy ghi mã một "
                f"tiêu chí con, ví dụ 'tổng; điều kiện: {kids[0]}'."
            )
    elif isinstance(parsed, Rule) and parsed.denominator is not None:
        asked, denominator = parsed.denominator, known.get(parsed.denominator.casefold())
        parsed = replace(parsed, denominator=denominator)
        if denominator is None:
            problem = (
                f"mẫu số '{asked}' không có trong trang '{SHEET_GENERAL}'. Hãy thêm số liệu "
                f"có mã {asked} vào trang đó hoặc sửa cách tính điểm."
            )
    if problem:
        out.errors.append(CellProblem(ref, f"Tiêu chí {code}: {problem}"))
        return None
    return parsed
