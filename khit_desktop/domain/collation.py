"""Vietnamese alphabetical order (thứ tự chữ cái tiếng Việt) and diacritic-insensitive folding.

Implements the Unicode CLDR Vietnamese collation in pure Python, without ICU:

* level 1 compares base letters case-insensitively, with ă, â, đ, ê, ô, ơ, ư as letters of their
  own (a < ă < â < b < … < d < đ < e < ê < … < o < ô < ơ < … < u < ư < … < z); spaces and
  punctuation sort before digits, digits before letters, and a prefix sorts first;
* level 2 compares the tones (none < huyền < hỏi < ngã < sắc < nặng) only when level 1 ties;
* level 3 compares case (lower before upper), and finally the NFC text itself.

Input may be NFC or NFD: everything is normalised first, so both forms get the same key.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}

_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
# (base letter, modifier mark) -> Vietnamese letter of its own.
_MODIFIED = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}
# Tone marks in CLDR order: huyền, hỏi, ngã, sắc, nặng (no mark = 0).
_TONE_WEIGHT = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_OTHER_MARK_BASE = 0x100  # other combining marks sort after every tone, by code point

# Primary classes: separators (spaces, punctuation, symbols) < digits < letters a-z < others.
_SEPARATOR, _DIGIT, _LETTER, _OTHER = 0, 1, 2, 3
_CLASS_SHIFT = 0x200000  # larger than any code point, so classes never overlap

Key = tuple[tuple[int, ...], tuple[tuple[int, ...], ...], tuple[int, ...], str]


def nfc(text: str) -> str:
    """Return ``text`` in Unicode Normalization Form C."""
    return unicodedata.normalize("NFC", text)


def _clusters(text: str) -> list[tuple[str, list[str]]]:
    """Split NFD ``text`` into (base character, combining marks) clusters."""
    clusters: list[tuple[str, list[str]]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and clusters:
            clusters[-1][1].append(char)
        else:  # a base character, or a stray mark at the very start (weighed as a symbol)
            clusters.append((char, []))
    return clusters


def _weigh(base: str, marks: list[str]) -> tuple[int, tuple[int, ...], int]:
    """Primary, secondary and tertiary weights of one cluster."""
    lower = base.lower()
    upper = 1 if base != lower else 0
    if lower == "đ" or ("a" <= lower <= "z" and len(lower) == 1):
        remaining = list(marks)
        for mark in marks:  # at most one modifier turns the base into a letter of its own
            letter = _MODIFIED.get((lower, mark))
            if letter is not None:
                lower = letter
                remaining.remove(mark)
                break
        secondary = tuple(sorted(_TONE_WEIGHT.get(m, _OTHER_MARK_BASE + ord(m)) for m in remaining))
        return _LETTER * _CLASS_SHIFT + _LETTER_RANK[lower], secondary, upper
    secondary = tuple(sorted(_OTHER_MARK_BASE + ord(m) for m in marks))
    digit = unicodedata.decimal(base, None)
    if digit is not None:
        return _DIGIT * _CLASS_SHIFT + digit, secondary, upper
    if base.isalpha():
        return _OTHER * _CLASS_SHIFT + ord(base), secondary, upper
    return _SEPARATOR * _CLASS_SHIFT + ord(base), secondary, upper


def vietnamese_key(text: str) -> Key:
    """Sort key giving Vietnamese alphabetical order: ``sorted(names, key=vietnamese_key)``.

    The key is ``(primary, secondary, tertiary, nfc_text)``; see the module docstring.
    """
    normalised = nfc(text)
    primary: list[int] = []
    secondary: list[tuple[int, ...]] = []
    tertiary: list[int] = []
    for base, marks in _clusters(normalised):
        first, second, third = _weigh(base, marks)
        primary.append(first)
        secondary.append(second)
        tertiary.append(third)
    return tuple(primary), tuple(secondary), tuple(tertiary), normalised


def sort_vietnamese(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """Return ``items`` sorted in Vietnamese order, by ``key(item)`` or by the items themselves."""
    if key is None:
        return sorted(items, key=lambda item: vietnamese_key(str(item)))
    return sorted(items, key=lambda item: vietnamese_key(key(item)))


def fold_diacritics(text: str) -> str:
    """Lower-case ``text``, strip every mark, map đ to d and collapse whitespace.

    For diacritic-insensitive search: ``"Sở Tài chính"`` → ``"so tai chinh"``, ``"Đông"`` →
    ``"dong"``; NFC and NFD input fold alike.
    """
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(nfc(stripped).split())
