"""Logging in to the window: the first run's administrator, the login dialog, and changing
one's own password. The services check everything; the dialogs show the same checks while
the user types and the services' refusals in place."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...services import accounts
from ...services.accounts import AccountLocked
from ...services.audit import Actor
from ...services.errors import ServiceError
from ...store.database import Database

ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #555;"


def _password_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _error_label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    return label


class LoginDialog(QDialog):
    """Tên đăng nhập, mật khẩu; a locked account counts down before the next try."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle("Đăng nhập — KHIT Desktop")
        self.setMinimumWidth(420)
        self.username = QLineEdit(self)
        self.username.setObjectName("loginUser")
        self.password = _password_field(self, "loginPassword")
        self.error = _error_label(self, "loginError")
        intro = QLabel(f"Cơ sở dữ liệu: {db.display_name}", self)
        intro.setWordWrap(True)
        intro.setStyleSheet(NOTE_STYLE)
        form = QFormLayout()
        form.addRow("&Tên đăng nhập", self.username)
        form.addRow("&Mật khẩu", self.password)
        buttons = QDialogButtonBox(self)
        self.login_button = buttons.addButton("Đăng nhập", QDialogButtonBox.ButtonRole.AcceptRole)
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._seconds_left = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self.username.setFocus()

    @classmethod
    def ask(cls, db: Database, parent: QWidget | None = None) -> Actor | None:
        dialog = cls(db, parent)
        return dialog.actor if dialog.exec() else None

    def submit(self) -> None:
        if self._seconds_left > 0:
            return
        try:
            self.actor = accounts.authenticate(self.db, self.username.text(), self.password.text())
        except AccountLocked as exc:
            self.password.clear()
            self._lock(str(exc), exc.seconds_left)
            return
        except ServiceError as exc:
            self.password.clear()
            self.password.setFocus()
            self.error.setText(str(exc))
            return
        self.accept()

    def _lock(self, message: str, seconds: int) -> None:
        # the service's sentence names the wait at that moment; the countdown replaces it
        self._message = message.split(";")[0].rstrip(".") + "."
        self._seconds_left = seconds
        self.login_button.setEnabled(False)
        self._countdown.start()
        self._show_lock()

    def _show_lock(self) -> None:
        self.error.setText(f"{self._message}\nThử lại sau {self._seconds_left} giây.")

    def _tick(self) -> None:
        self._seconds_left -= 1
        if self._seconds_left <= 0:
            self._countdown.stop()
            self.login_button.setEnabled(True)
            self.error.setText("Có thể thử đăng nhập lại.")
            self.password.setFocus()
            return
        self._show_lock()


class FirstAdminDialog(QDialog):
    """The first run on a new database: create the administrator account."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setWindowTitle("Tạo tài khoản quản trị — KHIT Desktop")
        self.setMinimumWidth(520)
        intro = QLabel(
            "Cơ sở dữ liệu chưa có tài khoản nào. Tạo tài khoản <b>Quản trị</b> đầu tiên: người "
            "quản trị tạo tài khoản cho cán bộ Tổ giúp việc và thành viên Hội đồng, sửa quy tắc "
            "của kỳ đánh giá và mở lại kỳ đã chốt khi cần.",
            self,
        )
        intro.setWordWrap(True)
        self.username = QLineEdit(self)
        self.username.setObjectName("adminUser")
        self.username.setPlaceholderText("ví dụ: quantri hoặc nguyen.van.a")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("adminName")
        self.password = _password_field(self, "adminPassword")
        self.confirm = _password_field(self, "adminConfirm")
        note = QLabel(
            f"Mật khẩu ít nhất {accounts.MIN_PASSWORD} ký tự, có thể là một câu tiếng Việt.",
            self,
        )
        note.setStyleSheet(NOTE_STYLE)
        self.error = _error_label(self, "adminError")
        form = QFormLayout()
        form.addRow("&Tên đăng nhập", self.username)
        form.addRow("&Họ và tên", self.display_name)
        form.addRow("&Mật khẩu", self.password)
        form.addRow("&Nhập lại mật khẩu", self.confirm)
        buttons = QDialogButtonBox(self)
        self.create_button = buttons.addButton(
            "Tạo tài khoản", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setObjectName("adminCreate")
        self.create_button.setDefault(True)
        buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        self.create_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for field in (self.username, self.display_name, self.password, self.confirm):
            field.textChanged.connect(self.refresh)
        self.refresh()
        self.username.setFocus()

    @classmethod
    def ask(cls, db: Database, parent: QWidget | None = None) -> Actor | None:
        dialog = cls(db, parent)
        return dialog.actor if dialog.exec() else None

    def problem(self) -> str | None:
        name = self.username.text()
        return (
            accounts.username_problem(name)
            or (None if self.display_name.text().strip() else "Cần nhập họ và tên.")
            or accounts.password_problem(name, self.password.text())
            or (
                None
                if self.password.text() == self.confirm.text()
                else "Hai lần nhập mật khẩu không giống nhau."
            )
        )

    def refresh(self) -> None:
        problem = self.problem()
        typed = any(f.text() for f in (self.username, self.password, self.confirm))
        self.error.setText(problem if problem and typed else "")
        self.create_button.setEnabled(problem is None)

    def submit(self) -> None:
        if self.problem():
            return
        try:
            self.actor = accounts.create_first_admin(
                self.db, self.username.text(), self.display_name.text(), self.password.text()
            )
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class ChangePasswordDialog(QDialog):
    """The logged-in user changes their own password (the current one is checked)."""

    def __init__(self, db: Database, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.user = db, username
        self.changed = False
        self.setWindowTitle("Đổi mật khẩu")
        self.setMinimumWidth(440)
        self.old = _password_field(self, "oldPassword")
        self.new = _password_field(self, "newPassword")
        self.confirm = _password_field(self, "confirmPassword")
        self.error = _error_label(self, "passwordError")
        form = QFormLayout()
        form.addRow("Mật khẩu &hiện tại", self.old)
        form.addRow("Mật khẩu &mới", self.new)
        form.addRow("&Nhập lại mật khẩu mới", self.confirm)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Đổi mật khẩu", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("passwordSave")
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Tài khoản: {username}", self))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for field in (self.new, self.confirm):
            field.textChanged.connect(self.refresh)
        self.refresh()

    def problem(self) -> str | None:
        return accounts.password_problem(self.user, self.new.text()) or (
            None
            if self.new.text() == self.confirm.text()
            else "Hai lần nhập mật khẩu mới không giống nhau."
        )

    def refresh(self) -> None:
        problem = self.problem()
        self.error.setText(problem if problem and self.new.text() else "")
        self.save_button.setEnabled(problem is None)

    def submit(self) -> None:
        try:
            accounts.change_password(self.db, self.user, self.old.text(), self.new.text())
        except ServiceError as exc:
            self.error.setText(str(exc))
            self.old.clear()
            return
        self.changed = True
        self.accept()


def login_for_window(db: Database, demo: bool, parent: QWidget | None = None) -> Actor | None:
    """Who works in the window: the demo user on the demo database (no dialog), the new
    administrator on a database without accounts, else whoever logs in; None if cancelled."""
    if demo:
        return accounts.demo_actor()
    if not accounts.has_users(db):
        return FirstAdminDialog.ask(db, parent)
    return LoginDialog.ask(db, parent)
