"""Undoing an appraisal edit (Ctrl+Z) by putting the criterion back as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand

from ...services import appraisal
from ..conflict_dialog import Saved

if TYPE_CHECKING:
    from .scoring_panel import ScoringPanel


class AppraisalEdit(QUndoCommand):
    """One appraisal change; undo puts the criterion back exactly as it was.

    Each step passes the row's version as this command left it (``version``) as
    ``expected_version``, so an undo never silently erases another clerk's later change: it
    meets the conflict dialog instead (issue 9)."""

    def __init__(
        self,
        panel: ScoringPanel,
        code: str,
        before: appraisal.AppraisalState,
        after: appraisal.AppraisalState,
        text: str,
        version: int,
    ) -> None:
        super().__init__(text)
        self.panel, self.code, self.before, self.after = panel, code, before, after
        self.agency, self.year = panel.agency_code, panel.ws.year
        self.version = version  # the row's version after this command's last step
        self._skip = True  # pushed after the change was made: the first redo does nothing

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self._step(self.after, "Làm lại (Ctrl+Y)", back=False)

    def undo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self._step(self.before, "Hoàn tác (Ctrl+Z)", back=True)

    def _step(self, state: appraisal.AppraisalState, why: str, *, back: bool) -> None:
        outcome, version = self.panel.restore(self.agency, self.code, state, why, self.version)
        if outcome is Saved.SAVED:
            self.version = version
        elif outcome is Saved.RELOAD:
            # the user took the other clerk's value: this step no longer means anything
            self.setObsolete(True)
        else:
            # busy, nothing written: move the stack back without writing, so the same
            # Ctrl+Z (Ctrl+Y) tries this very step again
            self._skip = True
            stack = self.panel.undo_stack
            QTimer.singleShot(0, stack.redo if back else stack.undo)
