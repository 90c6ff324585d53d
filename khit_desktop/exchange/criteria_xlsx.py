"""The province's criteria set (Phiếu đánh giá) as a published Excel table, both ways.

Sheet "Tiêu chí": title rows, then a header row (searched in the first 15 rows of the first
sheet that has one) with the columns STT/Mã tiêu chí, Nội dung tiêu chí, Điểm tối đa, Cách
tính điểm, Tài liệu kiểm chứng, Đơn vị xác minh and, optionally, Số liệu; headers match
whatever their case, diacritics and small variants. Codes (1, 1.1, 1.1.2, a trailing dot
allowed) give the tree; "Cách tính điểm" holds the phrases of ``domain.rule_syntax``.
Optional sheet "Số liệu chung" (Mã, Nội dung) lists the general data; "Hướng dẫn" explains
it all. ``write_criteria_workbook`` writes that layout and ``read_criteria_workbook`` reads
it back to an equal tree, so a file made by the app is its own template.

Reading never raises for what a file says: every problem is collected with its cell
(``Tiêu chí!D12``); only an unreadable file raises ``WorkbookRefused``.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from ..domain import rule_syntax
from ..domain.collation import fold_diacritics, nfc
from ..domain.criteria import Criterion, FormTree, GeneralField, Rule, RuleKind
from ..domain.numbers import ZERO, NumberFormatError, parse_decimal
from ..domain.rule_syntax import ParentRule, RuleSyntaxError, format_rule, parse_rule
from .register_xlsx import FONT_NAME, FONT_SIZE, _save_atomically, _set_text
from .safe_xlsx import cell_ref, open_workbook

SHEET_CRITERIA, SHEET_GENERAL, SHEET_GUIDE = "Tiêu chí", "Số liệu chung", "Hướng dẫn"
HEADER_SEARCH_ROWS = 15
MAX_GAP = 200  # empty rows in a row that end the table
MAX_LEVELS = 8  # 1.1.1.1… deeper than this is a typing error, not a criteria set

# (key, header written, column width); the reader accepts the aliases below as well.
COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("code", "STT/Mã tiêu chí", 10),
    ("title", "Nội dung tiêu chí", 52),
    ("max", "Điểm tối đa", 9),
    ("rule", "Cách tính điểm", 30),
    ("evidence", "Tài liệu kiểm chứng", 26),
    ("verifier", "Đơn vị xác minh", 18),
    ("input_label", "Số liệu", 30),
)
HEADERS = {key: header for key, header, _ in COLUMNS}
REQUIRED = ("code", "title", "max", "rule")
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("stt/ma tieu chi", "ma tieu chi/stt", "ma tieu chi", "ma", "ma so", "stt", "tt"),
    "title": ("noi dung tieu chi", "noi dung", "tieu chi", "ten tieu chi", "noi dung danh gia"),
    "max": ("diem toi da", "toi da", "so diem toi da", "diem chuan", "thang diem", "diem"),
    "rule": ("cach tinh diem", "cach tinh", "cach cham diem", "phuong phap tinh diem"),
    "evidence": ("tai lieu kiem chung", "tai lieu minh chung", "minh chung", "tai lieu"),
    "verifier": ("don vi xac minh", "co quan xac minh", "don vi kiem tra", "don vi tham dinh"),
    "input_label": ("so lieu", "so lieu can nhap", "du lieu", "so lieu/chi so"),
}
GENERAL_HEADERS = {"code": "Mã", "label": "Nội dung"}
GENERAL_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("ma", "ma so lieu", "ky hieu", "ma so"),
    "label": ("noi dung", "ten so lieu", "so lieu", "noi dung so lieu"),
}
_TOTAL_TITLES = {
    "tong",
    "cong",
    "tong cong",
    "tong so",
    "tong diem",
    "tong so diem",
    "tong cong diem",
}
_SPREAD = ("rule", "evidence", "verifier", "input_label")  # cells merged down apply to each row
_CODE = re.compile(r"\d{1,4}(?:\.\d{1,4})*")
_ROMAN = re.compile(r"[IVXLC]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CellProblem:
    """What is wrong (or worth a look) and where: ``ref`` is like ``Tiêu chí!D12``."""

    ref: str
    message: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.message}"


@dataclass(frozen=True, slots=True)
class CriteriaRow:
    """One criterion row of the table as read (texts NFC, ``max_points`` None if unreadable)."""

    row: int
    code: str
    title: str
    max_points: Decimal | None
    rule_text: str
    evidence: str
    verifier: str
    input_label: str


@dataclass
class CriteriaPreview:
    """What a criteria workbook holds; ``tree`` is None when there is any error."""

    rows: list[CriteriaRow] = field(default_factory=list)
    tree: FormTree | None = None
    area_totals: list[tuple[str, str, Decimal]] = field(default_factory=list)
    total: Decimal = ZERO
    errors: list[CellProblem] = field(default_factory=list)
    warnings: list[CellProblem] = field(default_factory=list)
    sheet: str = ""
    title: str = ""  # the table's own title, above the header (see ``_title_above``)


# ---- reading ------------------------------------------------------------------------------


def read_criteria_workbook(path: str | os.PathLike[str]) -> CriteriaPreview:
    """Read and check a criteria table; raises only ``WorkbookRefused`` (unreadable file)."""
    workbook = open_workbook(path)
    try:
        return _read(workbook)
    finally:
        workbook.close()


def _read(wb: Any) -> CriteriaPreview:
    out = CriteriaPreview()
    general = _read_general(wb, out)
    sheets = sorted(wb.worksheets, key=lambda s: fold_diacritics(s.title) != "tieu chi")
    hint = ""
    for ws in sheets:
        header, message, cols = _find_header(ws, ALIASES, HEADERS, REQUIRED)
        hint = hint or message
        if header:
            break
    else:
        sheet = sheets[0].title if sheets else SHEET_CRITERIA
        out.errors.append(CellProblem(cell_ref(sheet, 1, 1), hint or _NO_HEADER))
        return out
    out.sheet, out.title = ws.title, _title_above(ws, header)
    for key in ("evidence", "verifier"):
        if key not in cols:
            message = f"Không có cột '{HEADERS[key]}'; cột này sẽ để trống."
            out.warnings.append(CellProblem(cell_ref(ws.title, header, 1), message))
    valid, total_cell = _read_rows(ws, header, cols, out)
    _check_and_build(ws.title, header, cols, valid, general, out)
    if total_cell is not None:
        _check_total_row(*total_cell, out)
    return out


_NO_HEADER = (
    "Không tìm thấy dòng tiêu đề bảng tiêu chí (STT/Mã tiêu chí, Nội dung tiêu chí, Điểm "
    "tối đa, Cách tính điểm) trong 15 dòng đầu. Hãy đặt các cột đó trên một dòng, như tệp "
    "mẫu xuất từ phần mềm."
)


def _header_key(value: Any) -> str:
    text = re.sub(r"\(.*?\)", " ", fold_diacritics(_text(value)))
    text = re.sub(r"\s*/\s*", "/", re.sub(r"[^a-z0-9/]+", " ", text))
    return " ".join(text.split())


def _alias_rank(key: str, names: tuple[str, ...]) -> int | None:
    """Position of ``key`` among ``names`` (lower is better), or a near variant of the first."""
    if key in names:
        return names.index(key)
    if key.startswith((names[0] + " ", names[0] + "/")):
        return len(names)
    return None


def _find_header(
    ws: Any, aliases: dict[str, tuple[str, ...]], labels: dict[str, str], required: tuple[str, ...]
) -> tuple[int, str, dict[str, int]]:
    """(header row or 0, message when only some columns were found, column of each key)."""
    best: tuple[int, dict[str, int]] = (0, {})
    for r in range(1, min(ws.max_row, HEADER_SEARCH_ROWS) + 1):
        ranked: dict[str, tuple[int, int]] = {}  # key -> (alias rank, column)
        for c in range(1, min(ws.max_column, 60) + 1):
            key = _header_key(ws.cell(r, c).value)
            for name, names in aliases.items() if key else ():
                rank = _alias_rank(key, names)
                if rank is not None:
                    if name not in ranked or rank < ranked[name][0]:
                        ranked[name] = (rank, c)
                    break
        cols = {name: column for name, (_, column) in ranked.items()}
        if all(k in cols for k in required):
            return r, "", cols
        if len(cols) > len(best[1]):
            best = (r, cols)
    if len([k for k in required if k in best[1]]) < 2:
        return 0, "", {}
    missing = ", ".join(f"'{labels[k]}'" for k in required if k not in best[1])
    return 0, f"Dòng {best[0]} thiếu cột {missing}. Hãy thêm cột đó vào dòng tiêu đề.", {}


def _title_above(ws: Any, header: int) -> str:
    """The table's title: the first text above the header naming a "phiếu" or a criteria
    set (the agency's name and the national motto come first in the province's style)."""
    texts = [_text(ws.cell(r, c).value) for r in range(1, header) for c in range(1, 21)]
    texts = [t for t in texts if t]
    named = [
        t for t in texts if "phieu" in fold_diacritics(t) or "bo tieu chi" in fold_diacritics(t)
    ]
    return (named or texts or [""])[0]


def _spread_values(ws: Any, cols: dict[str, int]) -> dict[tuple[int, int], Any]:
    """Cells under a vertical merge in the columns of ``_SPREAD``: the merge's value."""
    wanted = {cols[k] for k in _SPREAD if k in cols}
    spread: dict[tuple[int, int], Any] = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_col == rng.max_col and rng.min_col in wanted:
            value = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row + 1, min(rng.max_row, ws.max_row) + 1):
                spread[r, rng.min_col] = value
    return spread


