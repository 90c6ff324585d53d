"""What every screen works on: the open database, the chosen round, who is working."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..services.audit import Actor
from ..services.permissions import GRANTS, Permission
from ..store.database import Database

# the permissions that change a round's data: a user with none of them reviews (read-only)
DATA_EDITS = (
    Permission.RECEIPTS,
    Permission.IMPORT_FORMS,
    Permission.EDIT_SCORES,
    Permission.SURVEYS,
    Permission.EXPLANATIONS,
    Permission.ROSTER,
    Permission.COUNCIL_DECISIONS,
    Permission.SET_DECISION,
    Permission.EDIT_RULES,
    Permission.CREATE_ROUND,
    Permission.MANAGE_CRITERIA,
    Permission.IMPORT_HISTORY,
)


@dataclass
class Workspace:
    db: Database
    year: int | None
    demo: bool
    actor: Actor = field(default_factory=Actor)
    today: Callable[[], date] = date.today
    read_only: bool = False  # a round archive (``store.read_only``): nothing may be written

    def can(self, permission: Permission) -> bool:
        """Whether the logged-in user may do this here: the screens show an edit control only
        when it is true (the services refuse the rest anyway). A read-only archive grants only
        reading and exporting."""
        if self.read_only and permission not in (Permission.READ, Permission.EXPORT):
            return False
        return permission in GRANTS[self.actor.role]

    @property
    def reviewing(self) -> bool:
        """Review mode (issue 10): the user may change none of the round's data — council
        members, the chair, a reader of an archive. Screens show no edit control at all."""
        return not any(self.can(p) for p in DATA_EDITS)
