"""Matching published agency names to known agencies: examples and properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from khit_desktop.domain.collation import fold_diacritics, nfc
from khit_desktop.domain.name_match import (
    KnownName,
    MatchKind,
    NameMatcher,
    collapse_blanks,
    match_key,
    match_name,
    same_text,
)

KNOWN = [
    KnownName("STP", "Sở Tư pháp", 1),
    KnownName("STTTT", "Sở Thông tin và Truyền thông", 1),
    KnownName("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", 1),
    KnownName("SVHTT", "Sở Văn hóa và Thể thao", 1),
    KnownName("SDL", "Sở Du lịch", 1),
    KnownName("NT", "UBND thành phố Nha Trang", 2),
    KnownName("NH", "UBND thị xã Ninh Hòa", 2),
    KnownName("DHKH", "Trường Đại học Khánh Hòa", 3),
    KnownName("BQLKKT", "Ban Quản lý Khu kinh tế Vân Phong", 1),
]


@pytest.mark.parametrize(
    ("published", "code"),
    [
        ("UBND TP. Nha Trang", "NT"),
        ("Ủy ban nhân dân thành phố Nha Trang", "NT"),
        ("Uỷ ban nhân dân TP Nha Trang", "NT"),
        ("UBND TX Ninh Hoà", "NH"),
        ("SỞ TƯ PHÁP", "STP"),
        ("Sở  Tư   pháp tỉnh Khánh Hòa", "STP"),
        ("Sở TT&TT", "STTTT"),
        ("Sở Thông tin & Truyền thông", "STTTT"),
        ("Sở LĐ-TB&XH", "SLDTBXH"),
        ("Sở Lao động, Thương binh và Xã hội", "SLDTBXH"),
        ("Sở Lao động-Thương binh và Xã hội", "SLDTBXH"),
        ("Sở Văn hoá và Thể thao", "SVHTT"),
        ("Truong Dai hoc Khanh Hoa", "DHKH"),
        ("Trường ĐH Khánh Hòa", "DHKH"),
        ("Ban QL Khu kinh tế Vân Phong", "BQLKKT"),
    ],
)
def test_tolerant_matches(published: str, code: str) -> None:
    result = match_name(published, KNOWN, 1)
    assert result.kind is MatchKind.TOLERANT
    assert result.code == code


def test_exact_match_ignores_only_blanks_and_unicode_form() -> None:
    nfd = unicodedata.normalize("NFD", " Sở  Tư pháp ")
    assert match_name(nfd, KNOWN) == match_name("Sở Tư pháp", KNOWN)
    assert match_name(nfd, KNOWN).kind is MatchKind.EXACT
    assert match_name("sở tư pháp", KNOWN).kind is MatchKind.TOLERANT


@pytest.mark.parametrize("published", ["Tư pháp", "Sở Tư pháp và Du lịch", "Sở", "", "—"])
def test_words_are_never_dropped(published: str) -> None:
    assert match_name(published, KNOWN).kind is MatchKind.UNKNOWN


def test_unknown_names_come_with_suggestions() -> None:
    result = match_name("Sở Văn hóa, Thể thao và Du lịch", KNOWN)
    assert result.kind is MatchKind.UNKNOWN
    assert result.candidates[0] == "SVHTT"
    assert "SDL" in result.candidates
    assert match_name("Cục Thuế", KNOWN).candidates == ()


def test_an_agency_known_by_several_names_is_one_candidate() -> None:
    known = [*KNOWN, KnownName("NT", "UBND TP Nha Trang", 2)]
    result = match_name("Ủy ban nhân dân thành phố Nha Trang", known)
    assert (result.kind, result.code) == (MatchKind.TOLERANT, "NT")


def test_two_agencies_with_one_name_are_ambiguous_unless_the_group_tells() -> None:
    known = [*KNOWN, KnownName("STP-CU", "Sở Tư Pháp", 3)]
    result = match_name("SO TU PHAP", known)
    assert result.kind is MatchKind.AMBIGUOUS
    assert set(result.candidates) == {"STP", "STP-CU"}
    assert match_name("SO TU PHAP", known, 3).code == "STP-CU"
    assert match_name("SO TU PHAP", known, 2).kind is MatchKind.AMBIGUOUS
    # an exact name wins over a tolerant one
    assert match_name("Sở Tư Pháp", known).code == "STP-CU"


# ---------------------------------------------------------------- properties

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)
letters = st.sampled_from(list(VIETNAMESE + VIETNAMESE.upper()))
words = st.text(alphabet=letters, min_size=1, max_size=8)
names = st.lists(words, min_size=1, max_size=6).map(" ".join)
separators = st.sampled_from([" ", "  ", " , ", ". ", " - ", "\t", "\u00a0", " ( "])


@given(names)
def test_key_is_idempotent_and_ascii(name: str) -> None:
    key = match_key(name)
    assert match_key(key) == key
    assert key == key.strip() and "  " not in key
    assert key.isascii()


@given(names)
def test_key_ignores_unicode_form_case_and_diacritics(name: str) -> None:
    key = match_key(name)
    assert match_key(unicodedata.normalize("NFD", name)) == key
    assert match_key(name.upper()) == key
    assert match_key(name.lower()) == key
    assert match_key(fold_diacritics(name)) == key


@given(st.lists(words, min_size=1, max_size=6), st.data())
def test_key_ignores_spacing_and_punctuation(parts: list[str], data: st.DataObject) -> None:
    spaced = "".join(part + data.draw(separators) for part in parts)
    assert match_key(spaced) == match_key(" ".join(parts))


@given(names)
def test_same_text_is_blank_and_form_insensitive(name: str) -> None:
    assert same_text(unicodedata.normalize("NFD", f"  {name} "), name)
    assert collapse_blanks(name) == nfc(" ".join(name.split()))


@given(st.lists(names, min_size=1, max_size=8, unique_by=match_key), st.data())
def test_a_known_name_written_otherwise_finds_its_agency(
    known_names: list[str], data: st.DataObject
) -> None:
    known = [KnownName(f"A{i}", name, 1 + i % 3) for i, name in enumerate(known_names)]
    matcher = NameMatcher(known)
    index = data.draw(st.integers(0, len(known) - 1))
    target = known[index]
    written = data.draw(
        st.sampled_from(
            [
                target.name,
                target.name.upper(),
                fold_diacritics(target.name),
                unicodedata.normalize("NFD", target.name),
                "  " + target.name.replace(" ", "   ") + " ",
            ]
        )
    )
    result = matcher.match(written, target.group)
    assert result.code == target.code
    assert result.kind in (MatchKind.EXACT, MatchKind.TOLERANT)
    if same_text(written, target.name):
        assert result.kind is MatchKind.EXACT


@given(st.lists(names, min_size=1, max_size=6), names)
def test_a_name_matching_no_key_is_unknown(known_names: list[str], other: str) -> None:
    assume(match_key(other) not in {match_key(n) for n in known_names})
    known = [KnownName(f"A{i}", name) for i, name in enumerate(known_names)]
    result = NameMatcher(known).match(other)
    assert result.kind is MatchKind.UNKNOWN and result.code is None
    assert set(result.candidates) <= {k.code for k in known}


@given(names, st.integers(2, 4))
def test_one_name_for_several_agencies_is_ambiguous(name: str, count: int) -> None:
    known = [KnownName(f"A{i}", name, 1) for i in range(count)]
    result = NameMatcher(known).match(name, 1)
    assert result.kind is MatchKind.AMBIGUOUS
    assert sorted(result.candidates) == [k.code for k in known]
