"""An agency's movement in the ranking since the year before ("tăng 3 bậc").

Ranks are only comparable within one group (Điều 6.2 ranks each group separately), so:

* ranked both years in the same group: "tăng n bậc" (a smaller rank number is better),
  "giảm n bậc" or "giữ nguyên";
* ranked both years but in another group last year: "đổi nhóm", with no number of places;
* ranked this year but not last year (not a member, no form sent, not ranked): "mới";
* not ranked this year (no form, exempt): no movement, an empty phrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class MovementKind(Enum):
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"
    GROUP_CHANGED = "group_changed"
    NONE = "none"  # not ranked this year


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an agency stood in one year: its group and its rank (None: not ranked)."""

    group: int
    rank: int | None


@dataclass(frozen=True, slots=True)
class Movement:
    """Thay đổi so với năm trước. ``steps`` is the number of places (0 unless UP or DOWN)."""

    kind: MovementKind
    steps: int = 0
    previous: Standing | None = None

    @property
    def text(self) -> str:
        """The phrase shown to users: "tăng 3 bậc", "giảm 1 bậc", "giữ nguyên", "mới",
        "đổi nhóm", or "" when the agency is not ranked this year."""
        return movement_text(self)


def compare(previous: Standing | None, current: Standing) -> Movement:
    """The movement from ``previous`` (None: not a member last year) to ``current``."""
    if current.rank is None:
        return Movement(MovementKind.NONE, 0, previous)
    if previous is None or previous.rank is None:
        return Movement(MovementKind.NEW, 0, previous)
    if previous.group != current.group:
        return Movement(MovementKind.GROUP_CHANGED, 0, previous)
    gained = previous.rank - current.rank
    if gained > 0:
        return Movement(MovementKind.UP, gained, previous)
    if gained < 0:
        return Movement(MovementKind.DOWN, -gained, previous)
    return Movement(MovementKind.SAME, 0, previous)


def movement_text(movement: Movement) -> str:
    """See ``Movement.text``."""
    match movement.kind:
        case MovementKind.UP:
            return f"tăng {movement.steps} bậc"
        case MovementKind.DOWN:
            return f"giảm {movement.steps} bậc"
        case MovementKind.SAME:
            return "giữ nguyên"
        case MovementKind.NEW:
            return "mới"
        case MovementKind.GROUP_CHANGED:
            return "đổi nhóm"
    return ""
