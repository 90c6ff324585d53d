"""Nhập bộ tiêu chí: what a criteria workbook holds, its errors, before anything is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.numbers import format_points
from ...services import form_versions
from ...services.errors import InputRefused
from ..workspace import Workspace


class CriteriaPreviewDialog(QDialog):
    """Tree, totals per area, errors and warnings; saving only when there is no error."""

    def __init__(
        self, ws: Workspace, path: Path, preview: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ws, self.path, self.preview = ws, path, preview
        self.form_id: int | None = None
        self.setWindowTitle(f"Xem trước bộ tiêu chí — {path.name}")
        self.resize(960, 640)
        ok = not preview.errors and preview.tree is not None
        headline = QLabel(
            f"{len(preview.rows)} tiêu chí, tổng <b>{format_points(preview.total)}</b> điểm; "
            f"<span style='color:#9C0006'>{len(preview.errors)} lỗi</span>, "
            f"<span style='color:#9C5700'>{len(preview.warnings)} lưu ý</span>."
            + ("" if ok else " Sửa các lỗi trong tệp Excel rồi nhập lại; chưa lưu gì."),
            self,
        )
        headline.setObjectName("previewHeadline")
        headline.setWordWrap(True)
        self.problems = QListWidget(self)
        self.problems.setObjectName("previewProblems")
        self.problems.setMaximumHeight(130)
        for kind, colour, items in (
            ("Lỗi", "#FFC7CE", preview.errors),
            ("Lưu ý", "#FFEB9C", preview.warnings),
        ):
            for problem in items:
                item = QListWidgetItem(f"{kind} — {problem.ref}: {problem.message}", self.problems)
                item.setBackground(QColor(colour))
        if not preview.errors and not preview.warnings:
            QListWidgetItem("Không có lỗi nào.", self.problems)
            self.problems.setMaximumHeight(28)
        self.areas = QLabel(
            " · ".join(
                f"{code}. {title}: {format_points(points)}"
                for code, title, points in preview.area_totals
            ),
            self,
        )
        self.areas.setObjectName("previewAreas")
        self.areas.setWordWrap(True)
        self.table = QTableWidget(len(preview.rows), 4, self)
        self.table.setObjectName("previewTable")
        self.table.setHorizontalHeaderLabels(
            ["Mã", "Nội dung tiêu chí", "Điểm tối đa", "Cách tính điểm"]
        )
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 60)
        self.table.setColumnWidth(2, 90)
        self.table.setColumnWidth(3, 260)
        bold = QFont()
        bold.setBold(True)
        codes = [r.code for r in preview.rows]
        for i, row in enumerate(preview.rows):
            depth = row.code.count(".")
            is_parent = any(c.startswith(row.code + ".") for c in codes)
            values = (
                row.code,
                "    " * depth + row.title,
                format_points(row.max_points) if row.max_points is not None else "?",
                row.rule_text,
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if is_parent:
                    item.setFont(bold)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, column, item)
        self.name = QLineEdit(preview.title or path.stem, self)
        self.name.setObjectName("criteriaName")
        self.year = QSpinBox(self)
        self.year.setObjectName("criteriaYear")
        self.year.setRange(2000, 2100)
        self.year.setValue(ws.year or 2020)
        form = QFormLayout()
        form.addRow("Tên bộ tiêu chí:", self.name)
        form.addRow("Năm áp dụng:", self.year)
        self.refusal = QLabel(self)
        self.refusal.setObjectName("previewRefusal")
        self.refusal.setStyleSheet("color:#b00020;")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(
            "Lưu bộ tiêu chí", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("saveCriteria")
        self.save_button.setEnabled(ok)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(self.problems)
        layout.addWidget(self.areas)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.refusal)
        layout.addWidget(buttons)

    def _save(self) -> None:
        try:
            self.form_id, created = form_versions.add_form_version(
                self.ws.db,
                self.preview.tree,
                name=self.name.text(),
                year=self.year.value(),
                source=f"Nhập từ tệp {self.path.name}",
                actor=self.ws.actor,
            )
        except InputRefused as refused:
            self.refusal.setText(str(refused))
            self.refusal.show()
            return
        self.created = created
        self.accept()

    @classmethod
    def ask(cls, ws: Workspace, path: Path, parent: QWidget | None = None) -> int | None:
        """The form id saved, or None (tests patch this)."""
        preview = form_versions.preview_criteria_file(path)
        dialog = cls(ws, path, preview, parent)
        return dialog.form_id if dialog.exec() == QDialog.DialogCode.Accepted else None
