"""Working on a PostgreSQL server (issue 9: several clerks at once): where the server is, and
its password when the server asks for one.

The window opens a server when ``--db postgresql://…``, ``KHIT_DATABASE_URL`` or the setting
written here says so (``app.choose_start``). The setting never holds the password: it is
asked when the server wants one (``ask_password``) and kept in memory for the session, or
read by the driver from libpq's password file (``%APPDATA%\\postgresql\\pgpass.conf``).
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL, make_url

from ..domain.collation import nfc
from ..store.target import POSTGRES_DRIVER, hide_password

log = logging.getLogger(__name__)

DEFAULT_PORT = 5432
PASSWORD_WORDS = ("no password supplied", "password authentication failed")  # libpq


def server_url(host: str, port: int, database: str, user: str, password: str = "") -> str:
    """A PostgreSQL URL from the dialog's fields (the password only in memory)."""
    url = URL.create(
        POSTGRES_DRIVER,
        username=nfc(user).strip() or None,
        password=password or None,
        host=nfc(host).strip() or None,
        port=port,
        database=nfc(database).strip() or None,
    )
    return url.render_as_string(hide_password=False)


def wants_password(message: str) -> bool:
    """Whether a refused connection asked for a password (libpq: "no password supplied",
    "password authentication failed")."""
    lowered = message.lower()
    return any(word in lowered for word in PASSWORD_WORDS)


def with_password(url: str, password: str) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def ask_password(url: str, parent: QWidget | None = None) -> str | None:
    """The server's password for ``url`` (None: the user gave up). Tests patch this."""
    text, ok = QInputDialog.getText(
        parent,
        "Mật khẩu máy chủ cơ sở dữ liệu",
        f"Máy chủ {hide_password(url)} yêu cầu mật khẩu.\nMật khẩu (không được lưu lại):",
        QLineEdit.EchoMode.Password,
    )
    return text if ok and text else None


class ServerDialog(QDialog):
    """Tệp → Làm việc trên máy chủ cơ sở dữ liệu…: the server's address, user and password;
    or back to the file on this computer."""

    def __init__(self, current: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Làm việc trên máy chủ cơ sở dữ liệu")
        self.setMinimumWidth(500)
        self.use_file = False  # "Dùng tệp trên máy này" was chosen
        intro = QLabel(
            "Khi nhiều cán bộ cùng nhập phiếu, chấm điểm trên nhiều máy, dữ liệu đặt trên một "
            "máy chủ PostgreSQL trong cơ quan (không dùng chung tệp qua mạng). Nhập địa chỉ "
            "máy chủ do quản trị cung cấp. Mật khẩu không được lưu lại.",
            self,
        )
        intro.setWordWrap(True)
        parsed = make_url(current) if current else None
        self.host = QLineEdit(parsed.host or "" if parsed else "", self)
        self.host.setObjectName("host")
        self.host.setPlaceholderText("ví dụ: may-chu-khit hoặc 192.168.1.10")
        self.port = QSpinBox(self)
        self.port.setObjectName("port")
        self.port.setRange(1, 65535)
        self.port.setValue(parsed.port or DEFAULT_PORT if parsed else DEFAULT_PORT)
        self.database = QLineEdit(parsed.database or "khit" if parsed else "khit", self)
        self.database.setObjectName("database")
        self.user = QLineEdit(parsed.username or "" if parsed else "", self)
        self.user.setObjectName("user")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("để trống nếu máy đã có tệp mật khẩu (pgpass)")
        form = QFormLayout()
        form.addRow("&Máy chủ:", self.host)
        form.addRow("&Cổng:", self.port)
        form.addRow("Tên &cơ sở dữ liệu:", self.database)
        form.addRow("&Người dùng:", self.user)
        form.addRow("Mật &khẩu:", self.password)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("testResult")
        self.result_label.setWordWrap(True)
        self.test_button = QPushButton("&Thử kết nối", self)
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        buttons = QDialogButtonBox(self)
        self.connect_button = buttons.addButton(
            "Kết nối và mở", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.connect_button.setObjectName("connect")
        self.file_button = buttons.addButton(
            "Dùng tệp trên máy này", QDialogButtonBox.ButtonRole.ResetRole
        )
        self.file_button.setObjectName("useFile")
        self.file_button.setVisible(current is not None)
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.file_button.clicked.connect(self._use_file)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.test_button)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)
        for field in (self.host, self.database, self.user):
            field.textChanged.connect(self._update)
        self._update()
        self.host.setFocus()

    def url(self) -> str:
        return server_url(
            self.host.text(),
            self.port.value(),
            self.database.text(),
            self.user.text(),
            self.password.text(),
        )

    def _complete(self) -> bool:
        return all(f.text().strip() for f in (self.host, self.database, self.user))

    def _update(self) -> None:
        complete = self._complete()
        self.connect_button.setEnabled(complete)
        self.test_button.setEnabled(complete)

    def test_connection(self) -> bool:
        """Open the server (creating the schema on an empty database, as the window would)."""
        from ..store.database import open_database
        from ..store.errors import DatabaseError

        try:
            open_database(self.url()).dispose()
        except DatabaseError as exc:
            log.info("Thử kết nối máy chủ không được: %s", exc)
            where = f"{self.host.text().strip()}:{self.port.value()}"
            self.result_label.setText(
                f"Không kết nối được máy chủ {where} (cơ sở dữ liệu "
                f"{self.database.text().strip()}). Hãy kiểm tra địa chỉ, cổng, tên cơ sở dữ "
                "liệu, người dùng, mật khẩu và máy chủ đã bật chưa. Di chuột vào đây để xem "
                "chi tiết."
            )
            self.result_label.setToolTip(exc.detail or str(exc))  # the driver's words
            self.result_label.setStyleSheet("color:#b02a37;")
            return False
        self.result_label.setToolTip("")
        self.result_label.setText("Kết nối được. Bấm «Kết nối và mở» để làm việc trên máy chủ.")
        self.result_label.setStyleSheet("color:#146c43;")
        return True

    def _accept(self) -> None:
        if self._complete():
            self.accept()

    def _use_file(self) -> None:
        self.use_file = True
        self.accept()

    @classmethod
    def ask(cls, current: str | None, parent: QWidget | None = None) -> tuple[str | None] | None:
        """(url,) to work on that server, (None,) to go back to the file, None: cancelled."""
        dialog = cls(current, parent)
        if not dialog.exec():
            return None
        return (None,) if dialog.use_file else (dialog.url(),)
