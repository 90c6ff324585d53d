"""Tài khoản (administrators): the accounts, adding one, resetting a password, changing a role,
disabling and enabling. Every change goes through ``services.accounts`` and is audited."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.dates import format_date
from ...services import accounts
from ...services.accounts import UserSummary
from ...services.errors import ServiceError
from ...services.permissions import ACCOUNT_ROLES, Role
from ..messages import show_refusal
from ..workspace import Workspace
from .login_dialogs import ERROR_STYLE, _password_field

COLUMNS = ("Tên đăng nhập", "Họ và tên", "Vai trò", "Tình trạng", "Đổi mật khẩu lần cuối")


def _state(user: UserSummary) -> str:
    if not user.active:
        return "Ngừng hoạt động"
    if user.locked_until is not None and user.failed_attempts >= accounts.LOCK_AFTER:
        return f"Tạm khóa ({user.failed_attempts} lần sai)"
    return "Đang hoạt động"


class NewUserDialog(QDialog):
    """Thêm tài khoản: name, full name, role, first password."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Thêm tài khoản")
        self.setMinimumWidth(460)
        self.username = QLineEdit(self)
        self.username.setObjectName("newUser")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("newName")
        self.role = QComboBox(self)
        self.role.setObjectName("newRole")
        for role in ACCOUNT_ROLES:
            self.role.addItem(role.label, role)
        self.role.setCurrentIndex(ACCOUNT_ROLES.index(Role.CLERK))
        self.password = _password_field(self, "newPassword")
        self.error = QLabel(self)
        self.error.setObjectName("newUserError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Tên đăng nhập", self.username)
        form.addRow("&Họ và tên", self.display_name)
        form.addRow("&Vai trò", self.role)
        form.addRow("&Mật khẩu ban đầu", self.password)
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton("Thêm", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("newUserOk")
        buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for field in (self.username, self.display_name, self.password):
            field.textChanged.connect(self.refresh)
        self.refresh()

    def problem(self) -> str | None:
        name = self.username.text()
        return (
            accounts.username_problem(name)
            or (None if self.display_name.text().strip() else "Cần nhập họ và tên.")
            or accounts.password_problem(name, self.password.text())
        )

    def refresh(self) -> None:
        problem = self.problem()
        self.error.setText(problem if problem and self.username.text() else "")
        self.ok.setEnabled(problem is None)

    def chosen_role(self) -> Role:
        role = self.role.currentData()
        assert isinstance(role, Role)
        return role


class UsersDialog(QDialog):
    """The accounts of this database (administrators only; the services refuse others)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle("Tài khoản người dùng")
        self.resize(820, 420)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton("Thêm tài khoản…", self)
        self.reset_button = QPushButton("Đặt lại mật khẩu…", self)
        self.role_button = QPushButton("Đổi vai trò…", self)
        self.active_button = QPushButton("Ngừng / cho hoạt động lại", self)
        for name, button in (
            ("usersAdd", self.add_button),
            ("usersReset", self.reset_button),
            ("usersRole", self.role_button),
            ("usersActive", self.active_button),
        ):
            button.setObjectName(name)
        row = QHBoxLayout()
        for button in (self.add_button, self.reset_button, self.role_button, self.active_button):
            row.addWidget(button)
        row.addStretch(1)
        close = QDialogButtonBox(self)
        close.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(close)
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.role_button.clicked.connect(self.change_role)
        self.active_button.clicked.connect(self.toggle_active)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.reload()

    @classmethod
    def show_for(cls, ws: Workspace, parent: QWidget | None = None) -> None:
        cls(ws, parent).exec()

    def reload(self) -> None:
        self.users = accounts.list_users(self.ws.db)
        self.table.setRowCount(len(self.users))
        for r, user in enumerate(self.users):
            values = (
                user.username,
                user.display_name,
                user.role_label,
                _state(user),
                format_date(user.password_changed_at.date()),
            )
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if not user.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self._selection_changed()

    def current(self) -> UserSummary | None:
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def select(self, username: str) -> None:
        for r, user in enumerate(self.users):
            if user.username == username:
                self.table.selectRow(r)

    def _selection_changed(self) -> None:
        chosen = self.current() is not None
        for button in (self.reset_button, self.role_button, self.active_button):
            button.setEnabled(chosen)

    def _run(self, job: Callable[[], object]) -> bool:
        try:
            job()
        except ServiceError as exc:
            show_refusal(self, str(exc))
            return False
        return True

    def add_user(self) -> None:
        dialog = NewUserDialog(self)
        if not self.ask_new_user(dialog):
            return
        ok = self._run(
            lambda: accounts.create_user(
                self.ws.db,
                dialog.username.text(),
                dialog.display_name.text(),
                dialog.chosen_role(),
                dialog.password.text(),
                actor=self.ws.actor,
            )
        )
        if ok:
            self.reload()
            self.select(accounts.normalise_username(dialog.username.text()))

    @staticmethod
    def ask_new_user(dialog: NewUserDialog) -> bool:
        """Run the dialog (tests patch this)."""
        return bool(dialog.exec())

    @staticmethod
    def ask_text(parent: QWidget, title: str, label: str, password: bool) -> str | None:
        """A one-line question (tests patch this)."""
        mode = QLineEdit.EchoMode.Password if password else QLineEdit.EchoMode.Normal
        text, ok = QInputDialog.getText(parent, title, label, mode)
        return text if ok else None

    @staticmethod
    def ask_role(parent: QWidget, current: Role) -> Role | None:
        """Choose a role (tests patch this)."""
        labels = [r.label for r in ACCOUNT_ROLES]
        start = ACCOUNT_ROLES.index(current) if current in ACCOUNT_ROLES else 0
        text, ok = QInputDialog.getItem(parent, "Đổi vai trò", "Vai trò mới:", labels, start, False)
        return ACCOUNT_ROLES[labels.index(text)] if ok else None

    def reset_password(self) -> None:
        user = self.current()
        if user is None:
            return
        new = self.ask_text(
            self, "Đặt lại mật khẩu", f"Mật khẩu mới cho {user.username}:", password=True
        )
        if new is None:
            return
        if self._run(
            lambda: accounts.reset_password(self.ws.db, user.username, new, actor=self.ws.actor)
        ):
            self.reload()

    def change_role(self) -> None:
        user = self.current()
        if user is None:
            return
        role = self.ask_role(self, user.role)
        if role is None or role is user.role:
            return
        if self._run(
            lambda: accounts.set_role(self.ws.db, user.username, role, actor=self.ws.actor)
        ):
            self.reload()

    def toggle_active(self) -> None:
        user = self.current()
        if user is None:
            return
        if self._run(
            lambda: accounts.set_active(
                self.ws.db, user.username, not user.active, actor=self.ws.actor
            )
        ):
            self.reload()
