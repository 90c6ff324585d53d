"""The rules of one round (kỳ đánh giá), with the regulation's defaults.

Quyết định 1278/QĐ-CTUBND ngày 04/6/2020 (Quy định kèm theo); every value can differ per
round and is stored on the round, never in code paths that compute results.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from .dates import Holiday, fixed_public_holidays

DEFAULT_GROUP_NAMES: dict[int, str] = {
    1: "Các sở, ban, ngành",
    2: "UBND các huyện, thị xã, thành phố",
    3: "Các đơn vị sự nghiệp trực thuộc UBND tỉnh",
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Ngưỡng xếp loại, percent of the maximum (Điều 8.1)."""

    good: Decimal = Decimal(85)  # Tốt: from 85 %
    fair: Decimal = Decimal(70)  # Khá: from 70 % to under 85 %
    average: Decimal = Decimal(50)  # Trung bình: from 50 % to under 70 %

    def __post_init__(self) -> None:
        if not (Decimal(0) < self.average < self.fair < self.good <= Decimal(100)):
            raise ValueError("ngưỡng xếp loại phải tăng dần: 0 < Trung bình < Khá < Tốt ≤ 100")


@dataclass(frozen=True, slots=True)
class RoundRules:
    """Quy tắc của một kỳ đánh giá (one year)."""

    year: int
    deadline: date  # Điều 6.1: "trước ngày 15 tháng 11 hàng năm", read inclusively
    grace_days: int = 5  # Điều 8.3: "không quá 05 ngày"
    late_penalty: Decimal = Decimal(100)  # Điều 8.3: "tổng số điểm bị trừ đi 100"
    thresholds: Thresholds = field(default_factory=Thresholds)
    shift_to_working_day: bool = True  # Điều 148 Bộ luật Dân sự 2015
    holidays: tuple[Holiday, ...] = ()
    group_names: dict[int, str] = field(default_factory=lambda: dict(DEFAULT_GROUP_NAMES))

    def __post_init__(self) -> None:
        if self.grace_days < 0:
            raise ValueError("số ngày gia hạn không được âm")
        if self.late_penalty < 0:
            raise ValueError("điểm trừ không được âm")

    @classmethod
    def defaults(cls, year: int) -> RoundRules:
        """The regulation's defaults for ``year``."""
        return cls(year=year, deadline=date(year, 11, 15), holidays=fixed_public_holidays(year))

    def for_year(self, year: int) -> RoundRules:
        """These rules carried to another year: same day-and-month deadline, that year's
        fixed holidays (the team adds that year's compensatory days off)."""
        return replace(
            self,
            year=year,
            deadline=_same_day_in(self.deadline, year),
            holidays=fixed_public_holidays(year),
        )


# Where each value comes from, shown to users beside the value.
RULE_SOURCES: dict[str, str] = {
    "deadline": "Điều 6.1 Quy định kèm theo Quyết định 1278/QĐ-CTUBND",
    "grace_days": "Điều 8.3",
    "late_penalty": "Điều 8.3",
    "thresholds": "Điều 8.1",
    "shift_to_working_day": "Điều 148 Bộ luật Dân sự 2015",
    "holidays": "Điều 112 Bộ luật Lao động 2019 và thông báo nghỉ bù hằng năm",
    "group_names": "Điều 2",
}


def _same_day_in(day: date, year: int) -> date:
    """The same day and month in ``year`` (29/02 becomes 28/02 in a common year)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)
