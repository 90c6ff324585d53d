"""Vietnamese collation (CLDR vi): examples, Khánh Hòa agency names and properties."""

from __future__ import annotations

import random
import unicodedata
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khit_desktop.domain.collation import (
    fold_diacritics,
    nfc,
    sort_vietnamese,
    vietnamese_key,
)

LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
VOWELS = "aăâeêioôơuưy"
# none, huyền, hỏi, ngã, sắc, nặng
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")


def with_tone(vowel: str, tone: str) -> str:
    return nfc(vowel + tone)


TONED_VOWELS = [with_tone(v, t) for v in VOWELS for t in TONES]
LOWER_ALPHABET = sorted(set(LETTERS) | set(TONED_VOWELS))
ALPHABET = LOWER_ALPHABET + [c.upper() for c in LOWER_ALPHABET] + list(" -0123456789")

texts = st.text(alphabet=st.sampled_from(ALPHABET), max_size=12)
lower_texts = st.text(alphabet=st.sampled_from([*LOWER_ALPHABET, " "]), max_size=12)
tone_indices = st.integers(min_value=0, max_value=len(TONES) - 1)

# Independent primary oracle: separators < digits < letters in Vietnamese order.
PRIMARY_ORDER = " -0123456789" + LETTERS


def strip_tones(text: str) -> str:
    """Remove the five tone marks only (ă, â, ê, ô, ơ, ư keep their modifiers)."""
    decomposed = unicodedata.normalize("NFD", text)
    return nfc("".join(c for c in decomposed if c not in TONES[1:]))


def primary_oracle(text: str) -> list[int]:
    return [PRIMARY_ORDER.index(c) for c in strip_tones(text).lower()]


def is_sorted_vi(names: list[str]) -> bool:
    keys = [vietnamese_key(n) for n in names]
    return all(a < b for a, b in pairwise(keys))


# --- examples -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ordered",
    [
        ["Sở Du lịch", "Sở Đầu tư", "Sở Giáo dục và Đào tạo"],
        ["Đà Nẵng", "Đắk Lắk", "Điện Biên"],
        ["a", "à", "ả", "ã", "á", "ạ", "ă"],
        ["Cam Lâm", "Cam Ranh"],
        ["UBND huyện Khánh Sơn", "UBND huyện Khánh Vĩnh"],
        ["Ban Dân tộc", "Ban Quản lý Khu kinh tế Vân Phong"],
        ["Sở Y", "Sở Y tế"],
        [" ", "-", "0", "9", "a"],
        ["Ä", "b", "é", "z", "ø"],
    ],
)
def test_examples_are_in_order(ordered: list[str]) -> None:
    assert is_sorted_vi(ordered)
    shuffled = list(reversed(ordered))
    assert sort_vietnamese(shuffled) == ordered


def test_d_with_stroke_is_not_after_z() -> None:
    names = ["Zô", "Đông", "Dương", "Ea"]
    assert sorted(names) == ["Dương", "Ea", "Zô", "Đông"]  # plain Python: Đ after Z
    assert sort_vietnamese(names) == ["Dương", "Đông", "Ea", "Zô"]


def test_khanh_hoa_2020_agencies() -> None:
    agencies = [
        "Sở Y tế",
        "Sở Du lịch",
        "Sở Xây dựng",
        "Sở Giao thông vận tải",
        "Sở Giáo dục và Đào tạo",
        "Sở Tài chính",
        "Sở Tư pháp",
        "Sở Tài nguyên và Môi trường",
        "Sở Nội vụ",
        "Sở Ngoại vụ",
    ]
    # "Giáo dục" precedes "Giao thông": d < t is a primary difference, the tone only secondary.
    # "Ngoại" precedes "Nội": g < ô. "Tài" precedes "Tư": a < ư.
    assert sort_vietnamese(agencies) == [
        "Sở Du lịch",
        "Sở Giáo dục và Đào tạo",
        "Sở Giao thông vận tải",
        "Sở Ngoại vụ",
        "Sở Nội vụ",
        "Sở Tài chính",
        "Sở Tài nguyên và Môi trường",
        "Sở Tư pháp",
        "Sở Xây dựng",
        "Sở Y tế",
    ]


def test_sort_vietnamese_with_key() -> None:
    rows = [(2, "Đông"), (1, "Dương"), (3, "Bắc")]
    assert sort_vietnamese(rows, key=lambda row: row[1]) == [(3, "Bắc"), (1, "Dương"), (2, "Đông")]


def test_alphabet_order() -> None:
    assert sort_vietnamese(reversed(LETTERS)) == list(LETTERS)
    assert sort_vietnamese(c.upper() for c in reversed(LETTERS)) == [c.upper() for c in LETTERS]


def test_case_lower_before_upper() -> None:
    assert sort_vietnamese(["Ă", "ă", "A", "a"]) == ["a", "A", "ă", "Ă"]
    assert sort_vietnamese(["SỞ", "Sở", "sở"]) == ["sở", "Sở", "SỞ"]


