"""Screenshots of the real windows on the demo database, to look at (not a test).

    python scripts/screenshots.py OUTDIR                    # offscreen, a 1366×768 screen
    QT_QPA_PLATFORM=xcb DISPLAY=:99 python scripts/screenshots.py OUTDIR   # under Xvfb

Writes main-window.png (the register, an agency selected), receipt-dialog.png,
receipt-dialog-errors.png, rules-dialog.png and new-round-dialog.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCREEN = (
    '{"synthesizedScreens": false, "screens": [{"name": "laptop", "x": 0, "y": 0, '
    '"width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}'
)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        config = Path(tempfile.mkdtemp()) / "screen.json"
        config.write_text(SCREEN, encoding="utf-8")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    os.environ["KHIT_DATA_DIR"] = tempfile.mkdtemp(prefix="khit-shots-")
    from khit_desktop.app import configure_qt, open_for_window

    configure_qt()
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from khit_desktop.services import catalog, receipts
    from khit_desktop.ui.fonts import application_font
    from khit_desktop.ui.main_window import MainWindow
    from khit_desktop.ui.receipts.agency_picker import AgencyChoice
    from khit_desktop.ui.receipts.receipt_dialog import ReceiptDialog
    from khit_desktop.ui.receipts.receipt_form import ReceiptForm
    from khit_desktop.ui.rounds.new_round_dialog import NewRoundDialog
    from khit_desktop.ui.rounds.rules_dialog import RulesDialog
    from khit_desktop.ui.settings import AppSettings
    from khit_desktop.ui.workspace import Workspace

    app.setFont(application_font())
    db = open_for_window(Path(tempfile.mkdtemp()) / "Dữ liệu minh họa" / "khit.db", True)
    today = date(2020, 12, 1)
    ws = Workspace(db, 2020, catalog.is_demo(db), today=lambda: today)
    window = MainWindow(ws, AppSettings())
    window.resize(1366, 740)
    window.show()
    window.register.select_agency("STP")
    app.processEvents()

    def save(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        app.processEvents()
        screen = app.primaryScreen()
        if app.platformName() == "xcb":
            image = screen.grabWindow(widget.winId())
        else:
            image = widget.grab()
        image.save(str(out / name))
        print(out / name)

    save(window, "main-window.png")
    agencies = [
        AgencyChoice(x.agency_code, x.agency_name, x.group) for x in receipts.register(db, 2020)
    ]
    form = ReceiptForm(lambda code: receipts.receipt_context(db, 2020, code), 2020)
    dialog = ReceiptDialog(form, lambda data, reason: None, agencies, window, today=lambda: today)
    dialog.show()
    dialog.picker.search.setText("khanh son")
    dialog.channel.setCurrentIndex(0)
    dialog.sent.setText("20/11/2020")
    dialog.received.setText("23/11/2020")
    dialog.number.setText("88/UBND-VP")
    save(dialog, "receipt-dialog.png")
    dialog.sent.setText("31/02/2020")
    dialog.received.setText("02/12/2020")
    save(dialog, "receipt-dialog-errors.png")
    dialog.close()
    rules = RulesDialog(db, 2020, window)
    rules.show()
    save(rules, "rules-dialog.png")
    rules.close()
    new_round = NewRoundDialog(db, window)
    new_round.show()
    save(new_round, "new-round-dialog.png")
    new_round.close()
    window.close()
    db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
