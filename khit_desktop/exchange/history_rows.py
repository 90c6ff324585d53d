"""What a published-results sheet holds, without any Excel library (the services and the
window import these at start; openpyxl loads only when a file is read or written)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.classification import Classification


class HistoryFileRefused(ValueError):
    """A published-results file that cannot be imported; ``problems`` lists each bad cell
    ("Kết quả!D7: …"). The message (Vietnamese) says what is wrong and what to do."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


@dataclass(frozen=True, slots=True)
class PublishedRow:
    """One agency's line of the published sheet; ``row`` is the sheet's row number."""

    row: int
    name: str
    group: int
    total: Decimal
    max_points: Decimal
    rank: int | None
    classification: Classification | None


@dataclass(frozen=True, slots=True)
class HistoryFile:
    """A published-results sheet, read."""

    file_name: str
    sha256: str
    sheet: str
    header_row: int
    rows: tuple[PublishedRow, ...]
    has_rank: bool
    has_class: bool


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One agency's line to write in a published-results sheet."""

    name: str
    group: int
    total: Decimal
    max_points: Decimal
    rank: int | None
    classification: Classification | None
