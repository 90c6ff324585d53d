"""The scoring screen's saves: appraised points and reasons typed into the grid, undo/redo,
the appraised general data. Each save passes the version the screen showed for the row
(issue 9); another clerk's change in between opens the conflict dialog, a busy database keeps
what was typed and asks to try again."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLineEdit, QTableWidgetItem

from ...domain.numbers import NumberFormatError, format_points, parse_decimal
from ...services import appraisal
from ...services.errors import InputRefused
from ...services.score_grid import GridRow
from ...services.scores import SOURCES
from ..conflict_dialog import BUSY_MESSAGE, Saved, save_resolving_conflicts
from ..messages import show_refusal
from ..reason_dialog import ReasonDialog
from .grid_model import COL_APPRAISED, COL_REASON
from .undo import AppraisalEdit

if TYPE_CHECKING:
    from .scoring_panel import ScoringPanel

KEEP_REASON = "Thẩm định: giữ nguyên điểm tự chấm."
GENERAL_VALUE_COLUMN = 2


def _agency_name(panel: ScoringPanel) -> str:
    return panel.sheet.agency_name if panel.sheet is not None else panel.agency_code or ""


def edit_cell(panel: ScoringPanel, row: GridRow, column: int, text: str) -> str | None:
    """A clerk typed into the grid: None when it was saved, else why it was refused."""
    assert panel.agency_code and panel.ws.year
    if row.adjusted and row.source == SOURCES["council"]:
        return panel.refuse(
            f"Tiêu chí {row.code}: Hội đồng thẩm định đã quyết định điểm ({row.reason}); "
            "chỉ một quyết định mới của Hội đồng thay đổi được."
        )
    if column == COL_APPRAISED:
        try:
            value = parse_decimal(text)
        except NumberFormatError as exc:
            return panel.refuse(str(exc))
        if value < 0 or value > row.max_points:
            return panel.refuse(
                f"Tiêu chí {row.code}: điểm {format_points(value)} ngoài "
                f"khoảng 0 đến {format_points(row.max_points)}."
            )
        if value != value.quantize(Decimal("0.01")):
            return panel.refuse("Điểm chỉ có tối đa 2 chữ số thập phân.")
        if value == row.appraised and row.adjusted:
            return None
        reason = KEEP_REASON
        if value != row.self_points:
            asked = ReasonDialog.ask(
                panel,
                "Lý do điểm thẩm định",
                f"Tiêu chí {row.code}: điểm thẩm định {format_points(value)} khác điểm tự "
                f"chấm {format_points(row.self_points or Decimal(0))}. Ghi lý do (được lưu "
                "vào nhật ký và hiện khi rê chuột vào ô).",
                "Lưu điểm thẩm định",
                initial=panel.kept_reason(row.code) or (row.reason if row.adjusted else ""),
            )
            if asked is None:
                return panel.refuse("Chưa lưu: cần lý do khi điểm thẩm định khác điểm tự chấm.")
            reason = asked
        return _apply(panel, row, value, reason, column, text, f"Sửa điểm {row.code}")
    if column == COL_REASON:
        reason = text.strip()
        if not reason:
            return panel.refuse("Lý do không được để trống.")
        points = row.appraised if row.appraised is not None else Decimal(0)
        return _apply(panel, row, points, reason, column, text, f"Sửa lý do {row.code}")
    return panel.refuse("Ô này không sửa được.")


def _apply(
    panel: ScoringPanel,
    row: GridRow,
    points: Decimal,
    reason: str,
    column: int,
    text: str,
    label: str,
) -> str | None:
    assert panel.agency_code and panel.ws.year
    year, agency = panel.ws.year, panel.agency_code
    before = appraisal.appraisal_state(panel.ws.db, year, agency, row.code)
    source = panel.source.currentData()

    def save(overwrite: str) -> None:
        nonlocal before
        if overwrite:  # what is overwritten is the other clerk's value: undo goes back to it
            before = appraisal.appraisal_state(panel.ws.db, year, agency, row.code)
        appraisal.set_appraised_points(
            panel.ws.db,
            year,
            agency,
            row.code,
            points,
            reason=reason,
            source=source,
            actor=panel.ws.actor,
            expected_version=row.version,
            overwrite_reason=overwrite,
        )

    try:
        outcome = save_resolving_conflicts(
            panel,
            save,
            f"Điểm thẩm định tiêu chí {row.code} của {_agency_name(panel)}",
            f"điểm thẩm định {format_points(points)}, lý do «{reason}»",
        )
    except InputRefused as refused:
        return panel.refuse(str(refused))
    if outcome is Saved.BUSY:
        panel.keep_reason(row.code, reason)
        panel.model.keep_input(row.code, column, text)
        panel.reopen_editor(row.code, column)
        return panel.refuse(BUSY_MESSAGE)
    if outcome is Saved.RELOAD:
        panel.keep_reason(row.code, reason)
        panel.after_change(row.code, saved=False)
        return panel.refuse(
            f"Chưa lưu tiêu chí {row.code}: đã tải lại dữ liệu mới. Giá trị bạn định lưu: "
            f"{format_points(points)}."
        )
    panel.keep_reason(row.code, None)
    after = appraisal.appraisal_state(panel.ws.db, year, agency, row.code)
    panel.after_change(row.code)  # re-read: the row now carries its new version
    panel.undo_stack.push(
        AppraisalEdit(panel, row.code, before, after, label, panel.version_of(row.code))
    )
    return None


def restore(
    panel: ScoringPanel,
    agency: str | None,
    code: str,
    state: appraisal.AppraisalState,
    why: str,
    expected_version: int,
) -> tuple[Saved, int]:
    """Undo/redo of one criterion; the outcome and the row's version after it."""
    if agency is None or panel.ws.year is None:
        return Saved.RELOAD, expected_version
    year = panel.ws.year

    def save(overwrite: str) -> None:
        appraisal.restore_appraisal(
            panel.ws.db,
            year,
            agency,
            code,
            state,
            reason=why,
            actor=panel.ws.actor,
            expected_version=expected_version,
            overwrite_reason=overwrite,
        )

    verb = why.split(" (")[0].lower()
    attempted = (
        f"{verb}: đưa điểm thẩm định về {format_points(state.points)}"
        if state.points is not None
        else f"{verb}: bỏ điểm thẩm định, dùng lại điểm tự chấm"
    )
    try:
        outcome = save_resolving_conflicts(
            panel,
            save,
            f"Điểm thẩm định tiêu chí {code} của {_agency_name(panel)}",
            attempted,
        )
    except InputRefused as refused:
        show_refusal(panel, str(refused))
        return Saved.RELOAD, expected_version
    if outcome is Saved.BUSY:
        show_refusal(panel, BUSY_MESSAGE)
        return outcome, expected_version
    if agency == panel.agency_code:
        panel.after_change(code, saved=outcome is Saved.SAVED)
    return outcome, panel.version_of(code)