def _read_rows(
    ws: Any, header: int, cols: dict[str, int], out: CriteriaPreview
) -> tuple[set[int], tuple[Any, str] | None]:
    """Append the criterion rows to ``out.rows``; return the sheet rows whose code is valid
    and the (value, ref) of the maximum on the total row, if there is one."""
    spread = _spread_values(ws, cols)
    valid: set[int] = set()
    for r in _rows(ws, header, list(cols.values()), out):
        raw: dict[str, Any] = {}
        for key, c in cols.items():
            cell = ws.cell(r, c)
            raw[key] = spread.get((r, c)) if isinstance(cell, MergedCell) else cell.value
        texts = {key: _text(v) for key, v in raw.items()}
        filled = [t for t in texts.values() if t]
        if not filled or (not out.rows and _numbering(filled)):
            continue  # empty, or the column numbering row (1) (2) (3) under the header
        where = _where(ws.title, r, cols)
        if not texts["code"]:
            if _header_key(texts["title"]) in _TOTAL_TITLES:
                return valid, (raw.get("max"), where("max"))  # notes and signatures follow
            message = "Dòng không có mã tiêu chí nên được bỏ qua. Nếu là tiêu chí, hãy nhập mã."
            out.warnings.append(CellProblem(where("code"), message))
            continue
        code = _code(raw["code"], where("code"), out)
        if code is not None:
            valid.add(r)
        amount = _amount(raw["max"], where("max"), code or texts["code"], out)
        if not texts["title"]:
            out.errors.append(
                CellProblem(where("title"), f"Tiêu chí {code or texts['code']}: thiếu nội dung.")
            )
        out.rows.append(
            CriteriaRow(
                r, code or texts["code"], texts["title"], amount, texts["rule"],
                texts.get("evidence", ""), texts.get("verifier", ""),
                texts.get("input_label", ""),
            )
        )  # fmt: skip
    return valid, None


