"""Startup of the window on the demo database, the way `khit-desktop --demo` does it.

    python benchmarks/bench_startup.py            # offscreen
    QT_QPA_PLATFORM=xcb DISPLAY=:99 python benchmarks/bench_startup.py   # a real X screen

Each run is a fresh Python process (imports count), timed from interpreter start to the main
window shown with the register filled; prints each run and the median.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import time, sys, os, tempfile
from pathlib import Path
start = time.perf_counter()
from khit_desktop.app import configure_qt, open_for_window
configure_qt()
from PySide6.QtWidgets import QApplication
app = QApplication([])
from khit_desktop.services import catalog
from khit_desktop.ui.fonts import application_font
from khit_desktop.ui.main_window import MainWindow
from khit_desktop.ui.settings import AppSettings
from khit_desktop.ui.workspace import Workspace
app.setFont(application_font())
t_imports = time.perf_counter()
db = open_for_window(Path(tempfile.mkdtemp()) / "khit-minh-hoa.db", True)
t_db = time.perf_counter()
window = MainWindow(Workspace(db, None, catalog.is_demo(db)), AppSettings())
window.show()
app.processEvents()
assert window.register.model.rowCount() == 37
t_shown = time.perf_counter()
import sys
mods = [m for m in ("openpyxl", "reportlab") if m in sys.modules]
heavy = ",".join(mods) or "-"
print(f"{t_imports - start:.3f} {t_db - t_imports:.3f} {t_shown - t_db:.3f} {heavy}")
"""


def main(runs: int = 5) -> None:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["KHIT_DATA_DIR"] = tempfile.mkdtemp(prefix="khit-bench-")
    totals = []
    for _ in range(runs):
        start = __import__("time").perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        wall = __import__("time").perf_counter() - start
        imports, database, window, heavy = out
        totals.append(wall)
        print(
            f"process {wall:.3f} s = imports+Qt {imports} s, demo database {database} s, "
            f"window {window} s; heavy modules loaded at start: {heavy}"
        )
    print(
        f"median startup to a usable window on the demo database: "
        f"{statistics.median(totals):.3f} s over {runs} runs"
    )


if __name__ == "__main__":
    main()
