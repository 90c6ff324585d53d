"""Logging in to the window: the first administrator, the login dialog (wrong password,
lockout countdown), changing one's password, and the administrators' accounts dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from khit_desktop.services import accounts, catalog
from khit_desktop.services.permissions import Role
from khit_desktop.store.database import Database, open_database
from khit_desktop.ui.accounts.login_dialogs import (
    ChangePasswordDialog,
    FirstAdminDialog,
    LoginDialog,
    login_for_window,
)
from khit_desktop.ui.accounts.users_dialog import NewUserDialog, UsersDialog
from khit_desktop.ui.workspace import Workspace
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "Mật khẩu thật dài"


@pytest.fixture
def blank_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "Dữ liệu của Nguyễn Văn A" / "khit.db")
    catalog.initialise(db)
    yield db
    db.dispose()


@pytest.fixture
def admin_db(blank_db: Database) -> Database:
    accounts.create_first_admin(blank_db, "quantri", "Nguyễn Văn Quản", PASSWORD)
    return blank_db


def test_the_demo_logs_in_by_itself(blank_db) -> None:
    actor = login_for_window(blank_db, demo=True)
    assert actor is not None and actor.role is Role.DEMO


def test_first_run_creates_the_administrator(qtbot, blank_db) -> None:
    dialog = FirstAdminDialog(blank_db)
    qtbot.addWidget(dialog)
    assert not dialog.create_button.isEnabled()
    type_text(dialog.username, "quantri")
    type_text(dialog.display_name, "Nguyễn Văn Quản")
    type_text(dialog.password, "ngắn")
    assert "ít nhất" in dialog.error.text()
    dialog.password.clear()
    type_text(dialog.password, PASSWORD)
    type_text(dialog.confirm, PASSWORD + "x")
    assert "không giống" in dialog.error.text()
    dialog.confirm.clear()
    type_text(dialog.confirm, PASSWORD)
    assert dialog.create_button.isEnabled() and not dialog.error.text()
    dialog.grab().save(str(SCREENSHOTS / "first-admin-dialog.png"))
    dialog.create_button.click()
    assert dialog.actor is not None and dialog.actor.role is Role.ADMIN
    assert accounts.has_users(blank_db)
    assert accounts.authenticate(blank_db, "QuanTri", PASSWORD).user == "quantri"


def test_login_wrong_then_right(qtbot, admin_db) -> None:
    dialog = LoginDialog(admin_db)
    qtbot.addWidget(dialog)
    type_text(dialog.username, "quantri")
    type_text(dialog.password, "sai mật khẩu rồi")
    dialog.login_button.click()
    assert dialog.error.text() == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert dialog.password.text() == "" and dialog.actor is None
    type_text(dialog.password, PASSWORD)
    dialog.login_button.click()
    assert dialog.actor is not None and dialog.actor.user == "quantri"
    assert dialog.result() == LoginDialog.DialogCode.Accepted


def test_lockout_counts_down_and_blocks_the_button(qtbot, admin_db) -> None:
    dialog = LoginDialog(admin_db)
    qtbot.addWidget(dialog)
    type_text(dialog.username, "quantri")
    for _ in range(accounts.LOCK_AFTER + 1):  # the 5th locks; the 6th meets the lock
        type_text(dialog.password, "sai mật khẩu rồi")
        dialog.login_button.click()
    assert not dialog.login_button.isEnabled()
    assert "giây" in dialog.error.text()
    dialog.grab().save(str(SCREENSHOTS / "login-locked.png"))
    left = dialog._seconds_left
    dialog._tick()
    assert dialog._seconds_left == left - 1 and f"sau {left - 1} giây" in dialog.error.text()
    dialog._seconds_left = 1
    dialog._tick()
    assert dialog.login_button.isEnabled()


def test_change_own_password(qtbot, admin_db) -> None:
    dialog = ChangePasswordDialog(admin_db, "quantri")
    qtbot.addWidget(dialog)
    type_text(dialog.old, "không đúng đâu")
    type_text(dialog.new, "Mật khẩu mới cũng dài")
    type_text(dialog.confirm, "Mật khẩu mới cũng dài")
    dialog.save_button.click()
    assert not dialog.changed and "không đúng" in dialog.error.text()
    type_text(dialog.old, PASSWORD)
    dialog.save_button.click()
    assert dialog.changed
    assert accounts.authenticate(admin_db, "quantri", "Mật khẩu mới cũng dài").role is Role.ADMIN


def _users_dialog(qtbot, db: Database, role_user: str, password: str) -> UsersDialog:
    actor = accounts.authenticate(db, role_user, password)
    ws = Workspace(db, None, False, actor)
    dialog = UsersDialog(ws)
    qtbot.addWidget(dialog)
    return dialog


def test_admin_adds_resets_changes_role_and_disables(qtbot, admin_db, monkeypatch) -> None:
    dialog = _users_dialog(qtbot, admin_db, "quantri", PASSWORD)

    def fill(new: NewUserDialog) -> bool:
        type_text(new.username, "can.bo.b")
        type_text(new.display_name, "Trần Thị Bé")
        type_text(new.password, "Mật khẩu cán bộ B")
        assert new.ok.isEnabled()
        return True

    monkeypatch.setattr(UsersDialog, "ask_new_user", staticmethod(fill))
    dialog.add_button.click()
    assert [u.username for u in dialog.users] == ["can.bo.b", "quantri"] or {
        u.username for u in dialog.users
    } == {"can.bo.b", "quantri"}
    assert dialog.current() is not None and dialog.current().username == "can.bo.b"
    assert dialog.current().role is Role.CLERK
    monkeypatch.setattr(UsersDialog, "ask_text", staticmethod(lambda *a, **k: "Mật khẩu đặt lại"))
    dialog.reset_button.click()
    assert accounts.authenticate(admin_db, "can.bo.b", "Mật khẩu đặt lại").role is Role.CLERK
    monkeypatch.setattr(UsersDialog, "ask_role", staticmethod(lambda parent, current: Role.CHAIR))
    dialog.select("can.bo.b")
    dialog.role_button.click()
    assert accounts.authenticate(admin_db, "can.bo.b", "Mật khẩu đặt lại").role is Role.CHAIR
    dialog.select("can.bo.b")
    dialog.active_button.click()
    with pytest.raises(accounts.AuthFailed, match="ngừng hoạt động"):
        accounts.authenticate(admin_db, "can.bo.b", "Mật khẩu đặt lại")
    dialog.grab().save(str(SCREENSHOTS / "users-dialog.png"))


def test_the_last_administrator_cannot_be_disabled(qtbot, admin_db, monkeypatch) -> None:
    refused: list[str] = []
    monkeypatch.setattr(
        "khit_desktop.ui.accounts.users_dialog.show_refusal", lambda p, text: refused.append(text)
    )
    dialog = _users_dialog(qtbot, admin_db, "quantri", PASSWORD)
    dialog.select("quantri")
    dialog.active_button.click()
    assert refused and "quản trị" in refused[0].lower()
    assert accounts.authenticate(admin_db, "quantri", PASSWORD).role is Role.ADMIN


def test_a_clerk_is_refused_naming_the_role(qtbot, admin_db, monkeypatch) -> None:
    admin = accounts.authenticate(admin_db, "quantri", PASSWORD)
    accounts.create_user(admin_db, "canbo", "Cán bộ", Role.CLERK, "Mật khẩu cán bộ", actor=admin)
    refused: list[str] = []
    monkeypatch.setattr(
        "khit_desktop.ui.accounts.users_dialog.show_refusal", lambda p, text: refused.append(text)
    )
    dialog = _users_dialog(qtbot, admin_db, "canbo", "Mật khẩu cán bộ")
    monkeypatch.setattr(UsersDialog, "ask_text", staticmethod(lambda *a, **k: "Mật khẩu mới lạ"))
    dialog.select("quantri")
    dialog.reset_button.click()
    assert refused and "Quản trị" in refused[0]
    assert accounts.authenticate(admin_db, "quantri", PASSWORD).user == "quantri"
