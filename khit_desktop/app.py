"""``khit-desktop``: the window. ``--demo`` opens a throw-away demo database."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .paths import default_database_path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from .cli_parser import Parser

    parser = Parser(prog="khit-desktop", description="KHIT Desktop — cửa sổ chương trình.")
    parser.add_argument("--db", metavar="TỆP", help="mở tệp cơ sở dữ liệu này")
    parser.add_argument(
        "--demo", action="store_true", help="mở một cơ sở dữ liệu minh họa tạm thời (năm 2020)"
    )
    return parser.parse_args(argv)


def load_state(db_target: Path | str, demo: bool) -> object:
    """Open (creating or upgrading) the database and read what the window shows."""
    from .services import catalog, rounds
    from .services import demo as demo_service
    from .store.database import open_database
    from .ui.main_window import WindowState

    db = open_database(db_target)
    try:
        if demo and not catalog.is_initialised(db):
            demo_service.build_demo(db)
        elif not catalog.is_initialised(db):
            catalog.initialise(db)
        summaries = rounds.list_rounds(db)
        latest = summaries[-1] if summaries else None
        return WindowState(
            database=db.display_name,
            year=latest.year if latest else None,
            agencies=latest.agencies if latest else 0,
            demo=catalog.is_demo(db),
        )
    finally:
        db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtWidgets import QApplication, QMessageBox

    from .services.errors import ServiceError
    from .store.errors import DatabaseError
    from .ui.fonts import application_font
    from .ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("KHIT Desktop")
    app.setFont(application_font())
    with tempfile.TemporaryDirectory(prefix="khit-demo-") as scratch:
        target: Path | str
        if args.demo:
            target = Path(scratch) / "khit-minh-hoa.db"
        else:
            target = args.db or default_database_path()
        try:
            state = load_state(target, args.demo)
        except (DatabaseError, ServiceError) as exc:
            QMessageBox.critical(None, "KHIT Desktop", f"Không mở được cơ sở dữ liệu.\n{exc}")
            return 4
        window = MainWindow(state)  # type: ignore[arg-type]
        window.show()
        return app.exec()


if __name__ == "__main__":
    sys.exit(main())
