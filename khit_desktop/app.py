"""``khit-desktop``: the window. ``--demo`` opens a throw-away demo database."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .paths import default_database_path

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from .store.database import Database


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
    configure_qt()
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from .paths import resources_dir
    from .ui.fonts import application_font
    from .ui.translation import install_vietnamese

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("KHIT Desktop")
    app.setFont(application_font())
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "khit-256.png")))
    install_vietnamese(app)
    with tempfile.TemporaryDirectory(prefix="khit-demo-") as scratch:
        target = (
            Path(scratch) / "khit-minh-hoa.db"
            if args.demo
            else Path(args.db)
            if args.db
            else default_database_path()
        )
        code = 0
        while True:  # once more after a restore from a backup: the same file, reopened
            code, reopen = run_window(app, target, args.demo)
            if not reopen:
                return code


def run_window(app: QApplication, target: Path, demo: bool) -> tuple[int, bool]:
    """Lock, open, check, log in, back up, show the window until it closes. Returns the exit
    code and whether the window asked to reopen the database (after a restore)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    from .services import catalog
    from .services.errors import ServiceError
    from .store.errors import DatabaseError
    from .ui.accounts.login_dialogs import login_for_window
    from .ui.backups import BackupTimer, acquire_window_lock, backup_on_open
    from .ui.integrity.verify_on_open import check_on_open
    from .ui.main_window import MainWindow
    from .ui.settings import AppSettings
    from .ui.workspace import Workspace

    try:
        lock = acquire_window_lock(target)
    except DatabaseError as exc:
        QMessageBox.critical(None, "KHIT Desktop", str(exc))
        return 4, False
    try:
        try:
            db = open_for_window(target, demo)
        except (DatabaseError, ServiceError) as exc:
            QMessageBox.critical(
                None, "KHIT Desktop", f"Không mở được cơ sở dữ liệu {target}.\n{exc}"
            )
            return 4, False
        try:
            is_demo = catalog.is_demo(db)
            check_on_open(db, None)  # a loud warning when the data was changed outside
            actor = login_for_window(db, is_demo)
            if actor is None:
                return 0, False
            settings = AppSettings()
            workspace = Workspace(db, settings.last_year(db.display_name), is_demo, actor)
            backup_on_open(workspace, None)
            window = MainWindow(workspace, settings, lock=lock)
            timer = BackupTimer(workspace, window)
            timer.backed_up.connect(
                lambda path: window.statusBar().showMessage(f"Đã tự động sao lưu: {path}", 10000)
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
            return code, window.reopen_requested
        finally:
            db.dispose()
    finally:
        lock.release()


def _self_test(app: QApplication, window: QWidget) -> None:
    """KHIT_SELFTEST=1: the window opened; say so and quit (the bundle and installer checks)."""
    shown = window.isVisible()
    if sys.stdout is not None:  # a windowed program on Windows has no stdout: the code tells
        print(f"KHIT_SELFTEST {'ok' if shown else 'failed'}: {window.windowTitle()}", flush=True)
    app.exit(0 if shown else 5)


if __name__ == "__main__":
    sys.exit(main())
