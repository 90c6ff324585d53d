"""What the explanation, decision and roster dialogs check, without any widget."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ...domain.collation import nfc
from ...domain.dates import format_date
from ...services.council import ROLES
from .form_checks import Checked, read_date, read_points

FIELD_AGENCY, FIELD_CRITERIA, FIELD_NUMBER, FIELD_DATE = "agency", "criteria", "number", "date"
FIELD_TEXT, FIELD_POINTS, FIELD_CRITERION, FIELD_NAME, FIELD_ROLE = (
    "text",
    "points",
    "criterion",
    "name",
    "role",
)


@dataclass(frozen=True)
class RequestData:
    agency_code: str
    criteria: list[str]
    letter_number: str
    letter_date: date
    question: str


@dataclass
class RequestForm:
    """Đề nghị giải trình: the letter asking an agency to explain some criteria."""

    year: int
    agency_code: str | None = None
    criteria: list[str] = field(default_factory=list)
    letter_number: str = ""
    date_text: str = ""
    question: str = ""

    def check(self, today: date) -> Checked[RequestData]:
        state: Checked[RequestData] = Checked()
        errors = state.errors
        if not self.agency_code:
            errors[FIELD_AGENCY] = "Chọn cơ quan được đề nghị giải trình."
        if not self.criteria:
            errors[FIELD_CRITERIA] = "Chọn ít nhất một tiêu chí cần giải trình (Space để đánh dấu)."
        number = nfc(self.letter_number).strip()
        if not number:
            errors[FIELD_NUMBER] = "Ghi số, ký hiệu văn bản đề nghị (ví dụ 1520/STTTT-CNTT)."
        letter = read_date(
            self.date_text, FIELD_DATE, "ngày văn bản", errors, year=self.year, today=today
        )
        if not errors and letter is not None and self.agency_code:
            state.data = RequestData(
                self.agency_code, list(self.criteria), number, letter, nfc(self.question).strip()
            )
        return state


@dataclass(frozen=True)
class AnswerData:
    answer: str
    answer_date: date
    answer_number: str


@dataclass
class AnswerForm:
    """Ghi nhận giải trình: what the agency answered, and when."""

    letter_date: date
    answer: str = ""
    date_text: str = ""
    answer_number: str = ""

    def check(self, today: date) -> Checked[AnswerData]:
        state: Checked[AnswerData] = Checked()
        errors = state.errors
        answer = nfc(self.answer).strip()
        if not answer:
            errors[FIELD_TEXT] = "Ghi nội dung giải trình của cơ quan."
        answered = read_date(self.date_text, FIELD_DATE, "ngày giải trình", errors, today=today)
        if answered is not None and answered < self.letter_date:
            errors[FIELD_DATE] = (
                f"Ngày giải trình {format_date(answered)} trước ngày văn bản đề nghị "
                f"{format_date(self.letter_date)}."
            )
        if not errors and answered is not None:
            state.data = AnswerData(answer, answered, nfc(self.answer_number).strip())
        return state


@dataclass(frozen=True)
class DecisionData:
    agency_code: str
    code: str
    meeting_date: date
    decision: str
    points: Decimal


@dataclass
class DecisionForm:
    """Quyết định của Hội đồng on one criterion of one agency: the last word on its score."""

    year: int
    agency_code: str | None = None
    code: str | None = None
    max_points: Decimal | None = None
    date_text: str = ""
    decision: str = ""
    points_text: str = ""

    def check(self, today: date) -> Checked[DecisionData]:
        state: Checked[DecisionData] = Checked()
        errors = state.errors
        if not self.agency_code:
            errors[FIELD_AGENCY] = "Chọn cơ quan."
        if not self.code or self.max_points is None:
            errors[FIELD_CRITERION] = "Chọn tiêu chí Hội đồng quyết định."
        meeting = read_date(
            self.date_text, FIELD_DATE, "ngày họp Hội đồng", errors, year=self.year, today=today
        )
        decision = nfc(self.decision).strip()
        if not decision:
            errors[FIELD_TEXT] = "Ghi nội dung quyết định của Hội đồng (trích biên bản họp)."
        points = None
        if self.max_points is not None:
            points = read_points(
                self.points_text, FIELD_POINTS, self.max_points, errors, required=True
            )
        if not errors and meeting and points is not None and self.agency_code and self.code:
            state.data = DecisionData(self.agency_code, self.code, meeting, decision, points)
        return state


@dataclass(frozen=True)
class MemberData:
    role: str
    name: str
    position: str
    agency: str


@dataclass
class MemberForm:
    """A person added to the council (Hội đồng thẩm định) or the working team (Tổ giúp việc)."""

    role: str = "member"
    name: str = ""
    position: str = ""
    agency: str = ""
    has_chair: bool = False

    def check(self) -> Checked[MemberData]:
        state: Checked[MemberData] = Checked()
        errors = state.errors
        if self.role not in ROLES:
            errors[FIELD_ROLE] = "Chọn vai trò."
        elif self.role == "chair" and self.has_chair:
            errors[FIELD_ROLE] = (
                "Hội đồng đã có Chủ tịch. Xóa Chủ tịch cũ trước, hoặc chọn vai trò khác."
            )
        name = nfc(self.name).strip()
        if not name:
            errors[FIELD_NAME] = "Ghi họ và tên."
        if not errors:
            state.data = MemberData(
                self.role, name, nfc(self.position).strip(), nfc(self.agency).strip()
            )
        return state
