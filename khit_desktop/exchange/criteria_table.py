"""The criteria table's layout and what reading one gives, shared by the reader
(``criteria_xlsx``), its checks (``criteria_check``) and the writer (``criteria_xlsx_write``).

Callers import these names from ``criteria_xlsx``, the module of the table's public API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.criteria import FormTree
from ..domain.numbers import ZERO

SHEET_CRITERIA, SHEET_GENERAL, SHEET_GUIDE = "Tiêu chí", "Số liệu chung", "Hướng dẫn"

# (key, header written, column width); the reader accepts the aliases of ``criteria_xlsx``.
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
    title: str = ""  # the table's own title, above the header (see ``criteria_xlsx``)


def shown_points(value: Decimal) -> str:
    """'20', '12,5': points as messages and the table's notes show them (decimal comma)."""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return text.replace(".", ",")
