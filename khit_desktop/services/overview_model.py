"""What the overview (Tổng quan) shows: plain, frozen values for the window, the PDF and
``khit overview``. Numbers are exact (``Decimal``); texts are Vietnamese; dates are ``date``
objects with a ``…_text`` in dd/MM/yyyy beside them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from ..domain.classification import Classification
from ..domain.dates import format_date
from .round_stage import StageInfo

CLASSES = (
    Classification.GOOD,
    Classification.FAIR,
    Classification.AVERAGE,
    Classification.WEAK,
    Classification.NOT_RANKED,
)


class DateStatus(Enum):
    """Where a date of the calendar stands (see ``overview_calendar`` for the rule)."""

    UPCOMING = "upcoming"
    DONE = "done"
    OVERDUE = "overdue"
    PASSED = "passed"  # past, and the program keeps no record of that work

    @property
    def label(self) -> str:
        return _DATE_LABELS[self]


_DATE_LABELS = {
    DateStatus.UPCOMING: "Sắp đến hạn",
    DateStatus.DONE: "Đã xong",
    DateStatus.OVERDUE: "Quá hạn",
    DateStatus.PASSED: "Đã qua",
}


@dataclass(frozen=True)
class CalendarDate:
    """One date of the regulation's calendar for the round's year."""

    key: str  # "districts", "deadline", "grace_end", "publication"
    label: str  # "Hạn gửi phiếu tự đánh giá"
    article: str  # "Điều 6.1"
    day: date  # the date that applies (after the working-day rule where it applies)
    days_left: int  # day − today: 0 on the day, negative once past
    status: DateStatus
    note: str = ""  # why it moved, what is still missing
    nominal: date | None = None  # the regulation's date when the working-day rule moved it

    @property
    def day_text(self) -> str:
        return format_date(self.day)

    @property
    def days_text(self) -> str:
        """'còn 12 ngày', 'hôm nay', 'đã qua 3 ngày'."""
        if self.days_left > 0:
            return f"còn {self.days_left} ngày"
        if self.days_left == 0:
            return "hôm nay"
        return f"đã qua {-self.days_left} ngày"


@dataclass(frozen=True)
class GroupForms:
    """Forms of one group (``group`` 0: the whole round): how they were received (as of
    the overview's day) and how far their appraisal has come."""

    group: int
    group_name: str
    members: int
    on_time: int
    late: int  # within the grace period: −100 (Điều 8.3)
    very_late: int  # beyond it: Yếu (Điều 8.4)
    missing: int  # no valid form received
    exempt: int  # not ranked this year
    no_form: int  # nothing in the program yet (score_grid's "Chưa có phiếu")
    imported: int  # form entered, appraisal not started ("Đã nhập phiếu")
    appraising: int  # some criterion appraised, not marked finished ("Đang thẩm định")
    done: int  # marked finished ("Đã thẩm định xong")

    @property
    def received(self) -> int:
        return self.on_time + self.late + self.very_late


@dataclass(frozen=True)
class GroupAppraisal:
    """The appraisal of one group (``group`` 0: the whole round). ``changed``: criteria
    (leaves) of the agencies whose form counts where the appraised points differ from the
    self-assessed ones (a blank side counts 0); ``raised`` and ``lowered`` add up the
    points moved each way."""

    group: int
    group_name: str
    changed: int
    agencies_changed: int
    raised: Decimal
    lowered: Decimal
    unexplained: int  # changed without a written reason (the to-do list names each)
    explanations_awaited: int  # letters asking for an explanation, not yet answered
    explanations_answered: int
    decisions_recorded: int  # council decisions on disputed criteria
    decisions_pending: int  # disputed criteria answered, no council decision yet

    @property
    def net(self) -> Decimal:
        return self.raised - self.lowered


@dataclass(frozen=True)
class SurveyCounts:
    """Khảo sát thực tế of the round: visits by state, findings by what became of them."""

    planned: int  # planned, not recorded yet
    done: int  # recorded, some finding still waits
    applied: int  # every finding applied or dismissed
    findings_applied: int
    findings_dismissed: int
    findings_pending: int  # waiting for a clerk to apply or dismiss

    @property
    def total(self) -> int:
        return self.planned + self.done + self.applied


@dataclass(frozen=True)
class AgencyResult:
    """An agency in the ranking so far."""

    agency_code: str
    agency_name: str
    group: int
    rank: int | None
    final_score: Decimal
    percent: Decimal
    classification: Classification


@dataclass(frozen=True)
class MovementCounts:
    """Movements of a group's agencies since last year (``domain.movement``)."""

    up: int
    down: int
    same: int
    new: int
    group_changed: int


@dataclass(frozen=True)
class GroupResults:
    """Classes so far, the top and the bottom of the ranking, and last year beside them."""

    group: int
    group_name: str
    counts: dict[Classification, int]  # every class of ``CLASSES``, 0 included
    top: tuple[AgencyResult, ...]  # the first ranked agencies, in ranking order
    bottom: tuple[AgencyResult, ...]  # the last ranked agencies, in ranking order
    last_year_counts: dict[Classification, int] | None  # None: no round last year
    movement: MovementCounts | None
    ranked: int  # agencies with a rank (a form counted, not exempt)


@dataclass(frozen=True)
class Results:
    provisional: bool  # the round is not finalised: "kết quả tạm tính"
    groups: tuple[GroupResults, ...]
    last_year: int | None  # the year compared with, None when it has no round
    note: str  # "Kết quả tạm tính — kỳ đánh giá chưa chốt." or the finalisation


class Screen(Enum):
    """The window's screens a to-do item opens."""

    RECEIPTS = "receipts"
    SCORING = "scoring"
    SURVEYS = "surveys"
    RANKING = "ranking"
    ROUND = "round"


@dataclass(frozen=True)
class TodoItem:
    """An open item (việc cần làm): ``screen`` names the screen to open, the ids the row to
    select there (agency, criterion of its grid, survey and finding, explanation)."""

    kind: str  # a key of ``overview_todo.ITEM_KINDS``
    text: str
    screen: str  # a ``Screen`` value
    agency_code: str = ""
    criterion_code: str = ""
    survey_id: int | None = None
    finding_id: int | None = None
    explanation_id: int | None = None
    group: int | None = None


@dataclass(frozen=True)
class Overview:
    """Tổng quan of one round, as of ``today``."""

    year: int
    today: date
    demo: bool
    published: bool  # a past year's published results (no forms, no appraisal here)
    stage: StageInfo
    calendar: tuple[CalendarDate, ...]
    forms: tuple[GroupForms, ...]  # per group, then the whole round (group 0)
    appraisal: tuple[GroupAppraisal, ...]  # per group, then the whole round (group 0)
    surveys: SurveyCounts
    results: Results
    todo: tuple[TodoItem, ...]
    decision_number: str
    decision_date: date | None

    @property
    def forms_total(self) -> GroupForms:
        return self.forms[-1]

    @property
    def appraisal_total(self) -> GroupAppraisal:
        return self.appraisal[-1]

    def todo_counts(self) -> dict[str, int]:
        """How many open items of each kind, in the list's order."""
        counts: dict[str, int] = {}
        for item in self.todo:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        return counts


def zero_counts() -> dict[Classification, int]:
    return dict.fromkeys(CLASSES, 0)
