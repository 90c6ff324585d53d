"""The annex (Phụ lục) of the chairman's decision publishing a year's ranking, as a PDF."""

from __future__ import annotations

import os
from pathlib import Path

from ..store.database import Database
from .catalog import is_demo
from .results import ranking
from .rounds import get_round, rules_of


def write_annex(db: Database, year: int, path: str | os.PathLike[str]) -> Path:
    """The ranking of ``year`` as the decision's annex (A4 landscape PDF), rows as
    ``results.ranking`` orders them; the decision number and date from the round (dotted
    while blank). ValueError for a name not ending in .pdf; NotFound for an unknown year."""
    target = Path(path)
    if target.suffix.lower() != ".pdf":
        raise ValueError(f"Tệp '{target.name}' phải có đuôi .pdf (phụ lục là văn bản PDF).")
    from ..exchange.annex_pdf import AnnexInfo, write_annex_pdf

    with db.session() as s:
        rnd = get_round(s, year)
        rules = rules_of(rnd)
        info = AnnexInfo(
            year=year,
            rules=rules,
            group_names=dict(rules.group_names),
            decision_number=rnd.decision_number or "",
            decision_date=rnd.decision_date,
            authority=rnd.signer_title or "",
        )
    rows = ranking(db, year)
    return write_annex_pdf(rows, info, target, demo=is_demo(db))
