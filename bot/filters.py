"""Keyword filters of a subscription: plain words and phrases, never user regexes.

A filter is a word or phrase (``ferry``, ``night bus``), optionally negated with a leading
``-`` (``-sport``: skip stories that mention it) and optionally a word prefix with a trailing
``*`` (``ferr*`` matches ferry and ferries). Matching ignores case, punctuation and ``ё``/``е``
and respects word boundaries: ``war`` does not match "software". A story passes when it
matches at least one positive filter (if there are any) and no negative one.

Both sides are normalized the same way into space-separated words padded with a space, so a
match is one substring search: no regex is ever built from user text, so no user can make
the matcher slow (no catastrophic backtracking), and the store can call it for every
filtered subscription of every new article.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .i18n import Problem

__all__ = [
    "MAX_FILTERS",
    "MAX_FILTER_CHARS",
    "FilterSet",
    "from_json",
    "matches",
    "normalize_filter",
    "normalize_text",
    "parse_filter_args",
]

MAX_FILTERS = 50
MAX_FILTER_CHARS = 100

_NON_WORD = re.compile(r"[^\w*]+")
_NON_WORD_TEXT = re.compile(r"\W+")
_PIECE = re.compile(r'"([^"]*)"|«([^»]*)»|“([^”]*)”|([^"«»“”]+)')


def normalize_text(text: str) -> str:
    """Lowercase words separated by single spaces, with a space at each end."""
    folded = text.casefold().replace("ё", "е").replace("_", " ")
    return " " + " ".join(_NON_WORD_TEXT.split(folded)).strip() + " "


def normalize_filter(raw: str) -> str:
    """The canonical spelling of one filter (``-`` kept for negation, ``*`` only at the end);
    ``UsageError`` when it is empty or too long."""
    text = raw.strip().strip("\"'«»“”„")
    negative = text.startswith(("-", "!"))
    if negative:
        text = text[1:].strip()
    prefix = text.endswith("*")
    folded = text.casefold().replace("ё", "е").replace("_", " ").replace("*", " ")
    words = " ".join(w for w in _NON_WORD.split(folded) if w)
    if not words:
        raise Problem("filter.empty")
    if len(words) > MAX_FILTER_CHARS:
        raise Problem("filter.too_long", count=MAX_FILTER_CHARS)
    return ("-" if negative else "") + words + ("*" if prefix else "")


def parse_filter_args(text: str) -> list[str]:
    """Split ``/filter add`` arguments into filters: by commas or semicolons, or by quotes.

    ``ferry, night bus`` → ``["ferry", "night bus"]``; ``"night bus" ferry`` → both too;
    a single run of words without commas or quotes is one phrase.
    """
    pieces: list[str] = []
    for match in _PIECE.finditer(text):
        plain = match.group(4)
        if plain is None:
            pieces.append(match.group(1) or match.group(2) or match.group(3) or "")
        else:
            pieces.extend(re.split(r"[,;\n]", plain))
    seen: dict[str, None] = {}
    for piece in pieces:
        if piece.strip().strip("-!").strip():
            seen[normalize_filter(piece)] = None
    return list(seen)


def _pattern(words: str) -> str:
    """The substring to look for in normalized text: whole words, or a word prefix."""
    if words.endswith("*"):
        return " " + words[:-1]
    return " " + words + " "


@dataclass(frozen=True, slots=True)
class FilterSet:
    """A subscription's filters, split once into what must and must not appear."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]

    @classmethod
    def of(cls, filters: Iterable[str]) -> FilterSet:
        include: list[str] = []
        exclude: list[str] = []
        for item in filters:
            if item.startswith("-"):
                exclude.append(_pattern(item[1:]))
            elif item:
                include.append(_pattern(item))
        return cls(tuple(include), tuple(exclude))

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def accepts_normalized(self, text: str) -> bool:
        """Whether a story passes; ``text`` as made by :func:`normalize_text`."""
        if any(p in text for p in self.exclude):
            return False
        return not self.include or any(p in text for p in self.include)

    def accepts(self, text: str) -> bool:
        return self.accepts_normalized(normalize_text(text))


def matches(filters: Sequence[str], text: str) -> bool:
    """Whether a story with this text passes these filters (no filters: always)."""
    return not filters or FilterSet.of(filters).accepts(text)


@functools.lru_cache(maxsize=4096)
def from_json(filters_json: str) -> FilterSet:
    """The :class:`FilterSet` of a stored JSON list, cached: the store checks every filtered
    subscription for every new article, and most lists repeat from one article to the next."""
    return FilterSet.of(json.loads(filters_json or "[]"))
