"""Table models of the council tab (explanations, decisions) and of the roster dialog."""

from __future__ import annotations

from typing import Any

from ...domain.collation import vietnamese_key
from ...domain.dates import format_date
from ...domain.numbers import format_points
from ...services.council import ROLES, RosterMember
from ...services.explanations import DecisionView, ExplanationView
from .table_base import AMBER, GREEN, RowTableModel

E_AGENCY, E_CRITERIA, E_LETTER, E_QUESTION, E_STATE, E_ANSWER = range(6)
D_AGENCY, D_CRITERION, D_MEETING, D_DECISION, D_POINTS = range(5)
R_ROLE, R_NAME, R_POSITION, R_AGENCY = range(4)


class _Named(RowTableModel):
    """Rows that carry only an agency code: the names (and criteria titles) come beside."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.names: dict[str, str] = {}
        self.titles: dict[tuple[str, str], str] = {}  # (agency, criterion) -> title

    def set_context(
        self, names: dict[str, str], titles: dict[tuple[str, str], str] | None = None
    ) -> None:
        self.names, self.titles = dict(names), dict(titles or {})

    def name(self, code: str) -> str:
        return self.names.get(code, code)


class ExplanationTableModel(_Named):
    """Đề nghị giải trình of the round and their answers."""

    HEADERS = (
        "Cơ quan",
        "Tiêu chí",
        "Văn bản đề nghị",
        "Nội dung đề nghị",
        "Tình trạng",
        "Nội dung giải trình",
    )

    def display(self, item: ExplanationView, column: int) -> str:
        if column == E_AGENCY:
            return self.name(item.agency_code)
        if column == E_CRITERIA:
            return ", ".join(item.criteria)
        if column == E_LETTER:
            return f"{item.letter_number} ngày {format_date(item.letter_date)}"
        if column == E_QUESTION:
            return item.question
        if column == E_STATE:
            return item.state_label
        if column == E_ANSWER:
            number = f" (văn bản {item.answer_number})" if item.answer_number else ""
            return f"{item.answer}{number}" if item.answer else ""
        return ""

    def tooltip(self, item: ExplanationView, column: int) -> str | None:
        if column == E_CRITERIA:
            lines = [
                f"{c} {self.titles.get((item.agency_code, c), '')}".strip() for c in item.criteria
            ]
            return "\n".join(lines)
        return super().tooltip(item, column)

    def colours(self, item: ExplanationView, column: int) -> tuple[str, str] | None:
        if column != E_STATE:
            return None
        return AMBER if item.pending else GREEN

    def sort_key(self, row: int, column: int) -> Any:
        item: ExplanationView = self.row(row)
        if column == E_LETTER:
            return (item.letter_date.toordinal(), item.letter_number)
        if column == E_STATE:
            answered = item.answer_date.toordinal() if item.answer_date else 0
            return (not item.pending, answered)
        return super().sort_key(row, column)


class DecisionTableModel(_Named):
    """Quyết định của Hội đồng thẩm định on disputed criteria."""

    HEADERS = ("Cơ quan", "Tiêu chí", "Ngày họp", "Quyết định của Hội đồng", "Điểm")
    RIGHT = frozenset({D_POINTS})
    CENTRE = frozenset({D_MEETING})

    def display(self, item: DecisionView, column: int) -> str:
        if column == D_AGENCY:
            return self.name(item.agency_code)
        if column == D_CRITERION:
            title = self.titles.get((item.agency_code, item.code), "")
            return f"{item.code} — {title}" if title else item.code
        if column == D_MEETING:
            return format_date(item.meeting_date)
        if column == D_DECISION:
            return item.decision
        if column == D_POINTS:
            return format_points(item.points)
        return ""

    def sort_key(self, row: int, column: int) -> Any:
        item: DecisionView = self.row(row)
        if column == D_MEETING:
            return (item.meeting_date.toordinal(), vietnamese_key(self.name(item.agency_code)))
        if column == D_POINTS:
            return item.points
        return super().sort_key(row, column)


class RosterTableModel(RowTableModel):
    """Hội đồng thẩm định and Tổ giúp việc of the round, council first."""

    HEADERS = ("Vai trò", "Họ và tên", "Chức vụ", "Cơ quan công tác")

    def display(self, item: RosterMember, column: int) -> str:
        if column == R_ROLE:
            return item.role_label
        if column == R_NAME:
            return item.name
        if column == R_POSITION:
            return item.position
        if column == R_AGENCY:
            return item.agency
        return ""

    def sort_key(self, row: int, column: int) -> Any:
        item: RosterMember = self.row(row)
        if column == R_ROLE:
            order = list(ROLES)
            return (order.index(item.role) if item.role in order else 99, item.id)
        return super().sort_key(row, column)
