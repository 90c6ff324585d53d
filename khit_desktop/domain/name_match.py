"""Matching agency names read from a published result sheet to the agencies we know.

Published annexes spell names their own way: "UBND TP. Nha Trang" for "UBND thành phố Nha
Trang", "Sở Văn hoá và Thể thao" (old tone placement) for "Sở Văn hóa và Thể thao", upper
case, NFD text from another program, doubled spaces, a comma instead of "và". A name is
compared at two levels:

* **exact**: the same NFC text once blanks are collapsed (case counts);
* **tolerant**: the same ``match_key``: NFC, case folded, diacritics folded (đ → d),
  punctuation and blanks collapsed, "&" read as "và", common abbreviations written out
  ("UBND" → "ủy ban nhân dân", "TP" → "thành phố", "TX" → "thị xã", …) and a trailing
  "tỉnh Khánh Hòa" dropped. Words are never dropped otherwise: "Sở Tư pháp" and "Tư pháp"
  stay different, so a prefix never makes two agencies collide.

A name that matches several agencies at its best level is *ambiguous* (the published group
breaks the tie when exactly one candidate is in it); one that matches none is *unknown*, and
comes with the most similar known names (shared words) as suggestions for a person to review.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from .collation import nfc, vietnamese_key

# Abbreviations of Vietnamese administrative names, already folded (no marks, lower case).
ABBREVIATIONS: dict[str, str] = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "tp": "thanh pho",
    "tx": "thi xa",
    "bql": "ban quan ly",
    "ql": "quan ly",
    "bqlda": "ban quan ly du an",
    "dtxd": "dau tu xay dung",
    "cntt": "cong nghe thong tin",
    "tt&tt": "thong tin va truyen thong",
    "kh&dt": "ke hoach va dau tu",
    "gd&dt": "giao duc va dao tao",
    "kh&cn": "khoa hoc va cong nghe",
    "tn&mt": "tai nguyen va moi truong",
    "nn&ptnt": "nong nghiep va phat trien nong thon",
    "ld-tb&xh": "lao dong thuong binh va xa hoi",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "vh&tt": "van hoa va the thao",
    "gtvt": "giao thong van tai",
    "ptth": "phat thanh va truyen hinh",
    "dh": "dai hoc",
    "cd": "cao dang",
    "kkt": "khu kinh te",
}
_TRAILING_PROVINCE = " tinh khanh hoa"
_WORD = re.compile(r"[0-9a-z]+")
# an abbreviation with "&" or "-" inside must be seen before punctuation is dropped
_COMPOUND = re.compile(r"[0-9a-z]+(?:[&-][0-9a-z]+)+")


def collapse_blanks(text: str) -> str:
    """NFC ``text`` with every run of blanks made one space, and none at either end."""
    return " ".join(nfc(text).split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", nfc(text).casefold()).replace("đ", "d")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _expand(match: re.Match[str]) -> str:
    token = match.group(0)
    return " " + ABBREVIATIONS.get(token, token.replace("&", " va ")) + " "


def match_key(name: str) -> str:
    """The tolerant form of ``name``: equal keys mean "the same agency, written otherwise".

    ``match_key("UBND TP. Nha Trang") == match_key("Ủy ban nhân dân thành phố Nha Trang")``.
    """
    folded = _fold(name)
    folded = _COMPOUND.sub(_expand, folded)
    folded = folded.replace("&", " va ")
    words = [ABBREVIATIONS.get(w, w) for w in _WORD.findall(folded)]
    key = " ".join(" ".join(words).split())
    while key.endswith(_TRAILING_PROVINCE):
        key = key[: -len(_TRAILING_PROVINCE)]
    return key


def same_text(a: str, b: str) -> bool:
    """The exact level: the same NFC text once blanks are collapsed."""
    return collapse_blanks(a) == collapse_blanks(b)


class MatchKind(Enum):
    """How a published name was matched."""

    EXACT = "exact"
    TOLERANT = "tolerant"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    MatchKind.EXACT: "Trùng tên",
    MatchKind.TOLERANT: "Khớp gần đúng",
    MatchKind.AMBIGUOUS: "Nhiều cơ quan phù hợp",
    MatchKind.UNKNOWN: "Không nhận ra",
}


@dataclass(frozen=True, slots=True)
class KnownName:
    """One name an agency is (or was) known by; an agency may have several."""

    code: str
    name: str
    group: int | None = None


@dataclass(frozen=True, slots=True)
class NameMatchResult:
    """The outcome for one published name.

    ``code`` is set for EXACT and TOLERANT; ``candidates`` lists the agency codes that fit an
    AMBIGUOUS name, or the most similar ones (suggestions, best first) for an UNKNOWN name.
    """

    kind: MatchKind
    code: str | None = None
    candidates: tuple[str, ...] = ()


class NameMatcher:
    """Index of known names; ``match(name, group)`` for each published row."""

    def __init__(self, known: Iterable[KnownName]) -> None:
        self._exact: dict[str, dict[str, KnownName]] = {}
        self._tolerant: dict[str, dict[str, KnownName]] = {}
        self._words: dict[str, frozenset[str]] = {}
        self._names: dict[str, str] = {}
        for item in known:
            self._exact.setdefault(collapse_blanks(item.name), {})[item.code] = item
            key = match_key(item.name)
            if key:  # a name without a single letter or digit matches nothing tolerantly
                self._tolerant.setdefault(key, {})[item.code] = item
            self._words[item.code] = self._words.get(item.code, frozenset()) | set(key.split())
            self._names.setdefault(item.code, item.name)

    def match(self, name: str, group: int | None = None) -> NameMatchResult:
        """Exact match first, then tolerant; several agencies at one level are narrowed to
        those in ``group``, and stay ambiguous if that leaves none or several."""
        for level, index, key in (
            (MatchKind.EXACT, self._exact, collapse_blanks(name)),
            (MatchKind.TOLERANT, self._tolerant, match_key(name)),
        ):
            found = index.get(key) if key else None
            if not found:
                continue
            if len(found) == 1:
                return NameMatchResult(level, next(iter(found)))
            in_group = [code for code, item in found.items() if item.group == group]
            if group is not None and len(in_group) == 1:
                return NameMatchResult(level, in_group[0])
            return NameMatchResult(MatchKind.AMBIGUOUS, None, self._ordered(found))
        return NameMatchResult(MatchKind.UNKNOWN, None, self.suggestions(name))

    def suggestions(self, name: str, *, limit: int = 3, minimum: float = 0.5) -> tuple[str, ...]:
        """Agency codes whose names share the most words with ``name`` (Dice coefficient of
        the words of the tolerant keys, at least ``minimum``), best first."""
        words = set(match_key(name).split())
        if not words:
            return ()
        scored = []
        for code, known in self._words.items():
            if not known:
                continue
            score = 2 * len(words & known) / (len(words) + len(known))
            if score >= minimum:
                scored.append((-score, vietnamese_key(self._names[code]), code))
        scored.sort()
        return tuple(code for _, _, code in scored[:limit])

    def _ordered(self, found: dict[str, KnownName]) -> tuple[str, ...]:
        return tuple(sorted(found, key=lambda code: (vietnamese_key(self._names[code]), code)))


def match_name(name: str, known: Iterable[KnownName], group: int | None = None) -> NameMatchResult:
    """``NameMatcher(known).match(name, group)`` for a single name."""
    return NameMatcher(known).match(name, group)
