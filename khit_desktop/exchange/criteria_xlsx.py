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

This module reads the table and is where callers import from. The layout and the preview
dataclasses live in ``criteria_table``, the checks of the rows read and the building of the
tree in ``criteria_check``, the writer in ``criteria_xlsx_write``; their public names are
re-exported here.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import MergedCell

from ..domain.collation import fold_diacritics, nfc
from ..domain.criteria import GeneralField
from ..domain.numbers import NumberFormatError, parse_decimal
from .criteria_check import check_and_build
from .criteria_table import COLUMNS as COLUMNS
from .criteria_table import HEADERS as HEADERS
from .criteria_table import SHEET_CRITERIA as SHEET_CRITERIA
from .criteria_table import SHEET_GENERAL as SHEET_GENERAL
from .criteria_table import SHEET_GUIDE as SHEET_GUIDE
from .criteria_table import CellProblem as CellProblem
from .criteria_table import CriteriaPreview as CriteriaPreview
from .criteria_table import CriteriaRow as CriteriaRow
from .criteria_table import shown_points
from .criteria_xlsx_write import build_criteria_workbook as build_criteria_workbook
from .criteria_xlsx_write import rule_phrases as rule_phrases
from .criteria_xlsx_write import write_criteria_workbook as write_criteria_workbook
from .safe_xlsx import cell_ref, open_workbook

HEADER_SEARCH_ROWS = 15
MAX_GAP = 200  # empty rows in a row that end the table
MAX_LEVELS = 8  # 1.1.1.1… deeper than this is a typing error, not a criteria set

# The headers of ``COLUMNS`` and the variants the reader accepts for them.
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
    check_and_build(ws.title, header, cols, valid, general, out)
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
                f"Dòng tổng cộng ghi {shown_points(stated)} điểm nhưng tổng điểm tối đa các lĩnh "
                f"vực là {shown_points(total)}. Hãy kiểm tra lại.",
            )
        )


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
