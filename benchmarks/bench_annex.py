"""Figures for the annex (Phụ lục) of the ranking decision, and the ranking behind it.

    python benchmarks/bench_annex.py

1. The demo round 2020 (built with ``build_demo`` into a temporary folder): the annex PDF
   through ``services.annex.write_annex``, which ranks the round and draws the PDF.
2. One appraised score changed on the demo through ``appraisal.set_appraised_points`` (as
   the scoring grid saves it), then ``results.ranking`` of the year: the change and the
   ranking together, and the ranking alone.
3. A synthetic round 2021 of 2,000 agencies over the 3 groups (``synthetic_round``: built
   through the services, every agency with a receipt and every criterion scored and
   appraised): building it (once, not a target), ranking it once, the annex PDF and its
   page count.
4. The baseline: the same ranking table written to .xlsx by ``exchange.results_xlsx`` (the
   ranking sheet only, no per-agency sheets) and converted to PDF by LibreOffice headless,
   with a private profile; skipped when ``soffice`` is not installed.

Prints the median of several runs (seconds, or milliseconds for the ranking); nothing is
asserted. Targets: demo annex under 1 s; recompute under 50 ms; 2,000-agency annex under 10 s.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pypdf import PdfReader
from synthetic_round import SYNTHETIC_YEAR, build_synthetic_round

from khit_desktop.exchange.results_xlsx import write_results_xlsx
from khit_desktop.services.annex import write_annex
from khit_desktop.services.appraisal import appraisal_state, set_appraised_points
from khit_desktop.services.audit import Actor
from khit_desktop.services.catalog import is_demo
from khit_desktop.services.demo import DEMO_YEAR, build_demo
from khit_desktop.services.results import ranking
from khit_desktop.store.database import Database, open_database

DEMO_ANNEX_TARGET = 1.0  # seconds
RECOMPUTE_TARGET = 0.050  # seconds
BIG_ANNEX_TARGET = 10.0  # seconds
AGENCIES = 2000
DEMO_RUNS, RECOMPUTE_RUNS, BIG_RUNS, OFFICE_RUNS = 5, 20, 3, 3
CHANGED = ("SNV", "1.3")  # (agency, leaf) whose appraised points the recompute changes
INSTALL_HINT = "sudo apt-get install libreoffice-calc-nogui"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median_of(runs: int, fn: Callable[[int], Any]) -> tuple[float, list[float], Any]:
    samples, value = [], None
    for run in range(runs):
        seconds, value = timed(partial(fn, run))
        samples.append(seconds)
    return statistics.median(samples), samples, value


def verdict(seconds: float, target: float) -> str:
    shown = f"{target * 1000:g} ms" if target < 1 else f"{target:g} s"
    return f"(target < {shown}: {'OK' if seconds < target else 'SLOWER'})"


def listed(samples: list[float], *, ms: bool = False) -> str:
    return ", ".join(f"{x * 1000:.1f}" if ms else f"{x:.2f}" for x in samples)


def pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def annexes(db: Database, year: int, folder: Path, label: str, runs: int) -> tuple[float, Path]:
    """The first call (fonts registered, styles built) and the median of ``runs`` more."""
    cold, first = timed(lambda: write_annex(db, year, folder / f"{label}-cold.pdf"))
    median, samples, path = median_of(
        runs, lambda run: write_annex(db, year, folder / f"{label}-{run}.pdf")
    )
    print(f"  runs {listed(samples)} s; first call {cold:.2f} s")
    assert first.read_bytes() == path.read_bytes()  # same data, same bytes
    return median, path


def recompute(db: Database) -> None:
    agency, leaf = CHANGED
    actor = Actor(user="bench", machine="bench")
    before = appraisal_state(db, DEMO_YEAR, agency, leaf)
    base = before.points if before.points is not None else Decimal(0)
    values = (base, base - Decimal("0.5") if base >= 1 else base + Decimal("0.5"))

    def change_and_rank(run: int) -> Any:
        set_appraised_points(
            db,
            DEMO_YEAR,
            agency,
            leaf,
            values[(run + 1) % 2],
            reason="Đối chiếu lại hồ sơ kiểm chứng (đo hiệu năng).",
            actor=actor,
        )
        return ranking(db, DEMO_YEAR)

    both, samples, _ = median_of(RECOMPUTE_RUNS, change_and_rank)
    print(
        f"change 1 appraised score + rank (demo): {both * 1000:.1f} ms median of "
        f"{RECOMPUTE_RUNS} (min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f}) "
        f"{verdict(both, RECOMPUTE_TARGET)}"
    )
    alone, samples, _ = median_of(RECOMPUTE_RUNS, lambda _run: ranking(db, DEMO_YEAR))
    print(
        f"rank the demo round alone:              {alone * 1000:.1f} ms median of "
        f"{RECOMPUTE_RUNS} (min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f}) "
        f"{verdict(alone, RECOMPUTE_TARGET)}"
    )


def office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(program: str, profile: Path, xlsx: Path, out: Path) -> Path:
    """``soffice --headless --convert-to pdf`` with a private profile; the PDF written."""
    subprocess.run(
        [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = out / f"{xlsx.stem}.pdf"
    if not pdf.is_file():
        raise RuntimeError(f"LibreOffice wrote no PDF for {xlsx.name}")
    return pdf


def baseline(tables: list[tuple[str, Database, int, float]], folder: Path) -> None:
    """The same ranking table as .xlsx, converted by LibreOffice headless (each run starts
    soffice afresh, as a user's export would); the first conversion sets up the profile."""
    program = office()
    if program is None:
        print(f"LibreOffice baseline skipped: soffice not on PATH (install: {INSTALL_HINT})")
        return
    print(f"LibreOffice baseline ({program}, a private profile in the temporary folder):")
    for label, db, year, ours in tables:
        rows = ranking(db, year)
        xlsx = folder / f"{label}.xlsx"
        seconds, _ = timed(partial(write_results_xlsx, rows, {}, xlsx, year=year, demo=is_demo(db)))
        print(f"  {label}: write the ranking sheet to .xlsx ({len(rows)} rows): {seconds:.2f} s")
        profile = folder / f"lo-profile-{label}"

        def run(index: int, xlsx: Path = xlsx, profile: Path = profile) -> Path:
            return convert(program, profile, xlsx, folder / f"lo-{xlsx.stem}-{index}")

        cold, _ = timed(partial(run, -1))
        median, samples, pdf = median_of(OFFICE_RUNS, run)
        print(
            f"  {label}: soffice --headless --convert-to pdf: {median:.2f} s median of "
            f"{OFFICE_RUNS} ({listed(samples)}; first call, new profile, {cold:.2f} s), "
            f"{pages(pdf)} pages; the annex: {ours:.2f} s"
        )


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="khit-bench-annex-"))
    try:
        # ---- the demo round ------------------------------------------------------------------
        demo = open_database(folder / "demo.db")
        seconds, _ = timed(lambda: build_demo(demo))
        print(f"set-up: demo database (round {DEMO_YEAR}, 37 agencies): {seconds:.2f} s")
        print(f"annex PDF of the demo round {DEMO_YEAR} (write_annex):")
        small, path = annexes(demo, DEMO_YEAR, folder, "demo", DEMO_RUNS)
        print(
            f"  {small:.3f} s median of {DEMO_RUNS}, {pages(path)} pages, "
            f"{path.stat().st_size / 1024:.0f} KiB {verdict(small, DEMO_ANNEX_TARGET)}"
        )
        recompute(demo)

        # ---- the synthetic round -------------------------------------------------------------
        big = open_database(folder / "synthetic.db")
        seconds, summary = timed(lambda: build_synthetic_round(big, AGENCIES))
        print(
            f"set-up: synthetic round {SYNTHETIC_YEAR}, {summary.agencies} agencies "
            f"(groups {summary.per_group}), {summary.scores} leaves scored and appraised, "
            f"{summary.late} late, {summary.very_late} very late, through the services: "
            f"{seconds:.1f} s (not a target)"
        )
        seconds, rows = timed(lambda: ranking(big, SYNTHETIC_YEAR))
        print(f"rank the synthetic round once: {seconds:.2f} s ({len(rows)} rows)")
        print(f"annex PDF of the synthetic round ({summary.agencies} agencies):")
        large, path = annexes(big, SYNTHETIC_YEAR, folder, "synthetic", BIG_RUNS)
        print(
            f"  {large:.2f} s median of {BIG_RUNS}, {pages(path)} pages, "
            f"{path.stat().st_size / 1024:.0f} KiB {verdict(large, BIG_ANNEX_TARGET)}"
        )

        # ---- the LibreOffice baseline -------------------------------------------------------
        baseline(
            [
                (f"demo-{DEMO_YEAR}", demo, DEMO_YEAR, small),
                (f"synthetic-{AGENCIES}", big, SYNTHETIC_YEAR, large),
            ],
            folder,
        )
        demo.dispose()
        big.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
