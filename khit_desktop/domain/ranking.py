"""Ranking (xếp hạng) within one group (Điều 6.2; the order and ties are our default policy).

- order by classification (Tốt, Khá, Trung bình, Yếu), then final score, highest first;
- equal class and equal (two-decimal) score share a rank and the next rank skips (1, 2, 2, 4);
  within a tie, names in Vietnamese alphabetical order;
- agencies that sent no form come after, classified Yếu, without a rank;
- agencies not ranked this year (exempt) come last, without a rank.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from .classification import Classification
from .collation import vietnamese_key
from .numbers import points

K = TypeVar("K")

RANKING_POLICY_NOTE = (
    "Trong mỗi nhóm, xếp theo xếp loại (Tốt, Khá, Trung bình, Yếu) rồi theo điểm cuối cùng "
    "từ cao xuống thấp; cùng xếp loại và cùng điểm (2 chữ số thập phân) thì đồng hạng, hạng "
    "kế tiếp bỏ qua số tương ứng (1, 2, 2, 4), tên xếp theo thứ tự chữ cái tiếng Việt; "
    "cơ quan không gửi phiếu xếp loại Yếu, ghi cuối nhóm và không xếp hạng."
)


@dataclass(frozen=True, slots=True)
class RankEntry(Generic[K]):
    key: K
    name: str
    classification: Classification
    final_score: Decimal
    sent_form: bool = True


@dataclass(frozen=True, slots=True)
class RankedRow(Generic[K]):
    entry: RankEntry[K]
    rank: int | None


def rank_group(entries: Iterable[RankEntry[K]]) -> list[RankedRow[K]]:
    """Rows of one group in the annex's order, with shared ranks after ties."""
    ranked: list[RankEntry[K]] = []
    missing: list[RankEntry[K]] = []
    exempt: list[RankEntry[K]] = []
    for e in entries:
        if e.classification is Classification.NOT_RANKED:
            exempt.append(e)
        elif not e.sent_form:
            missing.append(e)
        else:
            ranked.append(e)
    ranked.sort(
        key=lambda e: (e.classification.order, -points(e.final_score), vietnamese_key(e.name))
    )
    rows: list[RankedRow[K]] = []
    previous: tuple[int, Decimal] | None = None
    rank = 0
    for position, e in enumerate(ranked, start=1):
        tie_key = (e.classification.order, points(e.final_score))
        if tie_key != previous:
            rank = position
            previous = tie_key
        rows.append(RankedRow(e, rank))
    for group in (missing, exempt):
        group.sort(key=lambda e: vietnamese_key(e.name))
        rows.extend(RankedRow(e, None) for e in group)
    return rows
