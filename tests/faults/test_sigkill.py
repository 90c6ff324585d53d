"""SIGKILL at random moments, many times, during a large forms import and during score
edits; after each kill the database opens, passes the checks of ``checks.py`` (integrity,
foreign keys, audit chain, lock released) and holds each transaction whole or not at all:
every transaction the worker saw committed is there, and the one it was in when killed is
either all there or not at all.

Half of the kills come at a random time after the worker is ready; the other half wait for
a transaction to write its first row and kill within a few milliseconds, so that many kills
land inside a transaction (between its first write and its commit's return)."""

from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.checks import State, check_after_kill

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
KILLS = 20  # per kind of work
TIMEOUT = 30.0  # seconds to wait for a line from the worker


class Zygote:
    """The worker process (``tests/faults/worker.py``) and the lines it writes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.worker"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.next() == "zygote"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next(self, timeout: float = TIMEOUT) -> str:
        line = self.lines.get(timeout=timeout)
        assert not line.startswith("error"), line
        return line

    def send(self, *command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\t".join(command) + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        if self.process.poll() is None:
            self.send("quit")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Kill:
    mid_transaction: bool  # killed between a transaction's first write and its commit
    committed: int  # transactions the worker saw committed


def kill_once(zygote: Zygote, command: tuple[str, ...], rng: random.Random, aimed: bool) -> Kill:
    zygote.send(*command)
    pid, ready, seen = 0, False, []
    while not (pid and ready):
        line = zygote.next()
        if line.startswith("pid "):
            pid = int(line.split()[1])
        elif line == "ready":
            ready = True
        else:
            seen.append(line)
    if aimed:  # wait for the k-th transaction to write, then kill within a few ms
        writes, wanted = 0, rng.randint(1, 3)
        while writes < wanted:
            line = zygote.next()
            seen.append(line)
            writes += line == "W"
        time.sleep(rng.uniform(0, 0.012))
    else:
        time.sleep(rng.uniform(0.0, 0.8))
    signal_sent = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    while True:
        line = zygote.next()
        if line.startswith("exit "):
            status = int(line.split()[2])
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, line
            break
        seen.append(line)
    assert time.monotonic() - signal_sent < TIMEOUT
    marks = [m for m in seen if m in ("W", "C")]
    return Kill(bool(marks) and marks[-1] == "W", marks.count("C"))


def hammer(database: Path, kind: str, args: tuple[str, ...], seed: int) -> Counter[str]:
    rng = random.Random(seed)
    zygote = Zygote()
    tally: Counter[str] = Counter()
    before = check_after_kill(database, kind)
    try:
        for attempt in range(KILLS):
            kill = kill_once(zygote, (kind, str(database), *args), rng, aimed=attempt % 2 == 1)
            after = check_after_kill(database, kind)
            tally["kills"] += 1
            tally["committed"] += kill.committed
            landed = after.transactions - before.transactions - kill.committed
            # every commit the worker saw is there; the one it was in, whole or not at all
            assert landed in ((0, 1) if kill.mid_transaction else (0,)), (attempt, kill, landed)
            if kill.mid_transaction:
                tally["mid-transaction"] += 1
                tally["mid-transaction, committed"] += landed
            before = State(after.transactions, after.events)
    finally:
        zygote.close()
    tally["transactions"] = before.transactions
    tally["audit events"] = before.events
    return tally


def report(kind: str, tally: Counter[str]) -> None:
    print(
        f"\n{kind}: {tally['kills']} kills tried, {tally['mid-transaction']} landed "
        f"mid-transaction ({tally['mid-transaction, committed']} of those had committed "
        f"already, the others rolled back); {tally['committed']} transactions committed "
        f"between kills; {tally['transactions']} in the database, {tally['audit events']} "
        "audit events, chain verified after every kill"
    )


def test_sigkill_during_a_large_forms_import(fault_db: Path, filled_forms: Path) -> None:
    tally = hammer(fault_db, "import", (str(filled_forms),), seed=7)
    report("forms import", tally)
    assert tally["kills"] == KILLS
    assert tally["mid-transaction"] >= KILLS // 4
    assert tally["transactions"] > KILLS  # the import went on across the kills


def test_sigkill_during_score_edits(fault_db: Path) -> None:
    tally = hammer(fault_db, "edits", ("11",), seed=11)
    report("score edits", tally)
    assert tally["kills"] == KILLS
    assert tally["mid-transaction"] >= KILLS // 4
    assert tally["transactions"] > KILLS
