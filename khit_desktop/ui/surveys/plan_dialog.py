"""Lên kế hoạch khảo sát: the agency, the planned date, the team and the criteria to check."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QFormLayout, QGridLayout, QLabel, QWidget

from ...domain.numbers import format_points
from ...services.council import RosterMember
from ...services.score_grid import GridRow
from ..receipts.agency_picker import AgencyChoice, AgencyPicker
from .check_list import CheckItem, CheckList
from .form_checks import Checked
from .form_dialog import FormDialog, date_edit, stacked
from .survey_forms import (
    FIELD_AGENCY,
    FIELD_CRITERIA,
    FIELD_DATE,
    FIELD_MEMBERS,
    PlanData,
    PlanForm,
)

CriteriaFor = Callable[[str], Sequence[GridRow]]


def criterion_item(row: GridRow) -> CheckItem:
    """'3.8  Cơ sở dữ liệu …', its maximum and current points in the tooltip."""
    now = f"; thẩm định {format_points(row.appraised)}" if row.appraised is not None else ""
    return CheckItem(
        row.code,
        f"{row.code}  {row.title}",
        f"{row.code} {row.title}\n(tối đa {format_points(row.max_points)}{now}; "
        f"nguồn: {row.source or '—'})",
    )


def member_item(member: RosterMember) -> CheckItem:
    """'Trần Minh Quang — Chủ tịch Hội đồng'; the position and agency in the tooltip."""
    return CheckItem(member.id, f"{member.name} — {member.role_label}", member.line)


class PlanDialog(FormDialog):
    """Keyboard-complete: type the agency, Tab to the date, Tab to each list and tick with
    Space, Enter (or Ctrl+Enter) to plan."""

    def __init__(
        self,
        form: PlanForm,
        agencies: list[AgencyChoice],
        roster: list[RosterMember],
        criteria_for: CriteriaFor,
        save: Callable[[PlanData], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Lên kế hoạch khảo sát thực tế", "Lên kế hoạch", save, parent)
        self.form, self._criteria_for = form, criteria_for
        self.setMinimumSize(900, 560)
        fields = QFormLayout()
        self.picker = AgencyPicker(agencies, self)
        if form.agency_code:
            self.picker.select_code(form.agency_code)
        self.picker.list.setMaximumHeight(130)
        fields.addRow(
            "Cơ quan được khảo sát:",
            stacked(self, self.picker, self.field(FIELD_AGENCY, self.picker.search, "agencyError")),
        )
        self.date = date_edit(self, "plannedDate", form.date_text)
        fields.addRow(
            "Ngày dự kiến khảo sát:",
            stacked(self, self.date, self.field(FIELD_DATE, self.date, "dateError")),
        )
        self.body.addLayout(fields)

        self.members = CheckList("members", self)
        self.members.model_.set_items([member_item(m) for m in roster], checked=form.member_ids)
        self.criteria = CheckList("criteria", self)
        lists = QGridLayout()
        lists.addWidget(QLabel("Đoàn khảo sát (Space để chọn):", self), 0, 0)
        lists.addWidget(QLabel("Tiêu chí cần khảo sát (Space để chọn):", self), 0, 1)
        lists.addWidget(self.members, 1, 0)
        lists.addWidget(self.criteria, 1, 1)
        lists.addWidget(self.field(FIELD_MEMBERS, self.members, "membersError"), 2, 0)
        lists.addWidget(self.field(FIELD_CRITERIA, self.criteria, "criteriaError"), 2, 1)
        lists.setColumnStretch(0, 2)
        lists.setColumnStretch(1, 3)
        self.body.addLayout(lists, 1)
        if not roster:
            self.members_hint = QLabel(
                "Danh sách Hội đồng và Tổ giúp việc của năm còn trống: thêm thành viên bằng nút "
                "“Hội đồng và Tổ giúp việc…” trước.",
                self,
            )
            self.members_hint.setWordWrap(True)
            self.body.addWidget(self.members_hint)
        self.finish_layout()

        self._fill_criteria(self.picker.selected_code)
        self.picker.chosen.connect(self._agency_chosen)
        self.date.textChanged.connect(self.touched(FIELD_DATE))
        self.members.model_.changed.connect(self.touched(FIELD_MEMBERS))
        self.criteria.model_.changed.connect(self._criteria_changed)
        chain = (self.picker.search, self.date, self.members, self.criteria, self.save_button)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.refresh()
        self.picker.setFocus()

    def _agency_chosen(self, code: str) -> None:
        self._fill_criteria(code or None)
        self.touched(FIELD_AGENCY)()

    def _fill_criteria(self, code: str | None) -> None:
        rows = [r for r in self._criteria_for(code) if r.is_leaf] if code else []
        kept = self.criteria.model_.checked_keys() or self.form.criteria
        self.criteria.model_.set_items([criterion_item(r) for r in rows], checked=kept)

    def _criteria_changed(self) -> None:
        if self.criteria.model_.checked_keys():
            self._touched.add(FIELD_CRITERIA)
        self.refresh()

    def check(self) -> Checked[PlanData]:
        form = self.form
        form.agency_code = self.picker.selected_code
        form.date_text = self.date.text()
        form.member_ids = list(self.members.model_.checked_keys())
        form.criteria = list(self.criteria.model_.checked_keys())
        return form.check()
