"""Reading results the province already published (kết quả đã công bố) from an Excel sheet.

The sheet is the province's own, not one this program wrote: a title may sit above the table,
columns come in any order, headers are written with any case, spacing and accents
("CƠ QUAN, ĐƠN VỊ", "Tổng\\nđiểm", "Diem toi da"). The header row is the first row, among the
first ``HEADER_ROWS`` of a sheet, that names the four required columns:

* "Cơ quan, đơn vị" — the agency's name as published;
* "Nhóm" — 1, 2, 3 (also "Nhóm 2", "II") or the group's name ("Các sở, ban, ngành");
* "Tổng điểm" and "Điểm tối đa" — numbers, or texts with a decimal comma or dot ("850,5");

and optionally "Xếp hạng" (a whole number) and "Xếp loại" (Tốt, Khá, Trung bình, Yếu; any
case, with or without accents). Other columns (STT, notes) are ignored. Empty rows are
skipped, and so are section rows: a name cell alone that starts with "Nhóm" or a Roman
numeral ("I. CÁC SỞ, BAN, NGÀNH").

Scores are read as ``Decimal``: a number cell through its shortest text (``repr``), so 850.5
is 850,5 exactly; a number Excel stored with binary noise (850.2500000000001, the sum of a
formula) is taken at two decimals when within 10⁻⁹ of them, and refused otherwise. Every
cell that cannot be used is listed (sheet!cell, what is wrong, what to do) and the whole file
is refused: nothing is half read.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain.classification import Classification
from ..domain.collation import fold_diacritics
from ..domain.name_match import collapse_blanks, match_key
from ..domain.numbers import CENT, NumberFormatError, format_points, parse_decimal
from ..domain.rules import DEFAULT_GROUP_NAMES
from .history_rows import HistoryFile, HistoryFileRefused, PublishedRow
from .safe_xlsx import DEFAULT_MAX_BYTES, WorkbookRefused, cell_ref, open_workbook

HEADER_ROWS = 30  # the header row is looked for among the first rows of each sheet
MAX_COLUMNS = 60
MAX_PROBLEMS = 30  # listed in full; beyond, "… and n more"
NOISE = Decimal("1e-9")

NAME, GROUP, TOTAL, MAXIMUM, RANK, CLASS = "name", "group", "total", "max", "rank", "class"
REQUIRED = (NAME, GROUP, TOTAL, MAXIMUM)
LABELS = {
    NAME: "Cơ quan, đơn vị",
    GROUP: "Nhóm",
    TOTAL: "Tổng điểm",
    MAXIMUM: "Điểm tối đa",
    RANK: "Xếp hạng",
    CLASS: "Xếp loại",
}
# headers as ``_header_key`` folds them
HEADERS: dict[str, tuple[str, ...]] = {
    NAME: (
        "co quan don vi",
        "ten co quan don vi",
        "co quan don vi dia phuong",
        "ten co quan don vi dia phuong",
        "co quan",
        "don vi",
        "ten co quan",
        "ten don vi",
    ),
    GROUP: ("nhom",),
    TOTAL: ("tong diem", "tong diem dat duoc", "diem dat duoc", "tong diem tham dinh"),
    MAXIMUM: ("diem toi da", "tong diem toi da"),
    RANK: ("xep hang", "hang"),
    CLASS: ("xep loai", "muc xep loai"),
}
_BY_HEADER = {header: field for field, headers in HEADERS.items() for header in headers}
CLASSES = {
    "tot": Classification.GOOD,
    "kha": Classification.FAIR,
    "trung binh": Classification.AVERAGE,
    "yeu": Classification.WEAK,
}
ROMAN = {"i": 1, "ii": 2, "iii": 3}
_SECTION = re.compile(r"^(nhom\b|[ivx]+\s*[.):-])")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def read_history_xlsx(
    path: str | os.PathLike[str],
    *,
    group_names: Mapping[int, str] = DEFAULT_GROUP_NAMES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> HistoryFile:
    """Read the published results at ``path``; ``group_names`` are the groups' names that a
    "Nhóm" cell may give instead of a number. ``HistoryFileRefused`` for anything unusable."""
    target = Path(path)
    try:
        workbook = open_workbook(target, max_bytes=max_bytes)
    except WorkbookRefused as exc:
        raise HistoryFileRefused(exc.message) from exc
    try:
        ws, header_row, columns = _find_header(target.name, workbook)
        reader = _RowReader(ws.title, group_names)
        rows = reader.read(ws, header_row, columns)
    finally:
        workbook.close()
    if reader.problems:
        raise _refusal(target.name, reader.problems)
    if not rows:
        raise HistoryFileRefused(
            f"Tệp '{target.name}', trang '{ws.title}': không có dòng kết quả nào dưới dòng tiêu "
            f"đề (dòng {header_row}). Hãy kiểm tra đúng tệp kết quả đã công bố."
        )
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    return HistoryFile(
        target.name,
        digest,
        ws.title,
        header_row,
        tuple(rows),
        RANK in columns,
        CLASS in columns,
    )


def _refusal(file_name: str, problems: list[str]) -> HistoryFileRefused:
    shown = problems[:MAX_PROBLEMS]
    more = len(problems) - len(shown)
    lines = "\n".join(f"- {p}" for p in shown)
    tail = f"\n- … và {more} ô khác." if more else ""
    return HistoryFileRefused(
        f"Tệp '{file_name}' có {len(problems)} ô không dùng được; chưa nhập gì. Hãy sửa các ô "
        f"sau trong Excel rồi nhập lại:\n{lines}{tail}",
        tuple(problems),
    )


# ---------------------------------------------------------------- header


def _header_key(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return " ".join(_NOT_ALNUM.sub(" ", fold_diacritics(value)).split())


def _header_fields(ws: Any, row: int) -> tuple[dict[str, int], list[str]]:
    """Field → column of a candidate header row, and the fields named twice."""
    found: dict[str, int] = {}
    twice: list[str] = []
    for col in range(1, min(ws.max_column, MAX_COLUMNS) + 1):
        field = _BY_HEADER.get(_header_key(ws.cell(row=row, column=col).value))
        if field is None:
            continue
        if field in found:
            first = cell_ref(ws.title, row, found[field])
            twice.append(
                f"cột '{LABELS[field]}' có hai lần ({first} và "
                f"{cell_ref(ws.title, row, col)}); hãy xóa hoặc đổi tên một cột"
            )
        else:
            found[field] = col
    return found, twice


def _find_header(file_name: str, workbook: Any) -> tuple[Any, int, dict[str, int]]:
    best: tuple[int, str, int, dict[str, int]] | None = None
    for ws in workbook.worksheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue
        for row in range(1, min(ws.max_row, HEADER_ROWS) + 1):
            found, twice = _header_fields(ws, row)
            required = sum(1 for f in REQUIRED if f in found)
            if required == len(REQUIRED):
                if twice:
                    raise HistoryFileRefused(
                        f"Tệp '{file_name}', trang '{ws.title}', dòng tiêu đề {row}: "
                        + "; ".join(twice)
                        + "."
                    )
                return ws, row, found
            if required >= 2 and (best is None or required > best[0]):
                best = (required, ws.title, row, found)
    wanted = ", ".join(f"'{LABELS[f]}'" for f in REQUIRED)
    if best is not None:
        _, title, row, found = best
        missing = ", ".join(f"'{LABELS[f]}'" for f in REQUIRED if f not in found)
        raise HistoryFileRefused(
            f"Tệp '{file_name}', trang '{title}', dòng {row}: không thấy cột {missing}. Dòng "
            f"tiêu đề cần có các cột {wanted} (có thể thêm 'Xếp hạng', 'Xếp loại'). Hãy đặt "
            "đúng tên cột rồi nhập lại."
        )
    raise HistoryFileRefused(
        f"Tệp '{file_name}': không tìm thấy dòng tiêu đề của bảng kết quả trong "
        f"{HEADER_ROWS} dòng đầu của các trang. Bảng cần một dòng tiêu đề có các cột "
        f"{wanted} (có thể thêm 'Xếp hạng', 'Xếp loại'). Hãy kiểm tra đúng tệp, hoặc đặt lại "
        "tên cột rồi nhập lại."
    )


# ---------------------------------------------------------------- rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _RowReader:
    def __init__(self, sheet: str, group_names: Mapping[int, str]) -> None:
        self.sheet = sheet
        self.problems: list[str] = []
        self.numbers = set(group_names)
        self.group_keys: dict[str, int] = {}
        for number, name in group_names.items():
            key = match_key(name)
            self.group_keys[key] = number
            self.group_keys[key.removeprefix("cac ")] = number
        self.group_hint = ", ".join(f"'{name}'" for name in group_names.values())

    def problem(self, row: int, col: int, message: str) -> None:
        self.problems.append(f"{cell_ref(self.sheet, row, col)}: {message}")

    def read(self, ws: Any, header_row: int, columns: dict[str, int]) -> list[PublishedRow]:
        rows: list[PublishedRow] = []
        for row in range(header_row + 1, ws.max_row + 1):
            values = {f: ws.cell(row=row, column=c).value for f, c in columns.items()}
            if all(_blank(v) for v in values.values()):
                continue
            others = [f for f in values if f != NAME and not _blank(values[f])]
            name = values[NAME]
            if not others and isinstance(name, str) and _SECTION.match(fold_diacritics(name)):
                continue  # a section row: "Nhóm 1: …", "II. UBND các huyện…"
            parsed = self.line(row, columns, values)
            if parsed is not None:
                rows.append(parsed)
        return rows

    def line(
        self, row: int, columns: dict[str, int], values: dict[str, Any]
    ) -> PublishedRow | None:
        before = len(self.problems)
        name = self.name(row, columns[NAME], values[NAME])
        group = self.group(row, columns[GROUP], values[GROUP])
        total = self.number(row, columns[TOTAL], values[TOTAL], LABELS[TOTAL])
        maximum = self.number(row, columns[MAXIMUM], values[MAXIMUM], LABELS[MAXIMUM])
        if maximum is not None and maximum <= 0:
            self.problem(row, columns[MAXIMUM], "điểm tối đa phải lớn hơn 0.")
        elif total is not None and maximum is not None and total > maximum:
            self.problem(
                row,
                columns[TOTAL],
                f"tổng điểm {_show(total)} lớn hơn điểm tối đa {_show(maximum)}. Hãy kiểm tra "
                "lại hai ô này theo bản đã công bố.",
            )
        rank = self.rank(row, columns[RANK], values[RANK]) if RANK in columns else None
        cls = self.classification(row, columns[CLASS], values[CLASS]) if CLASS in columns else None
        if len(self.problems) > before:
            return None
        assert name is not None and group is not None
        assert total is not None and maximum is not None
        return PublishedRow(row, name, group, total, maximum, rank, cls)

    def name(self, row: int, col: int, value: Any) -> str | None:
        if _blank(value):
            self.problem(row, col, "thiếu tên cơ quan, đơn vị. Hãy ghi tên như bản đã công bố.")
            return None
        if not isinstance(value, str):
            self.problem(row, col, f"'{value}' không phải tên cơ quan. Hãy ghi tên bằng chữ.")
            return None
        return collapse_blanks(value)

    def group(self, row: int, col: int, value: Any) -> int | None:
        number: int | None = None
        if isinstance(value, bool) or _blank(value):
            number = None
        elif isinstance(value, int | float) and float(value).is_integer():
            number = int(value)
        elif isinstance(value, str):
            key = match_key(value)
            bare = key.removeprefix("nhom ").strip()
            if bare.isdigit():
                number = int(bare)
            elif bare in ROMAN:
                number = ROMAN[bare]
            else:
                number = self.group_keys.get(key, self.group_keys.get(key.removeprefix("cac ")))
        if number is None or number not in self.numbers:
            shown = "ô trống" if _blank(value) else f"'{_text(value)}'"
            self.problem(
                row,
                col,
                f"nhóm không hợp lệ ({shown}). Hãy ghi 1, 2, 3 hoặc tên nhóm ({self.group_hint}).",
            )
            return None
        return number

    def number(self, row: int, col: int, value: Any, label: str) -> Decimal | None:
        advice = "Hãy ghi số không âm, tối đa 2 chữ số thập phân (ví dụ 850,5)."
        if _blank(value):
            self.problem(row, col, f"thiếu {label.lower()}. {advice}")
            return None
        number: Decimal | None = None
        if isinstance(value, bool) or isinstance(value, datetime | date | time):
            number = None
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            exact = Decimal(repr(value))  # the shortest text of the float, never its binary
            near = exact.quantize(CENT)
            number = near if abs(exact - near) <= NOISE else exact
        elif isinstance(value, str):
            try:
                number = parse_decimal(value)
            except NumberFormatError:
                number = None
        if number is None or not number.is_finite():
            self.problem(row, col, f"'{_text(value)}' không phải số. {advice}")
            return None
        if number < 0 or number != number.quantize(CENT):
            self.problem(row, col, f"{label.lower()} '{_text(value)}' không hợp lệ. {advice}")
            return None
        return number.quantize(CENT)

    def rank(self, row: int, col: int, value: Any) -> int | None:
        if _blank(value):
            return None
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int | float) and float(value).is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        if number is None or number < 1:
            self.problem(
                row, col, f"xếp hạng '{_text(value)}' không hợp lệ. Hãy ghi số nguyên từ 1, "
                "hoặc để trống nếu cơ quan không được xếp hạng."
            )  # fmt: skip
            return None
        return number

    def classification(self, row: int, col: int, value: Any) -> Classification | None:
        if _blank(value):
            return None
        found = CLASSES.get(_header_key(value)) if isinstance(value, str) else None
        if found is None:
            self.problem(
                row, col, f"xếp loại '{_text(value)}' không hợp lệ. Hãy ghi Tốt, Khá, Trung "
                "bình hoặc Yếu, hoặc để trống."
            )  # fmt: skip
        return found


def _text(value: Any) -> str:
    text = collapse_blanks(str(value))
    return text if len(text) <= 40 else text[:39] + "…"


def _show(value: Decimal) -> str:
    return format_points(value)
