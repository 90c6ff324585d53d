"""The review step's logic, without widgets: which agency each published row goes to, what
the reviewer chose, what still blocks the import, and what the year already holds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from ...domain.collation import vietnamese_key
from ...domain.name_match import MatchKind, match_key
from ...domain.numbers import format_points
from ...exchange.history_rows import HistoryFile, PublishedRow
from ...services.history import CREATE_NEW, SKIP, AgencyOption, NameMatch, RowChoice
from ...services.history_match import Choice
from ...services.rounds import MAX_YEAR, MIN_YEAR, RoundSummary

# Keys of the choices offered in the review table's combo (plain strings: they travel
# through Qt's item data roles).
NEW_KEY = "=new"
SKIP_KEY = "=skip"
HEADER_KEY = ""  # a caption line of the list, not a choice

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


class RowState(Enum):
    """What a row of the review table is, as the reviewer reads it (text and colour)."""

    EXACT = "Trùng tên"
    TOLERANT = "Gần đúng"
    CHOSEN = "Đã chọn"
    CREATE = "Tạo mới"
    SKIP = "Bỏ qua"
    UNRESOLVED = "Cần chọn"
    DUPLICATE = "Trùng cơ quan"

    @property
    def blocks(self) -> bool:
        return self in (RowState.UNRESOLVED, RowState.DUPLICATE)


def guess_year(names: Sequence[str], fallback: int) -> int:
    """The first plausible year written in ``names`` (file name, then sheet name), else
    ``fallback``: "ket-qua-2019-mau.xlsx" gives 2019."""
    for name in names:
        for found in _YEAR.findall(name):
            if MIN_YEAR <= int(found) <= MAX_YEAR:
                return int(found)
    return fallback


def year_note(year: int, summaries: Sequence[RoundSummary]) -> tuple[str, bool]:
    """What importing into ``year`` will do, and whether the year already has a round (so
    that importing needs "Thay thế")."""
    found = next((s for s in summaries if s.year == year), None)
    if found is None:
        return (
            f"Năm {year} chưa có trong chương trình: sẽ tạo kỳ đánh giá năm {year} "
            "(kết quả đã công bố, đã chốt).",
            False,
        )
    if found.kind == "published":
        return (
            f"Năm {year} đã có kết quả đã công bố ({found.agencies} cơ quan): chọn Thay thế "
            "để thay toàn bộ bằng tệp này.",
            True,
        )
    return (
        f"Năm {year} là kỳ thẩm định trong chương trình ({found.agencies} cơ quan): chỉ thay "
        "được khi kỳ chưa có phiếu, điểm hay dữ liệu thẩm định nào.",
        True,
    )


def agency_label(agency: AgencyOption) -> str:
    return f"{agency.name} ({agency.code})"


def option_label(agency: AgencyOption) -> str:
    """One agency in the combo: name, code and usual group (and whether it is inactive)."""
    gone = ", ngưng hoạt động" if not agency.active else ""
    return f"{agency.name} ({agency.code}, Nhóm {agency.group}{gone})"


def new_label(year: int) -> str:
    return f"Tạo cơ quan mới (chỉ năm {year})"


SKIP_LABEL = "Bỏ qua dòng này"


@dataclass
class ReviewRow:
    """One published row, how the matcher saw it, and the reviewer's choice (None: keep the
    matcher's agency, or still to choose when it found none)."""

    match: NameMatch
    published: PublishedRow
    choice: Choice | None = None

    @property
    def row(self) -> int:
        return self.match.row

    @property
    def target(self) -> Choice | None:
        """The agency code, CREATE_NEW or SKIP this row goes to; None while unresolved."""
        return self.choice if self.choice is not None else self.match.agency_code

    @property
    def attention(self) -> bool:
        """Worth a look: anything but an exact name (a chosen row stays in the filter, so
        that rows do not vanish while they are being resolved)."""
        return self.match.kind is not MatchKind.EXACT or self.choice is not None

    def key(self) -> str:
        if self.choice is None:
            return self.match.agency_code or HEADER_KEY
        if isinstance(self.choice, RowChoice):
            return NEW_KEY if self.choice is CREATE_NEW else SKIP_KEY
        return self.choice


