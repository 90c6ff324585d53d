"""The user guide as text: its chapters (Markdown files), their headings with GitHub-style
anchors, and search through them with or without Vietnamese accents. No widgets here: the
window (``guide.py``) shows what these functions find."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ...domain.collation import fold_diacritics

INDEX = "README.md"
CHAPTER_FILE = re.compile(r"^\d\d-[a-z0-9-]+\.md$")
MAX_RESULTS = 60
CODE_FENCE = re.compile(r"^\s*(```|~~~)")
HEADING_LINE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


# ---- the chapters and their headings (plain text, no Qt) ------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    anchor: str


@dataclass(frozen=True)
class Chapter:
    file: str
    title: str
    headings: tuple[Heading, ...]
    text: str  # the Markdown source

    def target(self, anchor: str = "") -> str:
        return f"{self.file}#{anchor}" if anchor else self.file


def plain_inline(markdown: str) -> str:
    """The text a reader sees of one line of Markdown: images dropped, links as their text,
    emphasis and code marks removed."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return text.replace("\\", "").strip()


def slugify(title: str, used: dict[str, int] | None = None) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped (Vietnamese letters
    kept), spaces to hyphens; a repeated heading gets ``-1``, ``-2``…"""
    text = unicodedata.normalize("NFC", title).lower()
    slug = "".join(ch for ch in text if ch.isalnum() or ch in " -_").replace(" ", "-")
    if used is None:
        return slug
    count = used.get(slug, 0)
    used[slug] = count + 1
    return slug if count == 0 else f"{slug}-{count}"


def markdown_lines(text: str) -> Iterator[tuple[str, bool]]:
    """Each line with whether it is inside a fenced code block."""
    fenced = False
    for line in text.splitlines():
        if CODE_FENCE.match(line):
            fenced = not fenced
            yield line, True
            continue
        yield line, fenced


def headings_of(text: str) -> tuple[Heading, ...]:
    used: dict[str, int] = {}
    found = []
    for line, fenced in markdown_lines(text):
        match = None if fenced else HEADING_LINE.match(line)
        if match:
            title = plain_inline(match.group(2))
            found.append(Heading(len(match.group(1)), title, slugify(title, used)))
    return tuple(found)


def chapter_files(folder: Path) -> list[Path]:
    """The index first, then the numbered chapters in order."""
    chapters = sorted(p for p in folder.glob("*.md") if CHAPTER_FILE.match(p.name))
    return [folder / INDEX, *chapters]


def read_chapters(folder: Path) -> list[Chapter]:
    chapters = []
    for path in chapter_files(folder):
        text = path.read_text(encoding="utf-8")
        headings = headings_of(text)
        title = next((h.title for h in headings if h.level == 1), path.stem)
        chapters.append(Chapter(path.name, title, headings, text))
    return chapters


# ---- search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    chapter: Chapter
    heading: Heading | None  # None: before the chapter's first heading
    snippet: str

    @property
    def target(self) -> str:
        return self.chapter.target(self.heading.anchor if self.heading else "")

    @property
    def label(self) -> str:
        where = self.chapter.title
        if self.heading is not None and self.heading.level > 1:
            where += f" › {self.heading.title}"
        return f"{where}\n{self.snippet}"


def sections_of(chapter: Chapter) -> Iterator[tuple[Heading | None, str]]:
    """The chapter cut at its headings: (heading, the plain text under it, heading included)."""
    headings = iter(chapter.headings)
    current: Heading | None = None
    lines: list[str] = []
    for line, fenced in markdown_lines(chapter.text):
        if not fenced and HEADING_LINE.match(line):
            if lines:
                yield current, " ".join(lines)
            current, lines = next(headings), []
        cleaned = plain_inline(line.strip("|>-*# ").replace("|", " "))
        if cleaned and not CODE_FENCE.match(line):
            lines.append(cleaned)
    if lines:
        yield current, " ".join(lines)


def search(chapters: list[Chapter], query: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Sections holding every word of ``query``, accents and case ignored ("sao luu" finds
    "Sao lưu"), in the guide's order."""
    words = fold_diacritics(query).split()
    if not words:
        return []
    hits = []
    for chapter in chapters:
        for heading, text in sections_of(chapter):
            folded = fold_text(text)
            if all(word in folded for word in words):
                hits.append(Hit(chapter, heading, snippet(text, folded, words)))
                if len(hits) >= limit:
                    return hits
    return hits


def fold_char(char: str) -> str:
    """One character, folded like ``fold_diacritics`` but keeping the length: positions in
    the folded text are positions in the original."""
    if char in "đĐ":
        return "d"
    if char.isspace() or char in "\u2028\u2029":
        return " "
    base = unicodedata.normalize("NFD", char.lower())[:1]
    return base if len(base) == 1 else char


def fold_text(text: str) -> str:
    return "".join(fold_char(ch) for ch in text)


def snippet(text: str, folded: str, words: list[str], width: int = 90) -> str:
    start = max(0, folded.find(words[0]) - 30)
    piece = text[start : start + width].strip()
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
