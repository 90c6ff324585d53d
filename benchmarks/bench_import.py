"""Figures for the Excel exchange of agency forms: blank forms out, filled forms in.

    python benchmarks/bench_import.py

A fresh database with the seed catalogue (37 agencies) plus 3 made-up agencies, and a round
2021 holding all 40; blank forms written by the program, filled in with openpyxl with
seeded, realistic values (as an agency would in Excel), then imported. Each import runs on
a fresh copy of the database (an agency's first import, no "already imported" question).
Prints the median of several runs; nothing is asserted.

Targets: one form under 0.3 s (write or import); a folder of 40 forms under 10 s.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook
from sqlalchemy import select

from khit_desktop.domain.criteria import FormTree, RuleKind
from khit_desktop.exchange.agency_form_reader import read_filled_form
from khit_desktop.services import catalog, form_exchange, rounds
from khit_desktop.services.form_versions import tree_of
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.models import Agency, Round

YEAR = 2021
AGENCIES = 40
RUNS = 3
ONE_FORM_TARGET = 0.3  # seconds
FOLDER_TARGET = 10.0  # seconds, for 40 forms
EXTRA = [  # (code, name, group): three more units, so that the round holds 40
    ("BENCH-TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh (thử)", 3),
    ("BENCH-VT", "UBND huyện Vạn Thịnh (thử)", 2),
    ("BENCH-SDT", "Sở Dữ liệu và Chuyển đổi số (thử)", 1),
]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def median_of(runs: int, fn: Callable[[int], Any]) -> tuple[float, list[float], Any]:
    samples, value = [], None
    for run in range(runs):
        seconds, value = timed(lambda run=run: fn(run))
        samples.append(seconds)
    return statistics.median(samples), samples, value


def build(folder: Path) -> Path:
    """The seed catalogue, 3 more agencies, round 2021 with all 40 (no scores)."""
    path = folder / "bench.db"
    db = open_database(path)
    try:
        catalog.initialise(db)
        with db.session() as s:
            for code, name, group in EXTRA:
                s.add(Agency(code=code, name=name, default_group=group, active=True, note=""))
        rounds.create_round(db, YEAR)
        members = rounds.list_rounds(db)[0].agencies
        assert members == AGENCIES, members
    finally:
        db.dispose()  # checkpointed: a plain file copy is complete
    return path


def realistic(tree: FormTree, rng: random.Random) -> tuple[dict, dict, dict]:
    """(figures, points, general) of one agency: staff, computers, and every leaf answered."""
    staff = rng.randint(15, 400)
    computers = max(1, int(staff * rng.uniform(0.8, 1.1)))
    general = {"CB": staff, "MT": computers}
    figures: dict[str, object] = {}
    points: dict[str, object] = {}
    for leaf in tree.leaves():
        rule = leaf.rule
        assert rule is not None
        match rule.kind:
            case RuleKind.TYPED:
                points[leaf.code] = rng.randint(0, int(leaf.max_points) * 2) / 2
            case RuleKind.YES_NO:
                figures[leaf.code] = rng.choice(["Có", "Có", "Có", "Không"])
            case RuleKind.OPTIONS:
                figures[leaf.code] = rng.choice(rule.options).label
            case RuleKind.RATIO if rule.denominator:
                whole = general.get(rule.denominator, staff)
                figures[leaf.code] = rng.randint(int(whole * 0.6), whole)
            case RuleKind.RATIO:
                b = rng.randint(50, 3000)
                figures[leaf.code] = f"{rng.randint(int(b * 0.5), b)}/{b}"
            case RuleKind.TIERS:
                figures[leaf.code] = rng.randint(0, 100)
            case RuleKind.NORMALISED:
                figures[leaf.code] = round(rng.uniform(10, 500), 1)
            case RuleKind.PER_ITEM:
                figures[leaf.code] = rng.randint(0, 8)
            case RuleKind.DEDUCTION:
                figures[leaf.code] = rng.choice([0, 0, 0, 1, 2])
        # most agencies also type their own points; some differ from the computed ones
        if leaf.code not in points and rng.random() < 0.3:
            points[leaf.code] = rng.randint(0, int(leaf.max_points))
    return figures, points, general


def fill(path: Path, figures: dict, points: dict, general: dict) -> None:
    """Type into a blank form as an agency would (cells found through the hidden map)."""
    workbook = load_workbook(path)
    rows: dict[tuple[str, str], int] = {}
    columns: dict[str, int] = {}
    for kind, key, value in workbook["_khit"].iter_rows(max_col=3, values_only=True):
        if kind in ("criterion", "general"):
            rows[(kind, str(key))] = int(value)
        elif key in ("figure_column", "points_column", "general_column"):
            columns[str(key)] = int(value)
    sheet = workbook[workbook.sheetnames[0]]
    for code, value in figures.items():
        sheet.cell(rows[("criterion", code)], columns["figure_column"]).value = value
    for code, value in points.items():
        sheet.cell(rows[("criterion", code)], columns["points_column"]).value = value
    for code, value in general.items():
        sheet.cell(rows[("general", code)], columns["general_column"]).value = value
    workbook.save(path)


def fresh(template: Path, folder: Path, name: str) -> Database:
    target = folder / f"{name}.db"
    shutil.copy(template, target)
    return open_database(target)


def verdict(seconds: float, target: float) -> str:
    return f"(target < {target:g} s: {'OK' if seconds < target else 'SLOWER'})"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="khit-bench-import-"))
    seconds, template = timed(lambda: build(folder))
    print(
        f"set-up: catalogue + 3 agencies + round {YEAR} with {AGENCIES} agencies: {seconds:.2f} s"
    )
    db = open_database(template)
    try:
        with db.session() as s:
            rnd = s.scalar(select(Round).where(Round.year == YEAR))
            assert rnd is not None
            form_id = rnd.groups[0].form_id
        assert form_id is not None
        tree = tree_of(db, form_id)

        # ---- blank forms out -------------------------------------------------------------
        cold, _ = timed(
            lambda: form_exchange.write_blank_forms(db, YEAR, folder / "mot-0", agency="STP")
        )
        one, samples, _ = median_of(
            RUNS,
            lambda run: form_exchange.write_blank_forms(
                db, YEAR, folder / f"mot-{run + 1}", agency="STP"
            ),
        )
        print(
            f"write 1 blank form:               {one:.3f} s median of {RUNS} "
            f"({', '.join(f'{x:.3f}' for x in samples)}; first call {cold:.3f} s) "
            f"{verdict(one, ONE_FORM_TARGET)}"
        )
        all_blank, samples, paths = median_of(
            RUNS, lambda run: form_exchange.write_blank_forms(db, YEAR, folder / f"trang-{run}")
        )
        print(
            f"write {len(paths)} blank forms (whole round): {all_blank:.2f} s median of {RUNS}, "
            f"{all_blank / len(paths):.3f} s a form"
        )
    finally:
        db.dispose()

    # ---- filled by the agencies (openpyxl; not the program's time) ------------------------
    filled = folder / "da-dien"
    shutil.copytree(folder / "trang-0", filled)
    forms = sorted(filled.glob("*.xlsx"))
    seconds, _ = timed(lambda: [fill(p, *realistic(tree, random.Random(p.name))) for p in forms])
    print(f"fill {len(forms)} forms with openpyxl (test set-up): {seconds:.2f} s")

    # ---- one filled form in ---------------------------------------------------------------
    sample = filled / "Phieu-2021-STP.xlsx"
    read_only, samples, _ = median_of(
        RUNS, lambda run: read_filled_form(sample, tree, expected_year=YEAR)
    )
    print(f"read 1 filled form (open + check, no database): {read_only:.3f} s median of {RUNS}")

    def import_one(run: int) -> Any:
        db = fresh(template, folder, f"one-{run}")
        try:
            seconds, result = timed(lambda: form_exchange.import_filled_form(db, YEAR, sample))
            assert result.state == "imported", result.message
            return seconds
        finally:
            db.dispose()

    cold = import_one(-1)
    imports = [import_one(run) for run in range(RUNS)]
    one = statistics.median(imports)
    print(
        f"import 1 filled form:             {one:.3f} s median of {RUNS} "
        f"({', '.join(f'{x:.3f}' for x in imports)}; first call {cold:.3f} s) "
        f"{verdict(one, ONE_FORM_TARGET)}"
    )

    # ---- a folder of 40 filled forms in ------------------------------------------------------
    def import_folder(run: int) -> tuple[float, list[Any]]:
        db = fresh(template, folder, f"folder-{run}")
        try:
            return timed(lambda: form_exchange.import_paths(db, YEAR, [filled]))
        finally:
            db.dispose()

    runs = [import_folder(run) for run in range(RUNS)]
    whole = statistics.median(seconds for seconds, _ in runs)
    results = runs[0][1]
    states = {
        state: sum(1 for r in results if r.state == state)
        for state in ("imported", "skipped", "refused")
    }
    flagged = sum(1 for r in results if r.flagged)
    print(
        f"import a folder of {len(results)} filled forms (import_paths): {whole:.2f} s median of "
        f"{RUNS} ({', '.join(f'{s:.2f}' for s, _ in runs)}), {whole / len(results):.3f} s a form "
        f"{verdict(whole, FOLDER_TARGET)}"
    )
    print(
        f"  outcome: {states['imported']} imported, {states['skipped']} skipped, "
        f"{states['refused']} refused; {flagged} with typed points that differ from the figures"
    )
    for r in results:
        if r.state != "imported":
            print(f"  {r.label} {r.file.name}: {r.message}")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
