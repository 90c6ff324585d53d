"""The audit hash chain: any change, removal or insertion is found, at the first broken link."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.audit_chain import (
    GENESIS,
    ChainEvent,
    event_hash,
    verify_chain,
)

START = datetime(2020, 11, 16, 8, 0, 0, 123456)


def chain(n: int) -> list[ChainEvent]:
    events: list[ChainEvent] = []
    previous = GENESIS
    for i in range(1, n + 1):
        draft = ChainEvent(
            sequence=i,
            at_utc=START + timedelta(minutes=i),
            user="cán bộ A",
            machine="máy-1",
            action="score.set",
            entity="score",
            entity_id=i * 10,
            round_year=2020,
            old_json='{"points": "3.40"}',
            new_json='{"points": "3.50"}',
            reason="theo biên bản khảo sát",
            prev_hash=previous,
            hash="",
        )
        event = replace(draft, hash=event_hash(draft))
        events.append(event)
        previous = event.hash
    return events


def test_an_intact_chain_verifies_and_reports_its_head() -> None:
    events = chain(5)
    report = verify_chain(events)
    assert report.ok and report.events == 5 and report.head == events[-1].hash
    assert verify_chain([]).ok and verify_chain([]).head == GENESIS


def test_the_hash_covers_every_field() -> None:
    event = chain(1)[0]
    for field, value in (
        ("user", "người khác"),
        ("at_utc", event.at_utc + timedelta(microseconds=1)),
        ("new_json", '{"points": "3.60"}'),
        ("reason", ""),
        ("entity_id", None),
        ("round_year", 2021),
        ("action", "score.undo"),
    ):
        assert event_hash(replace(event, **{field: value})) != event.hash, field


@given(st.integers(3, 12), st.data())
def test_editing_any_event_is_found_at_that_event(n: int, data: st.DataObject) -> None:
    events = chain(n)
    i = data.draw(st.integers(0, n - 1))
    events[i] = replace(events[i], new_json='{"points": "9.99"}')
    report = verify_chain(events)
    assert not report.ok and report.broken is not None
    assert report.broken.sequence == i + 1
    assert "đã bị sửa" in report.broken.reason


@given(st.integers(3, 12), st.data())
def test_deleting_any_event_is_found(n: int, data: st.DataObject) -> None:
    events = chain(n)
    i = data.draw(st.integers(0, n - 2))  # deleting the last one leaves a shorter valid chain
    del events[i]
    report = verify_chain(events)
    assert not report.ok and report.broken is not None
    assert report.broken.sequence == i + 2
    assert "bị xóa" in report.broken.reason


def test_rehashing_an_edited_event_still_breaks_the_next_link() -> None:
    events = chain(4)
    forged = replace(events[1], new_json='{"points": "9.99"}')
    events[1] = replace(forged, hash=event_hash(forged))
    report = verify_chain(events)
    assert report.broken is not None and report.broken.sequence == 3
    assert "không nối" in report.broken.reason


def test_an_inserted_event_is_found() -> None:
    events = chain(3)
    events.insert(1, events[1])
    report = verify_chain(events)
    assert report.broken is not None and "chèn" in report.broken.reason
