"""Several clerks at once: the workload of the concurrency test and its benchmark.

``python -m tests.concurrency.workload TARGET WORKER DEADLINE LOG SEED`` writes receipts and
scores into round 2020 of ``TARGET`` until the wall-clock ``DEADLINE`` (seconds since the
epoch), as clerk ``can-bo-WORKER`` on machine ``may-WORKER``. Every outcome is one JSON
line in ``LOG``, written after the service returned (or raised):

- ``{"op": "receipt", "ok": true, "doc": …}``: committed (the doc number is unique);
- ``{"op": "score", "ok": true, "token": …, "agency", "code", "points"}``: committed, the
  token is the reason recorded (unique);
- ``{"op": "score", "conflict": true, "by": USER}``: refused as EditConflict, naming the clerk
  whose change came first; sometimes followed by an overwrite with a reason (``"overwrite":
  true`` on its ok line);
- ``{"busy": true}``: two transactions collided (SQLite's write lock, a PostgreSQL deadlock):
  nothing was written and the clerk is told to try again.

Scores are all on a few (agency, criterion) pairs shared by every worker, so conflicts are
certain; receipts spread over every agency, where nothing may ever conflict. A clerk reads a
score's version, "types" for up to 20 ms, then saves with that version, as the grid does.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

YEAR = 2020
SHARED_AGENCIES = ("STP", "KS")
POINTS = ("0", "0.5", "1")


def shared_codes(db: Any) -> list[str]:
    """Three leaf criteria worth at least one point (the same for every worker)."""
    from khit_desktop.services import score_grid

    rows = score_grid.agency_sheet(db, YEAR, SHARED_AGENCIES[0]).rows
    return [r.code for r in rows if r.is_leaf and r.max_points >= 1][:3]


def agencies(db: Any) -> list[str]:
    from khit_desktop.services import receipts

    return [line.agency_code for line in receipts.register(db, YEAR)]


def score_version(db: Any, agency: str, code: str) -> int:
    from khit_desktop.store.models import Agency, CriterionRow, Round, ScoreRow

    with db.session() as s:
        version = s.scalar(
            select(ScoreRow.version)
            .join(CriterionRow, ScoreRow.criterion_id == CriterionRow.id)
            .join(Agency, ScoreRow.agency_id == Agency.id)
            .join(Round, ScoreRow.round_id == Round.id)
            .where(Round.year == YEAR, Agency.code == agency, CriterionRow.code == code)
        )
    return int(version or 0)


def run(target: str, worker: int, deadline: float, log_path: str, seed: int) -> None:
    from khit_desktop.domain.lateness import Channel
    from khit_desktop.services import appraisal, receipts
    from khit_desktop.services.audit import Actor
    from khit_desktop.services.concurrency import EditConflict
    from khit_desktop.services.permissions import Role
    from khit_desktop.store.database import open_database
    from khit_desktop.store.errors import ConcurrentEditError

    rng = random.Random(seed)
    db = open_database(target)
    codes, members = shared_codes(db), agencies(db)
    actor = Actor(user=f"can-bo-{worker}", machine=f"may-{worker}", role=Role.CLERK)
    with open(log_path, "a", encoding="utf-8", buffering=1) as log:

        def note(**fields: Any) -> None:
            log.write(json.dumps(fields, ensure_ascii=False) + "\n")

        n = 0
        while time.time() < deadline:
            n += 1
            token = f"w{worker}-{n}"
            started = time.perf_counter()
            try:
                if rng.random() < 0.4:
                    receipts.add_receipt(
                        db, YEAR, rng.choice(members), Channel.EMAIL, date(2020, 11, 10),
                        doc_number=token, actor=actor, today=date(2020, 11, 20),
                    )  # fmt: skip
                    note(op="receipt", ok=True, doc=token, ms=_ms(started))
                    continue
                agency, code = rng.choice(SHARED_AGENCIES), rng.choice(codes)
                points = rng.choice(POINTS)
                version = score_version(db, agency, code)
                time.sleep(rng.uniform(0, 0.02))  # the clerk types the points
                try:
                    appraisal.set_appraised_points(
                        db, YEAR, agency, code, Decimal(points), reason=token, actor=actor,
                        expected_version=version,
                    )  # fmt: skip
                    note(op="score", ok=True, token=token, agency=agency, code=code,
                         points=points, ms=_ms(started))  # fmt: skip
                except EditConflict as conflict:
                    by = conflict.latest.user if conflict.latest else None
                    note(op="score", conflict=True, by=by, token=token, ms=_ms(started))
                    if rng.random() < 0.3:  # "ghi đè có lý do"
                        started = time.perf_counter()
                        appraisal.set_appraised_points(
                            db, YEAR, agency, code, Decimal(points), reason=token, actor=actor,
                            expected_version=version, overwrite_reason="đã thống nhất",
                        )  # fmt: skip
                        note(op="score", ok=True, overwrite=True, token=token, agency=agency,
                             code=code, points=points, ms=_ms(started))  # fmt: skip
            except ConcurrentEditError:
                note(busy=True, token=token, ms=_ms(started))
    db.dispose()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def read_log(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


if __name__ == "__main__":
    target, worker, deadline, log_path, seed = sys.argv[1:6]
    run(target, int(worker), float(deadline), log_path, int(seed))
