"""What the survey screen's dialogs choose from, read once per reload: the round's agencies
and, per agency, its criteria with the current scores."""

from __future__ import annotations

from decimal import Decimal

from ...services import score_grid
from ...services.errors import InputRefused
from ...services.score_grid import GridRow
from ..receipts.agency_picker import AgencyChoice
from ..workspace import Workspace


class RoundData:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self._agencies: list[AgencyChoice] | None = None
        self._rows: dict[str, tuple[GridRow, ...]] = {}

    def clear(self) -> None:
        """Forget what was read (scores change on other screens and by our own actions)."""
        self._agencies = None
        self._rows.clear()

    def agencies(self) -> list[AgencyChoice]:
        if self._agencies is None:
            lines = score_grid.progress(self.ws.db, self.ws.year) if self.ws.year else []
            self._agencies = [AgencyChoice(p.agency_code, p.agency_name, p.group) for p in lines]
        return self._agencies

    def names(self) -> dict[str, str]:
        return {a.code: a.name for a in self.agencies()}

    def rows(self, agency_code: str) -> tuple[GridRow, ...]:
        """Every criterion of the agency's form, parents included; () when it has no form."""
        if agency_code not in self._rows:
            try:
                sheet = score_grid.agency_sheet(
                    self.ws.db, self.ws.year or 0, agency_code, as_of=self.ws.today()
                )
                self._rows[agency_code] = sheet.rows
            except InputRefused:
                self._rows[agency_code] = ()
        return self._rows[agency_code]

    def row(self, agency_code: str, code: str) -> GridRow | None:
        return next((r for r in self.rows(agency_code) if r.code == code), None)

    def leaves(self, agency_code: str) -> dict[str, tuple[str, Decimal]]:
        return {r.code: (r.title, r.max_points) for r in self.rows(agency_code) if r.is_leaf}

    def titles(self, agency_codes: set[str]) -> dict[tuple[str, str], str]:
        return {(a, r.code): r.title for a in agency_codes for r in self.rows(a)}
