"""The window's start: lock, open, integrity check, login, backup on open, the main window;
and the integrity menu entries of the main window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from khit_desktop import app as app_module
from khit_desktop.services import accounts, backups, catalog
from khit_desktop.store import lock as lock_module
from khit_desktop.store.database import open_database
from khit_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def selftest(monkeypatch) -> None:
    monkeypatch.setenv("KHIT_SELFTEST", "1")  # the window quits as soon as it is shown


def test_demo_start_opens_checks_backs_up_and_releases(qapp, tmp_path, selftest, monkeypatch):
    checked: list[object] = []
    monkeypatch.setattr(
        "khit_desktop.ui.integrity.verify_on_open.check_on_open",
        lambda db, parent: checked.append(db),
    )
    target = tmp_path / "Dữ liệu của Nguyễn Văn A" / "khit minh họa.db"
    code, reopen = app_module.run_window(qapp, target, True)
    assert (code, reopen) == (0, None)
    assert checked  # the integrity check ran before login
    assert backups.list_backups(target)  # the backup on open
    assert not lock_module.is_locked(target)  # released when the window closed


def test_a_database_open_elsewhere_is_refused(qapp, tmp_path, monkeypatch):
    target = tmp_path / "Dữ liệu" / "khit.db"
    target.parent.mkdir()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    with lock_module.acquire(target):
        code, reopen = app_module.run_window(qapp, target, False)
    assert (code, reopen) == (4, None)
    assert shown and "đang" in shown[0].lower()


def test_cancelled_first_login_closes_without_a_window(qapp, tmp_path, monkeypatch):
    target = tmp_path / "Dữ liệu" / "khit.db"
    monkeypatch.setattr(
        "khit_desktop.ui.accounts.login_dialogs.FirstAdminDialog.ask",
        classmethod(lambda cls, db, parent=None: None),
    )
    code, reopen = app_module.run_window(qapp, target, False)
    assert (code, reopen) == (0, None)
    db = open_database(target)
    try:
        assert catalog.is_initialised(db) and not accounts.has_users(db)
    finally:
        db.dispose()


def test_integrity_menu_entries_call_their_actions(qtbot, workspace, settings, monkeypatch):
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    texts = {
        action.text()
        for menu in window.menuBar().actions()
        for action in menu.menu().actions()
        if action.text()
    }
    for expected in (
        "Sao lưu ngay…",
        "Phục hồi từ bản sao lưu…",
        "Đổi mật khẩu…",
        "Tài khoản người dùng…",
        "Chốt kỳ đánh giá…",
        "Mở lại kỳ đã chốt…",
        "Kiểm tra toàn vẹn dữ liệu…",
        "Lịch sử thay đổi của cơ quan…",
    ):
        assert expected in texts, expected
    seen: list[tuple[str, object]] = []
    monkeypatch.setattr(
        "khit_desktop.ui.integrity.history_dialog.show_history",
        lambda ws, parent, code, criterion_code=None: seen.append(("history", code)),
    )
    window.register.select_agency("STP")
    window.show_history()
    assert seen == [("history", "STP")]
    monkeypatch.setattr(
        "khit_desktop.ui.backups.restore_from_backup",
        lambda ws, parent, lock: Path("khit.db"),
    )
    window.restore_backup()
    assert window.reopen_requested
    assert f"({workspace.actor.role.label})" in window.status_label.text()
