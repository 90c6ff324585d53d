"""Ghi quyết định của Hội đồng: the council's decision on one disputed criterion, which sets
its appraised score (source "Hội đồng thẩm định"); only a later decision can change it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from ...domain.dates import format_date
from ...domain.numbers import format_points
from ...services.explanations import DecisionView
from ...services.score_grid import GridRow
from ..receipts.agency_picker import AgencyChoice, AgencyPicker
from .council_forms import (
    FIELD_AGENCY,
    FIELD_CRITERION,
    FIELD_DATE,
    FIELD_POINTS,
    FIELD_TEXT,
    DecisionData,
    DecisionForm,
)
from .form_checks import Checked
from .form_dialog import FormDialog, date_edit, points_edit, stacked, text_box

CriteriaFor = Callable[[str], Sequence[GridRow]]


def scores_text(row: GridRow) -> str:
    """'Tối đa 30,00 · tự chấm 15,38 · thẩm định hiện tại 15,38 (Phiếu tự đánh giá)'."""
    parts = [f"Tối đa {format_points(row.max_points)}"]
    if row.self_points is not None:
        parts.append(f"tự chấm {format_points(row.self_points)}")
    if row.appraised is not None:
        source = f" ({row.source})" if row.source else ""
        parts.append(f"thẩm định hiện tại <b>{format_points(row.appraised)}</b>{source}")
    else:
        parts.append("chưa có điểm thẩm định")
    return " · ".join(parts)


class DecisionDialog(FormDialog):
    """Keyboard-complete: agency, Tab, criterion (type its code), date, decision, points."""

    def __init__(
        self,
        form: DecisionForm,
        agencies: list[AgencyChoice],
        criteria_for: CriteriaFor,
        pending: dict[str, set[str]],
        decided: dict[tuple[str, str], DecisionView],
        save: Callable[[DecisionData], object],
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Ghi quyết định của Hội đồng thẩm định", "Ghi quyết định", save, parent)
        self.form, self._criteria_for, self._today = form, criteria_for, today
        self._pending, self._decided = pending, decided
        self._rows: dict[str, GridRow] = {}
        self.setMinimumWidth(760)
        fields = QFormLayout()
        self.picker = AgencyPicker(agencies, self)
        if form.agency_code:
            self.picker.select_code(form.agency_code)
        self.picker.list.setMaximumHeight(120)
        fields.addRow(
            "Cơ quan:",
            stacked(self, self.picker, self.field(FIELD_AGENCY, self.picker.search, "agencyError")),
        )
        self.criterion = QComboBox(self)
        self.criterion.setObjectName("criterion")
        self.criterion.setToolTip("Gõ mã tiêu chí để chọn nhanh (ví dụ 3.4)")
        self.scores = QLabel(self)
        self.scores.setObjectName("currentScores")
        self.scores.setWordWrap(True)
        self.warning = QLabel(self)
        self.warning.setObjectName("decisionWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color:#9C5700;")
        error = self.field(FIELD_CRITERION, self.criterion, "criterionError")
        fields.addRow("Tiêu chí:", stacked(self, self.criterion, self.scores, self.warning, error))
        self.date = date_edit(self, "meetingDate", form.date_text)
        fields.addRow(
            "Ngày họp Hội đồng:",
            stacked(self, self.date, self.field(FIELD_DATE, self.date, "dateError")),
        )
        self.decision = text_box(self, "decision", "Nội dung quyết định (trích biên bản họp)", 3)
        self.decision.setPlainText(form.decision)
        fields.addRow(
            "Quyết định:",
            stacked(self, self.decision, self.field(FIELD_TEXT, self.decision, "decisionError")),
        )
        self.points = points_edit(self, "points", form.points_text)
        fields.addRow(
            "Điểm Hội đồng quyết định:",
            stacked(self, self.points, self.field(FIELD_POINTS, self.points, "pointsError")),
        )
        self.body.addLayout(fields)
        self.finish_layout()

        self._fill_criteria(self.picker.selected_code, form.code)
        self.picker.chosen.connect(self._agency_chosen)
        self.criterion.currentIndexChanged.connect(self._criterion_chosen)
        self.date.textChanged.connect(self.touched(FIELD_DATE))
        self.decision.textChanged.connect(self.touched(FIELD_TEXT))
        self.points.textChanged.connect(self.touched(FIELD_POINTS))
        self._criterion_chosen()
        self.picker.setFocus()

    def _agency_chosen(self, code: str) -> None:
        self._fill_criteria(code or None, self.criterion.currentData())
        self.touched(FIELD_AGENCY)()

    def _fill_criteria(self, agency: str | None, keep: str | None) -> None:
        rows = [r for r in self._criteria_for(agency) if r.is_leaf] if agency else []
        self._rows = {r.code: r for r in rows}
        self.criterion.blockSignals(True)
        self.criterion.clear()
        for r in rows:
            self.criterion.addItem(f"{r.code}  {r.title}", r.code)
            self.criterion.setItemData(
                self.criterion.count() - 1, r.title, Qt.ItemDataRole.ToolTipRole
            )
        index = self.criterion.findData(keep) if keep else -1
        self.criterion.setCurrentIndex(index if index >= 0 else (0 if rows else -1))
        self.criterion.blockSignals(False)
        self._criterion_chosen()

    def _criterion_chosen(self, *_args: object) -> None:
        row = self._rows.get(self.criterion.currentData() or "")
        agency = self.picker.selected_code or ""
        self.scores.setText(scores_text(row) if row else "")
        notes = []
        if row is not None and row.code in self._pending.get(agency, set()):
            notes.append(
                f"Cơ quan chưa giải trình tiêu chí {row.code} (đang chờ giải trình): kiểm tra "
                "lại trước khi Hội đồng quyết định."
            )
        earlier = self._decided.get((agency, row.code)) if row else None
        if earlier is not None:
            notes.append(
                f"Hội đồng đã quyết định tiêu chí này ngày {format_date(earlier.meeting_date)}: "
                f"{format_points(earlier.points)} điểm. Quyết định mới sẽ thay thế."
            )
        self.warning.setText("\n".join(notes))
        self.warning.setVisible(bool(notes))
        self.refresh()

    def check(self) -> Checked[DecisionData]:
        form = self.form
        form.agency_code = self.picker.selected_code
        row = self._rows.get(self.criterion.currentData() or "")
        form.code = row.code if row else None
        form.max_points = row.max_points if row else None
        form.date_text, form.decision = self.date.text(), self.decision.toPlainText()
        form.points_text = self.points.text()
        return form.check(self._today())
