"""Several clerks at once (issue 9): worker processes write receipts and scores into one
database for a few seconds (``workload.py``); afterwards every write a worker saw committed
is in the database, every refused save was reported as a conflict (never lost silently),
each score row equals its last committed save, and the audit chain verifies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from khit_desktop.services.integrity import verify
from khit_desktop.store.database import open_database
from khit_desktop.store.models import AuditEvent, ReceiptRow
from tests.concurrency.workload import read_log
from tests.postgres_server import PostgresServer
from tests.services.conftest import _build_round

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
SECONDS = {"sqlite": 5.0, "postgresql": 8.0}


def _target(backend: str, postgres: PostgresServer | None, round_template: Path, tmp: Path) -> str:
    if backend == "postgresql":
        assert postgres is not None
        name = postgres.create(postgres.template("round-2020", _build_round))
        return postgres.url(name).render_as_string(hide_password=False)
    path = tmp / "chung.db"
    shutil.copy(round_template, path)
    return str(path)


def run_workers(target: str, tmp: Path, seconds: float, workers: int = WORKERS) -> list[Path]:
    deadline = time.time() + 2.5 + seconds  # imports and opening first, then all write at once
    logs = [tmp / f"worker-{i}.jsonl" for i in range(workers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.concurrency.workload",
                target,
                str(i),
                str(deadline),
                str(log),
                str(1000 + i),
            ],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, log in enumerate(logs)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=seconds + 60)
        assert proc.returncode == 0, err
    return logs


def test_no_write_is_lost_and_conflicts_are_reported(
    backend: str, postgres: PostgresServer | None, round_template: Path, tmp_path: Path
) -> None:
    target = _target(backend, postgres, round_template, tmp_path)
    lines = [
        entry
        for log in run_workers(target, tmp_path, SECONDS[backend])
        for entry in read_log(str(log))
    ]
    receipts = [e for e in lines if e.get("op") == "receipt" and e.get("ok")]
    saves = [e for e in lines if e.get("op") == "score" and e.get("ok")]
    conflicts = [e for e in lines if e.get("conflict")]
    assert receipts and saves, Counter(str(sorted(e)) for e in lines)
    assert conflicts, "the workers share a few scores: some saves must have conflicted"
    assert all(c["by"] and c["by"].startswith("can-bo-") for c in conflicts)

    db = open_database(target)
    try:
        with db.session() as s:
            docs = set(s.scalars(select(ReceiptRow.doc_number)))
            events = list(
                s.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.action == "score.appraise")
                    .order_by(AuditEvent.sequence)
                )
            )
        assert {e["doc"] for e in receipts} <= docs  # every committed receipt is there
        recorded = [e.reason.split(" — ")[0] for e in events]
        assert sorted(recorded) == sorted(e["token"] for e in saves)  # no save lost or extra
        overwrites = [e for e in events if "Ghi đè thay đổi của người khác" in e.reason]
        assert len(overwrites) == sum(1 for e in saves if e.get("overwrite"))
        report = verify(db)  # chain gap-free, every score row equals its last event
        assert report.ok, report.first_problem()
    finally:
        db.dispose()
