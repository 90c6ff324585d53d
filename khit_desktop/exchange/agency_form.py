"""Phiếu đánh giá as an Excel workbook that an agency fills in (tự đánh giá), and its layout.

The workbook has three sheets:

* "Phiếu đánh giá": the title, the agency, its group and the deadline (Điều 6.1), block
  "I. SỐ LIỆU CHUNG" (one input per general datum) and block "II. ĐIỂM TỰ ĐÁNH GIÁ" (one row
  per criterion in tree order). Only the yellow input cells are unlocked; the sheet is
  protected *without* a password, so a clerk can lift it (Xem lại → Bỏ bảo vệ trang tính).
  Parents and the total are Excel formulas, so the agency sees its total while typing;
  the program never reads them back (it rescores from the inputs).
* "Danh mục" (hidden, only when needed): option lists too long for an inline list.
* "_khit" (very hidden): the identity of the form and the row of every code, so that the
  reader (``agency_form_reader``) never guesses positions from the visible text.

This module holds the layout both sides agree on (sheets, columns, the "_khit" map), the
form's identity and file name, and the texts the form shows the agency. The workbook is
written by ``agency_form_write`` (``write_blank_form``, ``write_blank_forms``, re-exported
here) like the register: Times New Roman 11, user text forced to text cells, saved
atomically (``xlsx_common``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.utils import get_column_letter

from ..domain.collation import nfc
from ..domain.criteria import Criterion, GeneralField, RuleKind
from .xlsx_common import clean_text

FORMAT_VERSION = "khit-phieu-1"
FORM_SHEET = "Phiếu đánh giá"
LISTS_SHEET = "Danh mục"
META_SHEET = "_khit"

# (header, width in characters): the header cells the reader and the clerks rely on.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("Mã tiêu chí", 8.5),
    ("Nội dung tiêu chí", 50),
    ("Điểm tối đa", 8),
    ("Cách tính điểm", 24),
    ("Số liệu", 14),
    ("Điểm tự chấm", 10),
    ("Tài liệu kiểm chứng", 26),
)
HEADERS = tuple(header for header, _ in COLUMNS)
COL_CODE, COL_TITLE, COL_MAX, COL_RULE, COL_FIGURE, COL_POINTS, COL_EVIDENCE = range(1, 8)
GENERAL_COLUMN = COL_FIGURE  # the general data's input cells line up with "Số liệu"
LAST_COLUMN = get_column_letter(len(COLUMNS))

YES = "Có"
NO = "Không"
INPUT_FILL = "FFFF99"  # yellow: type here
NO_INPUT_FILL = "D9D9D9"  # grey: nothing to type ("nhập" rules: the points are the figure)
HEADER_FILL = "D9D9D9"
AREA_FILL = "F2F2F2"
HINT_COLOUR = "404040"
POINTS_FORMAT = "0.00"
TEXT_FORMAT = "@"  # "a/b" stays text: Excel would turn 3/4 into a date
INLINE_LIST_LIMIT = 250  # Excel refuses inline lists over 255 characters
MAX_FROZEN_ROWS = 16  # freezing more rows than this would leave little room on a laptop

# _khit: rows (kind, key, value); the reader looks keys up, never positions.
META, CRITERION, GENERAL = "meta", "criterion", "general"
META_KEYS = (
    "format",
    "year",
    "agency_code",
    "agency_name",
    "group",
    "group_name",
    "form_id",
    "form_version",
    "form_name",
    "checksum",
    "deadline",
    "generated_at",
    "sheet",
    "header_row",
    "figure_column",
    "points_column",
    "general_column",
)


@dataclass(frozen=True, slots=True)
class FormIdentity:
    """Which form this is: for whom, which year, which criteria set (and its fingerprint)."""

    year: int
    agency_code: str
    agency_name: str
    group: int
    group_name: str
    form_id: int
    form_version: int
    form_name: str
    checksum: str  # form_checksum of the tree
    deadline: date

    @property
    def file_name(self) -> str:
        """'Phieu-2020-STTTT.xlsx': ASCII, safe as a Windows file name."""
        return f"Phieu-{self.year}-{ascii_code(self.agency_code)}.xlsx"


def ascii_code(code: str) -> str:
    """An agency code as a file-name part: no diacritics, only letters, digits, '-' '_' '.'."""
    folded = unicodedata.normalize("NFD", nfc(code).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", plain).strip("-.")
    return safe or "khong-ma"


def figure_hint(leaf: Criterion, general: dict[str, GeneralField]) -> str:
    """What to type in "Số liệu", shown under the title ('Số liệu: a / Tổng số CBCCVC …')."""
    rule = leaf.rule
    label = clean_text(leaf.input_label)
    about = f" ({label})" if label else ""
    if rule is None:
        return ""
    match rule.kind:
        case RuleKind.TYPED:
            return "Không có số liệu: nhập thẳng điểm vào ô Điểm tự chấm."
        case RuleKind.YES_NO:
            return f"Số liệu: chọn {YES} hoặc {NO}{about}."
        case RuleKind.OPTIONS:
            return f"Số liệu: chọn một phương án{about}."
        case RuleKind.RATIO if rule.denominator:
            field = general.get(rule.denominator)
            below = field.label if field else rule.denominator
            numerator = label.split(" / ")[0].strip() if label else ""
            named = f"; a là {numerator}" if numerator else ""
            return f"Số liệu: a / {below} (mục I, mã {rule.denominator}){named}. Nhập a."
        case RuleKind.RATIO:
            return f"Số liệu: nhập a/b, ví dụ 45/50{about}."
        case RuleKind.TIERS | RuleKind.NORMALISED:
            return f"Số liệu: số không âm{about}."
        case RuleKind.PER_ITEM | RuleKind.DEDUCTION:
            return f"Số liệu: số nguyên không âm{about}."
    raise AssertionError(rule.kind)  # pragma: no cover


INSTRUCTION = (
    "Nhập số liệu và điểm tự chấm vào các ô màu vàng; các ô khác đã khóa. Điểm tiêu chí cha "
    "và tổng điểm tự tính. Điểm tự chấm từ 0 đến điểm tối đa, tối đa 2 chữ số thập phân. "
    "Không chèn, xóa dòng và không sửa mã tiêu chí (xem ghi chú ở ô này)."
)
INSTRUCTION_NOTE = (
    "Cách nhập cột Số liệu:\n"
    "- Có/Không: chọn trong danh sách (cũng nhận co, khong, x).\n"
    "- Chọn phương án: chọn trong danh sách.\n"
    "- Tỷ lệ có mẫu số ở mục I: nhập tử số a (số nguyên ≥ 0); mẫu số lấy ở Số liệu chung.\n"
    "- Tỷ lệ a/b: gõ a/b, ví dụ 45/50 (ô định dạng Văn bản để Excel không đổi thành ngày; "
    "chỉ kiểm tra có dấu /); cần b > 0 và a ≤ b.\n"
    "- Bậc, chuẩn hóa: số ≥ 0. Số mục, số lần: số nguyên ≥ 0.\n"
    "- Tiêu chí nhập điểm: ô Số liệu màu xám, nhập điểm vào ô Điểm tự chấm.\n"
    "Trang tính được khóa không mật khẩu: Xem lại → Bỏ bảo vệ trang tính "
    "(Review → Unprotect Sheet) khi thật cần; không chèn, xóa dòng."
)


def meta_rows(
    identity: FormIdentity,
    *,
    generated_at: str,
    header_row: int,
    criterion_rows: Mapping[str, int],
    general_rows: Mapping[str, int],
) -> list[Sequence[Any]]:
    """The rows of "_khit", (kind, key, value): the ``META_KEYS`` in order, then the row of
    every criterion and general datum in the form sheet."""
    values: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "year": identity.year,
        "agency_code": identity.agency_code,
        "agency_name": identity.agency_name,
        "group": identity.group,
        "group_name": identity.group_name,
        "form_id": identity.form_id,
        "form_version": identity.form_version,
        "form_name": identity.form_name,
        "checksum": identity.checksum,
        "deadline": identity.deadline.isoformat(),
        "generated_at": generated_at,
        "sheet": FORM_SHEET,
        "header_row": header_row,
        "figure_column": COL_FIGURE,
        "points_column": COL_POINTS,
        "general_column": GENERAL_COLUMN,
    }
    rows: list[Sequence[Any]] = [(META, key, values[key]) for key in META_KEYS]
    rows += [(CRITERION, code, row) for code, row in criterion_rows.items()]
    rows += [(GENERAL, code, row) for code, row in general_rows.items()]
    return rows


# The writers, re-exported for callers. Imported last, as ``agency_form_write`` imports the
# layout above: import the writers through this module, not that one on its own first.
from .agency_form_write import build_blank_form as build_blank_form  # noqa: E402
from .agency_form_write import write_blank_form as write_blank_form  # noqa: E402
from .agency_form_write import write_blank_forms as write_blank_forms  # noqa: E402
