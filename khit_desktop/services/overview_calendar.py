"""The round's calendar from the regulation, with days left and a status for each date.

The dates (read inclusively, as the deadline is: the work of a date may be done on the date):

* 30/10: districts finish appraising their offices and communes (Điều 9.3);
* the deadline for the forms, 15/11 or the round's own, after the working-day rule
  (Điều 6.1; Điều 148 BLDS 2015);
* the end of the grace period actually applied: late forms lose 100 points, later ones or
  none make the agency Yếu (Điều 8.3, 8.4; working days and the round's holidays);
* 30/12: the council publishes the ranking (Điều 6.2).

The rule for the status, the same for every date: **done** as soon as its work is done
(whatever the day); otherwise **upcoming** until the day itself (``days_left`` ≥ 0) and
**overdue** after it. What "done" means:

* 30/10: every district (Nhóm 2, Điều 2) has sent its form — a district's form reports the
  results of its offices and communes. The program keeps no record of the districts' own
  appraisal, so after 30/10 a date not yet done is **passed** (đã qua), not overdue: the
  districts' forms are only due on the deadline;
* the deadline and the grace end: every agency that is ranked this year has a valid form
  received (late ones count as received: their penalty is the ranking's business);
* 30/12: the round is finalised (đã chốt: the decision is signed and nothing changes after).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..domain.dates import format_date
from ..domain.lateness import deadlines
from ..domain.rules import RoundRules
from .overview_model import CalendarDate, DateStatus

DISTRICT_GROUP = 2  # Điều 2: Nhóm 2 is the districts' people's committees
SUBUNITS_DAY = (10, 30)  # Điều 9.3: "hoàn thành trước ngày 30/10 hàng năm"
PUBLICATION_DAY = (12, 30)  # Điều 6.2: "trước ngày 30 tháng 12 hàng năm"


def date_status(day: date, today: date, *, done: bool, tracked: bool = True) -> DateStatus:
    """Done when its work is done; else upcoming until ``day`` (inclusive), then overdue —
    or passed, for work the program does not track."""
    if done:
        return DateStatus.DONE
    if today <= day:
        return DateStatus.UPCOMING
    return DateStatus.OVERDUE if tracked else DateStatus.PASSED


def round_calendar(
    rules: RoundRules,
    today: date,
    *,
    missing: int,
    districts: int,
    districts_sent: int,
    finalised: bool,
    published: bool = False,
    finalised_text: str = "",
) -> tuple[CalendarDate, ...]:
    """The calendar of ``rules.year`` as of ``today``. ``missing``: ranked agencies with no
    valid form yet; ``districts``/``districts_sent``: Nhóm 2 agencies ranked this year and
    those whose form was received; ``finalised``: the round is finalised."""
    year = rules.year
    d = deadlines(rules)
    out: list[CalendarDate] = []

    def add(
        key: str,
        label: str,
        article: str,
        day: date,
        status: DateStatus,
        note: str,
        nominal: date | None = None,
    ) -> None:
        out.append(
            CalendarDate(key, label, article, day, (day - today).days, status, note, nominal)
        )

    if published:
        note = "Kết quả đã công bố, nhập từ bảng kết quả của tỉnh."
        done = DateStatus.DONE
        add("districts", SUBUNITS_LABEL, "Điều 9.3", date(year, *SUBUNITS_DAY), done, note)
        add("deadline", DEADLINE_LABEL, "Điều 6.1", d.effective, done, note)
        if rules.grace_days > 0:
            add("grace_end", GRACE_LABEL, "Điều 8.3", d.grace_end, done, note)
        add("publication", PUBLICATION_LABEL, "Điều 6.2", date(year, *PUBLICATION_DAY), done, note)
        return tuple(out)

    subunits = date(year, *SUBUNITS_DAY)
    all_districts = districts_sent >= districts
    note = (
        f"Cả {districts} UBND cấp huyện đã gửi phiếu (phiếu tổng hợp kết quả cấp xã)."
        if all_districts
        else f"{districts_sent}/{districts} UBND cấp huyện đã gửi phiếu; chương trình không "
        "theo dõi việc đánh giá cấp xã."
    )
    status = date_status(subunits, today, done=all_districts, tracked=False)
    add("districts", SUBUNITS_LABEL, "Điều 9.3", subunits, status, note)

    received_all = missing == 0
    waiting = "Đã nhận đủ phiếu." if received_all else f"Còn {missing} cơ quan chưa gửi phiếu."
    moved = None
    note = waiting
    if d.effective != d.nominal:
        moved = d.nominal
        note = (
            f"{format_date(d.nominal)} là {d.nominal_reason} nên dời sang "
            f"{format_date(d.effective)} (Điều 148 BLDS 2015). {waiting}"
        )
    status = date_status(d.effective, today, done=received_all)
    add("deadline", DEADLINE_LABEL, "Điều 6.1", d.effective, status, note, moved)

    if rules.grace_days > 0:
        moved = None
        note = (
            f"Gửi trễ đến hết ngày này: trừ {_plain(rules.late_penalty)} điểm; sau đó hoặc "
            "không gửi: xếp loại Yếu (Điều 8.4)."
        )
        if d.grace_end != d.grace_nominal:
            moved = d.grace_nominal
            note = (
                f"{rules.grace_days} ngày sau hạn là {format_date(d.grace_nominal)}, "
                f"{d.grace_reason}, nên kéo dài đến hết {format_date(d.grace_end)}. " + note
            )
        if not received_all:
            note += f" {waiting}"
        status = date_status(d.grace_end, today, done=received_all)
        add("grace_end", GRACE_LABEL, "Điều 8.3", d.grace_end, status, note, moved)

    publication = date(year, *PUBLICATION_DAY)
    note = finalised_text or ("Đã chốt kỳ đánh giá." if finalised else "Chưa chốt kỳ đánh giá.")
    status = date_status(publication, today, done=finalised)
    add("publication", PUBLICATION_LABEL, "Điều 6.2", publication, status, note)
    return tuple(out)


SUBUNITS_LABEL = "Cấp huyện hoàn thành đánh giá phòng, đơn vị trực thuộc và UBND cấp xã"
DEADLINE_LABEL = "Hạn gửi phiếu tự đánh giá"
GRACE_LABEL = "Hạn chót gửi phiếu trễ"
PUBLICATION_LABEL = "Công bố kết quả xếp hạng"


def _plain(value: Decimal) -> str:
    """'100', '50,5': a number of points without trailing zeros."""
    return f"{value.normalize():f}".replace(".", ",")
