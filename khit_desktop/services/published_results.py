"""The ranking of a past year built from published results (kết quả đã công bố).

A published round holds no forms, receipts or scores: one ``PublishedResult`` per agency,
its total and maximum as published. Its ranking is recomputed with this program's rules —
classification from total / maximum with the round's thresholds (Điều 8.1), ranks within each
group by ``domain.ranking`` — so that past years read like the years appraised here, and
every row where the recomputation differs from what was published is listed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.classification import Classification, classify
from ..domain.lateness import LatenessStatus
from ..domain.numbers import ZERO, percent_floor, points
from ..domain.ranking import RankEntry, rank_group
from ..store.models import PublishedResult, Round
from .results import ResultRow
from .rounds import rules_of

PUBLISHED = "published"


@dataclass(frozen=True)
class Difference:
    """A published row whose rank or classification differs from the recomputed one."""

    row: int  # the row of the published sheet
    agency_code: str
    agency_name: str
    group: int
    total: str  # as shown: "850,50"
    max_points: str
    published_rank: int | None
    recomputed_rank: int | None
    published_class: Classification | None
    recomputed_class: Classification

    @property
    def rank_differs(self) -> bool:
        return self.published_rank is not None and self.published_rank != self.recomputed_rank

    @property
    def class_differs(self) -> bool:
        return self.published_class is not None and self.published_class != self.recomputed_class

    def describe(self) -> str:
        """One Vietnamese line: "Dòng 7, Sở Tư pháp (Nhóm 1): hạng đã công bố 5, tính lại 4"."""
        parts = []
        if self.rank_differs:
            again = self.recomputed_rank if self.recomputed_rank is not None else "không xếp"
            parts.append(f"hạng đã công bố {self.published_rank}, tính lại {again}")
        if self.class_differs:
            assert self.published_class is not None
            parts.append(
                f"xếp loại đã công bố {self.published_class.value}, tính lại "
                f"{self.recomputed_class.value} ({self.total}/{self.max_points} điểm)"
            )
        return f"Dòng {self.row}, {self.agency_name} (Nhóm {self.group}): " + "; ".join(parts)


def is_published(rnd: Round) -> bool:
    return rnd.kind == PUBLISHED


def _stored(session: Session, rnd: Round) -> dict[int, PublishedResult]:
    rows = session.scalars(select(PublishedResult).where(PublishedResult.round_id == rnd.id))
    return {p.agency_id: p for p in rows}


def published_ranking(session: Session, rnd: Round) -> list[ResultRow]:
    """The rows of a published round in the annex's order (group 1, 2, 3, then as ranked).

    Totals are final scores (no penalty, no areas, no self-assessment); every agency counts
    as having sent its form on time. A member without a published result (not made by the
    import) is listed as without a form."""
    thresholds = rules_of(rnd).thresholds
    stored = _stored(session, rnd)
    rows: list[ResultRow] = []
    for group in rnd.groups:
        members = [m for m in rnd.members if m.group_id == group.id]
        built: dict[int, ResultRow] = {}
        entries = []
        for m in members:
            p = stored.get(m.agency_id)
            if p is None:
                row = ResultRow(
                    m.agency.code, m.name, group.number, group.name, None, None, (),
                    ZERO, ZERO, ZERO, ZERO, Classification.WEAK, None, LatenessStatus.MISSING,
                    f"Không có trong kết quả đã công bố năm {rnd.year}.",
                )  # fmt: skip
            else:
                total = points(p.total)
                cls = classify(total, p.max_points, thresholds)
                row = ResultRow(
                    m.agency.code, m.name, group.number, group.name, None, total, (),
                    ZERO, total, p.max_points, percent_floor(total, p.max_points), cls, None,
                    LatenessStatus.ON_TIME, _explanation(rnd.year, p),
                )  # fmt: skip
            built[m.agency_id] = row
            entries.append(
                RankEntry(m.agency_id, m.name, row.classification, row.final_score, p is not None)
            )
        for ranked in rank_group(entries):
            row = built[ranked.entry.key]
            rows.append(_noted(replace(row, rank=ranked.rank), stored.get(ranked.entry.key)))
    return rows


def _explanation(year: int, p: PublishedResult) -> str:
    return f"Kết quả đã công bố năm {year} (nhập từ tệp {p.source_file}, dòng {p.source_row})."


def _noted(row: ResultRow, p: PublishedResult | None) -> ResultRow:
    """The explanation says what the published sheet read where the recomputation differs."""
    if p is None:
        return row
    notes = []
    if p.published_rank is not None and p.published_rank != row.rank:
        notes.append(f"bản công bố ghi hạng {p.published_rank}")
    if p.published_class is not None and p.published_class != row.classification.value:
        notes.append(f"bản công bố ghi xếp loại {p.published_class}")
    if not notes:
        return row
    return replace(row, explanation=row.explanation[:-1] + "; " + ", ".join(notes) + ".")


def published_differences(session: Session, rnd: Round) -> list[Difference]:
    """Rows where the recomputed rank or classification differs from the published one, in
    the order of the published sheet."""
    from ..domain.numbers import format_points

    stored = _stored(session, rnd)
    by_code = {m.agency.code: m.agency_id for m in rnd.members}
    found = []
    for row in published_ranking(session, rnd):
        p = stored.get(by_code[row.agency_code])
        if p is None:
            continue
        published_class = Classification(p.published_class) if p.published_class else None
        difference = Difference(
            p.source_row,
            row.agency_code,
            row.agency_name,
            row.group,
            format_points(row.final_score),
            format_points(row.max_points),
            p.published_rank,
            row.rank,
            published_class,
            row.classification,
        )
        if difference.rank_differs or difference.class_differs:
            found.append(difference)
    return sorted(found, key=lambda d: d.row)