def general_changed(panel: ScoringPanel, item: QTableWidgetItem) -> None:
    """The appraised value of a general datum was typed: ask the reason, save with the
    version shown."""
    if item.column() != GENERAL_VALUE_COLUMN or not panel.agency_code or not panel.ws.year:
        return
    year, agency = panel.ws.year, panel.agency_code
    code = item.data(Qt.ItemDataRole.UserRole)
    text = item.text().strip()
    try:
        value = parse_decimal(text) if text else None
    except NumberFormatError as exc:
        show_refusal(panel, str(exc))
        panel.refresh()
        return
    reason = ReasonDialog.ask(
        panel,
        "Thẩm định số liệu chung",
        f"Số liệu '{code}' thẩm định là {text or '(bỏ trống)'}; mọi "
        "tiêu chí tính theo số liệu này được tính lại.",
        "Lưu số liệu",
        initial=panel.kept_reason(f"general:{code}"),
    )
    if reason is None:
        panel.refresh()
        return
    version = panel.general_version(code)

    def save(overwrite: str) -> None:
        appraisal.set_general_value(
            panel.ws.db,
            year,
            agency,
            code,
            value,
            appraised=True,
            reason=reason,
            actor=panel.ws.actor,
            expected_version=version,
            overwrite_reason=overwrite,
        )

    try:
        outcome = save_resolving_conflicts(
            panel,
            save,
            f"Số liệu chung '{code}' (thẩm định) của {_agency_name(panel)}",
            f"số liệu {text or '(bỏ trống)'}, lý do «{reason}»",
        )
    except InputRefused as refused:
        show_refusal(panel, str(refused))
        panel.refresh()
        return
    panel.keep_reason(f"general:{code}", reason if outcome is not Saved.SAVED else None)
    panel.refresh()
    if outcome is Saved.BUSY:
        show_refusal(panel, BUSY_MESSAGE)
        _reopen_general(panel, code, text)


def _reopen_general(panel: ScoringPanel, code: str, text: str) -> None:
    """The datum's editor again, holding what was typed (nothing silently lost)."""

    def reopen() -> None:
        table = panel.general
        for row in range(table.rowCount()):
            item = table.item(row, GENERAL_VALUE_COLUMN)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == code:
                table.setCurrentItem(item)
                table.editItem(item)
                editors = [e for e in table.viewport().findChildren(QLineEdit) if e.isVisible()]
                if editors:
                    editors[-1].setText(text)
                return

    QTimer.singleShot(0, reopen)
