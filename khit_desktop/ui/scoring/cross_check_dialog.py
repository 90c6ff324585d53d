"""Ghi nhận đối chiếu (Điều 7.2.b): a figure reported by a specialised agency."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...services.score_grid import GridRow


class CrossCheckDialog(QDialog):
    def __init__(self, row: GridRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Đối chiếu số liệu — tiêu chí {row.code}")
        self.setMinimumWidth(520)
        intro = QLabel(
            f"{row.code} {row.title}\nSố liệu đơn vị báo cáo: {row.self_figure or '—'}", self
        )
        intro.setWordWrap(True)
        self.source_agency = QLineEdit(self)
        self.source_agency.setObjectName("sourceAgency")
        self.source_agency.setPlaceholderText("ví dụ Sở Nội vụ")
        self.figure = QLineEdit(self)
        self.figure.setObjectName("figure")
        self.document = QLineEdit(self)
        self.document.setObjectName("document")
        self.document.setPlaceholderText("số, ngày văn bản cung cấp số liệu")
        self.note = QLineEdit(self)
        self.note.setObjectName("note")
        self.note.setPlaceholderText("điều chỉnh đã áp dụng hoặc đề xuất")
        form = QFormLayout()
        form.addRow("Cơ quan cung cấp:", self.source_agency)
        form.addRow("Số liệu đối chiếu:", self.figure)
        form.addRow("Văn bản:", self.document)
        form.addRow("Điều chỉnh:", self.note)
        buttons = QDialogButtonBox(self)
        self.save = buttons.addButton("Ghi nhận đối chiếu", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        for edit in (self.source_agency, self.figure):
            edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.save.setEnabled(bool(self.source_agency.text().strip() and self.figure.text().strip()))

    def values(self) -> dict[str, str]:
        return {
            "source_agency": self.source_agency.text(),
            "figure": self.figure.text(),
            "document": self.document.text(),
            "note": self.note.text(),
        }

    @classmethod
    def ask(cls, parent: QWidget | None, row: GridRow) -> dict[str, str] | None:
        dialog = cls(row, parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
