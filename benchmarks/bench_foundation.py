"""Figures for the foundation: building the demo, ranking a year, lateness and collation.

    python benchmarks/bench_foundation.py

Prints the median of several runs of each step (seconds or microseconds); nothing is asserted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from khit_desktop.domain.collation import sort_vietnamese
from khit_desktop.domain.lateness import Channel, Receipt, decide_lateness
from khit_desktop.domain.rules import RoundRules
from khit_desktop.services.demo import build_demo
from khit_desktop.services.results import ranking
from khit_desktop.store.database import open_database


def median_time(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="khit-bench-"))
    counter = iter(range(1000))

    def demo() -> None:
        db = open_database(folder / f"demo-{next(counter)}.db")
        build_demo(db)
        db.dispose()

    print(f"build demo database (37 agencies, ~1,600 scores): {median_time(demo, 3):.3f} s")
    db = open_database(folder / "demo-0.db")
    print(
        f"rank round 2020 (all groups):                      "
        f"{median_time(lambda: ranking(db, 2020), 10):.3f} s"
    )
    rules = RoundRules.defaults(2020)
    receipts = [Receipt(Channel.POST, date(2020, 11, 10) + timedelta(days=i)) for i in range(3)]
    per_call = median_time(lambda: [decide_lateness(rules, receipts) for _ in range(1000)], 5)
    print(f"decide lateness (3 receipts):                      {per_call * 1000:.1f} µs a call")
    names = [f"Sở Đơn vị {i} Tài chính Ưu tiên" for i in range(2000)]
    print(
        f"sort 2,000 names in Vietnamese order:              "
        f"{median_time(lambda: sort_vietnamese(names), 5) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
