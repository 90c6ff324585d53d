"""Backup retention: recent ones, then one a day, a week, a month."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.retention import RetentionPolicy, backups_to_keep

NOW = datetime(2026, 11, 26, 12, 0)


def test_every_half_hour_for_a_year() -> None:
    times = [NOW - timedelta(minutes=30 * i) for i in range(365 * 48)]
    keep = backups_to_keep(times)
    policy = RetentionPolicy()
    assert max(times) in keep
    # no more than the policy's counts in all
    assert len(keep) <= policy.recent + policy.daily + policy.weekly + policy.monthly
    # the ten newest are all there
    assert set(sorted(times, reverse=True)[:10]) <= keep
    # one for each of the last 14 days
    assert {t.date() for t in keep} >= {(NOW - timedelta(days=d)).date() for d in range(14)}
    # and something from about a year ago
    assert min(keep) < NOW - timedelta(days=300)


@given(st.lists(st.datetimes(datetime(2020, 1, 1), datetime(2027, 1, 1)), max_size=300))
def test_keeps_a_subset_with_the_newest(times: list[datetime]) -> None:
    keep = backups_to_keep(times)
    assert keep <= set(times)
    if times:
        assert max(times) in keep
    policy = RetentionPolicy()
    assert len(keep) <= policy.recent + policy.daily + policy.weekly + policy.monthly
    # every day kept is represented by its newest backup only
    by_day: dict[object, list[datetime]] = {}
    for t in keep:
        by_day.setdefault(t.date(), []).append(t)
    newest_days = sorted({t.date() for t in times}, reverse=True)[: policy.daily]
    for day in newest_days:
        assert max(t for t in times if t.date() == day) in keep


def test_fewer_backups_than_the_policy_keeps_all() -> None:
    times = [NOW - timedelta(days=i) for i in range(5)]
    assert backups_to_keep(times) == set(times)
