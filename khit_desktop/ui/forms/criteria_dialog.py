"""Bộ tiêu chí: the criteria sets and their versions, which one each group uses this year."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services import form_versions
from ...services.errors import InputRefused
from ..messages import show_refusal
from ..workspace import Workspace
from .criteria_preview import CriteriaPreviewDialog

COLUMNS = ("Số", "Tên", "Phiên bản", "Điểm", "Tiêu chí", "Đã có điểm", "Đang dùng")


class CriteriaDialog(QDialog):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle("Bộ tiêu chí (phiếu đánh giá)")
        self.resize(900, 460)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("formsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.group_choices: dict[int, QComboBox] = {}
        groups = QFormLayout()
        note = QLabel(
            "Một bộ tiêu chí đã có điểm chấm thì không sửa được; bộ tiêu chí sửa đổi được lưu "
            "thành phiên bản mới. Một nhóm chỉ đổi được bộ tiêu chí khi chưa cơ quan nào của "
            "nhóm có điểm trong năm.",
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color:#6c757d;")
        self.import_button = QPushButton("Nhập từ Excel…", self)
        self.import_button.setObjectName("importCriteria")
        self.export_button = QPushButton("Xuất ra Excel…", self)
        self.export_button.setObjectName("exportCriteria")
        self.close_button = QPushButton("Đóng", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        if ws.year is not None:
            layout.addWidget(QLabel(f"<b>Bộ tiêu chí dùng trong năm {ws.year}</b>", self))
            for number in (1, 2, 3):
                combo = QComboBox(self)
                combo.setObjectName(f"groupForm{number}")
                self.group_choices[number] = combo
                groups.addRow(f"Nhóm {number}:", combo)
                combo.activated.connect(lambda _i, n=number: self._use(n))
            layout.addLayout(groups)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.import_button.clicked.connect(self.import_file)
        self.export_button.clicked.connect(self.export_file)
        self.close_button.clicked.connect(self.accept)
        self.refresh()

    def refresh(self) -> None:
        forms = form_versions.list_forms(self.ws.db)
        self.table.setRowCount(len(forms))
        for row, f in enumerate(forms):
            values = (
                str(f.id),
                f.name + (" (mẫu)" if f.is_sample else ""),
                str(f.version),
                f.max_points.replace(".", ","),
                str(f.criteria),
                "có" if f.frozen else "chưa",
                "; ".join(f.used_by),
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setData(Qt.ItemDataRole.UserRole, f.id)
                self.table.setItem(row, column, item)
        year = self.ws.year
        for number, combo in self.group_choices.items():
            combo.blockSignals(True)
            combo.clear()
            current = None
            for f in forms:
                combo.addItem(f"{f.name} — phiên bản {f.version} (số {f.id})", f.id)
                if f"{year} · Nhóm {number}" in f.used_by:
                    current = combo.count() - 1
            if current is not None:
                combo.setCurrentIndex(current)
            combo.blockSignals(False)

    def selected_form(self) -> int | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _use(self, group: int) -> None:
        if self.ws.year is None:
            return
        try:
            form_versions.use_form(
                self.ws.db,
                self.ws.year,
                group,
                self.group_choices[group].currentData(),
                actor=self.ws.actor,
            )
        except InputRefused as refused:
            show_refusal(self, str(refused))
        self.refresh()

    def import_file(self) -> None:
        path = self.ask_open_path(self)
        if path is None:
            return
        try:
            CriteriaPreviewDialog.ask(self.ws, path, self)
        except InputRefused as refused:
            show_refusal(self, str(refused))
        self.refresh()

    def export_file(self) -> None:
        form_id = self.selected_form()
        if form_id is None:
            show_refusal(self, "Chọn một bộ tiêu chí trong bảng để xuất.")
            return
        path = self.ask_save_path(self, f"Bo-tieu-chi-{form_id}.xlsx")
        if path is not None:
            form_versions.export_criteria_file(self.ws.db, form_id, path)

    @staticmethod
    def ask_open_path(parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Chọn tệp bộ tiêu chí", "", "Sổ tính Excel (*.xlsx)"
        )
        return Path(name) if name else None

    @staticmethod
    def ask_save_path(parent: QWidget, suggested: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, "Xuất bộ tiêu chí", suggested, "Sổ tính Excel (*.xlsx)"
        )
        return Path(name) if name else None

    @classmethod
    def show_for(cls, ws: Workspace, parent: QWidget | None = None) -> None:
        """Modal, until closed (tests patch this)."""
        cls(ws, parent).exec()
