"""The scoring screen's file and record actions: import filled forms, export blank ones,
record a cross-check (Điều 7.2.b)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...services import appraisal, form_exchange, score_grid
from ...services.errors import InputRefused
from ..forms import import_dialog
from ..messages import show_refusal
from .cross_check_dialog import CrossCheckDialog

if TYPE_CHECKING:
    from .scoring_panel import ScoringPanel


def import_forms(self: ScoringPanel) -> None:

    if self.ws.year is None:
        return
    paths = import_dialog.choose_paths(self)
    if not paths:
        return
    results = import_dialog.run_import(self, self.ws, paths)
    self.agencies.set_items(score_grid.progress(self.ws.db, self.ws.year))
    imported = [r.agency_code for r in results if r.state == "imported"]
    self.show_agency(imported[0] if imported else self.agency_code)
    import_dialog.ImportSummaryDialog.show_results(results, self.ws.year, self.ws.today(), self)


def export_blank_forms(self: ScoringPanel) -> None:
    from ..forms import import_dialog

    if self.ws.year is None:
        return
    folder = import_dialog.blank_forms_folder(self)
    if folder is None:
        return
    try:
        paths = form_exchange.write_blank_forms(self.ws.db, self.ws.year, folder)
    except (InputRefused, OSError, ValueError) as exc:
        show_refusal(self, str(exc))
        return
    self.message.emit(f"Đã xuất {len(paths)} phiếu trắng vào {folder}.")


def record_cross_check(self: ScoringPanel) -> None:

    index = self.grid.currentIndex()
    if self.sheet is None or not index.isValid() or self.ws.year is None:
        return
    row = self.model.row(index.row())
    values = CrossCheckDialog.ask(self, row)
    if values is None:
        return
    try:
        appraisal.add_cross_check(
            self.ws.db,
            self.ws.year,
            self.sheet.agency_code,
            row.code,
            actor=self.ws.actor,
            **values,
        )
    except InputRefused as refused:
        show_refusal(self, str(refused))
        return
    self.message.emit(f"Đã ghi nhận đối chiếu cho tiêu chí {row.code}.")
    self.show_row_history()


def export_notice(self: ScoringPanel) -> None:
    """Kết quả thẩm định of the agency on screen, as PDF or Excel (the suffix decides)."""
    from ...services import notices

    if self.sheet is None or self.ws.year is None:
        return
    target = import_dialog.notice_path(
        self, f"Ket-qua-tham-dinh-{self.ws.year}-{self.sheet.agency_code}.pdf"
    )
    if target is None:
        return
    try:
        notices.write_notice(
            self.ws.db, self.ws.year, self.sheet.agency_code, target, as_of=self.ws.today()
        )
    except (InputRefused, OSError, ValueError) as exc:
        show_refusal(self, str(exc))
        return
    self.message.emit(f"Đã xuất thông báo kết quả thẩm định ra {target}.")
