"""What the plan and findings dialogs check, without any widget (tested on its own)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from ...domain.collation import nfc
from ...domain.dates import format_date
from ...domain.numbers import format_points
from ...services.surveys import FindingInput, FindingView, SurveyView
from .form_checks import Checked, read_date, read_points

FIELD_AGENCY, FIELD_DATE, FIELD_MEMBERS, FIELD_CRITERIA = "agency", "date", "members", "criteria"
FIELD_VISIT, FIELD_FINDINGS, FIELD_ATTACHMENTS = "visit", "findings", "attachments"


def line_key(code: str) -> str:
    """The error key of one criterion's line in the findings dialog."""
    return f"line:{code}"


@dataclass(frozen=True)
class PlanData:
    agency_code: str
    planned_date: date
    member_ids: list[int]
    criteria: list[str]


@dataclass
class PlanForm:
    """Lên kế hoạch khảo sát: which agency, when, who goes, which criteria to look at."""

    year: int
    agency_code: str | None = None
    date_text: str = ""
    member_ids: list[int] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)

    def check(self) -> Checked[PlanData]:
        state: Checked[PlanData] = Checked()
        errors = state.errors
        if not self.agency_code:
            errors[FIELD_AGENCY] = "Chọn cơ quan được khảo sát."
        planned = read_date(
            self.date_text, FIELD_DATE, "ngày dự kiến khảo sát", errors, year=self.year
        )
        if not self.member_ids:
            errors[FIELD_MEMBERS] = "Chọn ít nhất một thành viên đoàn khảo sát (Space để đánh dấu)."
        if not self.criteria:
            errors[FIELD_CRITERIA] = "Chọn ít nhất một tiêu chí cần khảo sát (Space để đánh dấu)."
        if not errors and planned is not None and self.agency_code:
            state.data = PlanData(
                self.agency_code, planned, list(self.member_ids), list(self.criteria)
            )
        return state


@dataclass
class FindingLine:
    """One criterion's line in the findings dialog."""

    code: str
    title: str
    max_points: Decimal
    seen: str = ""
    figure: str = ""
    points_text: str = ""
    recorded: bool = False  # already saved once
    locked: str = ""  # why it cannot change any more ("đã áp dụng …")
    dismissed: str = ""  # the reason it was not applied, if it was not
    original: tuple[str, str, str] = ("", "", "")  # (seen, figure, points) as recorded

    @property
    def blank(self) -> bool:
        return not (self.seen.strip() or self.figure.strip() or self.points_text.strip())

    @property
    def changed(self) -> bool:
        now = (nfc(self.seen).strip(), nfc(self.figure).strip(), self.points_text.strip())
        return now != tuple(nfc(x).strip() for x in self.original)


@dataclass(frozen=True)
class FindingsData:
    visit_date: date
    findings: list[FindingInput]
    remarks: str
    attachments: list[Path]
    # dismissed findings sent again unchanged: the service reopens every finding it is sent,
    # so their dismissal (code -> reason) is recorded again after saving
    keep_dismissed: dict[str, str] = field(default_factory=dict)


@dataclass
class FindingsForm:
    """Ghi kết quả khảo sát: the visit date, what was seen per criterion, the remarks."""

    year: int
    lines: list[FindingLine]
    visit_text: str = ""
    remarks: str = ""
    attachments: list[Path] = field(default_factory=list)

    def line(self, code: str) -> FindingLine:
        return next(line for line in self.lines if line.code == code)

    def check(self, today: date) -> Checked[FindingsData]:
        state: Checked[FindingsData] = Checked()
        errors = state.errors
        visit = read_date(
            self.visit_text, FIELD_VISIT, "ngày khảo sát", errors, year=self.year, today=today
        )
        findings: list[FindingInput] = []
        keep: dict[str, str] = {}
        for line in self.lines:
            if line.locked:
                continue
            key = line_key(line.code)
            if line.blank:
                if line.recorded:  # a recording is the whole set of unapplied findings
                    state.notes[key] = (
                        f"Dòng để trống: kết quả đã ghi của tiêu chí {line.code} sẽ bị xóa."
                    )
                continue
            problems: dict[str, str] = {}
            proposed = read_points(
                line.points_text, "points", line.max_points, problems, required=False
            )
            seen = nfc(line.seen).strip()
            sentences = [] if seen else ["Ghi điều đoàn khảo sát ghi nhận."]
            sentences += problems.values()
            if sentences:
                errors[key] = " ".join(sentences)
                continue
            findings.append(FindingInput(line.code, seen, nfc(line.figure).strip(), proposed))
            if line.dismissed and not line.changed:
                keep[line.code] = line.dismissed
            elif line.dismissed:
                state.notes[key] = (
                    f"Đã sửa kết quả đã ghi “không áp dụng” ({line.dismissed}): kết quả sẽ về "
                    "“chờ áp dụng” để xét lại."
                )
        if not findings and not any(line.locked for line in self.lines):
            if not any(k.startswith("line:") for k in errors):
                errors[FIELD_FINDINGS] = (
                    "Ghi kết quả cho ít nhất một tiêu chí: điều đoàn khảo sát ghi nhận và điểm "
                    "đề xuất."
                )
        missing = [p.name for p in self.attachments if not p.is_file()]
        if missing:
            errors[FIELD_ATTACHMENTS] = "Không tìm thấy tệp: " + ", ".join(missing) + "."
        if not errors and visit is not None:
            state.data = FindingsData(
                visit, findings, nfc(self.remarks).strip(), list(self.attachments), keep
            )
        return state


def finding_line(finding: FindingView) -> FindingLine:
    """A recorded finding as a line of the dialog (locked once applied)."""
    points = format_points(finding.proposed_points) if finding.proposed_points is not None else ""
    return FindingLine(
        finding.code,
        finding.title,
        finding.max_points,
        finding.seen,
        finding.figure,
        points,
        recorded=True,
        locked="đã áp dụng vào điểm thẩm định" if finding.applied else "",
        dismissed=finding.dismissed_reason,
        original=(finding.seen, finding.figure, points),
    )


def findings_form(
    survey: SurveyView, leaves: dict[str, tuple[str, Decimal]], visit_text: str = ""
) -> FindingsForm:
    """The form for ``survey``: a line per planned criterion, then any other recorded one.

    ``leaves`` maps each directly-scored criterion of the agency to (title, maximum)."""
    recorded = {f.code: f for f in survey.findings}
    lines: list[FindingLine] = []
    for code in survey.criteria:
        if code in recorded:
            lines.append(finding_line(recorded.pop(code)))
        elif code in leaves:
            lines.append(FindingLine(code, *leaves[code]))
    lines.extend(finding_line(f) for f in recorded.values())
    return FindingsForm(
        survey.year,
        lines,
        visit_text=format_date(survey.visit_date) if survey.visit_date else visit_text,
        remarks=survey.remarks,
    )