class Review:
    """Every row of a file with its match, and the choices made so far."""

    def __init__(
        self, file: HistoryFile, matches: Sequence[NameMatch], agencies: Sequence[AgencyOption]
    ) -> None:
        published = {r.row: r for r in file.rows}
        self.file = file
        self.rows = [ReviewRow(m, published[m.row]) for m in matches]
        self.agencies = {a.code: a for a in agencies}
        for m in matches:
            for known in (m.agency, *m.candidates):
                if known is not None:
                    self.agencies.setdefault(known.code, known)
        self._others = sorted(
            self.agencies.values(), key=lambda a: (not a.active, a.group, vietnamese_key(a.name))
        )

    # -- choosing ----------------------------------------------------------------------------

    def choose(self, index: int, key: str) -> bool:
        """Set row ``index``'s choice from a combo key; False for a key that is no choice."""
        row = self.rows[index]
        if key == NEW_KEY:
            choice: Choice | None = CREATE_NEW
        elif key == SKIP_KEY:
            choice = SKIP
        elif key in self.agencies:
            choice = key
        else:
            return False
        row.choice = None if choice == row.match.agency_code else choice
        return True

    def create_all_unknown(self) -> int:
        """ "Tạo mới" for every unknown name still unresolved; how many rows that was."""
        done = 0
        for row in self.rows:
            if row.target is None and row.match.kind is MatchKind.UNKNOWN:
                row.choice = CREATE_NEW
                done += 1
        return done

    def choices(self) -> dict[int, Choice]:
        """What the service needs: the rows whose choice overrides the matcher."""
        return {r.row: r.choice for r in self.rows if r.choice is not None}

    # -- reading -----------------------------------------------------------------------------

    def duplicates(self) -> dict[int, int]:
        """Rows that would give one agency (or one new name) twice: row → the other row."""
        first: dict[str, int] = {}
        clashes: dict[int, int] = {}
        for row in self.rows:
            target = row.target
            if target is None or target is SKIP:
                continue
            key = f"new:{match_key(row.match.published_name)}" if target is CREATE_NEW else target
            assert isinstance(key, str)
            if key in first:
                clashes[row.row] = first[key]
                clashes.setdefault(first[key], row.row)
            else:
                first[key] = row.row
        return clashes

    def state(self, index: int, clashes: dict[int, int] | None = None) -> RowState:
        row = self.rows[index]
        clashes = self.duplicates() if clashes is None else clashes
        target = row.target
        if target is None:
            return RowState.UNRESOLVED
        if row.row in clashes:
            return RowState.DUPLICATE
        if target is SKIP:
            return RowState.SKIP
        if target is CREATE_NEW:
            return RowState.CREATE
        if row.choice is not None:
            return RowState.CHOSEN
        return RowState.EXACT if row.match.kind is MatchKind.EXACT else RowState.TOLERANT

    def pending(self) -> int:
        """Rows that still block the import (unresolved, or one agency twice)."""
        clashes = self.duplicates()
        return sum(self.state(i, clashes).blocks for i in range(len(self.rows)))

    def summary(self) -> str:
        """ "8 dòng: 5 trùng tên, 1 gần đúng, 2 không nhận ra"."""
        counts = {kind: 0 for kind in MatchKind}
        for row in self.rows:
            counts[row.match.kind] += 1
        words = {
            MatchKind.EXACT: "trùng tên",
            MatchKind.TOLERANT: "gần đúng",
            MatchKind.AMBIGUOUS: "khớp nhiều cơ quan",
            MatchKind.UNKNOWN: "không nhận ra",
        }
        parts = [f"{n} {words[k]}" for k, n in counts.items() if n]
        return f"{len(self.rows)} dòng: " + ", ".join(parts)

    def target_text(self, index: int, year: int) -> str:
        row = self.rows[index]
        target = row.target
        if target is CREATE_NEW:
            return new_label(year)
        if target is SKIP:
            return SKIP_LABEL
        if isinstance(target, str):
            return agency_label(self.agencies[target])
        if row.match.kind is MatchKind.AMBIGUOUS:
            return f"Chọn 1 trong {len(row.match.candidates)} cơ quan…"
        return "Chọn cơ quan, tạo mới hoặc bỏ qua…"

    def explain(self, index: int, clashes: dict[int, int] | None = None) -> str:
        """The tooltip of the agency cell: how the name was matched, or what to do."""
        row = self.rows[index]
        m = row.match
        clashes = self.duplicates() if clashes is None else clashes
        if row.row in clashes:
            return (
                f"Dòng {clashes[row.row]} cũng là cơ quan này; mỗi cơ quan chỉ có một dòng kết "
                "quả: chọn cơ quan khác hoặc bỏ qua một dòng."
            )
        hint = "; ".join(option_label(c) for c in m.candidates)
        if m.kind is MatchKind.TOLERANT and m.agency is not None:
            text = (
                f"“{m.published_name}” khớp gần đúng với “{m.agency.name}” (mã {m.agency.code}, "
                f"Nhóm {m.agency.group}): khác chữ hoa, dấu, dấu câu hoặc cách viết tắt."
            )
        elif m.kind is MatchKind.EXACT and m.agency is not None:
            text = f"Trùng tên với {option_label(m.agency)}."
        elif m.kind is MatchKind.AMBIGUOUS:
            text = f"Tên này khớp nhiều cơ quan: {hint}."
        else:
            text = "Không có cơ quan nào mang tên này" + (f"; gần giống: {hint}." if hint else ".")
        return text + " Nhấn Enter (hoặc nháy đúp) để chọn."

    def options(self, index: int, year: int) -> list[tuple[str, str]]:
        """(label, key) for the combo of row ``index``: its agency or candidates first, then
        create and skip, then every other known agency under a caption."""
        m = self.rows[index].match
        first = [a for a in (m.agency, *m.candidates) if a is not None]
        listed = {a.code for a in first}
        options = [(option_label(a), a.code) for a in first]
        options += [(new_label(year), NEW_KEY), (SKIP_LABEL, SKIP_KEY)]
        others = [a for a in self._others if a.code not in listed]
        if others:
            options.append(("— Cơ quan khác —", HEADER_KEY))
            options += [(option_label(a), a.code) for a in others]
        return options


def figures(row: PublishedRow) -> str:
    """ "900,50 / 1.000,00"."""
    return f"{format_points(row.total)} / {format_points(row.max_points)}"
