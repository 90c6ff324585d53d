"""Nhập phiếu từ Excel: choose files or a folder, import with progress, read the summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...services import form_exchange
from ...services.form_exchange import AlreadyImported, ImportResult
from ..progress import FileProgress
from ..workspace import Workspace

STATE_COLOURS = {"imported": "#C6EFCE", "skipped": "#EDEDED", "refused": "#FFC7CE"}


def choose_paths(parent: QWidget) -> list[Path]:
    """Files, or a whole folder when no file is chosen (tests patch this)."""
    files, _ = QFileDialog.getOpenFileNames(
        parent,
        "Chọn phiếu đã điền (hoặc Hủy để chọn cả thư mục)",
        "",
        "Phiếu đánh giá (*.xlsx);;Mọi tệp (*)",
    )
    if files:
        return [Path(f) for f in files]
    folder = QFileDialog.getExistingDirectory(parent, "Chọn thư mục chứa các phiếu đã điền")
    return [Path(folder)] if folder else []


def ask_replace(parent: QWidget | None, question: AlreadyImported, file: Path) -> bool:
    """Replace (keeping the earlier import in history) or skip (tests patch this)."""
    answer = QMessageBox.question(
        parent,
        "Phiếu đã được nhập",
        f"{question}\n\nTệp: {file.name}\nThay bằng phiếu này?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def run_import(parent: QWidget, ws: Workspace, paths: list[Path]) -> list[ImportResult]:
    assert ws.year is not None
    progress = FileProgress(parent, "Nhập phiếu đánh giá")
    try:
        return form_exchange.import_paths(
            ws.db,
            ws.year,
            paths,
            actor=ws.actor,
            progress=progress,
            decide=lambda question, file: ask_replace(parent, question, file),
        )
    finally:
        progress.close()


class ImportSummaryDialog(QDialog):
    """Per file: imported, skipped or refused, and why; can be saved as a text file."""

    def __init__(
        self, results: list[ImportResult], year: int, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.results, self.year, self.today = results, year, today
        self.setWindowTitle("Kết quả nhập phiếu")
        self.resize(900, 420)
        counts = {
            s: sum(1 for r in results if r.state == s) for s in ("imported", "skipped", "refused")
        }
        self.headline = QLabel(
            f"Đã nhập {counts['imported']} · bỏ qua {counts['skipped']} · từ chối "
            f"{counts['refused']} (mỗi tệp nhập trọn vẹn hoặc không ghi gì).",
            self,
        )
        self.headline.setObjectName("importHeadline")
        self.table = QTableWidget(len(results), 3, self)
        self.table.setObjectName("importTable")
        self.table.setHorizontalHeaderLabels(["Tệp", "Kết quả", "Chi tiết"])
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 220)
        for row, result in enumerate(results):
            detail = result.message
            if result.flagged:
                detail += " Tiêu chí cần xem: " + ", ".join(result.flagged) + "."
            for column, text in enumerate((result.file.name, result.label, detail)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(text)
                if column == 1:
                    item.setBackground(QColor(STATE_COLOURS[result.state]))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Lưu kết quả…", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        self.save_button.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # now that the detail column has its width

    def text(self) -> str:
        return form_exchange.summary_text(self.results, self.year, self.today)

    def save(self) -> Path | None:
        target = self.ask_save_path(self, f"Ket-qua-nhap-phieu-{self.year}.txt")
        if target is None:
            return None
        target.write_text(self.text(), encoding="utf-8")
        return target

    @staticmethod
    def ask_save_path(parent: QWidget, suggested: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, "Lưu kết quả nhập", suggested, "Văn bản (*.txt)"
        )
        return Path(name) if name else None

    @classmethod
    def show_results(
        cls, results: list[ImportResult], year: int, today: date, parent: QWidget | None = None
    ) -> None:
        cls(results, year, today, parent).exec()


def blank_forms_folder(parent: QWidget) -> Path | None:
    """Where to write blank forms (tests patch this)."""
    folder = QFileDialog.getExistingDirectory(parent, "Chọn thư mục lưu phiếu trắng")
    return Path(folder) if folder else None


def notice_path(parent: QWidget, suggested: str) -> Path | None:
    """Where to write a result notice; PDF or Excel by the chosen type (tests patch this)."""
    name, chosen = QFileDialog.getSaveFileName(
        parent,
        "Xuất thông báo kết quả thẩm định",
        suggested,
        "Văn bản PDF (*.pdf);;Sổ tính Excel (*.xlsx)",
    )
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in (".pdf", ".xlsx"):
        path = path.with_suffix(".xlsx" if "xlsx" in chosen else ".pdf")
    return path
