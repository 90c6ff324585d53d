"""Đề nghị giải trình (the letter asking an agency to explain) and Ghi nhận giải trình (its
answer)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from ...domain.dates import format_date
from ...domain.numbers import format_points
from ...services.explanations import ExplanationView
from ...services.score_grid import GridRow
from ..receipts.agency_picker import AgencyChoice, AgencyPicker
from .check_list import CheckItem, CheckList
from .council_forms import (
    FIELD_AGENCY,
    FIELD_CRITERIA,
    FIELD_DATE,
    FIELD_NUMBER,
    FIELD_TEXT,
    AnswerData,
    AnswerForm,
    RequestData,
    RequestForm,
)
from .form_checks import Checked
from .form_dialog import FormDialog, date_edit, line_edit, stacked, text_box

CriteriaFor = Callable[[str], Sequence[GridRow]]


def criterion_line(row: GridRow) -> CheckItem:
    """Every criterion, parents included (an agency may be asked about a whole area)."""
    indent = "    " * row.depth
    scores = f"tự chấm {format_points(row.self_points)}" if row.self_points is not None else ""
    if row.appraised is not None:
        scores += f"{'; ' if scores else ''}thẩm định {format_points(row.appraised)}"
    tail = f" ({scores})" if scores else ""
    return CheckItem(row.code, f"{indent}{row.code}  {row.title}", f"{row.code} {row.title}{tail}")


class RequestDialog(FormDialog):
    """Keyboard-complete: agency, Tab, tick criteria with Space, Tab through the letter."""

    def __init__(
        self,
        form: RequestForm,
        agencies: list[AgencyChoice],
        criteria_for: CriteriaFor,
        save: Callable[[RequestData], object],
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Đề nghị giải trình", "Ghi đề nghị giải trình", save, parent)
        self.form, self._criteria_for, self._today = form, criteria_for, today
        self.setMinimumSize(820, 600)
        fields = QFormLayout()
        self.picker = AgencyPicker(agencies, self)
        if form.agency_code:
            self.picker.select_code(form.agency_code)
        self.picker.list.setMaximumHeight(120)
        fields.addRow(
            "Cơ quan:",
            stacked(self, self.picker, self.field(FIELD_AGENCY, self.picker.search, "agencyError")),
        )
        self.criteria = CheckList("criteria", self)
        self.criteria.setMinimumHeight(170)
        fields.addRow(
            "Tiêu chí cần giải trình:",
            stacked(
                self, self.criteria, self.field(FIELD_CRITERIA, self.criteria, "criteriaError")
            ),
        )
        self.number = line_edit(self, "letterNumber", "ví dụ 1520/STTTT-CNTT", form.letter_number)
        fields.addRow(
            "Số, ký hiệu văn bản:",
            stacked(self, self.number, self.field(FIELD_NUMBER, self.number, "numberError")),
        )
        self.date = date_edit(self, "letterDate", form.date_text)
        fields.addRow(
            "Ngày văn bản:",
            stacked(self, self.date, self.field(FIELD_DATE, self.date, "dateError")),
        )
        self.question = text_box(self, "question", "Nội dung đề nghị giải trình", lines=3)
        self.question.setPlainText(form.question)
        fields.addRow("Nội dung đề nghị:", self.question)
        self.body.addLayout(fields, 1)
        self.finish_layout()
        self._fill_criteria(self.picker.selected_code)
        self.picker.chosen.connect(self._agency_chosen)
        self.criteria.model_.changed.connect(self.touched(FIELD_CRITERIA))
        self.number.textChanged.connect(self.touched(FIELD_NUMBER))
        self.date.textChanged.connect(self.touched(FIELD_DATE))
        self.refresh()
        self.picker.setFocus()

    def _agency_chosen(self, code: str) -> None:
        self._fill_criteria(code or None)
        self.touched(FIELD_AGENCY)()

    def _fill_criteria(self, code: str | None) -> None:
        rows = list(self._criteria_for(code)) if code else []
        kept = self.criteria.model_.checked_keys() or self.form.criteria
        self.criteria.model_.set_items([criterion_line(r) for r in rows], checked=kept)

    def check(self) -> Checked[RequestData]:
        form = self.form
        form.agency_code = self.picker.selected_code
        form.criteria = list(self.criteria.model_.checked_keys())
        form.letter_number, form.date_text = self.number.text(), self.date.text()
        form.question = self.question.toPlainText()
        return form.check(self._today())


class AnswerDialog(FormDialog):
    """What the agency answered to one request."""

    def __init__(
        self,
        view: ExplanationView,
        agency_name: str,
        save: Callable[[AnswerData], object],
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Ghi nhận giải trình — {agency_name}", "Ghi nhận giải trình", save, parent
        )
        self.view, self._today = view, today
        self.form = AnswerForm(
            view.letter_date,
            answer=view.answer,
            date_text=format_date(view.answer_date) if view.answer_date else "",
            answer_number=view.answer_number,
        )
        self.setMinimumWidth(640)
        asked = QLabel(
            f"Văn bản đề nghị số {view.letter_number} ngày {format_date(view.letter_date)}, "
            f"tiêu chí {', '.join(view.criteria)}."
            + (f"\nNội dung đề nghị: {view.question}" if view.question else ""),
            self,
        )
        asked.setObjectName("request")
        asked.setWordWrap(True)
        self.body.addWidget(asked)
        fields = QFormLayout()
        self.answer = text_box(self, "answer", "Nội dung cơ quan giải trình", lines=4)
        self.answer.setPlainText(self.form.answer)
        fields.addRow(
            "Nội dung giải trình:",
            stacked(self, self.answer, self.field(FIELD_TEXT, self.answer, "answerError")),
        )
        self.date = date_edit(self, "answerDate", self.form.date_text)
        fields.addRow(
            "Ngày giải trình:",
            stacked(self, self.date, self.field(FIELD_DATE, self.date, "dateError")),
        )
        self.number = line_edit(self, "answerNumber", "ví dụ 845/UBND-VP", view.answer_number)
        fields.addRow("Số văn bản giải trình:", self.number)
        self.body.addLayout(fields)
        self.finish_layout()
        self.answer.textChanged.connect(self.touched(FIELD_TEXT))
        self.date.textChanged.connect(self.touched(FIELD_DATE))
        self.refresh()
        self.answer.setFocus()

    def check(self) -> Checked[AnswerData]:
        form = self.form
        form.answer, form.date_text = self.answer.toPlainText(), self.date.text()
        form.answer_number = self.number.text()
        return form.check(self._today())
