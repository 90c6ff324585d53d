"""One running window per database file: the lock names its holder, and a killed holder
cannot leave it stuck (the operating system drops it with the process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from khit_desktop.store.errors import DatabaseError
from khit_desktop.store.lock import (
    DatabaseInUse,
    acquire,
    is_locked,
    lock_path,
    read_holder,
)

HOLDER = """
import sys, time
from datetime import datetime
from pathlib import Path
from khit_desktop.store.lock import acquire
lock = acquire(Path(sys.argv[1]), now=datetime(2020, 11, 20, 8, 30))
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture
def database(tmp_path: Path) -> Path:
    folder = tmp_path / "Dữ liệu của Nguyễn Văn A"
    folder.mkdir()
    return folder / "khit minh họa.db"


def test_a_second_acquire_names_the_holder(database: Path) -> None:
    lock = acquire(database, now=datetime(2020, 11, 20, 8, 30))
    try:
        assert lock.held and lock.path == lock_path(database)
        assert lock.path.name == "khit minh họa.db.lock"
        with pytest.raises(DatabaseInUse) as refused:
            acquire(database)
        message = str(refused.value)
        assert isinstance(refused.value, DatabaseError)  # the window shows it as it shows any
        assert lock.holder.user in message and lock.holder.host in message
        assert f"tiến trình {os.getpid()}" in message
        assert "08:30 ngày 20/11/2020" in message
        assert is_locked(database)
        holder = read_holder(database)
        assert holder is not None and holder.pid == os.getpid()
    finally:
        lock.release()
    assert not lock.held
    assert not is_locked(database)
    again = acquire(database)  # free again
    again.release()
    lock.release()  # releasing twice is harmless


def test_the_context_manager_releases(database: Path) -> None:
    with acquire(database):
        assert is_locked(database)
    assert not is_locked(database)


def test_another_process_holds_it_until_killed(database: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseInUse, match=f"tiến trình {child.pid}"):
            acquire(database)
        assert is_locked(database)
        child.send_signal(signal.SIGKILL)  # a crash: no cleanup code runs
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    deadline = time.monotonic() + 5
    while is_locked(database) and time.monotonic() < deadline:
        time.sleep(0.05)
    lock = acquire(database)  # the dead copy's lock is gone, although its file remains
    try:
        assert lock_path(database).exists()
        holder = read_holder(database)
        assert holder is not None and holder.pid == os.getpid()
    finally:
        lock.release()


def test_an_unreadable_holder_still_gives_a_clear_message(database: Path) -> None:
    lock = acquire(database)
    try:
        with lock_path(database).open("r+b") as handle:  # as if being rewritten this moment
            handle.truncate()
        with pytest.raises(DatabaseInUse, match="một cửa sổ KHIT Desktop khác"):
            acquire(database)
    finally:
        lock.release()
