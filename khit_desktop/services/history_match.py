"""The review step of importing published results: which known agency each published row is,
and what the reviewer chose (an agency, a new agency, or leaving the row out)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.name_match import KnownName, MatchKind, NameMatcher, match_key
from ..exchange.history_rows import HistoryFile
from ..store.models import Agency, RoundAgency, RoundGroup
from .errors import InputRefused


class RowChoice(Enum):
    """What the reviewer decided for a published row, besides naming an agency."""

    CREATE_NEW = "create_new"  # a new agency of that year (one that no longer exists)
    SKIP = "skip"  # leave the row out


CREATE_NEW = RowChoice.CREATE_NEW
SKIP = RowChoice.SKIP


class HistoryRefused(InputRefused):
    """The file or its names cannot be imported; ``problems`` lists each row or cell."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class AgencyOption:
    """A known agency, as offered in the review step."""

    code: str
    name: str  # its current name
    group: int  # its usual group
    active: bool


@dataclass(frozen=True)
class NameMatch:
    """How one published row was matched. ``agency`` is set for EXACT and TOLERANT;
    ``candidates`` are the agencies an AMBIGUOUS name fits, or suggestions for an UNKNOWN one
    (most similar first)."""

    row: int
    published_name: str
    group: int
    kind: MatchKind
    agency: AgencyOption | None
    candidates: tuple[AgencyOption, ...]

    @property
    def agency_code(self) -> str | None:
        return self.agency.code if self.agency else None


def agency_options(
    session: Session,
) -> tuple[dict[str, AgencyOption], dict[str, int], list[KnownName]]:
    """Every agency (active or not), its id, and every name it was ever known by: its current
    name and the names it had in each round."""
    options: dict[str, AgencyOption] = {}
    ids: dict[str, int] = {}
    known: list[KnownName] = []
    for agency in session.scalars(select(Agency).order_by(Agency.id)):
        options[agency.code] = AgencyOption(
            agency.code, agency.name, agency.default_group, agency.active
        )
        ids[agency.code] = agency.id
        known.append(KnownName(agency.code, agency.name, agency.default_group))
    names = session.execute(
        select(Agency.code, RoundAgency.name, RoundGroup.number)
        .join(RoundAgency, RoundAgency.agency_id == Agency.id)
        .join(RoundGroup, RoundGroup.id == RoundAgency.group_id)
        .distinct()
    )
    known.extend(KnownName(code, name, group) for code, name, group in names)
    return options, ids, known


def match_rows(session: Session, file: HistoryFile) -> list[NameMatch]:
    options, _, known = agency_options(session)
    matcher = NameMatcher(known)
    found = []
    for row in file.rows:
        result = matcher.match(row.name, row.group)
        found.append(
            NameMatch(
                row.row,
                row.name,
                row.group,
                result.kind,
                options[result.code] if result.code else None,
                tuple(options[c] for c in result.candidates),
            )
        )
    return found


Choice = str | RowChoice


@dataclass
class Plan:
    """Each row's agency: an existing agency's code, or CREATE_NEW; skipped rows apart."""

    targets: dict[int, Choice]
    skipped: list[int]
    exact: int = 0
    tolerant: int = 0
    chosen: int = 0


def plan_rows(
    file: HistoryFile,
    matches: list[NameMatch],
    choices: Mapping[int, Choice],
    options: Mapping[str, AgencyOption],
    create_missing: bool,
) -> Plan:
    rows = {r.row for r in file.rows}
    strays = sorted(set(choices) - rows)
    if strays:
        raise InputRefused(
            f"Lựa chọn cho dòng {', '.join(map(str, strays))} không ứng với dòng kết quả nào "
            f"của tệp '{file.file_name}'."
        )
    plan = Plan({}, [])
    problems: list[str] = []
    for m in matches:
        where = f"dòng {m.row} '{m.published_name}' (Nhóm {m.group})"
        choice = choices.get(m.row)
        if choice is SKIP:
            plan.skipped.append(m.row)
        elif choice is CREATE_NEW:
            plan.targets[m.row] = CREATE_NEW
        elif isinstance(choice, str):
            if choice not in options:
                problems.append(f"{where}: không có cơ quan mã '{choice}'")
            plan.targets[m.row] = choice
            plan.chosen += 1
        elif m.agency is not None:
            plan.targets[m.row] = m.agency.code
            plan.exact += m.kind is MatchKind.EXACT
            plan.tolerant += m.kind is MatchKind.TOLERANT
        elif m.kind is MatchKind.AMBIGUOUS:
            names = "; ".join(f"{c.name} (mã {c.code})" for c in m.candidates)
            problems.append(f"{where}: khớp nhiều cơ quan ({names}), cần chọn một")
        elif create_missing:
            plan.targets[m.row] = CREATE_NEW
        else:
            hint = "; ".join(f"{c.name} (mã {c.code})" for c in m.candidates)
            problems.append(f"{where}: không nhận ra" + (f" (gần giống: {hint})" if hint else ""))
    problems.extend(_duplicates(file, plan))
    if problems:
        raise HistoryRefused(
            f"Chưa nhập tệp '{file.file_name}': {len(problems)} dòng cần xem lại.\n"
            + "\n".join(f"- {p}" for p in problems)
            + "\nHãy sửa tên trong tệp cho khớp danh sách cơ quan, hoặc chọn cơ quan cho từng "
            "dòng; cơ quan nay không còn thì tạo mới cho năm đó (dòng lệnh: --create-missing).",
            tuple(problems),
        )
    return plan


def _duplicates(file: HistoryFile, plan: Plan) -> list[str]:
    """Two rows for one agency (or two new agencies of one name) cannot both be imported."""
    seen: dict[str, int] = {}
    problems = []
    for row in file.rows:
        target = plan.targets.get(row.row)
        if target is None:
            continue
        key = f"new:{match_key(row.name)}" if target is CREATE_NEW else f"code:{target}"
        if key in seen:
            problems.append(
                f"dòng {seen[key]} và dòng {row.row} cùng là '{row.name}'; mỗi cơ quan chỉ có "
                "một dòng kết quả"
            )
        else:
            seen[key] = row.row
    return problems
