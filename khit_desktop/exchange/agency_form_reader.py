"""Reading a Phiếu đánh giá that an agency filled in (the workbook ``agency_form`` wrote).

Positions come from the very hidden "_khit" sheet (the row of every code, the input
columns), never from the visible text; each row's code cell is checked against the map. Only
inputs are read: general data, each leaf's figure ("Số liệu") and self-assessed points
("Điểm tự chấm"). Formulas (parents, total) are ignored: the program rescores from inputs.

Two kinds of failure:

* the workbook cannot be this program's form (no "_khit", unknown format, wrong year,
  damaged map): ``FormRefused`` with a Vietnamese message naming file, sheet, cell, what is
  wrong and what to do;
* a cell's content is wrong (text in a number cell, a negative count, points above the
  maximum, "a/b" with b = 0…): a ``CellProblem`` in ``FilledForm.problems``; the cell is
  then read as missing, and the caller (the import service) decides what to do.

Cell values (numbers, Excel's floats and dates, yes/no, options, a/b) are read by
``agency_form_values``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from ..domain.collation import nfc
from ..domain.criteria import Criterion, FormTree, RuleKind
from ..domain.form_spec import form_checksum
from .agency_form import (
    COL_CODE,
    CRITERION,
    FORMAT_VERSION,
    GENERAL,
    HEADERS,
    META,
    META_SHEET,
    NO,
    YES,
    FormIdentity,
)
from .agency_form_values import (
    BadCell,
    code_text,
    count_value,
    decimal_value,
    figure_answer,
    is_empty,
    shown,
    whole_number,
)
from .safe_xlsx import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_UNCOMPRESSED,
    WorkbookRefused,
    cell_ref,
    open_workbook,
)
from .xlsx_common import plain_number

_NEW_BLANK = "dùng phiếu trắng mới xuất từ KHIT Desktop và đề nghị cơ quan điền lại."
_FRESH_FORM = "Hãy " + _NEW_BLANK


class FormRefused(ValueError):
    """A workbook that is not a form of this program, or not for this round (Vietnamese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A cell whose content cannot be used; ``ref`` is 'Phiếu đánh giá!E14'."""

    ref: str
    message: str
    code: str = ""  # the criterion or general datum concerned


@dataclass(frozen=True, slots=True)
class FilledForm:
    """What an agency typed, in the domain's shapes (see ``criteria.ANSWER_KEYS``)."""

    identity: FormIdentity  # as written in "_khit" when the blank form was made
    generated_at: str
    general: dict[str, Decimal | None]
    answers: dict[str, dict[str, Any]]  # only leaves with a usable figure
    self_points: dict[str, Decimal | None]
    problems: list[CellProblem] = field(default_factory=list)
    same_form: bool = True  # the form's checksum is the tree's

    @property
    def checksum(self) -> str:
        return self.identity.checksum


WHOLE_ADVICE = "Hãy nhập số nguyên không âm."
NUMBER_ADVICE = "Hãy nhập số không âm."
FRACTION_ADVICE = "Hãy nhập tỷ lệ dạng a/b, ví dụ 45/50."
_ADVICE = {
    RuleKind.YES_NO: f"Hãy chọn {YES} hoặc {NO} trong danh sách.",
    RuleKind.OPTIONS: "Hãy chọn một phương án trong danh sách.",
    RuleKind.RATIO: WHOLE_ADVICE,  # over a general datum: the numerator is a count
    RuleKind.TIERS: NUMBER_ADVICE,
    RuleKind.NORMALISED: NUMBER_ADVICE,
    RuleKind.PER_ITEM: WHOLE_ADVICE,
    RuleKind.DEDUCTION: WHOLE_ADVICE,
}


def read_filled_form(
    path: str | os.PathLike[str],
    tree: FormTree | Callable[[FormIdentity], FormTree],
    *,
    expected_year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
) -> FilledForm:
    """Read the filled form at ``path``, using ``tree`` for each leaf's rule (or a function
    that gives the tree for the form's identity, e.g. the criteria set of the agency's group).

    Raises ``FormRefused`` (a ValueError) for a file that cannot be read as this program's
    form, or is for another year than ``expected_year``.
    """
    target = Path(path)
    try:
        workbook = open_workbook(target, max_bytes=max_bytes, max_uncompressed=max_uncompressed)
    except WorkbookRefused as exc:
        raise FormRefused(exc.message) from exc
    try:
        return _Reader(target.name, workbook, tree, expected_year).read()
    finally:
        workbook.close()


class _Reader:
    def __init__(
        self,
        name: str,
        workbook: Any,
        tree: FormTree | Callable[[FormIdentity], FormTree],
        year: int | None,
    ) -> None:
        self.name = name
        self.wb = workbook
        self.tree_source = tree
        self.tree = tree if isinstance(tree, FormTree) else FormTree(())
        self.expected_year = year
        self.problems: list[CellProblem] = []
        self.meta: dict[str, tuple[Any, int]] = {}
        self.rows: dict[tuple[str, str], tuple[int, int]] = {}
        self.cells: dict[tuple[int, int], Any] = {}
        self.sheet_name = ""
        self.figure_col = self.points_col = self.general_col = 0

    # ---- the hidden sheet -------------------------------------------------------------

    def refuse(self, where: str, what: str, todo: str = _FRESH_FORM) -> FormRefused:
        return FormRefused(f"Tệp '{self.name}', {where}: {what} {todo}")

    def read(self) -> FilledForm:
        if META_SHEET not in self.wb.sheetnames:
            raise FormRefused(
                f"Tệp '{self.name}' không phải phiếu đánh giá do KHIT Desktop tạo: không có "
                f"trang tính ẩn '{META_SHEET}' ghi thông tin nhận dạng phiếu. Hãy gửi cho cơ "
                "quan phiếu trắng xuất từ chương trình (mỗi cơ quan một tệp) và đề nghị điền "
                "vào đúng tệp đó."
            )
        self.meta, self.rows = self._read_meta(self.wb[META_SHEET])
        version = self.text("format")
        if version != FORMAT_VERSION:
            raise self.refuse(
                self.where("format"),
                f"định dạng phiếu '{version}' không được hỗ trợ (chương trình đọc "
                f"'{FORMAT_VERSION}').",
                "Hãy dùng phiếu trắng xuất từ phiên bản chương trình đang dùng.",
            )
        identity = self._identity()
        if self.expected_year is not None and identity.year != self.expected_year:
            raise self.refuse(
                self.where("year"),
                f"đây là phiếu năm {identity.year}, nhưng kỳ đánh giá đang nhập là năm "
                f"{self.expected_year}.",
                f"Hãy chọn đúng tệp phiếu năm {self.expected_year}, hoặc mở kỳ đánh giá năm "
                f"{identity.year} để nhập phiếu này.",
            )
        if not isinstance(self.tree_source, FormTree):
            self.tree = self.tree_source(identity)
        sheet_name = self.text("sheet")
        if sheet_name not in self.wb.sheetnames:
            raise self.refuse(
                f"trang tính '{sheet_name}'",
                "không tìm thấy trang tính này (đã bị đổi tên hoặc xóa).",
                f"Hãy đổi tên trang tính chứa phiếu lại thành '{sheet_name}', hoặc {_NEW_BLANK}",
            )
        self.sheet_name = sheet_name
        self.cells = {
            (r, c): v
            for r, row in enumerate(self.wb[sheet_name].iter_rows(values_only=True), start=1)
            for c, v in enumerate(row, start=1)
            if v is not None
        }
        self.figure_col = self.number("figure_column", 1, len(HEADERS))
        self.points_col = self.number("points_column", 1, len(HEADERS))
        self.general_col = self.number("general_column", 1, len(HEADERS))
        general = self._general()
        answers: dict[str, dict[str, Any]] = {}
        self_points: dict[str, Decimal | None] = {}
        for leaf in self.tree.leaves():
            row = self._row(CRITERION, leaf.code)
            if row is None:
                continue
            self_points[leaf.code] = self._points(leaf, row)
            answer = self._answer(leaf, row, general, self_points[leaf.code])
            if answer is not None:
                answers[leaf.code] = answer
        return FilledForm(
            identity=identity,
            generated_at=self.text("generated_at", required=False),
            general=general,
            answers=answers,
            self_points=self_points,
            problems=self.problems,
            same_form=identity.checksum == form_checksum(self.tree),
        )

    def _read_meta(
        self, sheet: Any
    ) -> tuple[dict[str, tuple[Any, int]], dict[tuple[str, str], tuple[int, int]]]:
        """Key → (value, row) and (kind, code) → (row in the form sheet, row in _khit)."""
        meta: dict[str, tuple[Any, int]] = {}
        rows: dict[tuple[str, str], tuple[int, int]] = {}
        for number, row in enumerate(sheet.iter_rows(max_col=3, values_only=True), start=1):
            kind, key, value = row
            if kind == META and key is not None:
                meta[str(key)] = (value, number)
            elif kind in (CRITERION, GENERAL) and key is not None:
                try:
                    rows[(str(kind), code_text(key))] = (whole_number(value), number)
                except BadCell:
                    raise self.refuse(
                        f"trang tính '{META_SHEET}', ô C{number}",
                        f"dòng của mã '{key}' không phải số ('{value}').",
                    ) from None
        return meta, rows

    def where(self, key: str) -> str:
        row = self.meta[key][1] if key in self.meta else 1
        return f"trang tính '{META_SHEET}', ô C{row}"

    def text(self, key: str, *, required: bool = True) -> str:
        if key not in self.meta:
            if not required:
                return ""
            raise self.refuse(
                f"trang tính '{META_SHEET}'",
                f"thiếu thông tin '{key}' của phiếu (phần thông tin ẩn đã bị sửa).",
            )
        value = self.meta[key][0]
        return "" if value is None else nfc(str(value)).strip()

    def number(self, key: str, low: int = 0, high: int | None = None) -> int:
        raw = self.text(key)
        try:
            value = whole_number(raw if raw else None)
        except BadCell:
            value = -1
        if value < low or (high is not None and value > high):
            raise self.refuse(
                self.where(key), f"giá trị '{raw}' của '{key}' không hợp lệ (phải là số nguyên)."
            )
        return value

    def _identity(self) -> FormIdentity:
        try:
            deadline = date.fromisoformat(self.text("deadline"))
        except ValueError:
            raise self.refuse(
                self.where("deadline"), f"hạn gửi '{self.text('deadline')}' không phải ngày."
            ) from None
        return FormIdentity(
            year=self.number("year", 1900, 9999),
            agency_code=self.text("agency_code"),
            agency_name=self.text("agency_name"),
            group=self.number("group"),
            group_name=self.text("group_name"),
            form_id=self.number("form_id"),
            form_version=self.number("form_version"),
            form_name=self.text("form_name"),
            checksum=self.text("checksum"),
            deadline=deadline,
        )

    def _row(self, kind: str, code: str) -> int | None:
        """The form-sheet row of ``code``, checked against its code cell (column A).

        A row that moved (a clerk unprotected the sheet and inserted a line) is found again
        when the code appears exactly once in column A; otherwise the form is refused.
        """
        entry = self.rows.get((kind, code))
        what = "Tiêu chí" if kind == CRITERION else "Số liệu chung"
        if entry is None:
            self.problems.append(
                CellProblem(
                    self.sheet_name,
                    f"{what} {code} không có trong phiếu: phiếu được làm theo bộ tiêu chí khác "
                    "(xem mã kiểm tra).",
                    code,
                )
            )
            return None
        row, meta_row = entry
        if code_text(self.cells.get((row, COL_CODE))) == code:
            return row
        found = [r for (r, c), v in self.cells.items() if c == COL_CODE and code_text(v) == code]
        if len(found) == 1:
            return found[0]
        raise self.refuse(
            f"trang tính '{self.sheet_name}', ô {get_column_letter(COL_CODE)}{row}",
            f"ô này phải ghi mã {code} (theo ô C{meta_row} của trang '{META_SHEET}') nhưng "
            f"ghi '{self.cells.get((row, COL_CODE)) or ''}', và không tìm thấy đúng một ô ghi "
            f"mã {code} ở cột A: dòng đã bị chèn, xóa hoặc mã đã bị sửa.",
            f"Hãy xóa các dòng đã chèn và sửa lại mã tiêu chí, hoặc {_NEW_BLANK}",
        )

    # ---- inputs -----------------------------------------------------------------------

    def _problem(self, row: int, col: int, code: str, message: str) -> None:
        self.problems.append(CellProblem(cell_ref(self.sheet_name, row, col), message, code))

    def _general(self) -> dict[str, Decimal | None]:
        values: dict[str, Decimal | None] = {}
        for datum in self.tree.general:
            row = self._row(GENERAL, datum.code)
            values[datum.code] = None
            raw = self.cells.get((row, self.general_col)) if row else None
            if row is None or is_empty(raw):
                continue
            try:
                values[datum.code] = count_value(raw)
            except BadCell as bad:
                self._problem(
                    row,
                    self.general_col,
                    datum.code,
                    f"Số liệu chung {datum.code} ({datum.label}): {bad.say(WHOLE_ADVICE)}",
                )
        return values

    def _points(self, leaf: Criterion, row: int) -> Decimal | None:
        raw = self.cells.get((row, self.points_col))
        if is_empty(raw):
            return None
        maximum = leaf.max_points
        try:
            value = decimal_value(raw)
            if value < 0:
                raise BadCell(f"điểm âm ({shown(value)})")
            if value > maximum:
                raise BadCell(f"{shown(value)} vượt điểm tối đa {shown(maximum)}")
            if value != value.quantize(Decimal("0.01")):
                raise BadCell(f"{shown(value)} có quá 2 chữ số thập phân")
        except BadCell as bad:
            self._problem(
                row,
                self.points_col,
                leaf.code,
                f"Tiêu chí {leaf.code}, cột Điểm tự chấm: "
                + bad.say(
                    f"Điểm tự chấm là số từ 0 đến {shown(maximum)}, tối đa 2 chữ số thập phân."
                ),
            )
            return None
        return value

    def _answer(
        self,
        leaf: Criterion,
        row: int,
        general: Mapping[str, Decimal | None],
        points: Decimal | None,
    ) -> dict[str, Any] | None:
        rule = leaf.rule
        assert rule is not None
        if rule.kind is RuleKind.TYPED:  # the typed points are the figure
            return None if points is None else {"points": plain_number(points)}
        raw = self.cells.get((row, self.figure_col))
        if is_empty(raw):
            return None
        try:
            return figure_answer(leaf, raw, general, self.tree)
        except BadCell as bad:
            advice = (
                FRACTION_ADVICE
                if rule.kind is RuleKind.RATIO and not rule.denominator
                else (_ADVICE.get(rule.kind, ""))
            )
            message = f"Tiêu chí {leaf.code}, cột Số liệu: {bad.say(advice)}"
            self._problem(row, self.figure_col, leaf.code, message)
            return None
