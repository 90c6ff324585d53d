"""The annex (Phụ lục) of the chairman's decision publishing a year's ranking, as a PDF, with
the small print that matches it to the database (finalisation, reopenings, the audit trail's
head)."""

from __future__ import annotations

import os
from pathlib import Path

from ..store.database import Database
from .catalog import is_demo
from .finalise import finalisation
from .integrity import chain_head
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
        decision = (rnd.decision_number or "", rnd.decision_date, rnd.signer_title or "")
    final = finalisation(db, year)
    head = chain_head(db)
    info = AnnexInfo(
        year=year,
        rules=rules,
        group_names=dict(rules.group_names),
        decision_number=decision[0],
        decision_date=decision[1],
        authority=decision[2],
        final=final.is_final,
        published=final.published,
        finalized_at=final.finalized_at,
        finalized_by=final.finalized_by,
        reopenings=tuple((r.at, r.reason) for r in final.reopenings),
        journal_code=head.code,
        journal_events=head.events,
    )
    rows = ranking(db, year)
    return write_annex_pdf(rows, info, target, demo=is_demo(db))
