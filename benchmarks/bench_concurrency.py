"""Several clerks at once, on SQLite and on PostgreSQL: the concurrency test's workload
(``tests/concurrency/workload.py``: receipts over every agency, appraised points on a few
shared scores with the version the "screen" read) run by N processes for T seconds.

    python benchmarks/bench_concurrency.py [--workers 4] [--seconds 10]
        [--postgres postgresql://postgres@127.0.0.1:55432/postgres]

The PostgreSQL URL (or ``KHIT_TEST_POSTGRES_URL``) names a database the benchmark may use to
create and drop a database of its own. Prints, per backend: saves committed per second,
conflicts reported (EditConflict), collisions (nothing written, "try again"), latency of a
committed save, and the time ``verify`` takes afterwards; checks nothing was lost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from khit_desktop.services import catalog, rounds  # noqa: E402
from khit_desktop.services.integrity import verify  # noqa: E402
from khit_desktop.store.database import Database, open_database  # noqa: E402
from tests.concurrency.test_concurrent_writers import run_workers  # noqa: E402
from tests.concurrency.workload import read_log  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402


def build(db: Database) -> None:
    catalog.initialise(db)
    rounds.create_round(db, 2020)


def measure(name: str, target: str, workers: int, seconds: float, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    logs = run_workers(target, folder, seconds, workers)
    lines = [e for log in logs for e in read_log(str(log))]
    ok = [e for e in lines if e.get("ok")]
    receipts = sum(1 for e in ok if e["op"] == "receipt")
    scores = sum(1 for e in ok if e["op"] == "score")
    conflicts = sum(1 for e in lines if e.get("conflict"))
    busy = sum(1 for e in lines if e.get("busy"))
    latencies = sorted(e["ms"] for e in ok)
    db = open_database(target)
    try:
        started = time.perf_counter()
        report = verify(db)
        checked = time.perf_counter() - started
    finally:
        db.dispose()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0
    print(
        f"{name:<10} {workers} workers × {seconds:.0f} s: {len(ok) / seconds:6.1f} saves/s "
        f"({receipts} receipts, {scores} scores); {conflicts} conflicts reported, {busy} "
        f"collisions retried; save latency median {statistics.median(latencies):.1f} ms, "
        f"p95 {p95:.1f} ms; verify {checked:.2f} s ({report.events} events): "
        f"{'intact' if report.ok else 'BROKEN: ' + str(report.first_problem())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", default=os.environ.get("KHIT_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="khit-bench-conc-"))
    os.environ.setdefault("KHIT_DATA_DIR", str(folder / "data"))

    path = folder / "sqlite" / "chung.db"
    path.parent.mkdir(parents=True)
    db = open_database(path)
    build(db)
    db.dispose()
    measure("SQLite", str(path), args.workers, args.seconds, folder / "sqlite")

    if not args.postgres:
        print("PostgreSQL: skipped (give --postgres URL or KHIT_TEST_POSTGRES_URL)")
        return
    server = PostgresServer(args.postgres)
    try:
        name, db = server.open_new()
        build(db)
        db.dispose()
        target = server.url(name).render_as_string(hide_password=False)
        measure("PostgreSQL", target, args.workers, args.seconds, folder / "postgres")
    finally:
        server.close()


if __name__ == "__main__":
    main()
