"""Giới thiệu KHIT Desktop: version, the program's licence, the licences of what it is built
on (the PDF font's full text), where the data is, and a support summary to copy.

The facts are gathered by plain functions (``database_facts``, ``components``,
``support_text``), tested without the dialog."""

from __future__ import annotations

import html
import importlib
import importlib.metadata
import platform
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .. import __version__, crash
from ..domain.numbers import format_points
from ..paths import data_dir, resources_dir
from ..store.database import SCHEMA_HEAD, Database, current_revision

PURPOSE = (
    "Thẩm định, xếp hạng mức độ ứng dụng công nghệ thông tin của các cơ quan, đơn vị, địa "
    "phương tỉnh Khánh Hòa (Quy định kèm Quyết định 1278/QĐ-CTUBND ngày 04/6/2020)."
)
# pyproject.toml: license = "LicenseRef-Proprietary"
PROGRAM_LICENCE = (
    "Bản quyền © các tác giả KHIT Desktop — phần mềm nội bộ, giấy phép riêng (không phải "
    "phần mềm nguồn mở); không phân phối lại khi chưa được phép."
)
FONT_LICENCE_FILE = "fonts/LICENSE-LiberationSerif.txt"
LGPL_NOTE = (
    "Qt và PySide6 được dùng theo GNU LGPL phiên bản 3: các thư viện Qt nằm thành tệp riêng "
    "trong thư mục cài đặt và có thể thay bằng bản tương thích khác; mã nguồn Qt tại "
    '<a href="https://code.qt.io">code.qt.io</a>, văn bản giấy phép tại '
    '<a href="https://www.gnu.org/licenses/lgpl-3.0.html">gnu.org/licenses/lgpl-3.0</a>.'
)


@dataclass(frozen=True)
class Component:
    """A library, tool or font the program ships with."""

    name: str
    licence: str
    use: str  # what it does here, in Vietnamese
    distribution: str = ""  # the package name for its version ("" = no package)
    module: str = ""  # the module whose __version__ tells it, when no package metadata

    def version(self) -> str:
        if self.name == "Python":
            return platform.python_version()
        if self.name == "Qt":
            from PySide6.QtCore import qVersion

            return qVersion()
        if self.name == "SQLite":
            import sqlite3

            return sqlite3.sqlite_version
        if self.distribution:
            try:
                return importlib.metadata.version(self.distribution)
            except importlib.metadata.PackageNotFoundError:
                pass  # a frozen build carries no package metadata: ask the module
        if self.module:
            try:
                return str(importlib.import_module(self.module).__version__)
            except (ImportError, AttributeError):
                return ""
        return ""


COMPONENTS = (
    Component("Python", "PSF License", "ngôn ngữ lập trình, thư viện chuẩn"),
    Component("Qt", "GNU LGPL v3", "giao diện, in ấn, xem trước PDF"),
    Component("PySide6", "GNU LGPL v3", "Qt cho Python", "PySide6-Essentials", "PySide6"),
    Component("SQLite", "phạm vi công cộng (public domain)", "tệp cơ sở dữ liệu"),
    Component("SQLAlchemy", "MIT", "truy cập cơ sở dữ liệu", "SQLAlchemy", "sqlalchemy"),
    Component("Alembic", "MIT", "nâng cấp lược đồ dữ liệu", "alembic", "alembic"),
    Component("openpyxl", "MIT", "đọc, ghi tệp Excel", "openpyxl", "openpyxl"),
    Component("ReportLab", "BSD", "tạo tệp PDF", "reportlab", "reportlab"),
    Component("platformdirs", "MIT", "thư mục dữ liệu người dùng", "platformdirs", "platformdirs"),
    Component("defusedxml", "PSF License", "đọc an toàn Excel nhận về", "defusedxml", "defusedxml"),
    Component("Liberation Serif", "SIL Open Font License 1.1", "phông chữ nhúng trong các tệp PDF"),
)


def components() -> list[tuple[Component, str]]:
    """Each component with its version ("" when unknown)."""
    return [(item, item.version()) for item in COMPONENTS]


@dataclass(frozen=True)
class DatabaseFacts:
    """Where the data is, for the About box and for support."""

    location: str  # the file, or the server's URL without its password
    size: str  # "1,25 MB"; "" for a server
    schema: str  # "0007 (bản mới nhất)"
    data_folder: Path
    log_file: Path
    demo: bool


