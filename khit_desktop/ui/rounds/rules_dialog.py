"""Quy tắc của kỳ đánh giá: the deadline, grace days, penalty, thresholds and holidays of
one year, each beside the article it comes from; saved with a reason for the audit."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain.rules import RULE_SOURCES
from ...services import rounds
from ...services.audit import Actor
from ...services.errors import ServiceError
from ...store.database import Database
from .holiday_model import HolidayTableModel
from .rules_form import (
    MAX_GRACE_DAYS,
    FieldError,
    RulesCheck,
    RulesInput,
    check_rules,
    parse_holiday,
    reason_error,
)

ERROR_STYLE = "color: #b00020;"
CITATION_STYLE = "color: #6c757d; font-size: 8pt;"
PREVIEW_STYLE = "color: #1f4e79; font-weight: bold;"
CLASS_CAPTIONS = ("Tốt từ", "  Khá từ", "  Trung bình từ")
THRESHOLDS_NOTE = "; tính theo % tổng điểm tối đa của phiếu; dưới ngưỡng Trung bình là Yếu"
SHIFT_TEXT = "Hạn rơi vào thứ Bảy, Chủ nhật, ngày lễ thì &dời sang ngày làm việc kế tiếp"
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ROOT = QModelIndex()


def _label(name: str, style: str, text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text, objectName=name, wordWrap=wrap, styleSheet=style)
    label.setVisible(bool(text))
    return label


def _edit(
    name: str, width: int, placeholder: str = "", text: str = "", right: bool = False
) -> QLineEdit:
    edit = QLineEdit(text, objectName=name, placeholderText=placeholder)
    if right:
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    if width:
        edit.setFixedWidth(width)
    return edit


def _row(*items: QWidget | QLayout, stretch: bool = True) -> QHBoxLayout:
    """A line of widgets; a citation label gets some room before it."""
    row = QHBoxLayout()
    row.setSpacing(6)
    for item in items:
        if isinstance(item, QLayout):
            row.addLayout(item)
            continue
        if item.objectName().endswith("Source"):
            row.addSpacing(12)
        row.addWidget(item)
    if stretch:
        row.addStretch(1)
    return row


class RulesDialog(QDialog):
    """Edit the rules of round ``year``. Raises ``NotFound`` when there is no such round."""

    def __init__(
        self, db: Database, year: int, parent: QWidget | None = None, *, actor: Actor | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.year, self.actor = db, year, actor
        self.saved = False
        self._original = rounds.round_rules(db, year)
        self.setWindowTitle(f"Quy tắc của kỳ đánh giá năm {year}")
        self.setMinimumWidth(720)
        self._build(RulesInput.from_rules(self._original))
        self._connect()
        self._refresh()
        self.deadline_edit.setFocus()

    @classmethod
    def edit(
        cls, db: Database, year: int, parent: QWidget | None = None, *, actor: Actor | None = None
    ) -> bool:
        """Show the dialog; True when the rules were saved."""
        dialog = cls(db, year, parent, actor=actor)
        return bool(dialog.exec()) and dialog.saved

    # -- layout -------------------------------------------------------------------------
    def _build(self, typed: RulesInput) -> None:
        self._grid, self._line = QGridLayout(), 0
        self._grid.setColumnStretch(1, 1)
        self._grid.setVerticalSpacing(5)
        self.deadline_edit = _edit("deadlineEdit", 110, "dd/MM/yyyy", typed.deadline)
        self.deadline_error = _label("deadlineError", ERROR_STYLE)
        self.preview = _label("deadlinePreview", PREVIEW_STYLE)
        self._field("&Hạn gửi phiếu", self.deadline_edit, self._citation("deadline"))
        self._under(self.deadline_error, self.preview)
        self._gap()

        self.grace_spin = QSpinBox(objectName="graceDaysSpin", suffix=" ngày")
        self.grace_spin.setRange(0, MAX_GRACE_DAYS)
        self.grace_spin.setValue(typed.grace_days)
        self.grace_spin.setFixedWidth(110)
        self._field("&Số ngày được gửi trễ", self.grace_spin, self._citation("grace_days"))
        self.penalty_edit = _edit("penaltyEdit", 110, text=typed.late_penalty, right=True)
        self.penalty_error = _label("penaltyError", ERROR_STYLE)
        self._field("Điểm t&rừ khi gửi trễ", self.penalty_edit, QLabel("điểm"),
                    self._citation("late_penalty"))  # fmt: skip
        self._under(self.penalty_error)
        self._gap()

        names = {"goodEdit": typed.good, "fairEdit": typed.fair, "averageEdit": typed.average}
        self.threshold_edits = [_edit(n, 64, text=t, right=True) for n, t in names.items()]
        parts: list[QWidget] = []
        for caption, edit in zip(CLASS_CAPTIONS, self.threshold_edits, strict=True):
            parts += [QLabel(caption), edit, QLabel("%")]
        self.thresholds_error = _label("thresholdsError", ERROR_STYLE)
        self._field("&Ngưỡng xếp loại", *parts)
        self._under(self.thresholds_error, self._citation("thresholds", THRESHOLDS_NOTE))
        self._gap()

        self.shift_check = QCheckBox(SHIFT_TEXT, objectName="shiftCheck")
        self.shift_check.setChecked(typed.shift_to_working_day)
        self._under(self.shift_check, self._citation("shift_to_working_day"))
        self._build_holidays()
        self._gap()

        self.reason_edit = _edit("reasonEdit", 0, "Bắt buộc khi có thay đổi; được ghi vào nhật ký")
        self.reason_error = _label("reasonError", ERROR_STYLE)
        self._field("&Lý do thay đổi", self.reason_edit, stretch=False)
        self._under(self.reason_error)

        self.refusal = _label("refusalLabel", ERROR_STYLE + " font-weight: bold;")
        buttons = QDialogButtonBox(self)  # parented now: setDefault needs the dialog
        self.save_button = buttons.addButton("Lưu quy tắc", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        cancel = buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        self.save_button.clicked.connect(self._save)
        cancel.clicked.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(self._grid)
        outer.addWidget(self.refusal)
        outer.addWidget(buttons)

    def _build_holidays(self) -> None:
        self.holiday_model = HolidayTableModel(self._original.holidays, self)
        table = self.holiday_table = QTableView(objectName="holidayTable")
        table.setModel(self.holiday_model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setFixedHeight(table.fontMetrics().height() * 9)
        self.remove_holiday_button = QPushButton("&Xóa ngày nghỉ", objectName="removeHolidayButton")
        self.holiday_date_edit = _edit("holidayDateEdit", 110, "dd/MM/yyyy")
        self.holiday_name_edit = _edit("holidayNameEdit", 0, "Tên ngày nghỉ")
        self.holiday_date_edit.setAccessibleName("Ngày nghỉ cần thêm")
        self.holiday_name_edit.setAccessibleName("Tên ngày nghỉ cần thêm")
        self.add_holiday_button = QPushButton("&Thêm ngày nghỉ", objectName="addHolidayButton")
        for button in (self.add_holiday_button, self.remove_holiday_button):
            button.setAutoDefault(False)  # Enter in the dialog saves, never adds or removes
        self.holiday_error = _label("holidayError", ERROR_STYLE)
        title = QLabel("N&gày nghỉ lễ")
        title.setBuddy(table)
        title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._grid.addWidget(title, self._line, 0)
        side = QVBoxLayout()
        side.addWidget(self.remove_holiday_button)
        side.addStretch(1)
        self._grid.addLayout(_row(table, side, stretch=False), self._line, 1)
        self._line += 1
        adding = (self.holiday_date_edit, self.holiday_name_edit, self.add_holiday_button)
        self._grid.addLayout(_row(*adding, stretch=False), self._line, 1)
        self._line += 1
        self._under(self.holiday_error, self._citation("holidays"))

    def _citation(self, key: str, note: str = "") -> QLabel:
        text = f"{RULE_SOURCES[key]}{note}"
        return _label(f"{key}Source", CITATION_STYLE, text, wrap=False)

    def _field(self, text: str, *widgets: QWidget, stretch: bool = True) -> None:
        """One line: its label (the buddy of the first widget), then the widgets."""
        label = QLabel(text)
        label.setBuddy(widgets[0])
        self._grid.addWidget(label, self._line, 0)
        self._grid.addLayout(_row(*widgets, stretch=stretch), self._line, 1)
        self._line += 1

    def _under(self, *widgets: QWidget) -> None:
        for widget in widgets:
            self._grid.addWidget(widget, self._line, 1)
            self._line += 1

    def _gap(self) -> None:
        self._grid.setRowMinimumHeight(self._line, 6)
        self._line += 1

    # -- behaviour ----------------------------------------------------------------------
    def _connect(self) -> None:
        for edit in (self.deadline_edit, self.penalty_edit, *self.threshold_edits):
            edit.textChanged.connect(self._refresh)
        self.grace_spin.valueChanged.connect(self._refresh)
        self.shift_check.toggled.connect(self._refresh)
        self.reason_edit.textChanged.connect(self._refresh)
        self.add_holiday_button.clicked.connect(self._add_holiday)
        self.remove_holiday_button.clicked.connect(self._remove_holiday)
        for widget in (self.holiday_date_edit, self.holiday_name_edit, self.holiday_table):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the holiday inputs adds the holiday; Delete in the table removes one."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched in (self.holiday_date_edit, self.holiday_name_edit) and key in _ENTER_KEYS:
                self._add_holiday()
                return True
            if watched is self.holiday_table and key == Qt.Key.Key_Delete:
                self._remove_holiday()
                return True
        return super().eventFilter(watched, event)

    def _typed(self) -> RulesInput:
        good, fair, average = (edit.text() for edit in self.threshold_edits)
        return RulesInput(
            deadline=self.deadline_edit.text(),
            grace_days=self.grace_spin.value(),
            late_penalty=self.penalty_edit.text(),
            good=good,
            fair=fair,
            average=average,
            shift_to_working_day=self.shift_check.isChecked(),
            holidays=self.holiday_model.rows(),
            reason=self.reason_edit.text(),
        )

    def check(self) -> RulesCheck:
        """What the fields hold now."""
        return check_rules(self._original, self._typed())

    def _refresh(self) -> None:
        check = self.check()
        errors = self.deadline_error, self.penalty_error, self.thresholds_error
        for key, label in zip(("deadline", "late_penalty", "thresholds"), errors, strict=True):
            _show(label, check.errors.get(key, ""))
        self.preview.setText(check.preview)
        self.preview.setVisible(bool(check.preview))
        if not self.reason_error.isHidden() and not reason_error(check, self.reason_edit.text()):
            _show(self.reason_error, "")
        self.save_button.setEnabled(check.valid and check.changed)
        self.save_button.setToolTip("" if check.changed else "Chưa có thay đổi nào để lưu.")

    def _add_holiday(self) -> None:
        try:
            holiday = parse_holiday(
                self.holiday_date_edit.text(),
                self.holiday_name_edit.text(),
                self.holiday_model.rows(),
                self.year,
            )
        except FieldError as exc:
            _show(self.holiday_error, str(exc))
            return
        _show(self.holiday_error, "")
        row = self.holiday_model.add(holiday)
        self.holiday_table.selectRow(row)
        self.holiday_date_edit.clear()
        self.holiday_name_edit.clear()
        self.holiday_date_edit.setFocus()
        self._refresh()

    def _remove_holiday(self) -> None:
        row = self.holiday_table.currentIndex().row()
        if row < 0:
            _show(self.holiday_error, "Chọn một ngày nghỉ trong bảng rồi bấm Xóa ngày nghỉ.")
            return
        _show(self.holiday_error, "")
        self.holiday_model.remove(row)
        if self.holiday_model.rowCount():
            self.holiday_table.selectRow(min(row, self.holiday_model.rowCount() - 1))
        self._refresh()

    def _save(self) -> None:
        check = self.check()
        if check.rules is None or not check.changed:
            return
        missing = reason_error(check, self.reason_edit.text())
        if missing:
            _show(self.reason_error, missing)
            self.reason_edit.setFocus()
            return
        _show(self.refusal, "")
        try:
            self.saved = rounds.update_rules(
                self.db, self.year, check.rules, reason=self.reason_edit.text(), actor=self.actor
            )
        except ServiceError as exc:  # refused: say why, keep everything typed
            _show(self.refusal, f"Chưa lưu được. {exc}")
            return
        self.accept()


def _show(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))
