"""Classification (xếp loại) of one agency's result (Điều 8).

The penalty comes off before the percentage; the final score never goes below 0; thresholds
are compared exactly (``score × 100 ≥ 85 × max``) in decimal arithmetic; sending late beyond
the grace period, or not at all, forces Yếu whatever the score (Điều 8.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from .lateness import LatenessDecision, LatenessStatus
from .numbers import HUNDRED, ZERO, percent_floor, points
from .rules import Thresholds


class Classification(Enum):
    """Xếp loại, in ranking order."""

    GOOD = "Tốt"
    FAIR = "Khá"
    AVERAGE = "Trung bình"
    WEAK = "Yếu"
    NOT_RANKED = "Không xếp hạng"

    @property
    def label(self) -> str:
        return self.value

    @property
    def order(self) -> int:
        return _ORDER[self]


_ORDER = {c: i for i, c in enumerate(Classification)}


def classify(score: Decimal, maximum: Decimal, thresholds: Thresholds) -> Classification:
    """Tốt / Khá / Trung bình / Yếu by exact comparison with the thresholds (Điều 8.1)."""
    if maximum <= 0:
        raise ValueError("điểm tối đa phải lớn hơn 0")
    scaled = score * HUNDRED
    if scaled >= thresholds.good * maximum:
        return Classification.GOOD
    if scaled >= thresholds.fair * maximum:
        return Classification.FAIR
    if scaled >= thresholds.average * maximum:
        return Classification.AVERAGE
    return Classification.WEAK


@dataclass(frozen=True, slots=True)
class Outcome:
    """Kết quả cuối cùng của một cơ quan."""

    appraised_total: Decimal
    penalty: Decimal
    final_score: Decimal
    max_points: Decimal
    percent: Decimal  # rounded down to 2 decimals, as shown to users
    classification: Classification
    forced_weak: bool


def outcome(
    appraised_total: Decimal,
    maximum: Decimal,
    lateness: LatenessDecision,
    thresholds: Thresholds,
) -> Outcome:
    """Apply the lateness penalty, then classify (Điều 8.1–8.4)."""
    total = points(appraised_total)
    if lateness.status is LatenessStatus.NOT_RANKED:
        return Outcome(
            total,
            ZERO,
            total,
            maximum,
            percent_floor(total, maximum),
            Classification.NOT_RANKED,
            False,
        )
    penalty = points(lateness.penalty)
    final = max(points(total - penalty), ZERO)
    if lateness.forced_weak:
        cls = Classification.WEAK
    else:
        cls = classify(final, maximum, thresholds)
    return Outcome(
        total, penalty, final, maximum, percent_floor(final, maximum), cls, lateness.forced_weak
    )
