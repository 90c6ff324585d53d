"""The window on a PostgreSQL server and on a read-only archive (issue 9): which database
the start picks, the password asked when the server wants one (never saved), no file lock
and no automatic backup on a server, no login and review mode on an archive, and the switch
from the menu (Tệp → Làm việc trên máy chủ cơ sở dữ liệu…)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from khit_desktop import app as app_module
from khit_desktop.services import archive, backups
from khit_desktop.services.audit import Actor
from khit_desktop.services.permissions import Permission, Role
from khit_desktop.store import lock as lock_module
from khit_desktop.store.database import open_database
from khit_desktop.store.errors import DatabaseError
from khit_desktop.store.target import ENV_DATABASE_URL
from khit_desktop.ui import server_dialog
from khit_desktop.ui.main_window import MainWindow
from khit_desktop.ui.review import edit_controls
from khit_desktop.ui.server_dialog import ServerDialog, server_url, wants_password
from khit_desktop.ui.settings import AppSettings
from khit_desktop.ui.welcome import StartChoice
from tests.postgres_server import scratch_database

pytestmark = pytest.mark.gui

URL = "postgresql+psycopg://can-bo@may-chu:5432/khit"


def _args(**given: object) -> argparse.Namespace:
    return argparse.Namespace(**{"demo": False, "db": None, **given})


@pytest.fixture
def app_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppSettings:
    """AppSettings() as the start reads it: in a data folder of its own."""
    monkeypatch.setenv("KHIT_DATA_DIR", str(tmp_path / "Nguyễn Văn A" / "KHIT Desktop"))
    monkeypatch.delenv(ENV_DATABASE_URL, raising=False)
    return AppSettings()


def test_the_start_picks_db_then_environment_then_the_saved_server(
    app_settings: AppSettings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    demo = tmp_path / "demo.db"
    assert app_module.choose_start(_args(db=URL), demo) == StartChoice(URL, False)
    assert app_module.choose_start(_args(db="khit.db"), demo) == StartChoice(Path("khit.db"), False)
    app_settings.database_url = "postgresql://luu@may-luu/khit"
    app_settings.sync()
    assert app_module.choose_start(_args(), demo) == StartChoice(
        "postgresql://luu@may-luu/khit", False
    )
    monkeypatch.setenv(ENV_DATABASE_URL, URL)
    assert app_module.choose_start(_args(), demo) == StartChoice(URL, False)


def test_the_setting_never_keeps_a_password(settings: AppSettings) -> None:
    settings.database_url = "postgresql://can-bo:bi-mat@may-chu:5432/khit"
    assert settings.database_url is not None
    assert "bi-mat" not in settings.database_url
    assert settings.database_url.startswith("postgresql://can-bo@may-chu:5432/khit")
    settings.database_url = None
    assert settings.database_url is None


def test_the_password_is_asked_when_the_server_wants_one(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[str] = []

    class Opened:
        def dispose(self) -> None:
            pass

    def fake_open(url: str) -> Opened:
        tried.append(url)
        if ":bi-mat@" not in url:
            detail = 'password authentication failed for user "can-bo"'
            raise DatabaseError(f"Không kết nối được máy chủ: {detail}. Hãy kiểm tra…", detail)
        return Opened()

    monkeypatch.setattr("khit_desktop.store.database.open_database", fake_open)
    asked: list[str] = []

    def answer(url: str, parent: object = None) -> str:
        asked.append(url)
        return "bi-mat"

    monkeypatch.setattr(server_dialog, "ask_password", answer)
    assert isinstance(app_module.open_server(URL), Opened)
    assert asked == [URL] and tried[-1].startswith("postgresql+psycopg://can-bo:bi-mat@may-chu")
    # another refusal is told as it is; giving up at the prompt ends the attempt
    monkeypatch.setattr(server_dialog, "ask_password", lambda url, parent=None: None)
    with pytest.raises(DatabaseError):
        app_module.open_server(URL)
    assert wants_password("fe_sendauth: no password supplied")
    assert not wants_password('database "khit" does not exist')
    assert not wants_password("")


def test_the_server_dialog_builds_the_url_and_tests_the_connection(qtbot) -> None:
    dialog = ServerDialog(None)
    qtbot.addWidget(dialog)
    assert not dialog.connect_button.isEnabled()
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(1)  # nothing listens there
    dialog.database.setText("khit")
    dialog.user.setText("can-bo")
    assert dialog.connect_button.isEnabled() and not dialog.file_button.isVisibleTo(dialog)
    assert dialog.url() == server_url("127.0.0.1", 1, "khit", "can-bo")
    assert not dialog.test_connection()
    assert dialog.result_label.text().startswith("Không kết nối được máy chủ 127.0.0.1:1")
    assert "127.0.0.1" in dialog.result_label.toolTip()  # the driver's detail
    again = ServerDialog(URL)
    qtbot.addWidget(again)
    assert (again.host.text(), again.port.value(), again.user.text()) == (
        "may-chu",
        5432,
        "can-bo",
    )
    assert again.file_button.isVisibleTo(again)


def test_switching_to_a_server_saves_it_and_reopens(
    qtbot, workspace, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    monkeypatch.setattr(
        ServerDialog, "ask", classmethod(lambda cls, current, parent=None: (URL + "x",))
    )
    window.choose_server()
    assert window.switch_to == URL + "x" and settings.database_url == URL + "x"
    # back to the file: the setting goes, the default file is opened next
    window.switch_to = None
    monkeypatch.setattr(ServerDialog, "ask", classmethod(lambda cls, current, parent=None: (None,)))
    window.choose_server()
    assert settings.database_url is None and isinstance(window.switch_to, Path)


@pytest.fixture
def selftest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHIT_SELFTEST", "1")  # the window quits as soon as it is shown


def test_a_read_only_archive_opens_for_reading_without_login(
    qapp, demo_db, tmp_path: Path, selftest, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "Lưu trữ" / "khit-2020.db"
    out.parent.mkdir()
    archive.export_round(demo_db, 2020, out, actor=Actor(role=Role.CLERK))
    monkeypatch.setattr(
        "khit_desktop.ui.accounts.login_dialogs.login_for_window",
        lambda db, demo: pytest.fail("an archive asks no login"),
    )
    windows: list[MainWindow] = []
    original = MainWindow.__init__

    def keep(self: MainWindow, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        windows.append(self)

    monkeypatch.setattr(MainWindow, "__init__", keep)
    code, reopen = app_module.run_window(qapp, out, False)
    assert (code, reopen) == (0, None)
    (window,) = windows
    assert window.ws.read_only and window.ws.actor.role is Role.READER
    assert window.ws.reviewing and not window.ws.can(Permission.BACKUP)
    assert not window.action_backup.isEnabled() and not window.action_restore.isEnabled()
    assert not backups.list_backups(out)  # an archive is not backed up
    shown = [c for c in edit_controls(window) if getattr(c, "isVisible", lambda: True)()]
    assert not [c for c in shown if c.property("khitEdit")], shown


def test_a_server_opens_without_a_file_lock_or_backups(
    qapp, selftest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from khit_desktop.services.demo import build_demo

    with scratch_database() as target:
        db = open_database(target)
        try:
            build_demo(db)
        finally:
            db.dispose()
        monkeypatch.setattr(
            lock_module, "acquire", lambda path: pytest.fail("a server takes no file lock")
        )
        monkeypatch.setattr(
            backups, "backup_on_open", lambda db, **kw: pytest.fail("pg_dump backs a server up")
        )
        code, reopen = app_module.run_window(qapp, target, False)
        assert (code, reopen) == (0, None)


def test_an_unreachable_server_is_told_in_vietnamese_with_the_detail_behind(
    qapp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((box.text(), box.detailedText()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(
        server_dialog, "ask_password", lambda *a, **k: pytest.fail("the server asked none")
    )
    target = server_url("127.0.0.1", 1, "khit", "can-bo")  # nothing listens on port 1
    assert app_module.run_window(qapp, target, False) == (4, None)
    ((text, detail),) = shown  # one box, no password asked: the server did not ask for one
    assert text.startswith("Không kết nối được máy chủ cơ sở dữ liệu")
    assert "Làm việc trên máy chủ" in text and "connection" not in text
    assert "127.0.0.1" in detail  # the driver's own words, behind "Chi tiết"
