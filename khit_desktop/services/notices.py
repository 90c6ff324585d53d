"""Documents sent out for one agency: the notice of its appraisal result (PDF or Excel) and
the minutes of a field survey (PDF). The data comes from the services; the writers in
``exchange`` draw it (imported when first used: reportlab and openpyxl are slow to load)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ..store.database import Database
from .catalog import is_demo
from .council import roster
from .explanations import decisions, explanations
from .score_grid import agency_sheet
from .surveys import survey_view

NOTICE_SUFFIXES = (".pdf", ".xlsx")


def write_notice(
    db: Database,
    year: int,
    agency_code: str,
    path: str | os.PathLike[str],
    *,
    as_of: date | None = None,
) -> Path:
    """The appraisal result of ``agency_code`` in ``year``, as PDF or Excel by the suffix of
    ``path``; ``as_of`` is the day the lateness is judged on and the notice's date (today by
    default). ValueError for another suffix; NotFound for an unknown year or agency."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in NOTICE_SUFFIXES:
        raise ValueError(
            f"Tệp '{target.name}' phải có đuôi .pdf (văn bản) hoặc .xlsx (bảng tính Excel)."
        )
    day = as_of or date.today()
    sheet = agency_sheet(db, year, agency_code, as_of=day)
    demo = is_demo(db)
    if suffix == ".xlsx":
        from ..exchange.result_notice import write_result_notice_xlsx

        return write_result_notice_xlsx(sheet, target, demo=demo)
    from ..exchange.result_notice import write_result_notice_pdf

    chair = next((m.name for m in roster(db, year) if m.role == "chair"), "")
    return write_result_notice_pdf(
        sheet,
        target,
        decisions=decisions(db, year, sheet.agency_code),
        explanations=explanations(db, year, sheet.agency_code),
        demo=demo,
        issued_on=day,
        signer=chair,
    )


def write_survey_minutes(db: Database, survey_id: int, path: str | os.PathLike[str]) -> Path:
    """The minutes (biên bản) of survey ``survey_id`` as a PDF. The team is listed in roster
    order (council first, then the working team); its most senior member leads and signs.
    ValueError for a name not ending in .pdf; NotFound for an unknown survey."""
    target = Path(path)
    if target.suffix.lower() != ".pdf":
        raise ValueError(f"Tệp '{target.name}' phải có đuôi .pdf.")
    view = survey_view(db, survey_id)
    people = {m.line: (index, m) for index, m in enumerate(roster(db, view.year))}
    team = sorted(view.members, key=lambda line: people[line][0] if line in people else 99)
    leader = people[team[0]][1].name if team and team[0] in people else None
    sheet = agency_sheet(db, view.year, view.agency_code)
    titles = {row.code: row.title for row in sheet.rows}
    from ..exchange.survey_minutes_pdf import write_survey_minutes as write_pdf

    return write_pdf(
        view,
        team,
        target,
        demo=is_demo(db),
        leader=leader,
        criterion_titles=titles,
    )
