"""The first run: the welcome, a new database with its administrator and first round, or
the demo (``flow.first_run``)."""

from __future__ import annotations

from .flow import StartChoice, database_to_open, first_run

__all__ = ["StartChoice", "database_to_open", "first_run"]