def _rows(ws: Any, header: int, columns: Iterable[int], out: CriteriaPreview) -> Iterator[int]:
    """The rows below ``header`` up to a gap of ``MAX_GAP`` empty rows (a stray cell at row
    1,048,576 must not make the reader walk a million rows)."""
    gap = 0
    for r in range(header + 1, ws.max_row + 1):
        gap = gap + 1 if all(ws.cell(r, c).value is None for c in columns) else 0
        if gap > MAX_GAP:
            cells = getattr(ws, "_cells", {})  # only the cells the file holds (openpyxl 3.1)
            if not any(k[0] > r and v.value is not None for k, v in cells.items()):
                return  # formatted but empty rows below the table
            message = (
                f"Các dòng từ dòng {r} trở đi không được đọc vì phía trên có hơn {MAX_GAP} "
                "dòng trống. Hãy xóa các dòng trống nếu bảng còn tiếp."
            )
            out.warnings.append(CellProblem(cell_ref(ws.title, r, 1), message))
            return
        yield r


def _numbering(texts: list[str]) -> bool:
    """Whether a row is the column numbering under a header: (1) (2) (3) … or 1 2 3 …"""
    numbers = [t.strip("()") for t in texts]
    if len(numbers) < 3 or not all(n.isdigit() for n in numbers):
        return False
    return all(int(a) < int(b) for a, b in itertools.pairwise(numbers))


