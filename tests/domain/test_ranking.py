"""Ranking within a group (Điều 6.2 and the app's default order and tie policy)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.classification import Classification
from khit_desktop.domain.collation import vietnamese_key
from khit_desktop.domain.ranking import RANKING_POLICY_NOTE, RankedRow, RankEntry, rank_group

D = Decimal
GOOD, FAIR, AVERAGE, WEAK, NOT_RANKED = (
    Classification.GOOD,
    Classification.FAIR,
    Classification.AVERAGE,
    Classification.WEAK,
    Classification.NOT_RANKED,
)


def entry(
    name: str, cls: Classification, score: str | int, sent: bool = True, key: int | None = None
) -> RankEntry[int | None]:
    return RankEntry(key=key, name=name, classification=cls, final_score=D(score), sent_form=sent)


def table(rows: list[RankedRow]) -> list[tuple[int | None, str]]:
    return [(row.rank, row.entry.name) for row in rows]


def test_order_by_class_then_score() -> None:
    rows = rank_group(
        [
            entry("Sở Y tế", AVERAGE, "600"),
            entry("Sở Nội vụ", GOOD, "880"),
            entry("Sở Xây dựng", FAIR, "720.5"),
            entry("Sở Ngoại vụ", GOOD, "910.25"),
            entry("Sở Công Thương", FAIR, "800"),
        ]
    )
    assert table(rows) == [
        (1, "Sở Ngoại vụ"),
        (2, "Sở Nội vụ"),
        (3, "Sở Công Thương"),
        (4, "Sở Xây dựng"),
        (5, "Sở Y tế"),
    ]


def test_ties_share_a_rank_and_the_next_skips() -> None:
    rows = rank_group(
        [
            entry("Sở Tư pháp", FAIR, "800.00"),
            entry("Sở Nội vụ", GOOD, "900"),
            entry("Sở Tài chính", FAIR, "800"),
            entry("Sở Xây dựng", FAIR, "750"),
        ]
    )
    # 'Tài' before 'Tư' (a < ư); 800 and 800.00 are the same score
    assert table(rows) == [
        (1, "Sở Nội vụ"),
        (2, "Sở Tài chính"),
        (2, "Sở Tư pháp"),
        (4, "Sở Xây dựng"),
    ]


def test_tie_names_in_vietnamese_order() -> None:
    rows = rank_group(
        [
            entry("Sở Đầu tư", GOOD, "900"),
            entry("Sở Giáo dục và Đào tạo", GOOD, "900"),
            entry("Sở Du lịch", GOOD, "900"),
            entry("Ban Dân tộc", GOOD, "900"),
        ]
    )
    assert table(rows) == [
        (1, "Ban Dân tộc"),
        (1, "Sở Du lịch"),
        (1, "Sở Đầu tư"),  # Đ after D, not after Z
        (1, "Sở Giáo dục và Đào tạo"),
    ]


def test_three_way_tie_then_skip() -> None:
    rows = rank_group(
        [entry(n, FAIR, "750") for n in ("C", "B", "A")] + [entry("D", FAIR, "749.99")]
    )
    assert table(rows) == [(1, "A"), (1, "B"), (1, "C"), (4, "D")]


def test_same_score_different_class_is_not_a_tie() -> None:
    # A Yếu agency (sent very late) with 900 points is not tied with a Tốt one on 900.
    rows = rank_group([entry("B", WEAK, "900"), entry("A", GOOD, "900")])
    assert table(rows) == [(1, "A"), (2, "B")]


def test_weak_with_higher_score_still_comes_after_fair() -> None:
    rows = rank_group(
        [
            entry("Sở Y tế", WEAK, "980"),  # forced Yếu: sent more than 5 days late
            entry("Sở Du lịch", FAIR, "701"),
            entry("Sở Tư pháp", AVERAGE, "550"),
        ]
    )
    assert table(rows) == [(1, "Sở Du lịch"), (2, "Sở Tư pháp"), (3, "Sở Y tế")]


def test_agencies_without_a_form_come_after_all_ranked_without_rank() -> None:
    rows = rank_group(
        [
            entry("Sở Xây dựng", WEAK, "0", sent=False),
            entry("Sở Tư pháp", WEAK, "120"),
            entry("Sở Đầu tư", WEAK, "0", sent=False),
            entry("Sở Du lịch", WEAK, "0", sent=False),
            entry("Sở Y tế", GOOD, "900"),
        ]
    )
    assert table(rows) == [
        (1, "Sở Y tế"),
        (2, "Sở Tư pháp"),
        (None, "Sở Du lịch"),
        (None, "Sở Đầu tư"),
        (None, "Sở Xây dựng"),
    ]


def test_not_ranked_come_last_without_rank() -> None:
    rows = rank_group(
        [
            entry("Ban B", NOT_RANKED, "950"),
            entry("Sở Y tế", FAIR, "750"),
            entry("Ban A", NOT_RANKED, "0", sent=False),
            entry("Sở Xây dựng", WEAK, "0", sent=False),
        ]
    )
    assert table(rows) == [
        (1, "Sở Y tế"),
        (None, "Sở Xây dựng"),
        (None, "Ban A"),
        (None, "Ban B"),
    ]


def test_scores_compared_at_two_decimals() -> None:
    rows = rank_group([entry("B", GOOD, "900.004"), entry("A", GOOD, "900")])
    assert table(rows) == [(1, "A"), (1, "B")]


def test_keys_travel_with_rows_and_empty_group() -> None:
    rows = rank_group([entry("A", GOOD, "900", key=7)])
    assert rows[0].entry.key == 7
    assert rank_group([]) == []


def test_policy_note_mentions_the_tie_rule() -> None:
    assert "1, 2, 2, 4" in RANKING_POLICY_NOTE
    assert "không xếp hạng" in RANKING_POLICY_NOTE


# --- properties ---------------------------------------------------------------------------------

NAMES = [
    "Sở Du lịch",
    "Sở Đầu tư",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Sở Y tế",
    "Ban Dân tộc",
    "Văn phòng UBND tỉnh",
    "Sở Giáo dục và Đào tạo",
    "Sở Giao thông vận tải",
    "Sở Nội vụ",
    "Sở Ngoại vụ",
    "Đài Phát thanh",
]

entries = st.builds(
    lambda name, cls, hundredths, sent, key: RankEntry(
        key=key,
        name=name,
        classification=cls,
        final_score=D(hundredths).scaleb(-2),
        sent_form=sent,
    ),
    st.sampled_from(NAMES),
    st.sampled_from(list(Classification)),
    # a narrow range of scores so that ties are common
    st.integers(min_value=84_990, max_value=85_010) | st.integers(min_value=0, max_value=100_000),
    st.booleans() | st.just(True),
    st.integers(),
)


@given(st.lists(entries, max_size=25, unique_by=lambda e: e.key))
def test_ranking_properties(group: list[RankEntry[int]]) -> None:
    rows = rank_group(group)
    # every entry exactly once
    assert Counter(r.entry.key for r in rows) == Counter(e.key for e in group)
    assert len(rows) == len(group)

    ranked = [r for r in rows if r.rank is not None]
    unranked = [r for r in rows if r.rank is None]
    assert rows[: len(ranked)] == ranked  # ranked rows first
    assert {r.entry.key for r in ranked} == {
        e.key for e in group if e.sent_form and e.classification is not NOT_RANKED
    }
    # the unranked: those without a form, then the not ranked, each alphabetical
    missing = [r for r in unranked if r.entry.classification is not NOT_RANKED]
    exempt = [r for r in unranked if r.entry.classification is NOT_RANKED]
    assert unranked == missing + exempt
    for part in (missing, exempt):
        keys = [vietnamese_key(r.entry.name) for r in part]
        assert keys == sorted(keys)

    for position, row in enumerate(ranked, start=1):
        if position == 1:
            assert row.rank == 1
            continue
        before = ranked[position - 2]
        same = (before.entry.classification, before.entry.final_score) == (
            row.entry.classification,
            row.entry.final_score,
        )
        assert row.rank == (before.rank if same else position)

    for a, b in pairwise(ranked):
        assert a.rank is not None and b.rank is not None
        assert a.rank <= b.rank
        ka = (a.entry.classification.order, -a.entry.final_score)
        kb = (b.entry.classification.order, -b.entry.final_score)
        assert ka <= kb
        if ka == kb:
            assert vietnamese_key(a.entry.name) <= vietnamese_key(b.entry.name)


@given(
    st.lists(entries, max_size=12, unique_by=(lambda e: e.key, lambda e: e.name)),
    st.randoms(use_true_random=False),
)
def test_ranking_does_not_depend_on_input_order(group: list[RankEntry[int]], rnd) -> None:
    shuffled = list(group)
    rnd.shuffle(shuffled)
    first = [
        (r.rank, r.entry.name, r.entry.classification, r.entry.final_score)
        for r in rank_group(group)
    ]
    second = [
        (r.rank, r.entry.name, r.entry.classification, r.entry.final_score)
        for r in rank_group(shuffled)
    ]
    assert first == second
