"""One running window per database file: an operating-system lock on ``<database>.lock``.

The lock is taken with ``fcntl.flock`` (POSIX) or ``msvcrt.locking`` (Windows) on an open
file, so the operating system drops it when the process ends in any way — a crash or a
killed process cannot leave the database locked. The file also holds who took the lock
(process, machine, user, since when) so that a second copy can say who is using it. The
file itself stays beside the database; only the lock on it matters.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .errors import DatabaseError

# On Windows the locked byte lies far past the holder's details, which stay readable
# (Windows byte-range locks are mandatory; locking past the end of a file is allowed).
_WINDOWS_LOCK_OFFSET = 1 << 30


class DatabaseInUse(DatabaseError):
    """Another running copy of the program has the database open."""


@dataclass(frozen=True)
class LockHolder:
    """Who holds a database's lock (as written by the holder)."""

    pid: int
    host: str
    user: str
    since: datetime

    def describe(self) -> str:
        return (
            f"người dùng {self.user} trên máy {self.host} (tiến trình {self.pid}), "
            f"từ {self.since.strftime('%H:%M ngày %d/%m/%Y')}"
        )


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "không rõ"


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # BlockingIOError: held by another open file
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WINDOWS_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_holder(path: Path) -> LockHolder | None:
    try:
        with path.open("rb") as handle:
            data: Any = json.loads(handle.read(4096).split(b"\0", 1)[0] or b"null")
        return LockHolder(
            int(data["pid"]),
            str(data["host"]),
            str(data["user"]),
            datetime.fromisoformat(data["since"]),
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None  # being written this very moment, or unreadable: say less


class DatabaseLock:
    """The lock of one database, held from ``acquire`` until ``release`` (or process end)."""

    def __init__(self, database: Path, handle: IO[bytes], holder: LockHolder) -> None:
        self.database, self.path, self.holder = database, lock_path(database), holder
        self._handle: IO[bytes] | None = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            _unlock(handle)
        finally:
            handle.close()

    def __enter__(self) -> DatabaseLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def acquire(database: Path, *, now: datetime | None = None) -> DatabaseLock:
    """Take the lock of ``database`` or raise DatabaseInUse naming who holds it."""
    database = Path(database).resolve()
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
    handle = os.fdopen(os.open(path, flags, 0o644), "r+b")
    try:
        if not _try_lock(handle):
            holder = _read_holder(path)
            who = holder.describe() if holder else "một cửa sổ KHIT Desktop khác"
            raise DatabaseInUse(
                f"Cơ sở dữ liệu {database} đang được mở bởi {who}. Mỗi tệp dữ liệu chỉ mở trong "
                "một cửa sổ chương trình một lúc: hãy dùng cửa sổ đó, hoặc đóng nó rồi mở lại. "
                "Nếu cửa sổ đó đã bị tắt đột ngột, khóa được giải phóng ngay khi tiến trình "
                "kết thúc."
            )
        holder = LockHolder(os.getpid(), socket.gethostname(), _user(), now or datetime.now())
        record = json.dumps(
            {
                "pid": holder.pid,
                "host": holder.host,
                "user": holder.user,
                "since": holder.since.isoformat(timespec="seconds"),
            },
            ensure_ascii=False,
        ).encode("utf-8")
        handle.seek(0)
        handle.truncate()
        handle.write(record)
        handle.flush()
        os.fsync(handle.fileno())
    except BaseException:
        handle.close()
        raise
    return DatabaseLock(database, handle, holder)


def is_locked(database: Path) -> bool:
    """Whether a running copy of the program holds the lock of ``database`` now."""
    try:
        lock = acquire(database)
    except DatabaseInUse:
        return True
    lock.release()
    return False


def read_holder(database: Path) -> LockHolder | None:
    """Who took the lock of ``database`` last, as written in its lock file (None if empty)."""
    return _read_holder(lock_path(Path(database).resolve()))
