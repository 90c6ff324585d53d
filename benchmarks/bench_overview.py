"""Figures for the overview (Tổng quan), the council chair's home screen.

    python benchmarks/bench_overview.py [--keep FOLDER]

1. The demo round 2020 (``build_demo`` into a temporary folder): ``overview.overview`` —
   the first call of the process (imports, caches of SQLAlchemy) and the median of several.
2. A synthetic round 2021 of 2,000 agencies (``synthetic_round``: built through the services,
   every agency with a receipt, every criterion scored and appraised; about a minute, not a
   target): the overview (first call and median), ``results.ranking`` for comparison (what
   the overview would cost if it ranked through it), and the one-page PDF.
3. The same round with the appraisal cleared on a scratch copy (plain SQL: appraised points
   and figures emptied), so that every leaf is computed from the agency's own figures by its
   rule, as in a round where the appraisal keeps most of the forms as sent: the slowest case.

4. The window's screen (``ui.overview.OverviewPanel``, offscreen Qt) on the 2,000-agency
   round: the panel built, filled and shown (``show`` + events processed) with the overview
   read afresh — what the chair waits for after any change; the same with the overview kept
   in memory (the widget side alone, target ≤ 50 ms); ``reload()`` of a shown panel (target
   ≤ 10 ms); and the widget side profiled (cProfile, the top functions) when it exceeds its
   target.

Each overview is read afresh (``forget_recent`` first: as after any change), then asked again
with nothing changed (given back from memory, keyed by the audit trail's head). Every run
checks that the overview's class counts and ranks equal ``results.ranking``'s. Prints
medians in milliseconds; target: the overview read afresh under 300 ms on 2,000 agencies,
and the screen opened under 300 ms.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_round import SYNTHETIC_YEAR, build_synthetic_round

from khit_desktop.exchange.overview_pdf import write_overview
from khit_desktop.services.demo import DEMO_YEAR, build_demo
from khit_desktop.services.overview import forget_recent, overview
from khit_desktop.services.overview_model import Overview
from khit_desktop.services.results import ranking
from khit_desktop.store.database import Database, open_database

TARGET = 0.300  # seconds, on 2,000 agencies
WIDGET_TARGET = 0.050  # the screen built, filled and shown with the overview in memory
RELOAD_TARGET = 0.010  # reload() of a shown screen, nothing changed
AGENCIES = 2000
RUNS = 9
DEMO_TODAY, BIG_TODAY = date(2020, 11, 25), date(2021, 11, 25)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median_of(runs: int, fn: Callable[[], Any]) -> tuple[float, list[float], Any]:
    samples, value = [], None
    for _ in range(runs):
        seconds, value = timed(fn)
        samples.append(seconds)
    return statistics.median(samples), samples, value


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.2f} ms"


def check(db: Database, year: int, ov: Overview) -> None:
    """The overview's classes and the top of each group equal results.ranking's."""
    rows = ranking(db, year)
    for g in ov.results.groups:
        mine = [r for r in rows if r.group == g.group]
        assert Counter(r.classification for r in mine) == +Counter(g.counts)
        ranked = [(r.agency_code, r.rank, r.final_score) for r in mine if r.rank is not None]
        assert [(r.agency_code, r.rank, r.final_score) for r in g.top] == ranked[: len(g.top)]
        tail = ranked[len(ranked) - len(g.bottom) :] if g.bottom else []
        assert [(r.agency_code, r.rank, r.final_score) for r in g.bottom] == tail


def cold(db: Database, year: int, today: date) -> Overview:
    """The overview read afresh (as after any change): nothing kept from an earlier call."""
    forget_recent()
    return overview(db, year, today=today)


def report(label: str, db: Database, year: int, today: date) -> float:
    first, ov = timed(lambda: cold(db, year, today))
    median, samples, ov = median_of(RUNS, lambda: cold(db, year, today))
    check(db, year, ov)
    spread = f"min {ms(min(samples))}, max {ms(max(samples))}"
    print(f"  {label}: {ms(median)} median of {RUNS} ({spread}); first call {ms(first)}")
    again, _, _ = median_of(RUNS, lambda: overview(db, year, today=today))
    print(f"  {label} again, nothing changed (kept in memory): {ms(again)} median of {RUNS}")
    return median


def bench_panel(db: Database, year: int, today: date) -> None:
    """The overview screen on ``year``: built, filled and shown, offscreen."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from khit_desktop.services.audit import Actor
    from khit_desktop.services.permissions import Role
    from khit_desktop.ui.fonts import application_font
    from khit_desktop.ui.overview import OverviewPanel
    from khit_desktop.ui.workspace import Workspace

    app = QApplication.instance() or QApplication([])
    app.setFont(application_font())  # type: ignore[union-attr]
    ws = Workspace(db, year, False, Actor(user="bench", machine="bench", role=Role.CLERK))
    ws.today = lambda: today
    panels: list[OverviewPanel] = []

    def open_panel(afresh: bool) -> OverviewPanel:
        if afresh:
            forget_recent()
        panel = OverviewPanel(ws)
        panel.resize(1230, 640)
        panel.show()
        app.processEvents()  # type: ignore[union-attr]
        panels.append(panel)
        return panel

    first, _ = timed(lambda: open_panel(True))
    cold_median, samples, panel = median_of(RUNS, lambda: open_panel(True))
    spread = f"min {ms(min(samples))}, max {ms(max(samples))}"
    print(f"  screen opened, overview read afresh: {ms(cold_median)} median of {RUNS} ({spread})")
    print(f"  (first screen of the process: {ms(first)})")
    warm, _, _ = median_of(RUNS, lambda: open_panel(False))
    print(f"  screen opened, overview kept in memory (the widget side): {ms(warm)} median")
    again, _, _ = median_of(RUNS, lambda: (panel.reload(), app.processEvents()))  # type: ignore[union-attr]
    print(f"  reload() of the shown screen, nothing changed: {ms(again)} median of {RUNS}")
    verdict = "OK" if cold_median < TARGET else "SLOWER"
    print(f"  target < {ms(TARGET)} for the screen read afresh: {verdict}")
    widget = "OK" if warm <= WIDGET_TARGET else "SLOWER"
    kept = "OK" if again <= RELOAD_TARGET else "SLOWER"
    print(f"  widget side ≤ {ms(WIDGET_TARGET)}: {widget}; reload() ≤ {ms(RELOAD_TARGET)}: {kept}")
    if warm > WIDGET_TARGET:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(lambda: open_panel(False))
        pstats.Stats(profile).sort_stats("cumulative").print_stats(15)
    for made in panels:
        made.close()
        made.deleteLater()
    app.processEvents()  # type: ignore[union-attr]