@pytest.mark.parametrize("vowel", list(VOWELS))
def test_tone_order_for_every_vowel(vowel: str) -> None:
    toned = [with_tone(vowel, t) for t in TONES]
    assert is_sorted_vi(toned)
    assert is_sorted_vi([c.upper() for c in toned])
    assert sort_vietnamese(list(reversed(toned))) == toned


def test_nfd_input() -> None:
    name = "Sở Giáo dục và Đào tạo"
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    assert vietnamese_key(decomposed) == vietnamese_key(name)
    assert nfc(decomposed) == name


# --- fold_diacritics ------------------------------------------------------------------------------


def test_fold_diacritics() -> None:
    assert fold_diacritics("Sở Tài chính") == "so tai chinh"
    assert "so tai chinh" in fold_diacritics("UBND tỉnh - Sở Tài chính Khánh Hòa")
    assert "dong" in fold_diacritics("Đông")
    assert fold_diacritics("ĐẮK   LẮK\t") == "dak lak"
    assert fold_diacritics(unicodedata.normalize("NFD", "Sở Tài chính")) == "so tai chinh"
    assert fold_diacritics("Giáo dục và Đào tạo") == "giao duc va dao tao"


@given(texts)
def test_fold_nfc_and_nfd_alike(text: str) -> None:
    folded = fold_diacritics(text)
    assert fold_diacritics(unicodedata.normalize("NFD", text)) == folded
    assert folded.isascii()
    assert folded == folded.lower()


# --- properties -----------------------------------------------------------------------------------


@given(texts)
def test_key_ignores_normalisation_form(text: str) -> None:
    key = vietnamese_key(nfc(text))
    assert vietnamese_key(unicodedata.normalize("NFD", text)) == key
    assert vietnamese_key(text) == key


@given(st.lists(texts, max_size=15), st.randoms(use_true_random=False))
def test_sort_is_total_and_deterministic(names: list[str], rnd: random.Random) -> None:
    ordered = sort_vietnamese(names)
    assert sort_vietnamese(ordered) == ordered
    shuffled = list(names)
    rnd.shuffle(shuffled)
    assert sort_vietnamese(shuffled) == ordered


@given(texts, texts)
def test_keys_equal_only_for_equal_text(a: str, b: str) -> None:
    assert (vietnamese_key(a) == vietnamese_key(b)) == (nfc(a) == nfc(b))


@given(texts, texts)
def test_primary_matches_independent_oracle(a: str, b: str) -> None:
    oracle_a, oracle_b = primary_oracle(a), primary_oracle(b)
    if oracle_a != oracle_b:
        assert (vietnamese_key(a) < vietnamese_key(b)) == (oracle_a < oracle_b)


@given(texts, texts)
def test_primary_dominates_tones(a: str, b: str) -> None:
    bare_a, bare_b = strip_tones(a), strip_tones(b)
    if bare_a.lower() != bare_b.lower():
        assert (vietnamese_key(a) < vietnamese_key(b)) == (
            vietnamese_key(bare_a) < vietnamese_key(bare_b)
        )


@given(texts, texts, st.data())
def test_adding_a_tone_never_crosses_a_primary_difference(a: str, b: str, data) -> None:
    bare_a = strip_tones(a)
    if bare_a.lower() == strip_tones(b).lower():
        return
    positions = [i for i, c in enumerate(bare_a) if c.lower() in VOWELS]
    if not positions:
        return
    i = data.draw(st.sampled_from(positions))
    tone = data.draw(st.sampled_from(TONES[1:]))
    toned_a = bare_a[:i] + with_tone(bare_a[i], tone) + bare_a[i + 1 :]
    before = vietnamese_key(bare_a) < vietnamese_key(b)
    assert (vietnamese_key(toned_a) < vietnamese_key(b)) == before


@given(texts, st.sampled_from(list(VOWELS)), tone_indices, tone_indices, texts)
def test_tone_order_in_context(prefix: str, vowel: str, i: int, j: int, suffix: str) -> None:
    first = prefix + with_tone(vowel, TONES[i]) + suffix
    second = prefix + with_tone(vowel, TONES[j]) + suffix
    assert (vietnamese_key(first) < vietnamese_key(second)) == (i < j)


@given(lower_texts, st.data())
def test_upper_case_sorts_after_lower_case(text: str, data) -> None:
    positions = [i for i, c in enumerate(text) if c.upper() != c]
    if not positions:
        return
    i = data.draw(st.sampled_from(positions))
    raised = text[:i] + text[i].upper() + text[i + 1 :]
    assert vietnamese_key(text) < vietnamese_key(raised)
    assert vietnamese_key(text) < vietnamese_key(text.upper())


@given(texts, texts.filter(bool))
def test_prefix_sorts_first(text: str, tail: str) -> None:
    assert vietnamese_key(text) < vietnamese_key(text + tail)
