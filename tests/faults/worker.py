"""The process the fault tests kill: ``python -m tests.faults.worker`` (run from the project).

It starts as a *zygote*: it imports the program once, then reads commands on stdin and forks
one worker per command, so that each of the many kills costs a fork, not a Python start.
Every line it and its workers write goes to stdout, unbuffered (``os.write``), so that what
a killed worker wrote before dying is all there (a command's fields are separated by tabs,
paths may hold spaces):

    zygote   -> "zygote"                 ready for commands
    command  <- "import DB FORMS_DIR"    import the forms of FORMS_DIR again and again
    command  <- "edits DB SEED"          score edits in batches of BATCH, again and again
    zygote   -> "pid N"                  the worker forked
    worker   -> "ready"                  lock taken, database open, about to write
    worker   -> "W"                      a transaction wrote its first row (flushed)
    worker   -> "C"                      that transaction's commit returned
    worker   -> "error MESSAGE"          the worker failed by itself (a test failure)
    zygote   -> "exit N STATUS"          the worker is gone (waitpid's status)

Each worker holds the database lock as the window does: after a kill it must be free.
"""

from __future__ import annotations

import os
import random
import sys
import traceback
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from khit_desktop.services import form_exchange
from khit_desktop.services.audit import Actor
from khit_desktop.services.scores import open_sheet
from khit_desktop.store.database import Database, open_database
from khit_desktop.store.lock import acquire
from khit_desktop.store.models import AuditEvent, FormImport, Round, RoundAgency
from tests.faults.filled_forms import YEAR

BATCH = 5  # score edits per transaction
ACTOR = Actor(user="tien-trinh-thu", machine="may-thu-loi")


def mark(text: str) -> None:
    os.write(1, (text + "\n").encode("utf-8"))


def watch_transactions() -> None:
    """'W' at a transaction's first flush, 'C' once its commit has returned."""

    @event.listens_for(Session, "after_flush")
    def _wrote(session: Session, _context: object) -> None:
        if not session.info.get("fault_wrote"):
            session.info["fault_wrote"] = True
            mark("W")

    @event.listens_for(Session, "after_commit")
    def _committed(session: Session) -> None:
        if session.info.pop("fault_wrote", False):
            mark("C")

    @event.listens_for(Session, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop("fault_wrote", None)


def run_imports(db: Database, forms: Path) -> None:
    files = sorted(forms.glob("*.xlsx"))
    with db.session() as s:
        done = s.scalar(select(func.count()).select_from(FormImport)) or 0
    mark("ready")
    while True:  # every "-a", every "-b", again: each import replaces the agency's last
        result = form_exchange.import_filled_form(
            db, YEAR, files[done % len(files)], replace=True, actor=ACTOR
        )
        assert result.state == "imported", result.message
        done += 1


def run_edits(db: Database, seed: int) -> None:
    with db.session() as s:
        rnd = s.scalars(select(Round).where(Round.year == YEAR)).one()
        agencies = [
            m.agency.code
            for m in s.scalars(select(RoundAgency).where(RoundAgency.round_id == rnd.id))
        ][:10]
        edits = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "score.appraise")
        )
        leaves = {
            code: [leaf for leaf in open_sheet(s, YEAR, code, ACTOR).tree.leaves()]
            for code in agencies
        }
    batch = (edits or 0) // BATCH  # complete batches only: a partial one would show
    mark("ready")
    while True:
        batch += 1
        rng = random.Random(f"{seed}-{batch}")
        agency = rng.choice(agencies)
        with db.session() as s:
            sheet = open_sheet(s, YEAR, agency, ACTOR)
            for leaf in rng.sample(leaves[agency], BATCH):
                value = Decimal(rng.randint(0, int(leaf.max_points) * 4)) / 4
                sheet.set_appraised(
                    leaf.code,
                    points_value=value,
                    reason=f"lô {batch}: đối chiếu số liệu",
                    source="cross_check",
                )


def work(command: list[str]) -> None:
    """One forked worker: never returns (killed, or exits on its own error)."""
    try:
        kind, database = command[0], Path(command[1])
        lock = acquire(database)
        db = open_database(database)
        watch_transactions()
        if kind == "import":
            run_imports(db, Path(command[2]))
        else:
            run_edits(db, int(command[2]))
        lock.release()
    except BaseException:
        mark("error " + traceback.format_exc().replace("\n", " | "))
        os._exit(1)
    os._exit(0)


def zygote() -> None:
    mark("zygote")
    for line in sys.stdin:
        command = line.split("\t")
        command[-1] = command[-1].rstrip("\n")
        if command == ["quit"]:
            return
        pid = os.fork()
        if pid == 0:
            work(command)
        mark(f"pid {pid}")
        _done, status = os.waitpid(pid, 0)
        mark(f"exit {pid} {status}")


if __name__ == "__main__":
    zygote()
