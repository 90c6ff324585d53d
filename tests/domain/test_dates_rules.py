"""Dates written dd/MM/yyyy, the working-day rule (dates.py) and a round's rules (rules.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.dates import (
    DateFormatError,
    Holiday,
    day_off_reason,
    fixed_public_holidays,
    format_date,
    next_working_day,
    parse_date,
    weekday_name,
)
from khit_desktop.domain.rules import (
    DEFAULT_GROUP_NAMES,
    RULE_SOURCES,
    RoundRules,
    Thresholds,
)

any_date = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


# --- parse_date / format_date -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16/11/2020", date(2020, 11, 16)),
        ("6/1/2021", date(2021, 1, 6)),
        ("06/01/2021", date(2021, 1, 6)),
        ("16-11-2020", date(2020, 11, 16)),
        ("16.11.2020", date(2020, 11, 16)),
        (" 29/02/2020 ", date(2020, 2, 29)),
    ],
)
def test_parse_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31/02/2020", "29/02/2021", "2020-11-16", "16/11/20", "", "16/13/2020", "0/11/2020", "abc"],
)
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(DateFormatError):
        parse_date(text)


def test_parse_date_messages_are_vietnamese() -> None:
    with pytest.raises(DateFormatError, match="không có thật trên lịch"):
        parse_date("31/02/2020")
    with pytest.raises(DateFormatError, match="dd/MM/yyyy"):
        parse_date("2020-11-16")
    assert issubclass(DateFormatError, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2021, 1, 6), "06/01/2021"),
        (date(2020, 11, 16), "16/11/2020"),
        (date(2020, 12, 31), "31/12/2020"),
    ],
)
def test_format_date_zero_pads(value: date, expected: str) -> None:
    assert format_date(value) == expected


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_format_then_parse_round_trips(value: date) -> None:
    text = format_date(value)
    assert len(text) == 10
    assert parse_date(text) == value


# --- weekdays, holidays, next_working_day -------------------------------------------------------


def test_weekday_names() -> None:
    assert weekday_name(date(2020, 11, 15)) == "Chủ nhật"
    assert weekday_name(date(2020, 11, 14)) == "Thứ Bảy"
    assert weekday_name(date(2020, 11, 16)) == "Thứ Hai"


def test_fixed_public_holidays() -> None:
    days = {h.day for h in fixed_public_holidays(2020)}
    assert days == {date(2020, 1, 1), date(2020, 4, 30), date(2020, 5, 1), date(2020, 9, 2)}


def test_day_off_reason() -> None:
    holidays = fixed_public_holidays(2020)
    assert day_off_reason(date(2020, 11, 15), holidays) == "Chủ nhật"
    assert day_off_reason(date(2020, 11, 14), holidays) == "Thứ Bảy"
    assert day_off_reason(date(2020, 9, 2), holidays) == "ngày nghỉ Quốc khánh"
    assert day_off_reason(date(2020, 11, 16), holidays) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 11, 13), date(2020, 11, 13)),  # Friday: itself
        (date(2020, 11, 14), date(2020, 11, 16)),  # Saturday → Monday
        (date(2020, 11, 15), date(2020, 11, 16)),  # Sunday → Monday
        (date(2020, 11, 16), date(2020, 11, 16)),  # Monday: itself
    ],
)
def test_next_working_day_skips_weekends(day: date, expected: date) -> None:
    assert next_working_day(day, ()) == expected


def test_next_working_day_skips_listed_holidays() -> None:
    holidays = (
        Holiday(date(2020, 11, 16), "nghỉ bù"),
        Holiday(date(2020, 11, 17), "nghỉ bù 2"),
    )
    assert next_working_day(date(2020, 11, 14), holidays) == date(2020, 11, 18)
    assert next_working_day(date(2020, 11, 16), holidays) == date(2020, 11, 18)
    # 2/9/2021 is a Thursday; Friday 3/9/2021 is a working day.
    assert next_working_day(date(2021, 9, 2), fixed_public_holidays(2021)) == date(2021, 9, 3)
    # Holidays given as a generator are read once but still all honoured.
    gen = (h for h in holidays)
    assert next_working_day(date(2020, 11, 16), gen) == date(2020, 11, 18)


@given(
    any_date,
    st.lists(st.dates(min_value=date(2020, 1, 1), max_value=date(2020, 12, 31)), max_size=20),
)
def test_next_working_day_property(day: date, holiday_days: list[date]) -> None:
    holidays = tuple(Holiday(d, "nghỉ") for d in holiday_days)
    result = next_working_day(day, holidays)
    assert result >= day
    assert result.weekday() < 5
    assert result not in set(holiday_days)
    # every day skipped was a day off
    skipped = day
    while skipped < result:
        assert skipped.weekday() >= 5 or skipped in set(holiday_days)
        skipped += timedelta(days=1)


# --- Thresholds ---------------------------------------------------------------------------------


def test_default_thresholds() -> None:
    t = Thresholds()
    assert (t.good, t.fair, t.average) == (Decimal(85), Decimal(70), Decimal(50))


@pytest.mark.parametrize(
    ("good", "fair", "average"),
    [
        (85, 85, 50),  # equal
        (85, 70, 70),
        (70, 85, 50),  # decreasing
        (85, 50, 70),
        (85, 70, 0),  # average must be above 0
        (101, 70, 50),  # good at most 100
        (85, 70, -1),
    ],
)
def test_thresholds_refuse_non_increasing_values(good: int, fair: int, average: int) -> None:
    with pytest.raises(ValueError, match="tăng dần"):
        Thresholds(Decimal(good), Decimal(fair), Decimal(average))


def test_thresholds_accept_increasing_values() -> None:
    t = Thresholds(Decimal(100), Decimal("70.5"), Decimal("0.01"))
    assert t.good == 100


@given(
    st.decimals(min_value=-10, max_value=110, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-10, max_value=110, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-10, max_value=110, places=2, allow_nan=False, allow_infinity=False),
)
def test_thresholds_accepted_iff_strictly_increasing(
    good: Decimal, fair: Decimal, average: Decimal
) -> None:
    sound = 0 < average < fair < good <= 100
    if sound:
        Thresholds(good, fair, average)
    else:
        with pytest.raises(ValueError):
            Thresholds(good, fair, average)


# --- RoundRules ---------------------------------------------------------------------------------


def test_round_rules_defaults_2020() -> None:
    rules = RoundRules.defaults(2020)
    assert rules.year == 2020
    assert rules.deadline == date(2020, 11, 15)
    assert rules.grace_days == 5
    assert rules.late_penalty == Decimal(100)
    assert rules.thresholds == Thresholds(Decimal(85), Decimal(70), Decimal(50))
    assert rules.shift_to_working_day is True
    assert rules.holidays == fixed_public_holidays(2020)
    assert rules.group_names == DEFAULT_GROUP_NAMES
    assert set(rules.group_names) == {1, 2, 3}


def test_round_rules_group_names_are_not_shared() -> None:
    a, b = RoundRules.defaults(2020), RoundRules.defaults(2021)
    a.group_names[1] = "Đổi tên"
    assert b.group_names[1] == DEFAULT_GROUP_NAMES[1] != "Đổi tên"


def test_round_rules_refuse_negative_values() -> None:
    with pytest.raises(ValueError):
        RoundRules(year=2020, deadline=date(2020, 11, 15), grace_days=-1)
    with pytest.raises(ValueError):
        RoundRules(year=2020, deadline=date(2020, 11, 15), late_penalty=Decimal(-1))


def test_for_year_keeps_day_and_month() -> None:
    custom = RoundRules(
        year=2020,
        deadline=date(2020, 11, 30),
        grace_days=7,
        late_penalty=Decimal(50),
        shift_to_working_day=False,
        holidays=(Holiday(date(2020, 11, 20), "nghỉ bù"),),
    )
    carried = custom.for_year(2021)
    assert carried.year == 2021
    assert carried.deadline == date(2021, 11, 30)
    assert carried.grace_days == 7
    assert carried.late_penalty == Decimal(50)
    assert carried.shift_to_working_day is False
    # the year's fixed holidays replace last year's list (compensatory days are re-entered)
    assert carried.holidays == fixed_public_holidays(2021)
    assert custom.deadline == date(2020, 11, 30)  # the original is untouched


@given(st.integers(min_value=2000, max_value=2100), st.integers(min_value=2000, max_value=2100))
def test_for_year_of_defaults_equals_defaults(first: int, second: int) -> None:
    assert RoundRules.defaults(first).for_year(second) == RoundRules.defaults(second)


def test_rule_sources_name_the_articles() -> None:
    assert "Điều 6.1" in RULE_SOURCES["deadline"]
    assert RULE_SOURCES["grace_days"] == "Điều 8.3"
    assert RULE_SOURCES["late_penalty"] == "Điều 8.3"
    assert RULE_SOURCES["thresholds"] == "Điều 8.1"
    assert "148" in RULE_SOURCES["shift_to_working_day"]