def _where(sheet: str, row: int, cols: dict[str, int]) -> Callable[[str], str]:
    return lambda key: cell_ref(sheet, row, cols.get(key, cols["code"]))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).replace("\r\n", "\n").strip()


def _code(value: Any, ref: str, out: CriteriaPreview) -> str | None:
    if isinstance(value, datetime | date | time | timedelta):
        out.errors.append(CellProblem(ref, _AS_DATE))
        return None
    text = _text(value)
    if isinstance(value, float) and not value.is_integer():
        text = repr(value)
        out.warnings.append(CellProblem(ref, _AS_NUMBER.format(code=text)))
    text = "".join(text.split()).removesuffix(".")
    if _CODE.fullmatch(text) and text.count(".") < MAX_LEVELS:
        return text
    if _ROMAN.fullmatch(text):
        message = (
            f"Mã '{text}' là số La Mã. Hãy đánh mã lĩnh vực bằng số (1, 2, 3…) và mã tiêu "
            "chí con dạng 1.1, 1.2, 1.2.1."
        )
    else:
        message = f"Mã '{_text(value)}' không hợp lệ. Mã tiêu chí viết dạng 1, 1.1, 1.1.2."
    out.errors.append(CellProblem(ref, message))
    return None


_AS_DATE = (
    "Excel đã đổi mã tiêu chí thành ngày tháng. Hãy định dạng cột mã là Text (văn bản) rồi "
    "gõ lại mã."
)
_AS_NUMBER = (
    "Mã '{code}' được Excel lưu dạng số nên không phân biệt được 1.10 với 1.1. Hãy gõ mã "
    "dạng văn bản (gõ dấu nháy đơn ở đầu: '1.10) hoặc định dạng cột mã là Text."
)


def _amount(value: Any, ref: str, code: str, out: CriteriaPreview) -> Decimal | None:
    number: Decimal | None = None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str) and value.strip():
        try:  # "20", "20,5", "20 điểm"
            number = parse_decimal(re.sub(r"\s*(điểm|đ)\.?$", "", nfc(value).strip(), flags=re.I))
        except NumberFormatError:
            number = None
    where = f"Tiêu chí {code}: " if code else ""
    if number is None or not number.is_finite():
        shown = _text(value)
        what = f"điểm tối đa '{shown}' không phải là số" if shown else "chưa có điểm tối đa"
        out.errors.append(CellProblem(ref, f"{where}{what}. Hãy nhập một số lớn hơn 0."))
        return None
    if number <= 0:
        out.errors.append(CellProblem(ref, f"{where}điểm tối đa phải lớn hơn 0."))
        return None
    return number


def _check_total_row(value: Any, ref: str, out: CriteriaPreview) -> None:
    if value is None or _text(value) == "":
        return
    stated = _amount(value, ref, "", CriteriaPreview())
    total = out.total
    if stated is not None and stated != total:
        out.warnings.append(
            CellProblem(
                ref,
                f"Dòng tổng cộng ghi {_plain(stated)} điểm nhưng tổng điểm tối đa các lĩnh "
                f"vực là {_plain(total)}. Hãy kiểm tra lại.",
            )
        )


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return text.replace(".", ",")


# ---- checking and building ----------------------------------------------------------------


