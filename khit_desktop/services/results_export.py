"""The results of a round exported to Excel: the ranking and each agency's criteria."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ..store.database import Database
from .catalog import is_demo
from .movement import movements_between, previous_ranking
from .results import ranking
from .score_grid import AgencySheet, agency_sheet


def export_results(
    db: Database, year: int, path: str | os.PathLike[str], *, as_of: date | None = None
) -> Path:
    """The ranking of ``year`` (rows as ``results.ranking`` orders them, with each agency's
    movement since the year before) and one criteria sheet per agency that sent a form,
    written to ``path`` (.xlsx); returns the path.

    ValueError for a name not ending in .xlsx (checked before any work); NotFound for an
    unknown year."""
    from ..exchange.results_xlsx import write_results_xlsx
    from ..exchange.xlsx_common import xlsx_target

    target = xlsx_target(path)
    rows = ranking(db, year, as_of=as_of)
    details: dict[str, AgencySheet] = {
        row.agency_code: agency_sheet(db, year, row.agency_code, as_of=as_of)
        for row in rows
        if row.self_total is not None  # sent a form: an agency without one has no criteria
    }
    moves = movements_between(previous_ranking(db, year), rows)
    return write_results_xlsx(rows, details, target, year=year, demo=is_demo(db), movements=moves)
