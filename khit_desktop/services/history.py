"""Past years (kết quả đã công bố): importing results the province already published.

Two phases, so that the window can show a review step between them:

1. ``read_history(path)`` reads the sheet (``exchange.history_xlsx``);
   ``match_history(db, year, file)`` matches each published name to a known agency
   (``domain.name_match``): exact, tolerant, ambiguous (candidates) or unknown (suggestions).
2. ``import_history(db, year, file, choices, …)`` writes the year in one transaction: the
   round (kind "published", finalised, the regulation's defaults of that year) if absent, one
   member per row under its published name and group, the published figures, the audit
   events; and returns a report listing every row where the recomputed rank or
   classification differs from the published one.

Choices (from the review step) override the matcher for a row: an agency code, ``CREATE_NEW``
or ``SKIP``. Without a choice an ambiguous row is refused, and an unknown one is refused
unless ``create_missing`` (past years hold agencies that no longer exist): it then becomes a
new, inactive agency of that year.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..domain.name_match import match_key
from ..domain.rules import RoundRules
from ..exchange.history_rows import HistoryFile, HistoryFileRefused, PublishedRow
from ..store.database import Database
from ..store.models import (
    Agency,
    CouncilDecision,
    CrossCheck,
    Explanation,
    FormImport,
    GeneralValue,
    GroupCatalog,
    PublishedResult,
    ReceiptRow,
    Round,
    RoundAgency,
    RoundGroup,
    ScoreRow,
    Survey,
)
from .audit import Actor, now_utc, record
from .backups import automatic_backup
from .catalog import is_demo, is_initialised
from .errors import InputRefused
from .history_match import (
    CREATE_NEW,
    SKIP,
    AgencyOption,
    Choice,
    HistoryRefused,
    NameMatch,
    RowChoice,
    agency_options,
    match_rows,
    plan_rows,
)
from .permissions import Permission
from .published_results import PUBLISHED, Difference, published_differences
from .rounds import MAX_YEAR, MIN_YEAR, apply_rules, get_round

__all__ = [
    "CREATE_NEW",
    "SKIP",
    "AgencyOption",
    "Difference",
    "HistoryFile",
    "HistoryRefused",
    "HistoryReport",
    "NameMatch",
    "RowChoice",
    "differences",
    "import_history",
    "match_history",
    "read_history",
]


@dataclass(frozen=True)
class HistoryReport:
    """What an import did."""

    year: int
    file_name: str
    round_created: bool
    replaced: bool
    imported: int  # rows written
    exact: int  # rows matched by exact name
    tolerant: int  # rows matched tolerantly
    chosen: int  # rows whose agency the reviewer chose
    created: tuple[AgencyOption, ...]  # new agencies (inactive)
    skipped: tuple[int, ...]  # rows left out by choice
    differences: tuple[Difference, ...]


def read_history(path: str | os.PathLike[str]) -> HistoryFile:
    """The published results at ``path``; ``HistoryRefused`` (every bad cell listed) if the
    file cannot be used."""
    from ..exchange.history_xlsx import read_history_xlsx

    try:
        return read_history_xlsx(Path(path))
    except HistoryFileRefused as exc:
        raise HistoryRefused(exc.message, exc.problems) from None


def match_history(db: Database, year: int, file: HistoryFile) -> list[NameMatch]:
    """Each published row matched to the known agencies (the review step shows these)."""
    _check_year(year)
    with db.session() as s:
        return match_rows(s, file)


def differences(db: Database, year: int) -> list[Difference]:
    """The rows of a published year whose recomputed rank or class differs from the
    published one (empty for an appraised year)."""
    with db.session() as s:
        rnd = get_round(s, year)
        return published_differences(s, rnd) if rnd.kind == PUBLISHED else []


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputRefused(f"Năm {year} không hợp lệ (từ {MIN_YEAR} đến {MAX_YEAR}).")


def _has_appraisal_data(session: Session, rnd: Round) -> bool:
    for model in (
        ScoreRow, ReceiptRow, GeneralValue, FormImport, CrossCheck, Survey, Explanation,
        CouncilDecision,
    ):  # fmt: skip
        count = session.scalar(
            select(func.count()).select_from(model).where(model.round_id == rnd.id)
        )
        if count:
            return True
    return False


def _target_round(
    session: Session, year: int, file: HistoryFile, replace: bool, demo: bool
) -> tuple[Round, bool, dict[str, object] | None]:
    """The round to write (new, or emptied when replacing), whether it is new, and what it held
    before (for the audit)."""
    rnd = session.scalar(select(Round).where(Round.year == year))
    if rnd is None:
        rnd = Round(
            year=year, kind=PUBLISHED, state="finalized", is_demo=demo, created_at=now_utc()
        )
        apply_rules(rnd, RoundRules.defaults(year))
        rnd.groups = [
            RoundGroup(number=g.number, name=g.name, form_id=None)
            for g in session.scalars(select(GroupCatalog).order_by(GroupCatalog.number))
        ]
        session.add(rnd)
        session.flush()
        return rnd, True, None
    if rnd.kind != PUBLISHED and _has_appraisal_data(session, rnd):
        raise InputRefused(
            f"Kỳ đánh giá năm {year} đã có dữ liệu thẩm định (phiếu, điểm) trong chương trình; "
            "không nhập kết quả đã công bố đè lên dữ liệu thẩm định."
        )
    if not replace:
        what = "kết quả đã công bố" if rnd.kind == PUBLISHED else "kỳ đánh giá (chưa có điểm)"
        raise InputRefused(
            f"Năm {year} đã có {what} với {len(rnd.members)} cơ quan. Nhập tệp "
            f"'{file.file_name}' sẽ thay toàn bộ: hãy chọn Thay thế (dòng lệnh: --replace)."
        )
    previous = session.scalars(select(PublishedResult).where(PublishedResult.round_id == rnd.id))
    before: dict[str, object] = {
        "kind": rnd.kind,
        "agencies": len(rnd.members),
        "files": sorted({p.source_file for p in previous}),
    }
    session.execute(delete(PublishedResult).where(PublishedResult.round_id == rnd.id))
    rnd.members.clear()
    session.flush()  # old members go before new ones take their (round, agency) slots
    rnd.kind, rnd.state = PUBLISHED, "finalized"
    return rnd, False, before


def _new_code(name: str, year: int, taken: set[str]) -> str:
    """ "SVHTTDL-2019" for "Sở Văn hóa, Thể thao và Du lịch" imported into 2019."""
    initials = "".join(w[0] for w in match_key(name).split() if w != "va").upper()[:24] or "CQ"
    code, number = f"{initials}-{year}", 1
    while code in taken:
        number += 1
        code = f"{initials}-{year}-{number}"
    taken.add(code)
    return code


def import_history(
    db: Database,
    year: int,
    file: HistoryFile,
    choices: Mapping[int, Choice] | None = None,
    *,
    create_missing: bool = False,
    replace: bool = False,
    actor: Actor | None = None,
) -> HistoryReport:
    """Write the published results of ``year`` from ``file`` (see the module docstring).

    ``choices`` maps a sheet row to an agency code, ``CREATE_NEW`` or ``SKIP``. A year that
    already has published results, or an appraised round without any data, is replaced only
    with ``replace``; an appraised round with data is never touched. Nothing is written when
    anything is refused."""
    actor = actor or Actor()
    actor.require(Permission.IMPORT_HISTORY)
    _check_year(year)
    if not is_initialised(db):
        raise InputRefused("Cơ sở dữ liệu chưa được khởi tạo: hãy chạy 'khit init' trước.")
    demo = is_demo(db)
    automatic_backup(db, "nhap-ket-qua")  # a copy from just before the import
    with db.session() as s:
        options, ids, _ = agency_options(s)
        plan = plan_rows(file, match_rows(s, file), choices or {}, options, create_missing)
        if not plan.targets:
            raise InputRefused(f"Tệp '{file.file_name}': không còn dòng nào để nhập.")
        rnd, created_round, before = _target_round(s, year, file, replace, demo)
        groups = {g.number: g for g in rnd.groups}
        taken = set(options)
        created: list[AgencyOption] = []
        written = []
        for row in file.rows:
            target = plan.targets.get(row.row)
            if target is None:
                continue
            if target is CREATE_NEW:
                agency = _create_agency(s, row, year, file.file_name, taken, actor)
                created.append(AgencyOption(agency.code, agency.name, row.group, False))
            else:
                assert isinstance(target, str)
                agency = s.get_one(Agency, ids[target])
            _add_result(s, rnd, groups, agency, row, file, actor)
            written.append(_row_snapshot(agency.code, row))
        s.flush()
        s.expire(rnd, ["members"])
        if created_round:
            record(s, actor, "round.create", "round", rnd.id, year=year,
                   new={"year": year, "kind": PUBLISHED, "agencies": len(written)})  # fmt: skip
        new = {"file": file.file_name, "sha256": file.sha256, "sheet": file.sheet, "rows": written}
        record(s, actor, "history.import", "round", rnd.id, year=year, old=before, new=new)
        found = published_differences(s, rnd)
    return HistoryReport(
        year,
        file.file_name,
        created_round,
        before is not None,
        len(written),
        plan.exact,
        plan.tolerant,
        plan.chosen,
        tuple(created),
        tuple(plan.skipped),
        tuple(found),
    )


def _create_agency(
    session: Session, row: PublishedRow, year: int, file_name: str, taken: set[str], actor: Actor
) -> Agency:
    agency = Agency(
        code=_new_code(row.name, year, taken),
        name=row.name,
        default_group=row.group,
        active=False,
        note=f"tạo khi nhập kết quả năm {year} (tệp {file_name}, dòng {row.row})",
    )
    session.add(agency)
    session.flush()
    record(session, actor, "agency.create", "agency", agency.id, year=year,
           new={"code": agency.code, "name": agency.name, "group": row.group, "active": False,
                "note": agency.note})  # fmt: skip
    return agency


def _add_result(
    session: Session,
    rnd: Round,
    groups: dict[int, RoundGroup],
    agency: Agency,
    row: PublishedRow,
    file: HistoryFile,
    actor: Actor,
) -> None:
    session.add(RoundAgency(round=rnd, agency=agency, group=groups[row.group], name=row.name))
    session.add(
        PublishedResult(
            round_id=rnd.id,
            agency_id=agency.id,
            published_name=row.name,
            total=row.total,
            max_points=row.max_points,
            published_rank=row.rank,
            published_class=row.classification.value if row.classification else None,
            source_file=file.file_name,
            source_sheet=file.sheet,
            source_row=row.row,
            imported_at=now_utc(),
            imported_by=actor.user,
        )
    )


def _row_snapshot(code: str, row: PublishedRow) -> dict[str, object]:
    return {
        "row": row.row,
        "agency": code,
        "name": row.name,
        "group": row.group,
        "total": row.total,
        "max_points": row.max_points,
        "rank": row.rank,
        "class": row.classification.value if row.classification else None,
    }
