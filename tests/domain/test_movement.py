"""Movement in the ranking since the year before: wording and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.movement import Movement, MovementKind, Standing, compare, movement_text


@pytest.mark.parametrize(
    ("previous", "current", "text"),
    [
        (Standing(1, 5), Standing(1, 2), "tăng 3 bậc"),
        (Standing(1, 2), Standing(1, 3), "giảm 1 bậc"),
        (Standing(2, 4), Standing(2, 4), "giữ nguyên"),
        (None, Standing(2, 4), "mới"),
        (Standing(2, None), Standing(2, 1), "mới"),
        (Standing(3, 1), Standing(1, 1), "đổi nhóm"),
        (Standing(1, 1), Standing(1, None), ""),
        (None, Standing(1, None), ""),
    ],
)
def test_phrases(previous: Standing | None, current: Standing, text: str) -> None:
    movement = compare(previous, current)
    assert movement.text == text == movement_text(movement)
    assert movement.previous == previous


ranks = st.integers(1, 60)
groups = st.integers(1, 3)


@given(groups, ranks, ranks)
def test_up_and_down_are_mirror_images(group: int, a: int, b: int) -> None:
    forward = compare(Standing(group, a), Standing(group, b))
    backward = compare(Standing(group, b), Standing(group, a))
    assert forward.steps == backward.steps == abs(a - b)
    if a > b:
        assert (forward.kind, backward.kind) == (MovementKind.UP, MovementKind.DOWN)
        assert forward.text == f"tăng {a - b} bậc"
    elif a < b:
        assert (forward.kind, backward.kind) == (MovementKind.DOWN, MovementKind.UP)
        assert backward.text == f"tăng {b - a} bậc"
    else:
        assert forward.kind is backward.kind is MovementKind.SAME
        assert forward.text == "giữ nguyên"


@given(groups, groups, st.none() | ranks, st.none() | ranks)
def test_numbers_only_within_one_group(g1: int, g2: int, r1: int | None, r2: int | None) -> None:
    movement = compare(Standing(g1, r1), Standing(g2, r2))
    if movement.kind in (MovementKind.UP, MovementKind.DOWN):
        assert g1 == g2 and movement.steps > 0
        assert movement.text.endswith(" bậc")
    else:
        assert movement.steps == 0
    if r2 is None:
        assert movement.kind is MovementKind.NONE and movement.text == ""
    elif r1 is None:
        assert movement.kind is MovementKind.NEW
    elif g1 != g2:
        assert movement.kind is MovementKind.GROUP_CHANGED


def test_every_kind_has_a_phrase() -> None:
    texts = {kind: Movement(kind, 2).text for kind in MovementKind}
    assert texts[MovementKind.NONE] == ""
    assert all(texts[k] for k in MovementKind if k is not MovementKind.NONE)
