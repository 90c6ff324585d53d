"""Tạo kỳ đánh giá mới: a year, and the year whose agencies, groups, rules and form it
copies (or the catalogue's defaults)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import format_date
from ...domain.rules import RoundRules
from ...services import rounds
from ...services.audit import Actor
from ...services.errors import ServiceError
from ...services.rounds import RoundSummary
from ...store.database import Database

NO_COPY_LABEL = "Không chép — dùng danh sách cơ quan và bộ tiêu chí mặc định"
ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #6c757d;"
HOLIDAY_NOTE = (
    "Ngày nghỉ lễ của kỳ mới chỉ gồm các ngày lễ cố định của năm {year}; hãy thêm Tết và "
    "các ngày nghỉ bù trong Quy tắc của kỳ đánh giá."
)


# -- plain logic, tested without widgets ---------------------------------------------------
def default_year(existing: Sequence[int], today: date) -> int:
    """The year after the latest round, or the current year when there is none."""
    return max(existing) + 1 if existing else today.year


def copy_choices(summaries: Sequence[RoundSummary]) -> list[tuple[str, int | None]]:
    """(label, year to copy or None) for the "Chép từ năm" list: latest year first, then
    older ones, then the catalogue's defaults."""
    choices: list[tuple[str, int | None]] = []
    for summary in sorted(summaries, key=lambda s: s.year, reverse=True):
        label = f"{summary.year} ({summary.agencies} cơ quan"
        label += ", dữ liệu minh họa)" if summary.is_demo else ")"
        choices.append((label, summary.year))
    choices.append((NO_COPY_LABEL, None))
    return choices


def year_error(year: int, existing: Sequence[int]) -> str | None:
    """Why ``year`` cannot be created, or None."""
    if year in existing:
        return f"Năm {year} đã có kỳ đánh giá; chọn năm khác."
    if not rounds.MIN_YEAR <= year <= rounds.MAX_YEAR:
        return f"Năm phải từ {rounds.MIN_YEAR} đến {rounds.MAX_YEAR}."
    return None


def copy_sentence(year: int, source_year: int | None, source_rules: RoundRules | None) -> str:
    """What the new round starts with, said before it is created."""
    if source_year is None or source_rules is None:
        deadline = RoundRules.defaults(year).deadline
        return (
            "Dùng danh sách cơ quan đang hoạt động trong danh mục, các nhóm mặc định, phiếu "
            f"đánh giá mới nhất và quy tắc mặc định của Quy định; hạn gửi phiếu "
            f"{format_date(deadline)}."
        )
    deadline = source_rules.for_year(year).deadline
    return (
        f"Chép danh sách cơ quan, nhóm, quy tắc và phiếu đánh giá của năm {source_year}; "
        f"hạn gửi phiếu chuyển sang {format_date(deadline)}."
    )


# -- the dialog -----------------------------------------------------------------------------
class NewRoundDialog(QDialog):
    """Ask for the year of a new round and create it (with ``rounds.create_round``)."""

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        actor: Actor | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.created: int | None = None
        summaries = rounds.list_rounds(db)
        self._existing = [s.year for s in summaries]
        self._rules: dict[int, RoundRules] = {}
        self.setWindowTitle("Tạo kỳ đánh giá mới")
        self.setMinimumWidth(560)

        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("yearSpin")
        self.year_spin.setRange(rounds.MIN_YEAR, rounds.MAX_YEAR)
        self.year_spin.setValue(default_year(self._existing, today or date.today()))
        self.year_spin.setFixedWidth(100)
        self.year_error = QLabel()
        self.year_error.setObjectName("yearError")
        self.year_error.setStyleSheet(ERROR_STYLE)
        self.copy_combo = QComboBox()
        self.copy_combo.setObjectName("copyCombo")
        for label, year in copy_choices(summaries):
            self.copy_combo.addItem(label, year)
        self.copy_combo.setCurrentIndex(0)  # the latest year, or "Không chép" when none
        self.explanation = QLabel()
        self.explanation.setObjectName("copyExplanation")
        self.explanation.setWordWrap(True)
        self.holiday_note = QLabel()
        self.holiday_note.setObjectName("holidayNote")
        self.holiday_note.setWordWrap(True)
        self.holiday_note.setStyleSheet(NOTE_STYLE)
        self.refusal = QLabel()
        self.refusal.setObjectName("refusalLabel")
        self.refusal.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.refusal.setWordWrap(True)

        buttons = QDialogButtonBox(self)  # parented now: setDefault needs the dialog
        self.create_button = buttons.addButton(
            "Tạo kỳ đánh giá", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setObjectName("createButton")
        self.create_button.setDefault(True)
        cancel = buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        self.create_button.clicked.connect(self._create)
        cancel.clicked.connect(self.reject)

        year_row = QHBoxLayout()
        year_row.addWidget(self.year_spin)
        year_row.addSpacing(8)
        year_row.addWidget(self.year_error, 1)
        form = QFormLayout()
        year_label = QLabel("&Năm đánh giá")
        year_label.setBuddy(self.year_spin)
        form.addRow(year_label, year_row)
        form.addRow("&Chép từ năm", self.copy_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(4)
        layout.addWidget(self.explanation)
        layout.addWidget(self.holiday_note)
        layout.addWidget(self.refusal)
        layout.addStretch(1)
        layout.addSpacing(8)
        layout.addWidget(buttons)

        self.year_spin.valueChanged.connect(self._refresh)
        self.copy_combo.currentIndexChanged.connect(self._refresh)
        self._refresh()
        self.year_spin.setFocus()

    @classmethod
    def ask(
        cls, db: Database, parent: QWidget | None = None, *, actor: Actor | None = None
    ) -> int | None:
        """Show the dialog; the year created, or None."""
        dialog = cls(db, parent, actor=actor)
        return dialog.created if dialog.exec() else None

    def source_year(self) -> int | None:
        year = self.copy_combo.currentData()
        return year if isinstance(year, int) else None

    def _source_rules(self, year: int | None) -> RoundRules | None:
        if year is None:
            return None
        if year not in self._rules:
            try:
                self._rules[year] = rounds.round_rules(self.db, year)
            except ServiceError:
                return None
        return self._rules[year]

    def _refresh(self) -> None:
        year = self.year_spin.value()
        error = year_error(year, self._existing)
        self.year_error.setText(error or "")
        self.year_error.setVisible(bool(error))
        source = self.source_year()
        self.explanation.setText(copy_sentence(year, source, self._source_rules(source)))
        self.holiday_note.setText(HOLIDAY_NOTE.format(year=year))
        self.create_button.setEnabled(error is None)
        self.refusal.hide()

    def _create(self) -> None:
        year = self.year_spin.value()
        if year_error(year, self._existing):
            return
        try:
            rounds.create_round(self.db, year, copy_from=self.source_year(), actor=self.actor)
        except ServiceError as exc:  # refused: say why, the dialog stays open
            self.refusal.setText(f"Chưa tạo được kỳ đánh giá. {exc}")
            self.refusal.show()
            return
        self.created = year
        self.accept()
