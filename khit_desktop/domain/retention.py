"""Which automatic backups to keep, in the manner of Anki: every recent one, then one a day,
one a week and one a month, so both "ten minutes ago" and "before last month's import" are
there without the folder growing for ever."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RetentionPolicy:
    recent: int = 10  # the newest backups, whatever their age
    daily: int = 14  # then the newest of each of this many days
    weekly: int = 8  # then the newest of each of this many ISO weeks
    monthly: int = 12  # then the newest of each of this many months


def backups_to_keep(
    times: Iterable[datetime], policy: RetentionPolicy = RetentionPolicy()
) -> set[datetime]:
    """The times of the backups to keep; every other automatic backup may be deleted. The
    newest backup is always kept."""
    ordered = sorted(set(times), reverse=True)
    keep = set(ordered[: policy.recent])

    def newest_per(key: Callable[[datetime], Hashable], count: int) -> None:
        seen: list[Hashable] = []
        for moment in ordered:
            period = key(moment)
            if period in seen:
                continue
            if len(seen) == count:
                break
            seen.append(period)
            keep.add(moment)

    newest_per(lambda m: m.date(), policy.daily)
    newest_per(lambda m: m.isocalendar()[:2], policy.weekly)
    newest_per(lambda m: (m.year, m.month), policy.monthly)
    return keep
