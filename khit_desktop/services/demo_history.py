"""The demo's past year 2019 (DỮ LIỆU MINH HỌA): results "published" by the province, imported
through the same service a clerk uses, from a workbook generated here.

Deterministic (seeded by the year). What it shows:

* every 2020 agency's movement: up, down, unchanged; "mới" for a department founded in 2020
  (``NEW_IN_2020``); "đổi nhóm" for the unit that was in group 3 in 2019 (``GROUP_CHANGED``);
* names written the province's way ("UBND TP. Nha Trang", "Sở Văn hoá…"), matched tolerantly;
* an agency that no longer exists (``GONE``), created as an inactive agency of 2019;
* two agencies tied in 2019 that the published sheet ranked apart (``TIED_2019``): the
  recomputed ranks share a place, so the import lists one difference.
"""

from __future__ import annotations

import random
import tempfile
from decimal import Decimal
from pathlib import Path

from ..domain.classification import classify
from ..domain.numbers import points
from ..domain.ranking import RankEntry, rank_group
from ..domain.rules import Thresholds
from ..exchange.history_rows import SheetRow
from ..store.database import Database
from .audit import Actor
from .history import HistoryReport, import_history, read_history
from .results import ResultRow, ranking

PAST_YEAR = 2019
FILE_NAME = "ket-qua-2019-da-cong-bo.xlsx"
MAX_POINTS = Decimal(1000)
NEW_IN_2020 = ("SDL", "BQLDA-GT")  # founded in 2020: "mới" (ranked) and nothing (exempt)
GROUP_CHANGED = "BQLKKT"
GONE = ("Ban Quản lý dự án Phát triển đô thị tỉnh Khánh Hòa", 3, Decimal("612.50"))
TIED_2019 = ("DK", "VN")  # same total; published as two ranks, recomputed as one
SPELLINGS = {  # how the 2019 sheet wrote some names
    "NT": "UBND TP. Nha Trang",
    "CR": "UBND TP Cam Ranh",
    "NH": "UBND thị xã Ninh Hoà",
    "SLDTBXH": "Sở Lao động, Thương binh và Xã hội",
    "SVHTT": "Sở Văn hoá và Thể thao",
    "STTTT": "Sở TT&TT",
}


def build_past_year(db: Database, actor: Actor, current_year: int) -> HistoryReport:
    """Generate the published sheet of ``PAST_YEAR`` from the ranking of ``current_year`` and
    import it (creating the missing agency)."""
    from ..exchange.history_sheet_write import write_published_sheet

    with tempfile.TemporaryDirectory(prefix="khit-demo-") as folder:
        path = write_published_sheet(
            Path(folder) / FILE_NAME,
            PAST_YEAR,
            _published(_past_rows(ranking(db, current_year))),
            subtitle="(Dữ liệu minh họa — không phải kết quả chính thức)",
        )
        book = read_history(path)
    return import_history(db, PAST_YEAR, book, create_missing=True, actor=actor)


def _past_rows(current: list[ResultRow]) -> list[tuple[str, str, int, Decimal]]:
    """(code, name as published, group, total) of each agency of the past year."""
    rng = random.Random(PAST_YEAR)
    rows: list[tuple[str, str, int, Decimal]] = []
    tied: Decimal | None = None
    for row in sorted(current, key=lambda r: r.agency_code):
        if row.agency_code in NEW_IN_2020:
            continue
        group = 3 if row.agency_code == GROUP_CHANGED else row.group
        # no rank this year (no form): a plausible total for the year before
        base = row.final_score if row.rank is not None else Decimal(550 + rng.randrange(250))
        change = Decimal(rng.randrange(-120, 121)) / 2  # ±60 points, in half points
        total = points(min(Decimal(980), max(Decimal(350), base + change)))
        if row.agency_code in TIED_2019:
            tied = tied or total
            total = tied
        name = SPELLINGS.get(row.agency_code, row.agency_name)
        rows.append((row.agency_code, name, group, total))
    name, group, total = GONE
    rows.append(("", name, group, total))
    return rows


def _published(rows: list[tuple[str, str, int, Decimal]]) -> list[SheetRow]:
    """The sheet's lines, ranked and classified as the province published them: by this
    program's rules, except the tie of ``TIED_2019`` ranked apart (the second one place down)."""
    thresholds = Thresholds()
    sheet: list[SheetRow] = []
    for group in sorted({row[2] for row in rows}):
        entries = [
            RankEntry(code, name, classify(total, MAX_POINTS, thresholds), total)
            for code, name, g, total in rows
            if g == group
        ]
        tie_seen = False
        for item in rank_group(entries):
            rank = item.rank
            if item.entry.key in TIED_2019 and rank is not None:
                rank += 1 if tie_seen else 0
                tie_seen = True
            e = item.entry
            sheet.append(SheetRow(e.name, group, e.final_score, MAX_POINTS, rank, e.classification))
    return sheet
