"""``khit-desktop``: the window. ``--demo`` opens a throw-away demo database."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import crash

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from .services.audit import Actor
    from .store.database import Database
    from .ui.welcome import StartChoice

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from .cli_parser import Parser

    parser = Parser(prog="khit-desktop", description="KHIT Desktop — cửa sổ chương trình.")
    parser.add_argument("--db", metavar="TỆP", help="mở tệp cơ sở dữ liệu này")
    parser.add_argument(
        "--demo", action="store_true", help="mở một cơ sở dữ liệu minh họa tạm thời (năm 2020)"
    )
    return parser.parse_args(argv)


def open_for_window(target: Path | str, demo: bool) -> Database:
    """Open (creating, upgrading, or filling the demo) the database the window shows."""
    from .services import catalog
    from .services import demo as demo_service
    from .store.database import open_database

    if demo and not Path(target).exists():
        return demo_service.demo_database(Path(target))
    db = open_database(target)
    try:
        if not catalog.is_initialised(db):
            if demo:
                demo_service.build_demo(db)
            else:
                catalog.initialise(db)
    except BaseException:
        db.dispose()
        raise
    return db


def configure_qt() -> None:
    """Before the QApplication exists: high-DPI friendly, no rounding of scale factors."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    crash.install()  # from here on no error goes unreported (stderr until the window's box)
    try:
        app = _application()
        crash.start_logging("KHIT Desktop")
        code = _start(app, args)
    except Exception:  # reported (logged, a message box): the program ends, never silently
        crash.report_current()
        code = 1
    finally:
        crash.uninstall()
    log.info("KHIT Desktop kết thúc, mã thoát %d", code)
    crash.stop_logging()
    return code


def _application() -> QApplication:
    """The QApplication, dressed: name, font, icon, Qt's words in Vietnamese, the message
    box for unexpected errors."""
    configure_qt()
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from .paths import resources_dir
    from .ui.crash_dialog import install_for_window
    from .ui.fonts import application_font
    from .ui.translation import install_vietnamese

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("KHIT Desktop")
    app.setFont(application_font())
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "khit-256.png")))
    install_vietnamese(app)
    install_for_window(app)
    return app


def _start(app: QApplication, args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="khit-demo-") as scratch:
        choice = choose_start(args, Path(scratch) / "khit-minh-hoa.db")
        if choice is None:
            return 0
        actor = choice.actor  # the administrator made at the first run: no login right after
        target, demo = choice.target, choice.demo
        while True:  # again after a restore (the same file) or a switch to or from a server
            code, reopen = run_window(app, target, demo, actor=actor)
            if reopen is None:
                return code
            if reopen != target:
                demo = False
            target, actor = reopen, None


def choose_start(args: argparse.Namespace, demo_target: Path) -> StartChoice | None:
    """What the window opens: --demo, --db (a file or a postgresql:// URL), the environment's
    KHIT_DATABASE_URL, the server or the file of an earlier start, or — at the first run,
    when there is none yet — what the welcome says (None: the user quit)."""
    from .store.target import ENV_DATABASE_URL, is_url
    from .ui.welcome import StartChoice, database_to_open, first_run

    if args.demo:
        return StartChoice(demo_target, True)
    if args.db:
        return StartChoice(args.db if is_url(args.db) else Path(args.db), False)
    from_environment = os.environ.get(ENV_DATABASE_URL, "").strip()
    if from_environment:
        return StartChoice(from_environment, False)
    from .ui.settings import AppSettings

    settings = AppSettings()
    if settings.database_url is not None:
        return StartChoice(settings.database_url, False)
    target, missing = database_to_open(settings)
    if missing is None and target.exists():
        return StartChoice(target, False)
    log.info("Lần chạy đầu (chưa có cơ sở dữ liệu %s): màn hình chào mừng", missing or target)
    return first_run(settings, target, demo_target, missing=missing)


def open_server(target: str) -> Database:
    """A PostgreSQL server: asks for the password when the server wants one and the URL has
    none (kept in memory only), up to three times."""
    from .store.database import open_database
    from .store.errors import DatabaseError
    from .ui.server_dialog import ask_password, wants_password, with_password

    url = target
    for _attempt in range(3):
        try:
            return open_database(url)
        except DatabaseError as exc:
            if not wants_password(exc.detail):  # the driver's words, not our advice
                raise
            password = ask_password(target)
            if password is None:
                raise
            url = with_password(target, password)
    return open_database(url)


