"""Screenshots of the real windows on the demo database, to look at (not a test).

    python scripts/screenshots.py OUTDIR                    # offscreen, a 1366×768 screen
    QT_QPA_PLATFORM=xcb DISPLAY=:99 python scripts/screenshots.py OUTDIR   # under Xvfb

Writes main-window.png (the register, an agency selected), receipt-dialog.png,
receipt-dialog-errors.png, rules-dialog.png, new-round-dialog.png, scoring-grid.png,
import-summary.png and criteria-preview.png.
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
    from khit_desktop.services.accounts import demo_actor

    ws = Workspace(db, 2020, catalog.is_demo(db), demo_actor(), today=lambda: today)
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

    # the scoring grid, an agency whose staff count was cross-checked
    window.nav.setCurrentRow(1)
    window.scoring.show_agency("SGTVT")
    save(window, "scoring-grid.png")

    # blank forms out, two filled (one with an error), imported: the summary
    from khit_desktop.services import form_exchange, form_versions
    from khit_desktop.ui.forms.criteria_preview import CriteriaPreviewDialog
    from khit_desktop.ui.forms.import_dialog import ImportSummaryDialog

    scratch = Path(tempfile.mkdtemp(prefix="khit-phieu-"))
    good, bad = (
        form_exchange.write_blank_forms(db, 2020, scratch, agency=c)[0] for c in ("KS", "QDTPT")
    )
    _fill(good, {"1.8": 10, "1.3": 30})
    _fill(bad, {"1.3": 99})
    results = form_exchange.import_paths(db, 2020, [scratch])
    summary = ImportSummaryDialog(results, 2020, today, window)
    summary.show()
    save(summary, "import-summary.png")
    summary.close()
    criteria = scratch / "bo-tieu-chi.xlsx"
    form_versions.export_criteria_file(db, 1, criteria)
    preview = CriteriaPreviewDialog(
        ws, criteria, form_versions.preview_criteria_file(criteria), window
    )
    preview.show()
    save(preview, "criteria-preview.png")
    preview.close()
    window.close()
    db.dispose()


def _fill(path: Path, points: dict[str, object]) -> None:
    """Type self-assessed points into a blank form, as an agency would."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    meta = {
        (k, str(key)): v for k, key, v in workbook["_khit"].iter_rows(max_col=3, values_only=True)
    }
    column = int(next(v for (k, key), v in meta.items() if key == "points_column"))
    general = int(next(v for (k, key), v in meta.items() if key == "general_column"))
    sheet = workbook[workbook.sheetnames[0]]
    for code, value in points.items():
        sheet.cell(int(meta[("criterion", code)]), column).value = value
    for code in ("CB", "MT"):
        sheet.cell(int(meta[("general", code)]), general).value = 50
    workbook.save(path)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots")
