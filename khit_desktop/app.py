"""``khit-desktop``: the window. ``--demo`` opens a throw-away demo database."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .paths import default_database_path

if TYPE_CHECKING:
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
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .services import catalog
    from .services.errors import ServiceError
    from .store.errors import DatabaseError
    from .ui.fonts import application_font
    from .ui.main_window import MainWindow
    from .ui.settings import AppSettings
    from .ui.translation import install_vietnamese
    from .ui.workspace import Workspace

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("KHIT Desktop")
    app.setFont(application_font())
    install_vietnamese(app)
    with tempfile.TemporaryDirectory(prefix="khit-demo-") as scratch:
        target = (
            Path(scratch) / "khit-minh-hoa.db"
            if args.demo
            else Path(args.db)
            if args.db
            else default_database_path()
        )
        try:
            db = open_for_window(target, args.demo)
        except (DatabaseError, ServiceError) as exc:
            QMessageBox.critical(
                None, "KHIT Desktop", f"Không mở được cơ sở dữ liệu {target}.\n{exc}"
            )
            return 4
        settings = AppSettings()
        workspace = Workspace(db, settings.last_year(db.display_name), catalog.is_demo(db))
        window = MainWindow(workspace, settings)
        if window.restored_geometry:
            window.show()
        else:
            window.showMaximized()  # first start: the whole screen (a 1366×768 laptop is tight)
        code = app.exec()
        db.dispose()
        return code


if __name__ == "__main__":
    sys.exit(main())
