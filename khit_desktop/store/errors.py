"""Typed errors of the store; the layers above decide how to show them."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be used (message for the user, in Vietnamese). ``detail``: the
    technical words behind it (a driver's message), for a "Chi tiết" box and the log."""

    def __init__(self, message: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class DatabaseTooNewError(DatabaseError):
    """Written by a newer program: refused rather than damaged."""


class NotAKhitDatabaseError(DatabaseError):
    """A file that holds something else."""


class FormFrozenError(DatabaseError):
    """A form with scores attached cannot change (a new version must be made)."""


class ConcurrentEditError(DatabaseError):
    """Another user changed the same row while this transaction ran (a row version that no
    longer matches, a deadlock or a serialisation failure on the server): nothing was
    written; reloading and doing it again is safe."""


class StaleRowError(ConcurrentEditError):
    """A row's version moved on between reading and writing it (another user saved it)."""


class ReadOnlyDatabaseError(DatabaseError):
    """The database is an archive (``meta.read_only``): every change is refused."""