def format_size(size: int) -> str:
    """Bytes as "850 KB" or "1,25 MB" (decimal comma)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)) if size else 0} KB"
    from decimal import Decimal

    megabytes = (Decimal(size) / Decimal(1024 * 1024)).quantize(Decimal("0.01"))
    return f"{format_points(megabytes)} MB"


def database_size(path: Path) -> int:
    """The file and its write-ahead log (not yet merged into it)."""
    total = 0
    for part in (path, Path(f"{path}-wal")):
        try:
            total += part.stat().st_size
        except OSError:
            pass
    return total


def database_facts(db: Database, demo: bool) -> DatabaseFacts:
    revision = current_revision(db.engine) or "chưa có"
    schema = f"{revision} (bản mới nhất)" if revision == SCHEMA_HEAD else revision
    return DatabaseFacts(
        location=db.display_name,
        size=format_size(database_size(db.path)) if db.path is not None else "",
        schema=schema,
        data_folder=data_dir(),
        log_file=crash.log_path() or crash.default_log_path(),
        demo=demo,
    )


def support_text(facts: DatabaseFacts) -> str:
    """Everything support asks first, as plain text for the clipboard."""
    lines = [
        f"KHIT Desktop {__version__}",
        crash.environment_line(),
        f"Cơ sở dữ liệu: {facts.location}" + (" (DỮ LIỆU MINH HỌA)" if facts.demo else ""),
    ]
    if facts.size:
        lines.append(f"Kích thước: {facts.size}")
    lines += [
        f"Lược đồ dữ liệu: {facts.schema}",
        f"Thư mục dữ liệu: {facts.data_folder}",
        f"Nhật ký lỗi: {facts.log_file}",
        "Thành phần: "
        + "; ".join(f"{c.name} {v}".strip() for c, v in components() if c.name != "Python"),
    ]
    return "\n".join(lines)


def licences_html() -> str:
    """The components' licences, then the PDF font's licence in full."""
    rows = "".join(
        f"<tr><td><b>{html.escape(c.name)}</b></td><td>{html.escape(v)}</td>"
        f"<td>{html.escape(c.licence)}</td><td>{html.escape(c.use)}</td></tr>"
        for c, v in components()
    )
    try:
        font_text = (resources_dir() / FONT_LICENCE_FILE).read_text(encoding="utf-8")
    except OSError:
        font_text = f"(Không đọc được {FONT_LICENCE_FILE}.)"
    return (
        '<table cellspacing="0" cellpadding="3" width="100%">'
        "<tr><th align=left>Thành phần</th><th align=left>Phiên bản</th>"
        "<th align=left>Giấy phép</th><th align=left>Dùng để</th></tr>"
        f"{rows}</table>"
        f"<p>{LGPL_NOTE}</p>"
        "<p><b>Phông Liberation Serif</b> (kèm theo chương trình, nhúng trong các tệp PDF) — "
        "toàn văn giấy phép SIL Open Font License 1.1:</p>"
        # pre-wrap: the licence's own line breaks, wrapped to the width (no sideways scrolling)
        f'<p style="white-space: pre-wrap; font-family: monospace;">{html.escape(font_text)}</p>'
    )


class AboutDialog(QDialog):
    """Trợ giúp → Giới thiệu KHIT Desktop."""

    def __init__(self, db: Database, demo: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.facts = database_facts(db, demo)
        self.setWindowTitle("Giới thiệu KHIT Desktop")
        self.setMinimumWidth(680)

        icon = QLabel(self)
        icon.setPixmap(QIcon(str(resources_dir() / "icons" / "khit-256.png")).pixmap(64, 64))
        title = QLabel(f"KHIT Desktop {__version__}", self)
        title.setObjectName("aboutTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        purpose = QLabel(PURPOSE, self)
        purpose.setWordWrap(True)
        licence = QLabel(PROGRAM_LICENCE, self)
        licence.setObjectName("aboutLicence")
        licence.setWordWrap(True)
        environment = crash.environment_line()
        versions = QLabel(environment[:1].upper() + environment[1:], self)
        versions.setWordWrap(True)
        versions.setStyleSheet("color: #555;")
        head_text = QVBoxLayout()
        for widget in (title, purpose, licence, versions):
            head_text.addWidget(widget)
        head = QHBoxLayout()
        head.addWidget(icon, 0)
        head.addSpacing(8)
        head.addLayout(head_text, 1)

        data = QGroupBox("Dữ liệu", self)
        form = QFormLayout(data)
        location = self.facts.location + (" — DỮ LIỆU MINH HỌA (tạm)" if demo else "")
        self.location_field = self._path_field(location, "aboutDatabase")
        form.addRow("Cơ sở dữ liệu:", self.location_field)
        details = f"Lược đồ dữ liệu {self.facts.schema}"
        if self.facts.size:
            details = f"{self.facts.size} · {details}"
        form.addRow("Kích thước:", QLabel(details, data))
        form.addRow("Thư mục dữ liệu:", self._path_field(str(self.facts.data_folder), ""))
        form.addRow("Nhật ký lỗi:", self._path_field(str(self.facts.log_file), ""))

        licences = QGroupBox("Giấy phép của các thành phần", self)
        self.licences = QTextBrowser(licences)
        self.licences.setObjectName("aboutLicences")
        self.licences.setOpenExternalLinks(True)
        self.licences.setHtml(licences_html())
        self.licences.setMinimumHeight(200)
        QVBoxLayout(licences).addWidget(self.licences)

        buttons = QDialogButtonBox(self)
        self.open_button = QPushButton("Mở thư mục dữ liệu", self)
        self.open_button.setObjectName("aboutOpenFolder")
        self.copy_button = QPushButton("Sao chép thông tin", self)
        self.copy_button.setObjectName("aboutCopy")
        self.copy_button.setToolTip("Chép phiên bản, hệ điều hành và vị trí dữ liệu để gửi hỗ trợ")
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(True)
        close.setFocus()  # not the first path field: nothing looks selected
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_folder)
        self.copy_button.clicked.connect(self.copy_info)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(data)
        layout.addWidget(licences, 1)
        layout.addWidget(buttons)
        self.resize(720, 620)

    def _path_field(self, text: str, name: str) -> QLineEdit:
        field = QLineEdit(text, self)
        field.setReadOnly(True)
        field.setToolTip(text)
        field.setCursorPosition(0)
        if name:
            field.setObjectName(name)
        return field

    @classmethod
    def show_for(cls, db: Database, demo: bool, parent: QWidget | None = None) -> None:
        cls(db, demo, parent).exec()

    def open_folder(self) -> None:
        from .data_folder import open_database_folder

        open_database_folder(self.db, self)

    def copy_info(self) -> None:
        QGuiApplication.clipboard().setText(support_text(self.facts))
        self.copy_button.setText("Đã sao chép")
