"""What every screen works on: the open database, the chosen round, who is working."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..services.audit import Actor
from ..store.database import Database


@dataclass
class Workspace:
    db: Database
    year: int | None
    demo: bool
    actor: Actor = field(default_factory=Actor)
    today: Callable[[], date] = date.today
