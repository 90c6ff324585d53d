"""Dates as Vietnamese users write them (dd/MM/yyyy) and the working-day rule.

Điều 148 Bộ luật Dân sự 2015: when the last day of a period falls on a weekly day off or a
public holiday, the period ends at the end of the next working day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class DateFormatError(ValueError):
    """A text that is not a date written dd/MM/yyyy."""


def parse_date(text: str) -> date:
    """Read '16/11/2020' (also '16-11-2020', '16.11.2020', '6/1/2021')."""
    match = _DATE_RE.match(text or "")
    if not match:
        raise DateFormatError(f"Ngày '{text}' không đúng dạng ngày/tháng/năm (dd/MM/yyyy).")
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise DateFormatError(f"Ngày '{text}' không có thật trên lịch.") from None


def format_date(value: date) -> str:
    """'16/11/2020'."""
    return value.strftime("%d/%m/%Y")


def weekday_name(value: date) -> str:
    return WEEKDAY_NAMES[value.weekday()]


@dataclass(frozen=True, slots=True)
class Holiday:
    """Ngày nghỉ lễ, Tết (or a compensatory day off) listed in a round's rules."""

    day: date
    name: str


def fixed_public_holidays(year: int) -> tuple[Holiday, ...]:
    """Solar-calendar public holidays of Bộ luật Lao động 2019, Điều 112.

    Lunar holidays (Tết, Giỗ Tổ) and compensatory days off change every year; the round's
    settings let the team add them.
    """
    return (
        Holiday(date(year, 1, 1), "Tết Dương lịch"),
        Holiday(date(year, 4, 30), "Ngày Chiến thắng"),
        Holiday(date(year, 5, 1), "Ngày Quốc tế lao động"),
        Holiday(date(year, 9, 2), "Quốc khánh"),
    )


def day_off_reason(day: date, holidays: Iterable[Holiday]) -> str | None:
    """Why ``day`` is not a working day ('Chủ nhật', 'ngày nghỉ Quốc khánh'), or None."""
    for holiday in holidays:
        if holiday.day == day:
            name = holiday.name.strip()
            return f"ngày {name}" if name.casefold().startswith("nghỉ") else f"ngày nghỉ {name}"
    if day.weekday() >= 5:
        return weekday_name(day)
    return None


def next_working_day(day: date, holidays: Iterable[Holiday]) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    listed = tuple(holidays)
    while day_off_reason(day, listed) is not None:
        day += timedelta(days=1)
    return day
