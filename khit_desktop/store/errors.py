"""Typed errors of the store; the layers above decide how to show them."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be used (message for the user, in Vietnamese)."""


class DatabaseTooNewError(DatabaseError):
    """Written by a newer program: refused rather than damaged."""


class NotAKhitDatabaseError(DatabaseError):
    """A file that holds something else."""


class FormFrozenError(DatabaseError):
    """A form with scores attached cannot change (a new version must be made)."""