def clear_appraisal(source: Path, target: Path) -> None:
    """A scratch copy where no criterion is appraised (every leaf computed from the form)."""
    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    try:
        conn.execute("UPDATE score SET appraised_points = NULL, appraised_answer = NULL")
        conn.commit()
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build (or reuse) the databases here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="khit-bench-overview-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        demo_path = folder / "demo.db"
        fresh = not demo_path.exists()
        demo = open_database(demo_path)
        if fresh:
            seconds, _ = timed(lambda: build_demo(demo))
            print(f"set-up: demo database (round {DEMO_YEAR}, 37 agencies): {seconds:.1f} s")
        print(f"overview of the demo round {DEMO_YEAR} (37 agencies):")
        report("overview", demo, DEMO_YEAR, DEMO_TODAY)

        big_path = folder / "synthetic.db"
        fresh = not big_path.exists()
        big = open_database(big_path)
        if fresh:
            seconds, summary = timed(lambda: build_synthetic_round(big, AGENCIES))
            print(
                f"set-up: synthetic round {SYNTHETIC_YEAR}, {summary.agencies} agencies, "
                f"{summary.scores} leaves scored and appraised: {seconds:.0f} s (not a target)"
            )
        print(f"overview of the synthetic round {SYNTHETIC_YEAR} ({AGENCIES} agencies):")
        median = report("overview", big, SYNTHETIC_YEAR, BIG_TODAY)
        verdict = "OK" if median < TARGET else "SLOWER"
        print(f"  target < {ms(TARGET)}: {verdict}")
        ranked, _, _ = median_of(3, lambda: ranking(big, SYNTHETIC_YEAR))
        print(f"  for comparison, results.ranking of the same round: {ms(ranked)} median of 3")
        ov = overview(big, SYNTHETIC_YEAR, today=BIG_TODAY)
        pdf, _, path = median_of(3, lambda: write_overview(ov, folder / "bao-cao.pdf"))
        print(f"  the one-page PDF from the overview: {ms(pdf)} median of 3 ({path.name})")
        print(f"the overview screen (Tổng quan), round {SYNTHETIC_YEAR}, offscreen:")
        bench_panel(big, SYNTHETIC_YEAR, BIG_TODAY)

        cleared_path = folder / "synthetic-unappraised.db"
        if not cleared_path.exists():
            big.dispose()
            clear_appraisal(big_path, cleared_path)
        cleared = open_database(cleared_path)
        print("the same round, no criterion appraised (every leaf computed by its rule):")
        report("overview", cleared, SYNTHETIC_YEAR, BIG_TODAY)
        for database in (demo, big, cleared):
            database.dispose()
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