def _check_and_build(
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
        if total < own:
            error(row, "max", f"Tiêu chí {code}: tổng điểm tối đa các tiêu chí con "
                  f"({_plain(total)}) nhỏ hơn điểm tối đa ({_plain(own)}). Hãy sửa điểm "
                  "tối đa hoặc bổ sung tiêu chí con.")  # fmt: skip
        elif total > own:
            out.warnings.append(CellProblem(ref(row, "max"), f"Tiêu chí {code}: tổng điểm "
                f"tối đa các tiêu chí con ({_plain(total)}) vượt điểm tối đa ({_plain(own)}); "
                f"điểm được giới hạn ở {_plain(own)}."))  # fmt: skip
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


def _read_general(wb: Any, out: CriteriaPreview) -> tuple[GeneralField, ...]:
    """Sheet "Số liệu chung", if the workbook has one."""
    ws = next((s for s in wb.worksheets if fold_diacritics(s.title) == "so lieu chung"), None)
    if ws is None:
        return ()
    header, hint, cols = _find_header(ws, GENERAL_ALIASES, GENERAL_HEADERS, ("code", "label"))
    if not header:
        message = hint or (
            f"Trang '{ws.title}' không có dòng tiêu đề với cột 'Mã' và 'Nội dung'. Hãy thêm "
            "dòng tiêu đề đó phía trên danh sách số liệu."
        )
        out.errors.append(CellProblem(cell_ref(ws.title, 1, 1), message))
        return ()
    fields: list[GeneralField] = []
    seen: dict[str, int] = {}
    for r in _rows(ws, header, list(cols.values()), out):
        code = "".join(_text(ws.cell(r, cols["code"]).value).split())
        label = _text(ws.cell(r, cols["label"]).value)
        if (not code and not label) or (code + label).replace("(", "").replace(")", "").isdigit():
            continue  # empty, or the numbering row (1) (2)
        ref = cell_ref(ws.title, r, cols["code"] if not code else cols["label"])
        if not code or not label:
            missing = "mã" if not code else "nội dung"
            out.errors.append(CellProblem(ref, f"Số liệu chung ở dòng {r} thiếu {missing}."))
        elif code.casefold() in seen:
            out.errors.append(CellProblem(cell_ref(ws.title, r, cols["code"]),
                f"Mã số liệu chung {code} trùng với dòng {seen[code.casefold()]}."))  # fmt: skip
        else:
            seen[code.casefold()] = r
            fields.append(GeneralField(code, label))
    return tuple(fields)


# ---- writing ------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_TOP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_criteria_workbook(tree: FormTree, path: str | os.PathLike[str], *, title: str) -> Path:
    """Write ``tree`` as the criteria table (+ "Số liệu chung", "Hướng dẫn") to ``path``.

    Raises ValueError for a name not ending in .xlsx; the file is replaced atomically."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(
            f"Tệp '{target.name}' không phải tệp Excel .xlsx. Hãy chọn tên tệp có đuôi .xlsx."
        )
    _save_atomically(build_criteria_workbook(tree, title=title), target)
    return target


def build_criteria_workbook(tree: FormTree, *, title: str) -> Workbook:
    """The workbook of ``write_criteria_workbook``, not yet saved."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_CRITERIA
    wb.properties.title, wb.properties.creator = nfc(title), "KHIT Desktop"
    width = len(COLUMNS)
    _banner(ws, 1, title, width, _font(bold=True, size=14))
    note = (
        f"Tổng điểm tối đa: {_plain(tree.max_points)} điểm. Mã tiêu chí là văn bản; cách ghi "
        f"cột 'Cách tính điểm' xem trang '{SHEET_GUIDE}'."
    )
    _banner(ws, 2, note, width, _font(italic=True))
    header = 4
    for c, (_, text, col_width) in enumerate(COLUMNS, start=1):
        _put(ws, header, c, text, font=_font(bold=True), fill=_HEADER_FILL, alignment=_CENTER)
        ws.column_dimensions[get_column_letter(c)].width = col_width
    ws.column_dimensions["A"].number_format = "@"  # codes typed later stay text too
    row = header
    for node in tree.walk():
        row += 1
        values = (node.code, node.title, node.max_points, _phrase(node), node.evidence,
                  node.verifier, node.input_label)  # fmt: skip
        for c, value in enumerate(values, start=1):
            _put(ws, row, c, value, font=_font(bold=bool(node.children)), alignment=_TOP)
        ws.cell(row, 1).number_format = "@"
        ws.cell(row, 2).alignment = Alignment(
            vertical="top", wrap_text=True, indent=node.code.count(".")
        )
        ws.cell(row, 3).alignment = Alignment(horizontal="center", vertical="top")
    row += 1
    _put(ws, row, 2, "Tổng cộng", font=_font(bold=True), alignment=_TOP)
    _put(ws, row, 3, tree.max_points, font=_font(bold=True), alignment=_CENTER)
    for c in (1, *range(4, width + 1)):
        ws.cell(row, c).border = _BORDER
    _page_setup(ws, header, row, width)
    if tree.general:
        _general_sheet(wb.create_sheet(SHEET_GENERAL), tree)
    _guide_sheet(wb.create_sheet(SHEET_GUIDE))
    return wb


def _phrase(node: Criterion) -> str:
    """The rule's phrase; ValueError when it would not read back (an option named 'a; b')."""
    if node.children or node.rule is None:
        return format_rule(ParentRule(node.gate), node.max_points) if node.children else ""
    phrase = format_rule(node.rule, node.max_points)
    try:
        again = parse_rule(phrase, node.max_points)
    except RuleSyntaxError:
        again = None
    order = sorted(node.rule.tiers, key=lambda t: t.minimum, reverse=True)
    if again != replace(node.rule, tiers=tuple(order)):
        raise ValueError(
            f"Tiêu chí {node.code}: cách tính điểm '{phrase}' không ghi được thành cụm từ đọc "
            "lại được. Hãy bỏ dấu ';' và '=' khỏi tên các phương án rồi xuất lại."
        )
    return phrase


def _general_sheet(ws: Any, tree: FormTree) -> None:
    _banner(ws, 1, "SỐ LIỆU CHUNG", 2, _font(bold=True, size=13))
    for c, (text, col_width) in enumerate((("Mã", 10), ("Nội dung", 70)), start=1):
        _put(ws, 3, c, text, font=_font(bold=True), fill=_HEADER_FILL, alignment=_CENTER)
        ws.column_dimensions[get_column_letter(c)].width = col_width
    ws.column_dimensions["A"].number_format = "@"
    for r, datum in enumerate(tree.general, start=4):
        _put(ws, r, 1, datum.code, alignment=_TOP)
        _put(ws, r, 2, datum.label, alignment=_TOP)
    _page_setup(ws, 3, 3 + len(tree.general), 2)


def rule_phrases() -> list[str]:
    """Every phrase of the table in ``domain.rule_syntax``'s docstring, in order."""
    phrases: list[str] = []
    for line in (rule_syntax.__doc__ or "").splitlines():
        if line.startswith("|") and "``" in line:
            phrases.extend(re.findall(r"``(.+?)``", line.split("|")[1]))
    return phrases


def phrase_meaning(phrase: str) -> tuple[Decimal, str]:
    """(an example maximum, what the phrase means in Vietnamese) for the guide."""
    at_most = re.search(r"(?:tối đa|toi da)\s+([0-9]+)", phrase)
    amounts = [Decimal(n) for n in re.findall(r"=\s*([0-9]+)", phrase)]
    maximum = Decimal(at_most.group(1)) if at_most else max(amounts, default=Decimal(30))
    rule = parse_rule(phrase, maximum)
    if isinstance(rule, ParentRule):
        meaning = "Tiêu chí cha: tổng điểm các tiêu chí con, không vượt điểm tối đa"
        if rule.gate:
            meaning += f"; các tiêu chí con khác chỉ được tính khi tiêu chí {rule.gate} có điểm"
        return maximum, meaning
    meaning = rule.describe(maximum)
    if rule.kind is RuleKind.RATIO:
        meaning += (
            f"; đơn vị nhập a, b là số liệu chung có mã {rule.denominator}"
            if rule.denominator
            else "; đơn vị nhập cả a và b (dạng a/b)"
        )
    return maximum, meaning


GUIDE_COLUMNS = (
    "Mã phân cấp: 1, 2, 3… là lĩnh vực; 1.1, 1.2 là tiêu chí của lĩnh vực 1; 1.6.1 là tiêu "
    "chí con của 1.6. Gõ mã dạng văn bản (định dạng cột là Text, hoặc gõ dấu nháy đơn ở đầu: "
    "'1.10) vì Excel tự đổi số 1.10 thành 1.1.",
    "Tên, nội dung của tiêu chí.",
    "Số điểm tối đa, lớn hơn 0; số lẻ dùng dấu phẩy (2,5). Tổng điểm tối đa các tiêu chí con "
    "không được nhỏ hơn điểm tối đa của tiêu chí cha; nếu lớn hơn, điểm được giới hạn.",
    "Một trong các cách ghi ở bảng dưới; tiêu chí cha ghi 'tổng' hoặc để trống.",
    "Tài liệu đơn vị gửi kèm để chứng minh số liệu (không bắt buộc).",
    "Cơ quan đối chiếu, xác minh số liệu theo Điều 7.2 (không bắt buộc).",
    "Số liệu đơn vị phải nhập cho tiêu chí, ví dụ 'Số CBCCVC có máy tính / Tổng số CBCCVC' "
    "(không bắt buộc).",
)


_GENERAL_NOTE = (
    f"Trang '{SHEET_GENERAL}' (nếu có): số liệu hỏi một lần cho cả phiếu (cột Mã, Nội dung); "
    "'tỷ lệ trên CB' lấy mẫu số là số liệu có mã CB."
)


def _guide_sheet(ws: Any) -> None:
    for c, col_width in enumerate((34, 12, 80), start=1):
        ws.column_dimensions[get_column_letter(c)].width = col_width
    _put(ws, 1, 1, "HƯỚNG DẪN LẬP BẢNG TIÊU CHÍ", font=_font(bold=True, size=13))
    lines: list[tuple[Any, ...]] = [
        (),
        (f"Trang '{SHEET_CRITERIA}': mỗi tiêu chí một dòng, dưới dòng tiêu đề cột.",),
        ("Cột", "", "Ý nghĩa"),
        *((header, "", text) for (_, header, _), text in zip(COLUMNS, GUIDE_COLUMNS, strict=True)),
        (),
        (_GENERAL_NOTE,),
        (),
        ("Cách ghi cột 'Cách tính điểm'", "Ví dụ điểm tối đa", "Nghĩa"),
        *((p, *phrase_meaning(p)) for p in rule_phrases()),
        (),
        ("Chữ hoa, chữ thường và dấu không phân biệt; số lẻ dùng dấu phẩy hoặc dấu chấm.",),
    ]
    for r, values in enumerate(lines, start=2):
        heading = values[:1] in (("Cột",), ("Cách ghi cột 'Cách tính điểm'",))
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value, font=_font(bold=heading), alignment=_TOP,
                 border=_BORDER if len(values) == 3 else None)  # fmt: skip
    _page_setup(ws, 0, len(lines) + 1, 3)


def _font(*, bold: bool = False, italic: bool = False, size: float = FONT_SIZE) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


def _put(ws: Any, row: int, column: int, value: Any, **style: Any) -> Any:
    """One cell: text stored as text (never a formula), numbers as numbers; bordered."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        _set_text(cell, value)  # "=…" stays text, never a formula
    else:
        cell.value = value
    cell.font = style.pop("font", _font())
    cell.border = style.pop("border", _BORDER) or Border()
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _banner(ws: Any, row: int, text: str, width: int, font: Font) -> None:
    _put(ws, row, 1, text, font=font, alignment=_CENTER, border=None)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 22 if font.b else 30


def _page_setup(ws: Any, header: int, last_row: int, width: int) -> None:
    """A4 landscape, one page wide; the header row repeated on each page and frozen."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.print_area = f"A1:{get_column_letter(width)}{max(last_row, 1)}"
    if header:
        ws.print_title_rows = f"{header}:{header}"
        ws.freeze_panes = f"C{header + 1}" if width > 2 else f"A{header + 1}"
    ws.oddFooter.right.text, ws.oddFooter.right.font = "Trang &P/&N", FONT_NAME
