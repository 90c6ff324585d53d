"""Lateness of the self-assessment form (Điều 6.1, 8.3, 8.4) and the working-day rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.dates import Holiday
from khit_desktop.domain.lateness import (
    Channel,
    LatenessStatus,
    Receipt,
    counted_receipt,
    deadlines,
    decide_lateness,
)
from khit_desktop.domain.rules import RoundRules

RULES_2020 = RoundRules.defaults(2020)

# How bad a status is: a later sent date may never get a smaller number.
SEVERITY = {LatenessStatus.ON_TIME: 0, LatenessStatus.LATE: 1, LatenessStatus.VERY_LATE: 2}


def sent(day: date, channel: Channel = Channel.EOFFICE, **kwargs) -> Receipt:
    return Receipt(channel=channel, sent_date=day, **kwargs)


def decide(rules: RoundRules, *days: date):
    return decide_lateness(rules, [sent(d) for d in days])


# --- independent oracle -------------------------------------------------------------------------


def oracle_working_day(day: date, holidays: set[date]) -> date:
    while day.weekday() in (5, 6) or day in holidays:
        day += timedelta(days=1)
    return day


def oracle_dates(rules: RoundRules) -> tuple[date, date]:
    """(effective deadline, last day of the grace period), computed independently."""
    holidays = {h.day for h in rules.holidays}
    if not rules.shift_to_working_day:
        return rules.deadline, rules.deadline + timedelta(days=rules.grace_days)
    effective = oracle_working_day(rules.deadline, holidays)
    grace_end = effective + timedelta(days=rules.grace_days)
    if rules.grace_days > 0:
        grace_end = oracle_working_day(grace_end, holidays)
    return effective, grace_end


# --- the 2020 example ---------------------------------------------------------------------------


def test_2020_deadlines() -> None:
    d = deadlines(RULES_2020)
    assert d.nominal == date(2020, 11, 15)
    assert d.nominal_reason == "Chủ nhật"
    assert d.effective == date(2020, 11, 16)  # Monday
    assert d.grace_nominal == date(2020, 11, 21)  # Saturday
    assert d.grace_reason == "Thứ Bảy"
    assert d.grace_end == date(2020, 11, 23)  # Monday


def test_2020_sent_on_the_shifted_deadline_is_on_time() -> None:
    decision = decide(RULES_2020, date(2020, 11, 16))
    assert decision.status is LatenessStatus.ON_TIME
    assert decision.penalty == 0
    assert decision.forced_weak is False
    assert decision.days_late == 0
    text = decision.explanation
    assert "16/11/2020" in text
    assert "15/11/2020" in text
    assert "Chủ nhật" in text
    assert "Điều 6.1" in text
    assert "Điều 148" in text


def test_2020_sent_before_the_deadline_is_on_time() -> None:
    decision = decide(RULES_2020, date(2020, 11, 10))
    assert decision.status is LatenessStatus.ON_TIME
    assert "10/11/2020" in decision.explanation


@pytest.mark.parametrize(
    ("day", "days_late"),
    [(date(2020, 11, 17), 1), (date(2020, 11, 20), 4), (date(2020, 11, 21), 5)],
)
def test_2020_late_within_the_grace_period(day: date, days_late: int) -> None:
    decision = decide(RULES_2020, day)
    assert decision.status is LatenessStatus.LATE
    assert decision.penalty == Decimal(100)
    assert decision.forced_weak is False
    assert decision.days_late == days_late
    assert "Điều 8.3" in decision.explanation
    assert "trừ 100 điểm" in decision.explanation
    assert day.strftime("%d/%m/%Y") in decision.explanation


def test_2020_fifth_grace_day_is_a_saturday_so_monday_23_is_still_late() -> None:
    decision = decide(RULES_2020, date(2020, 11, 23))
    assert decision.status is LatenessStatus.LATE
    assert decision.penalty == Decimal(100)
    assert decision.forced_weak is False
    text = decision.explanation
    assert "23/11/2020" in text
    assert "21/11/2020" in text
    assert "Thứ Bảy" in text
    assert "Điều 8.3" in text


def test_2020_sent_on_24_is_very_late() -> None:
    decision = decide(RULES_2020, date(2020, 11, 24))
    assert decision.status is LatenessStatus.VERY_LATE
    assert decision.forced_weak is True
    assert decision.penalty == 0  # Yếu instead of the −100 of Điều 8.3
    assert decision.days_late == 8
    assert "Điều 8.4" in decision.explanation
    assert "Yếu" in decision.explanation
    assert "24/11/2020" in decision.explanation


def test_no_receipt_is_missing_and_forced_weak() -> None:
    decision = decide_lateness(RULES_2020, [])
    assert decision.status is LatenessStatus.MISSING
    assert decision.forced_weak is True
    assert decision.penalty == 0
    assert decision.counted is None
    assert "Điều 8.4" in decision.explanation


def test_missing_wording_depends_on_as_of() -> None:
    awaited = decide_lateness(RULES_2020, [], as_of=date(2020, 11, 20))
    assert awaited.status is LatenessStatus.MISSING
    assert awaited.forced_weak is True
    assert "Chưa nhận phiếu" in awaited.explanation
    assert "16/11/2020" in awaited.explanation
    assert "23/11/2020" in awaited.explanation
    after = decide_lateness(RULES_2020, [], as_of=date(2020, 11, 24))
    assert "Không gửi phiếu" in after.explanation
    assert "Điều 8.4" in after.explanation


def test_without_the_working_day_rule_16_11_2020_is_late() -> None:
    rules = replace(RULES_2020, shift_to_working_day=False)
    d = deadlines(rules)
    assert d.effective == d.nominal == date(2020, 11, 15)
    assert d.grace_end == date(2020, 11, 20)
    assert decide(rules, date(2020, 11, 15)).status is LatenessStatus.ON_TIME
    decision = decide(rules, date(2020, 11, 16))
    assert decision.status is LatenessStatus.LATE
    assert decision.days_late == 1
    assert "Chủ nhật" not in decision.explanation
    assert decide(rules, date(2020, 11, 20)).status is LatenessStatus.LATE
    assert decide(rules, date(2020, 11, 21)).status is LatenessStatus.VERY_LATE


def test_a_holiday_on_the_grace_end_extends_it() -> None:
    rules = replace(RULES_2020, holidays=(Holiday(date(2020, 11, 23), "nghỉ bù"),))
    d = deadlines(rules)
    assert d.grace_end == date(2020, 11, 24)
    assert decide(rules, date(2020, 11, 24)).status is LatenessStatus.LATE
    assert decide(rules, date(2020, 11, 25)).status is LatenessStatus.VERY_LATE


def test_a_holiday_on_a_weekday_deadline_moves_it() -> None:
    rules = RoundRules.defaults(2021)  # 15/11/2021 is a Monday
    assert deadlines(rules).effective == date(2021, 11, 15)
    moved = replace(rules, holidays=(Holiday(date(2021, 11, 15), "nghỉ bù"),))
    d = deadlines(moved)
    assert d.effective == date(2021, 11, 16)
    assert d.nominal_reason == "ngày nghỉ bù"
    decision = decide(moved, date(2021, 11, 16))
    assert decision.status is LatenessStatus.ON_TIME
    assert "nghỉ bù" in decision.explanation


def test_custom_penalty_and_grace() -> None:
    rules = replace(RULES_2020, grace_days=2, late_penalty=Decimal("50.5"))
    d = deadlines(rules)
    assert d.grace_end == date(2020, 11, 18)
    decision = decide(rules, date(2020, 11, 18))
    assert decision.status is LatenessStatus.LATE
    assert decision.penalty == Decimal("50.5")
    assert "50,5" in decision.explanation
    assert decide(rules, date(2020, 11, 19)).status is LatenessStatus.VERY_LATE


def test_zero_grace_days() -> None:
    rules = replace(RULES_2020, grace_days=0)
    assert deadlines(rules).grace_end == date(2020, 11, 16)
    assert decide(rules, date(2020, 11, 16)).status is LatenessStatus.ON_TIME
    assert decide(rules, date(2020, 11, 17)).status is LatenessStatus.VERY_LATE


# --- which receipt counts -----------------------------------------------------------------------


def test_the_earliest_valid_receipt_counts_even_if_listed_later() -> None:
    late = sent(date(2020, 11, 20), key=1)
    on_time = sent(date(2020, 11, 12), Channel.POST, key=2)
    decision = decide_lateness(RULES_2020, [late, on_time])
    assert decision.status is LatenessStatus.ON_TIME
    assert decision.counted == on_time
    assert "qua bưu điện" in decision.explanation


def test_an_invalid_receipt_never_counts() -> None:
    invalid_on_time = sent(date(2020, 11, 10), valid=False, key=1)
    valid_late = sent(date(2020, 11, 20), key=2)
    decision = decide_lateness(RULES_2020, [invalid_on_time, valid_late])
    assert decision.status is LatenessStatus.LATE
    assert decision.penalty == Decimal(100)
    assert decision.counted is not None and decision.counted.key == 2


def test_only_invalid_receipts_is_missing() -> None:
    decision = decide_lateness(RULES_2020, [sent(date(2020, 11, 10), valid=False)])
    assert decision.status is LatenessStatus.MISSING
    assert decision.forced_weak is True


def test_counted_receipt_ties() -> None:
    day = date(2020, 11, 12)
    first = sent(day, received_date=date(2020, 11, 14), key=1)
    second = sent(day, received_date=date(2020, 11, 13), key=2)
    unknown = sent(day, key=3)
    assert counted_receipt([first, second, unknown]) == second
    assert counted_receipt([unknown, first]) == first
    assert counted_receipt([unknown, sent(day, key=4)]) == unknown
    assert counted_receipt([]) is None
    assert counted_receipt(iter([first])) == first


def test_exempt_agency_is_not_ranked_and_not_forced_weak() -> None:
    decision = decide_lateness(RULES_2020, [], exempt_reason="Mới thành lập")
    assert decision.status is LatenessStatus.NOT_RANKED
    assert decision.forced_weak is False
    assert decision.penalty == 0
    assert "Mới thành lập" in decision.explanation
    late = decide_lateness(RULES_2020, [sent(date(2020, 12, 1))], exempt_reason="  ")
    assert late.status is LatenessStatus.NOT_RANKED
    assert late.forced_weak is False
    assert "miễn đánh giá" in late.explanation


def test_labels() -> None:
    assert Channel.POST.label == "Bưu điện"
    assert Channel.EMAIL.via == "qua thư điện tử công vụ"
    assert {s.label for s in LatenessStatus} >= {"Đúng hạn", "Chưa nhận"}
    for channel in Channel:
        assert channel.label and channel.via


# --- other years --------------------------------------------------------------------------------


def test_2026_deadline_is_a_sunday() -> None:
    d = deadlines(RoundRules.defaults(2026))
    assert d.nominal_reason == "Chủ nhật"
    assert d.effective == date(2026, 11, 16)
    assert d.grace_end == date(2026, 11, 23)
    decision = decide(RoundRules.defaults(2026), date(2026, 11, 16))
    assert decision.status is LatenessStatus.ON_TIME
    assert "Chủ nhật" in decision.explanation
    assert "16/11/2026" in decision.explanation


def test_2025_deadline_is_a_saturday() -> None:
    rules = RoundRules.defaults(2025)
    d = deadlines(rules)
    assert d.nominal_reason == "Thứ Bảy"
    assert d.effective == date(2025, 11, 17)
    assert d.grace_nominal == date(2025, 11, 22)  # Saturday again
    assert d.grace_end == date(2025, 11, 24)
    assert decide(rules, date(2025, 11, 17)).status is LatenessStatus.ON_TIME
    assert decide(rules, date(2025, 11, 18)).status is LatenessStatus.LATE
    assert decide(rules, date(2025, 11, 24)).status is LatenessStatus.LATE
    assert decide(rules, date(2025, 11, 25)).status is LatenessStatus.VERY_LATE
    text = decide(rules, date(2025, 11, 17)).explanation
    assert "Thứ Bảy" in text
    assert "17/11/2025" in text


def test_2021_deadline_is_a_working_day() -> None:
    d = deadlines(RoundRules.defaults(2021))
    assert d.nominal_reason is None
    assert d.effective == d.nominal == date(2021, 11, 15)
    assert d.grace_end == date(2021, 11, 22)  # 20/11/2021 is a Saturday


# --- properties ---------------------------------------------------------------------------------

years = st.integers(min_value=2000, max_value=2100)
offsets = st.integers(min_value=-40, max_value=40)


@given(years, offsets, st.booleans())
def test_status_follows_the_effective_deadline_and_grace_end(
    year: int, offset: int, shift: bool
) -> None:
    rules = replace(RoundRules.defaults(year), shift_to_working_day=shift)
    day = date(year, 11, 15) + timedelta(days=offset)
    effective, grace_end = oracle_dates(rules)
    d = deadlines(rules)
    assert (d.effective, d.grace_end) == (effective, grace_end)
    decision = decide(rules, day)
    if day <= effective:
        assert decision.status is LatenessStatus.ON_TIME
        assert decision.penalty == 0 and not decision.forced_weak
    elif day <= grace_end:
        assert decision.status is LatenessStatus.LATE
        assert decision.penalty == rules.late_penalty and not decision.forced_weak
    else:
        assert decision.status is LatenessStatus.VERY_LATE
        assert decision.penalty == 0 and decision.forced_weak
    assert decision.days_late == max(0, (day - effective).days)
    assert day.strftime("%d/%m/%Y") in decision.explanation


@given(years)
def test_shifted_dates_are_working_days(year: int) -> None:
    rules = RoundRules.defaults(year)
    d = deadlines(rules)
    assert d.effective.weekday() < 5
    assert d.grace_end.weekday() < 5
    assert d.effective >= d.nominal
    assert d.effective - d.nominal <= timedelta(days=3)  # no November holiday listed
    assert d.grace_end >= d.effective + timedelta(days=rules.grace_days)
    assert d.grace_end - (d.effective + timedelta(days=rules.grace_days)) <= timedelta(days=2)
    assert (d.nominal_reason is None) == (d.effective == d.nominal)
    assert (d.grace_reason is None) == (d.grace_end == d.grace_nominal)


@given(
    years,
    st.integers(min_value=0, max_value=10),
    st.lists(st.integers(min_value=0, max_value=25), max_size=8),
)
def test_holidays_near_the_deadline(year: int, grace: int, holiday_offsets: list[int]) -> None:
    base = date(year, 11, 15)
    holidays = tuple(Holiday(base + timedelta(days=o), f"nghỉ {o}") for o in holiday_offsets)
    rules = replace(RoundRules.defaults(year), grace_days=grace, holidays=holidays)
    d = deadlines(rules)
    assert (d.effective, d.grace_end) == oracle_dates(rules)
    listed = {h.day for h in holidays}
    assert d.effective not in listed and d.effective.weekday() < 5
    assert d.grace_end >= d.effective + timedelta(days=grace)
    if grace > 0:
        assert d.grace_end not in listed and d.grace_end.weekday() < 5


@given(years, offsets, offsets, st.booleans())
def test_a_later_sent_date_never_gets_a_better_status(
    year: int, first: int, second: int, shift: bool
) -> None:
    rules = replace(RoundRules.defaults(year), shift_to_working_day=shift)
    early, late = sorted((first, second))
    base = date(year, 11, 15)
    a = decide(rules, base + timedelta(days=early))
    b = decide(rules, base + timedelta(days=late))
    assert SEVERITY[a.status] <= SEVERITY[b.status]
    assert a.days_late <= b.days_late


@given(
    st.lists(
        st.tuples(st.integers(min_value=-40, max_value=40), st.booleans()), min_size=1, max_size=6
    )
)
def test_decision_follows_the_earliest_valid_receipt(items: list[tuple[int, bool]]) -> None:
    base = date(2020, 11, 15)
    receipts = [sent(base + timedelta(days=o), valid=v, key=i) for i, (o, v) in enumerate(items)]
    decision = decide_lateness(RULES_2020, receipts)
    valid_days = [base + timedelta(days=o) for o, v in items if v]
    if not valid_days:
        assert decision.status is LatenessStatus.MISSING
        return
    earliest = min(valid_days)
    assert decision.counted is not None
    assert decision.counted.valid
    assert decision.counted.sent_date == earliest
    assert decision.status is decide(RULES_2020, earliest).status
