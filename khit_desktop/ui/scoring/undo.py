"""Undoing an appraisal edit (Ctrl+Z) by putting the criterion back as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from ...services import appraisal

if TYPE_CHECKING:
    from .scoring_panel import ScoringPanel


class AppraisalEdit(QUndoCommand):
    """One appraisal change; undo puts the criterion back exactly as it was."""

    def __init__(
        self,
        panel: ScoringPanel,
        code: str,
        before: appraisal.AppraisalState,
        after: appraisal.AppraisalState,
        text: str,
    ) -> None:
        super().__init__(text)
        self.panel, self.code, self.before, self.after = panel, code, before, after
        self.agency, self.year = panel.agency_code, panel.ws.year
        self._applied = True  # pushed after the change was made

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.panel.restore(self.agency, self.code, self.after, "Làm lại (Ctrl+Y)")

    def undo(self) -> None:
        self.panel.restore(self.agency, self.code, self.before, "Hoàn tác (Ctrl+Z)")
