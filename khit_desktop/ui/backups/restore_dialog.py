"""Phục hồi từ bản sao lưu: the automatic backups of the open database (time, reason, size),
or another file chosen from disk; the dialog only chooses, ``actions`` restores."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...services.backups import BackupFile, list_backups

Index = QModelIndex | QPersistentModelIndex

COL_TIME, COL_REASON, COL_SIZE, COL_FILE = range(4)
HEADERS = ("Thời điểm sao lưu", "Lý do", "Dung lượng", "Tệp")
WARNING = (
    "Phục hồi sẽ thay toàn bộ dữ liệu đang dùng bằng bản sao lưu được chọn. Dữ liệu hiện tại "
    "không mất: chương trình giữ lại một bản sao lưu “Trước khi phục hồi” để có thể quay lại."
)


def size_text(size: int) -> str:
    """Bytes as a Vietnamese reader expects: "1,5 MB", "320 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} KB"


class BackupListModel(QAbstractTableModel):
    """The backups, newest first (as ``list_backups`` gives them)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[BackupFile, int]] = []

    def set_backups(self, backups: list[BackupFile]) -> None:
        self.beginResetModel()
        self._rows = [(b, b.path.stat().st_size if b.path.exists() else 0) for b in backups]
        self.endResetModel()

    def backup(self, row: int) -> BackupFile:
        return self._rows[row][0]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        backup, size = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_TIME:
                return backup.taken_at.strftime("%H:%M:%S ngày %d/%m/%Y")
            if column == COL_REASON:
                return backup.label
            if column == COL_SIZE:
                return size_text(size)
            return backup.path.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(backup.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None


def choose_backup_file(parent: QWidget | None) -> Path | None:
    """A backup file elsewhere on disk (tests patch this)."""
    name, _ = QFileDialog.getOpenFileName(
        parent,
        "Chọn tệp sao lưu",
        "",
        "Cơ sở dữ liệu KHIT (*.db *.sqlite);;Mọi tệp (*)",
    )
    return Path(name) if name else None


class RestoreDialog(QDialog):
    """Choose the backup to restore; ``chosen`` is the file once accepted."""

    def __init__(self, database: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.chosen: Path | None = None
        self.setWindowTitle("Phục hồi từ bản sao lưu")
        self.setMinimumSize(820, 460)

        intro = QLabel(f"Cơ sở dữ liệu: <b>{html.escape(str(database))}</b>", self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.model = BackupListModel(self)
        self.model.set_backups(list_backups(database))
        self.table = QTableView(self)
        self.table.setObjectName("backupTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_REASON, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SIZE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_FILE, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel("Chưa có bản sao lưu tự động nào của cơ sở dữ liệu này.", self)
        self.empty.setVisible(self.model.rowCount() == 0)
        warning = QLabel(WARNING, self)
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #7a4b00; background: #fff4d6; padding: 6px;")

        self.buttons = QDialogButtonBox(self)
        self.restore_button = self.buttons.addButton(
            "&Phục hồi bản đã chọn", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setObjectName("restoreSelected")
        self.other_button = QPushButton("Chọn &tệp khác…", self)
        self.other_button.setObjectName("restoreOtherFile")
        self.buttons.addButton(self.other_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self._take_selected)
        self.buttons.rejected.connect(self.reject)
        self.other_button.clicked.connect(self._take_other)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self._take_selected())

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Các bản sao lưu tự động (mới nhất trước):", self))
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addWidget(warning)
        layout.addWidget(self.buttons)
        if self.model.rowCount():
            self.table.selectRow(0)

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def select(self, row: int) -> None:
        self.table.selectRow(row)

    def _take_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        self.chosen = self.model.backup(rows[0].row()).path
        self.accept()

    def _take_other(self) -> None:
        path = choose_backup_file(self)
        if path is not None:
            self.chosen = path
            self.accept()

    @classmethod
    def choose(cls, database: Path, parent: QWidget | None = None) -> Path | None:
        """Run the dialog; the file chosen, or None (tests patch this)."""
        dialog = cls(database, parent)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None
