"""The first run: the welcome (demo, a new database here or elsewhere, an existing one), the
administrator, the first round; what cancelling at each step leaves; ``khit-desktop`` with
no arguments on a machine without a database."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from khit_desktop import app as app_module
from khit_desktop.paths import default_database_path
from khit_desktop.services import accounts, catalog, rounds
from khit_desktop.services.audit import Actor
from khit_desktop.store.database import open_database
from khit_desktop.store.lock import lock_path
from khit_desktop.ui.accounts.login_dialogs import FirstAdminDialog, LoginDialog
from khit_desktop.ui.main_window import MainWindow
from khit_desktop.ui.settings import AppSettings
from khit_desktop.ui.welcome import StartChoice, database_to_open, first_run
from khit_desktop.ui.welcome.first_round_dialog import FirstRoundDialog
from khit_desktop.ui.welcome.locations import (
    existing_location_problem,
    new_location_problem,
    with_db_suffix,
)
from khit_desktop.ui.welcome.welcome_dialog import StartKind, WelcomeChoice, WelcomeDialog
from tests.qt_typing import type_text

pytestmark = pytest.mark.gui

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PASSWORD = "Mật khẩu thật dài"
SCREEN = (1366, 768)


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch) -> Path:
    """A data folder of its own, with Vietnamese letters and spaces, as on a clerk's PC."""
    folder = tmp_path / "Nguyễn Văn A" / "AppData" / "KHIT Desktop"
    monkeypatch.setenv("KHIT_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def settings(data_folder: Path) -> AppSettings:
    return AppSettings()


def fits_the_laptop(dialog: QDialog) -> None:
    dialog.show()
    QApplication.processEvents()
    hint = dialog.sizeHint()
    assert hint.width() <= SCREEN[0] - 40 and hint.height() <= SCREEN[1] - 60, hint
    assert dialog.height() <= SCREEN[1] - 60


def fill_first_admin(monkeypatch, *, cancel: bool = False) -> list[FirstAdminDialog]:
    """FirstAdminDialog.exec types like a clerk (an input method) and creates the account."""
    seen: list[FirstAdminDialog] = []

    def fake_exec(dialog: FirstAdminDialog) -> int:
        seen.append(dialog)
        if cancel:
            dialog.reject()
            return int(dialog.result())
        type_text(dialog.username, "quantri")
        type_text(dialog.display_name, "Nguyễn Văn Quản")
        type_text(dialog.password, PASSWORD)
        type_text(dialog.confirm, PASSWORD)
        dialog.create_button.click()
        return int(dialog.result())

    monkeypatch.setattr(FirstAdminDialog, "exec", fake_exec)
    return seen


# -- plain checks of a location ------------------------------------------------------------
def test_location_checks(tmp_path: Path) -> None:
    folder = tmp_path / "Tài liệu của Nguyễn Văn A"
    assert with_db_suffix(folder / "khit") == folder / "khit.db"
    assert with_db_suffix(folder / "Dữ liệu.DB") == folder / "Dữ liệu.DB"
    assert new_location_problem(folder / "khit.db") is None  # folders are made when needed
    unc = new_location_problem(Path("//may-chu/chia se/khit.db"))
    assert unc is not None and "mạng" in unc
    folder.mkdir()
    (folder / "khit.db").write_bytes(b"")
    taken = new_location_problem(folder / "khit.db")
    assert taken is not None and "Mở cơ sở dữ liệu đã có" in taken
    not_ours = folder / "ghi chú.db"
    not_ours.write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    refused = existing_location_problem(not_ours)
    assert refused is not None and "không phải cơ sở dữ liệu" in refused
    assert "Không tìm thấy" in (existing_location_problem(folder / "không có.db") or "")


def test_the_install_folder_is_refused_in_a_frozen_build(tmp_path: Path, monkeypatch) -> None:
    install = tmp_path / "Programs" / "KHIT Desktop"
    install.mkdir(parents=True)
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys.executable", str(install / "KHIT Desktop.exe"))
    problem = new_location_problem(install / "khit.db")
    assert problem is not None and "thư mục cài đặt" in problem
    assert new_location_problem(tmp_path / "Dữ liệu" / "khit.db") is None


# -- the welcome dialog -----------------------------------------------------------------
def test_welcome_offers_the_demo_a_new_database_and_an_existing_one(qtbot, data_folder) -> None:
    location = default_database_path()
    dialog = WelcomeDialog(location)
    qtbot.addWidget(dialog)
    fits_the_laptop(dialog)
    assert dialog.findChild(QDialog) is None
    texts = [
        dialog.demo_button.text(),
        dialog.new_button.text(),
        dialog.open_button.text(),
        dialog.server_button.text(),
    ]
    assert texts == [
        "Dùng thử với dữ liệu minh họa",
        "Tạo cơ sở dữ liệu mới",
        "Mở cơ sở dữ liệu đã có…",
        "Làm việc trên máy chủ cơ sở dữ liệu…",
    ]
    assert dialog.location_field.text() == str(location)
    assert dialog.new_button.isDefault()
    province = dialog.findChild(type(dialog.error), "provinceNote")
    assert province is not None and "tỉnh Khánh Hòa" in province.text()
    dialog.grab().save(str(SCREENSHOTS / "welcome-dialog.png"))
    dialog.demo_button.click()
    assert dialog.choice == WelcomeChoice(StartKind.DEMO)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_choosing_another_place_refuses_a_network_share(qtbot, tmp_path, monkeypatch) -> None:
    location = tmp_path / "mặc định" / "khit.db"
    dialog = WelcomeDialog(location)
    qtbot.addWidget(dialog)
    answers = [Path("//may-chu/Tài liệu chung/khit"), tmp_path / "Nguyễn Văn A" / "Dữ liệu KHIT"]
    monkeypatch.setattr(
        WelcomeDialog, "ask_new_location", staticmethod(lambda parent, current: answers.pop(0))
    )
    dialog.change_button.click()
    assert dialog.error.isVisibleTo(dialog) and "mạng" in dialog.error.text()
    assert dialog.location == location  # unchanged
    dialog.show()
    dialog.grab().save(str(SCREENSHOTS / "welcome-network-refused.png"))
    dialog.change_button.click()
    chosen = tmp_path / "Nguyễn Văn A" / "Dữ liệu KHIT.db"
    assert not dialog.error.isVisibleTo(dialog)
    assert dialog.location_field.text() == str(chosen)
    dialog.new_button.click()
    assert dialog.choice == WelcomeChoice(StartKind.NEW, chosen)
    assert not chosen.exists()  # the dialog only chooses; nothing is written yet


def test_a_new_database_is_not_made_over_an_existing_file(qtbot, tmp_path) -> None:
    location = tmp_path / "khit.db"
    location.write_bytes(b"")
    dialog = WelcomeDialog(location)
    qtbot.addWidget(dialog)
    dialog.new_button.click()
    assert dialog.choice is None and "Đã có tệp" in dialog.error.text()


def test_opening_an_existing_database(qtbot, demo_template, tmp_path, monkeypatch) -> None:
    import shutil

    dialog = WelcomeDialog(tmp_path / "khit.db")
    qtbot.addWidget(dialog)
    bad = tmp_path / "bảng tính.db"
    bad.write_text("không phải", encoding="utf-8")
    good = tmp_path / "Chép từ máy chị Lan" / "khit.db"
    good.parent.mkdir()
    shutil.copy(demo_template, good)
    answers = [None, bad, good]
    monkeypatch.setattr(
        WelcomeDialog, "ask_existing_file", staticmethod(lambda parent, start: answers.pop(0))
    )
    dialog.open_button.click()  # the file dialog cancelled
    assert dialog.choice is None and not dialog.error.isVisibleTo(dialog)
    dialog.open_button.click()
    assert dialog.choice is None and "không phải cơ sở dữ liệu" in dialog.error.text()
    assert bad.read_text(encoding="utf-8") == "không phải"
    dialog.open_button.click()
    assert dialog.choice == WelcomeChoice(StartKind.OPEN, good)


def test_a_missing_database_of_an_earlier_start_is_told(qtbot, settings, tmp_path) -> None:
    usb = tmp_path / "USB" / "khit.db"
    settings.database_path = usb
    target, missing = database_to_open(settings)
    assert (target, missing) == (default_database_path(), usb)
    dialog = WelcomeDialog(target, missing)
    qtbot.addWidget(dialog)
    note = dialog.findChild(type(dialog.error), "missingNote")
    assert note is not None and str(usb) in note.text() and "cắm lại" in note.text()


# -- the first round ----------------------------------------------------------------------
def test_first_round_dialog_defaults_to_this_year_in_khanh_hoa(qtbot, tmp_path, monkeypatch):
    db = open_database(tmp_path / "Tài liệu" / "khit.db")
    try:
        catalog.initialise(db)
        admin = accounts.create_first_admin(db, "quantri", "Nguyễn Văn Quản", PASSWORD)
        dialog = FirstRoundDialog(db, admin, today=date(2021, 10, 1))
        qtbot.addWidget(dialog)
        fits_the_laptop(dialog)
        assert dialog.year_spin.value() == 2021
        province = dialog.findChild(type(dialog.refusal), "provinceNote")
        assert province is not None and "Khánh Hòa" in province.text()
        assert "1278/QĐ-CTUBND" in province.text()
        assert "15/11/2021" in dialog.explanation.text()  # the regulation's deadline
        dialog.grab().save(str(SCREENSHOTS / "welcome-first-round.png"))
        dialog.year_spin.setValue(2021)
        dialog.open_rules.setChecked(True)
        opened: list[int] = []
        monkeypatch.setattr(
            "khit_desktop.ui.rounds.rules_dialog.RulesDialog.edit",
            classmethod(lambda cls, db, year, parent=None, actor=None: opened.append(year)),
        )

        def fake_exec(d: FirstRoundDialog) -> int:
            d.year_spin.setValue(2021)
            d.open_rules.setChecked(True)
            d.create_button.click()
            return int(d.result())

        monkeypatch.setattr(FirstRoundDialog, "exec", fake_exec)
        assert FirstRoundDialog.ask(db, admin) == 2021
        assert opened == [2021]
        assert [r.year for r in rounds.list_rounds(db)] == [2021]
    finally:
        db.dispose()


# -- the whole first run ------------------------------------------------------------------
def welcome_answers(monkeypatch, *answers: WelcomeChoice | None) -> list[Path]:
    queue = list(answers)
    shown: list[Path] = []

    def fake_ask(
        cls: type, location: Path, missing: Path | None = None, parent: object = None
    ) -> WelcomeChoice | None:
        shown.append(location)
        return queue.pop(0)

    monkeypatch.setattr(WelcomeDialog, "ask", classmethod(fake_ask))
    return shown


def round_answer(monkeypatch, year: int | None) -> None:
    def fake_exec(dialog: FirstRoundDialog) -> int:
        assert dialog.year_spin.value() == date.today().year
        if year is None:
            dialog.reject()
        else:
            dialog.year_spin.setValue(year)
            dialog.create_button.click()
        return int(dialog.result())

    monkeypatch.setattr(FirstRoundDialog, "exec", fake_exec)


def test_first_run_the_demo(settings, tmp_path, monkeypatch) -> None:
    welcome_answers(monkeypatch, WelcomeChoice(StartKind.DEMO))
    demo_target = tmp_path / "tạm" / "khit-minh-hoa.db"
    choice = first_run(settings, default_database_path(), demo_target)
    assert choice == StartChoice(demo_target, True)
    assert not default_database_path().exists()  # the next start welcomes again


def test_the_welcome_connects_to_a_server(qtbot, settings, tmp_path, monkeypatch) -> None:
    from khit_desktop.ui.server_dialog import ServerDialog

    url = "postgresql+psycopg://can-bo:bi-mat@may-chu:5432/khit"
    monkeypatch.setattr(ServerDialog, "ask", classmethod(lambda cls, current, parent=None: (url,)))
    dialog = WelcomeDialog(default_database_path())
    qtbot.addWidget(dialog)
    dialog.server_button.click()
    assert dialog.choice == WelcomeChoice(StartKind.SERVER, url=url)
    welcome_answers(monkeypatch, dialog.choice)
    choice = first_run(settings, default_database_path(), tmp_path / "demo.db")
    assert choice == StartChoice(url, False)  # this start: with the password typed
    assert settings.database_url == "postgresql+psycopg://can-bo@may-chu:5432/khit"
    assert not default_database_path().exists()


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_first_run_a_new_database_elsewhere(settings, tmp_path, monkeypatch, form) -> None:
    place = tmp_path / unicodedata.normalize(form, "Tài liệu của Nguyễn Văn A") / "khit.db"
    welcome_answers(monkeypatch, WelcomeChoice(StartKind.NEW, place))
    admins = fill_first_admin(monkeypatch)
    round_answer(monkeypatch, 2021)
    choice = first_run(settings, default_database_path(), tmp_path / "demo.db")
    assert choice is not None and choice.target == place and not choice.demo
    assert choice.actor is not None and choice.actor.user == "quantri"
    assert len(admins) == 1
    assert settings.database_path == place  # the next start opens it
    assert database_to_open(AppSettings()) == (place, None)
    db = open_database(place)
    try:
        assert catalog.is_initialised(db) and accounts.has_users(db)
        assert [r.year for r in rounds.list_rounds(db)] == [2021]
    finally:
        db.dispose()


def test_cancel_at_the_administrator_leaves_nothing(settings, tmp_path, monkeypatch) -> None:
    place = tmp_path / "Mới tạo" / "Thư mục con" / "khit.db"
    welcome_answers(monkeypatch, WelcomeChoice(StartKind.NEW, place))
    fill_first_admin(monkeypatch, cancel=True)
    monkeypatch.setattr(FirstRoundDialog, "exec", lambda self: pytest.fail("no round step"))
    assert first_run(settings, default_database_path(), tmp_path / "demo.db") is None
    assert not place.exists() and not lock_path(place).exists()
    assert not (tmp_path / "Mới tạo").exists()  # the folders made for it are gone too
    assert settings.database_path is None
    assert database_to_open(settings) == (default_database_path(), None)


def test_later_at_the_first_round_keeps_the_database(settings, tmp_path, monkeypatch) -> None:
    place = default_database_path()
    welcome_answers(monkeypatch, WelcomeChoice(StartKind.NEW, place))
    fill_first_admin(monkeypatch)
    round_answer(monkeypatch, None)
    choice = first_run(settings, place, tmp_path / "demo.db")
    assert choice is not None and choice.actor is not None and choice.target == place
    assert settings.database_path is None  # the default place: nothing to remember
    db = open_database(place)
    try:
        assert accounts.has_users(db) and rounds.list_rounds(db) == []
    finally:
        db.dispose()


def test_a_place_that_cannot_be_made_is_told_and_asked_again(settings, tmp_path, monkeypatch):
    blocker = tmp_path / "tệp thường"
    blocker.write_text("giữ nguyên", encoding="utf-8")
    place = blocker / "con" / "khit.db"
    shown = welcome_answers(monkeypatch, WelcomeChoice(StartKind.NEW, place), None)
    told: list[str] = []
    monkeypatch.setattr(
        "khit_desktop.ui.messages.QMessageBox.warning",
        lambda parent, title, text: told.append(text),
    )
    assert first_run(settings, default_database_path(), tmp_path / "demo.db") is None
    assert told and "Không tạo được" in told[0]
    assert shown == [default_database_path(), place]  # the welcome came back
    assert blocker.read_text(encoding="utf-8") == "giữ nguyên"


# -- khit-desktop without arguments -----------------------------------------------------
@pytest.fixture(autouse=True)
def session_font(qapp: QApplication) -> Iterator[None]:
    """main() sets the application font; later tests measure text with the session's."""
    font = QApplication.font()
    yield
    QApplication.setFont(font)


@pytest.fixture
def no_event_loop(monkeypatch) -> list[MainWindow]:
    """main() without its event loop: the windows it would show."""
    shown: list[MainWindow] = []
    monkeypatch.setattr(QApplication, "exec", lambda self=None: 0)
    monkeypatch.setattr(MainWindow, "show", lambda self: shown.append(self))
    monkeypatch.setattr(MainWindow, "showMaximized", lambda self: shown.append(self))
    return shown


def test_main_first_run_then_the_next_start_logs_in(data_folder, no_event_loop, monkeypatch):
    welcome_answers(monkeypatch, WelcomeChoice(StartKind.NEW, default_database_path()))
    fill_first_admin(monkeypatch)
    round_answer(monkeypatch, date.today().year)
    monkeypatch.setattr(
        LoginDialog, "ask", classmethod(lambda cls, db, parent=None: pytest.fail("no login"))
    )
    assert app_module.main([]) == 0
    window = no_event_loop[0]
    assert f"Năm {date.today().year}" in window.windowTitle()
    assert window.ws.actor.user == "quantri"
    assert "DỮ LIỆU MINH HỌA" not in window.windowTitle()

    welcome_answers(monkeypatch)  # the second start: no welcome (the queue is empty)
    asked: list[object] = []
    monkeypatch.setattr(
        LoginDialog, "ask", classmethod(lambda cls, db, parent=None: asked.append(db))
    )
    assert app_module.main([]) == 0
    assert len(asked) == 1 and len(no_event_loop) == 1  # logged in (cancelled): no window


def test_main_first_run_demo_is_marked(data_folder, no_event_loop, monkeypatch) -> None:
    welcome_answers(monkeypatch, WelcomeChoice(StartKind.DEMO))
    assert app_module.main([]) == 0
    window = no_event_loop[0]
    assert window.demo_banner.isVisibleTo(window)
    assert "DỮ LIỆU MINH HỌA" in window.windowTitle()
    assert not default_database_path().exists()


def test_main_quit_at_the_welcome(data_folder, no_event_loop, monkeypatch) -> None:
    welcome_answers(monkeypatch, None)
    assert app_module.main([]) == 0
    assert not no_event_loop and not default_database_path().exists()


def test_after_a_restore_the_first_run_administrator_logs_in(data_folder, monkeypatch) -> None:
    """The login skipped once after the first run is not skipped on the reopen."""
    admin = Actor(user="quantri")
    calls: list[Actor | None] = []

    def fake_run_window(
        app: object, target: Path, demo: bool, *, actor: Actor | None = None
    ) -> tuple[int, Path | None]:
        calls.append(actor)
        return 0, target if len(calls) == 1 else None  # the first window reopens (a restore)

    monkeypatch.setattr(app_module, "run_window", fake_run_window)
    monkeypatch.setattr(
        app_module, "choose_start", lambda args, demo: StartChoice(Path("x.db"), False, admin)
    )
    assert app_module.main([]) == 0
    assert calls == [admin, None]
