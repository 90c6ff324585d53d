"""The first run's last step: the year of the first round, with Khánh Hòa's regulation
defaults (``rounds.create_round`` without a year to copy), and optionally the round's rules
right after. "Để sau" leaves the database without a round: the main window says so and its
"Tạo kỳ đánh giá mới…" does the same later."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...services import rounds
from ...services.audit import Actor
from ...services.errors import ServiceError
from ...store.database import Database
from ..rounds.new_round_dialog import HOLIDAY_NOTE, copy_sentence, default_year, year_error
from .welcome_dialog import ERROR_STYLE, NOTE_STYLE

PROVINCE_TEXT = (
    "Tỉnh: <b>Khánh Hòa</b>. Kỳ đánh giá dùng danh sách cơ quan, các nhóm, phiếu đánh giá và "
    "quy tắc mặc định theo Quy định kèm Quyết định 1278/QĐ-CTUBND ngày 04/6/2020 của Chủ tịch "
    "UBND tỉnh Khánh Hòa. Mọi quy tắc (hạn gửi phiếu, số ngày được trễ, điểm trừ, ngưỡng xếp "
    "loại, ngày nghỉ lễ) sửa được cho từng kỳ trong “Quy tắc của kỳ…”."
)


class FirstRoundDialog(QDialog):
    """Năm của kỳ đánh giá đầu tiên; creates the round with the regulation's defaults."""

    def __init__(
        self,
        db: Database,
        actor: Actor | None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.created: int | None = None
        self._existing = [s.year for s in rounds.list_rounds(db)]
        self.setWindowTitle("Kỳ đánh giá đầu tiên — KHIT Desktop")
        self.setMinimumWidth(600)

        intro = QLabel(
            "Bước cuối: tạo kỳ đánh giá đầu tiên. Mỗi năm có một kỳ đánh giá: tiếp nhận "
            "phiếu, chấm điểm, khảo sát, xếp hạng.",
            self,
        )
        intro.setWordWrap(True)
        province = QLabel(PROVINCE_TEXT, self)
        province.setObjectName("provinceNote")
        province.setWordWrap(True)
        self.year_spin = QSpinBox(self)
        self.year_spin.setObjectName("firstYear")
        self.year_spin.setRange(rounds.MIN_YEAR, rounds.MAX_YEAR)
        self.year_spin.setValue(default_year(self._existing, today or date.today()))
        self.year_spin.setFixedWidth(100)
        self.year_error = QLabel(self)
        self.year_error.setObjectName("firstYearError")
        self.year_error.setStyleSheet(ERROR_STYLE)
        self.explanation = QLabel(self)
        self.explanation.setObjectName("firstRoundExplanation")
        self.explanation.setWordWrap(True)
        self.holiday_note = QLabel(self)
        self.holiday_note.setWordWrap(True)
        self.holiday_note.setStyleSheet(NOTE_STYLE)
        self.open_rules = QCheckBox(
            "Mở “Quy tắc của kỳ” ngay sau khi tạo (để thêm Tết, ngày nghỉ bù)", self
        )
        self.open_rules.setObjectName("firstOpenRules")
        self.refusal = QLabel(self)
        self.refusal.setObjectName("firstRoundRefusal")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.refusal.hide()

        buttons = QDialogButtonBox(self)
        self.create_button = buttons.addButton(
            "Tạo kỳ đánh giá", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setObjectName("firstRoundCreate")
        self.create_button.setDefault(True)
        later = buttons.addButton("Để sau", QDialogButtonBox.ButtonRole.RejectRole)
        later.setObjectName("firstRoundLater")
        later.setToolTip("Mở chương trình chưa có kỳ đánh giá; tạo sau bằng “Tạo kỳ đánh giá mới…”")
        self.create_button.clicked.connect(self._create)
        later.clicked.connect(self.reject)

        year_row = QHBoxLayout()
        year_row.addWidget(self.year_spin)
        year_row.addSpacing(8)
        year_row.addWidget(self.year_error, 1)
        form = QFormLayout()
        year_label = QLabel("&Năm đánh giá", self)
        year_label.setBuddy(self.year_spin)
        form.addRow(year_label, year_row)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(province)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.explanation)
        layout.addWidget(self.holiday_note)
        layout.addWidget(self.open_rules)
        layout.addWidget(self.refusal)
        layout.addStretch(1)
        layout.addWidget(buttons)

        self.year_spin.valueChanged.connect(self._refresh)
        self._refresh()
        self.year_spin.setFocus()

    @classmethod
    def ask(cls, db: Database, actor: Actor | None, parent: QWidget | None = None) -> int | None:
        """Show the dialog; the year created (its rules shown when asked), or None."""
        dialog = cls(db, actor, parent)
        if not dialog.exec() or dialog.created is None:
            return None
        if dialog.open_rules.isChecked():
            from ..rounds.rules_dialog import RulesDialog

            RulesDialog.edit(db, dialog.created, parent, actor=actor)
        return dialog.created

    def _refresh(self) -> None:
        year = self.year_spin.value()
        error = year_error(year, self._existing)
        self.year_error.setText(error or "")
        self.year_error.setVisible(bool(error))
        self.explanation.setText(copy_sentence(year, None, None))
        self.holiday_note.setText(HOLIDAY_NOTE.format(year=year))
        self.create_button.setEnabled(error is None)
        self.refusal.hide()

    def _create(self) -> None:
        year = self.year_spin.value()
        if year_error(year, self._existing):
            return
        try:
            rounds.create_round(self.db, year, actor=self.actor)
        except ServiceError as exc:
            self.refusal.setText(f"Chưa tạo được kỳ đánh giá. {exc}")
            self.refusal.show()
            return
        self.created = year
        self.accept()
