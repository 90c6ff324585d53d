"""Table models of the survey screen: the round's surveys, and one survey's findings."""

from __future__ import annotations

from datetime import date
from typing import Any

from ...domain.collation import vietnamese_key
from ...domain.dates import format_date
from ...domain.numbers import format_points
from ...services.surveys import FindingView, SurveyView
from .table_base import AMBER, BLUE, GREEN, GREY, RowTableModel

COL_PLANNED, COL_VISIT, COL_AGENCY, COL_TEAM, COL_CRITERIA, COL_STATE = range(6)
SURVEY_COLOURS = {"planned": BLUE, "done": AMBER, "applied": GREEN}

F_CODE, F_TITLE, F_SEEN, F_FIGURE, F_PROPOSED, F_STATE = range(6)
FINDING_PENDING, FINDING_APPLIED, FINDING_DISMISSED = "chờ áp dụng", "đã áp dụng", "không áp dụng"
FINDING_COLOURS = {FINDING_PENDING: AMBER, FINDING_APPLIED: GREEN, FINDING_DISMISSED: GREY}


def member_name(line: str) -> str:
    """'Trần Minh Quang' from a roster line 'Trần Minh Quang — Phó Giám đốc, …'."""
    return line.split(" — ", 1)[0]


def _ordinal(value: date | None) -> int:
    return value.toordinal() if value else 10**7  # not yet: last


class SurveyTableModel(RowTableModel):
    """One row per survey of the round (khảo sát thực tế)."""

    HEADERS = (
        "Ngày dự kiến",
        "Ngày khảo sát",
        "Cơ quan",
        "Đoàn khảo sát",
        "Tiêu chí",
        "Tình trạng",
    )
    CENTRE = frozenset({COL_PLANNED, COL_VISIT})

    def display(self, item: SurveyView, column: int) -> str:
        if column == COL_PLANNED:
            return format_date(item.planned_date)
        if column == COL_VISIT:
            return format_date(item.visit_date) if item.visit_date else "—"
        if column == COL_AGENCY:
            return item.agency_name
        if column == COL_TEAM:
            return ", ".join(member_name(m) for m in item.members) or "(chưa có thành viên)"
        if column == COL_CRITERIA:
            return ", ".join(item.criteria)
        if column == COL_STATE:
            return item.state_label
        return ""

    def tooltip(self, item: SurveyView, column: int) -> str | None:
        if column == COL_TEAM:
            return "\n".join(item.members) or None
        if column == COL_AGENCY:
            return f"{item.agency_name} ({item.agency_code})"
        if column == COL_STATE:
            waiting = sum(1 for f in item.findings if _finding_state(f) == FINDING_PENDING)
            if item.state == "planned":
                return "Chưa ghi kết quả khảo sát."
            if waiting:
                return f"{waiting} kết quả đang chờ cán bộ xác nhận áp dụng hoặc không áp dụng."
            return "Mọi kết quả đã được áp dụng hoặc ghi lý do không áp dụng."
        return super().tooltip(item, column)

    def colours(self, item: SurveyView, column: int) -> tuple[str, str] | None:
        return SURVEY_COLOURS.get(item.state) if column == COL_STATE else None

    def sort_key(self, row: int, column: int) -> Any:
        item: SurveyView = self.row(row)
        name = vietnamese_key(item.agency_name)
        if column == COL_PLANNED:
            return (_ordinal(item.planned_date), name)
        if column == COL_VISIT:
            return (_ordinal(item.visit_date), name)
        if column == COL_STATE:
            return (list(SURVEY_COLOURS).index(item.state), _ordinal(item.planned_date), name)
        return (super().sort_key(row, column), _ordinal(item.planned_date))


def _finding_state(finding: FindingView) -> str:
    if finding.applied:
        return FINDING_APPLIED
    if finding.dismissed_reason:
        return FINDING_DISMISSED
    return FINDING_PENDING


def finding_state_text(finding: FindingView) -> str:
    """'chờ áp dụng', 'đã áp dụng', 'không áp dụng: <lý do>'."""
    state = _finding_state(finding)
    if state == FINDING_DISMISSED:
        return f"{state}: {finding.dismissed_reason}"
    if state == FINDING_PENDING and finding.proposed_points is None:
        return f"{state} (chưa có điểm đề xuất)"
    return state


def finding_is_pending(finding: FindingView) -> bool:
    return _finding_state(finding) == FINDING_PENDING


class FindingTableModel(RowTableModel):
    """The findings (kết quả khảo sát) of one survey, one row per criterion."""

    HEADERS = ("Mã", "Tiêu chí", "Đoàn khảo sát ghi nhận", "Số liệu", "Điểm đề xuất", "Tình trạng")
    RIGHT = frozenset({F_PROPOSED})
    CENTRE = frozenset({F_CODE})

    def display(self, item: FindingView, column: int) -> str:
        if column == F_CODE:
            return item.code
        if column == F_TITLE:
            return item.title
        if column == F_SEEN:
            return item.seen
        if column == F_FIGURE:
            return item.figure
        if column == F_PROPOSED:
            return format_points(item.proposed_points) if item.proposed_points is not None else ""
        if column == F_STATE:
            return finding_state_text(item)
        return ""

    def tooltip(self, item: FindingView, column: int) -> str | None:
        if column in (F_CODE, F_TITLE):
            return f"{item.code} {item.title} (tối đa {format_points(item.max_points)} điểm)"
        return super().tooltip(item, column)

    def colours(self, item: FindingView, column: int) -> tuple[str, str] | None:
        return FINDING_COLOURS[_finding_state(item)] if column == F_STATE else None

    def sort_key(self, row: int, column: int) -> Any:
        item: FindingView = self.row(row)
        if column == F_CODE:
            return tuple(int(p) if p.isdigit() else 0 for p in item.code.split("."))
        if column == F_PROPOSED:
            return item.proposed_points if item.proposed_points is not None else -1
        return super().sort_key(row, column)
