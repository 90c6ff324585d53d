"""Past years: importing the results the province already published (issue 6)."""

from __future__ import annotations

from .import_dialog import HistoryImportDialog, ask_open_path, import_history

__all__ = ["HistoryImportDialog", "ask_open_path", "import_history"]