def run_window(
    app: QApplication, target: Path | str, demo: bool, *, actor: Actor | None = None
) -> tuple[int, Path | str | None]:
    """Lock, open, check, log in, back up, show the window until it closes. Returns the exit
    code and what to open next: None to end; the same database after a restore; a server or
    a file when the user switched (Tệp → Làm việc trên máy chủ…). ``actor``: already logged
    in (the administrator the first run has just made).

    A PostgreSQL server (issue 9) takes no file lock (the server keeps the data safe for
    several users) and no automatic backup (``pg_dump`` on the server; docs/postgresql.md).
    A read-only archive (``khit export-round``) opens without login, for reading: its
    accounts belong to the server it came from, and nothing may be written to it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from .services import catalog
    from .services.audit import Actor
    from .services.errors import ServiceError
    from .services.permissions import Role
    from .store.errors import DatabaseError
    from .store.lock import DatabaseLock
    from .store.target import hide_password, is_url
    from .ui.accounts.login_dialogs import login_for_window
    from .ui.backups import BackupTimer, acquire_window_lock, backup_on_open
    from .ui.integrity.verify_on_open import check_on_open
    from .ui.main_window import MainWindow
    from .ui.settings import AppSettings
    from .ui.workspace import Workspace

    server = is_url(target)
    shown_name = hide_password(str(target)) if server else str(target)
    lock: DatabaseLock | None = None
    if not server:
        try:
            lock = acquire_window_lock(Path(target))
        except DatabaseError as exc:
            log.info("Từ chối mở %s: %s", target, exc)
            QMessageBox.critical(None, "KHIT Desktop", str(exc))
            return 4, None
    try:
        try:
            db = open_server(str(target)) if server else open_for_window(Path(target), demo)
        except (DatabaseError, ServiceError) as exc:
            log.info("Không mở được %s: %s", shown_name, exc)
            detail = getattr(exc, "detail", "")
            if server and detail:  # the driver's English behind "Chi tiết", not in the text
                box = QMessageBox(QMessageBox.Icon.Critical, "KHIT Desktop", "")
                box.setText(
                    f"Không kết nối được máy chủ cơ sở dữ liệu {shown_name}.\nHãy kiểm tra "
                    "địa chỉ, cổng, tên cơ sở dữ liệu, người dùng, mật khẩu và máy chủ đã bật "
                    "chưa (Tệp → Làm việc trên máy chủ cơ sở dữ liệu…), rồi mở lại chương trình."
                )
                box.setDetailedText(detail)
                box.exec()
            else:
                QMessageBox.critical(
                    None, "KHIT Desktop", f"Không mở được cơ sở dữ liệu {shown_name}.\n{exc}"
                )
            return 4, None
        try:
            is_demo = catalog.is_demo(db)
            check_on_open(db, None)  # a loud warning when the data was changed outside
            log.info("Đã mở cơ sở dữ liệu %s%s", db.display_name, " (minh họa)" if is_demo else "")
            if db.read_only:
                actor = Actor(role=Role.READER)  # Actor() names this computer's user
                log.info("Tệp lưu trữ chỉ đọc: không đăng nhập, chỉ xem")
            actor = actor or login_for_window(db, is_demo)
            if actor is None:
                log.info("Không đăng nhập; đóng chương trình")
                return 0, None
            log.info("Người dùng %s (%s) đăng nhập", actor.user, actor.role.label)
            settings = AppSettings()
            workspace = Workspace(
                db, settings.last_year(db.display_name), is_demo, actor, read_only=db.read_only
            )
            automatic_backups = not server and not db.read_only
            if automatic_backups:
                backup_on_open(workspace, None)
            window = MainWindow(workspace, settings, lock=lock)
            if automatic_backups:
                timer = BackupTimer(workspace, window)
                timer.backed_up.connect(
                    lambda path: window.statusBar().showMessage(
                        f"Đã tự động sao lưu: {path}", 10000
                    )
                )
                timer.failed.connect(lambda text: window.statusBar().showMessage(text, 30000))
                timer.start()
            if window.restored_geometry:
                window.show()
            else:
                window.showMaximized()  # first start: the whole screen (a 1366×768 laptop)
            if os.environ.get("KHIT_SELFTEST") == "1":
                QTimer.singleShot(0, lambda: _self_test(app, window))
            code = app.exec()
            if window.switch_to is not None:
                return code, window.switch_to
            return code, target if window.reopen_requested else None
        finally:
            db.dispose()
    finally:
        if lock is not None:
            lock.release()


def _self_test(app: QApplication, window: QWidget) -> None:
    """KHIT_SELFTEST=1: the window opened; say so and quit (the bundle and installer checks)."""
    shown = window.isVisible()
    if sys.stdout is not None:  # a windowed program on Windows has no stdout: the code tells
        print(f"KHIT_SELFTEST {'ok' if shown else 'failed'}: {window.windowTitle()}", flush=True)
    app.exit(0 if shown else 5)


if __name__ == "__main__":
    sys.exit(main())
