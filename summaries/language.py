"""Which language an article is in: Russian or English, from the share of Cyrillic letters.

newsbot summarizes two languages, and they use different alphabets, so counting letters is
enough and costs one pass over a bounded sample: no model, no download, no dependency. A
Russian article quotes Latin names and brands ("Reuters", "iPhone"), an English one the odd
Cyrillic word, so the cut is a share, not "any Cyrillic at all".
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["CYRILLIC_SHARE", "detect_language"]

#: Above this share of Cyrillic among letters the text is Russian.
CYRILLIC_SHARE = 0.4
_SAMPLE_CHARS = 20_000


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def detect_language(texts: str | Iterable[str], default: str = "english") -> str:
    """``"russian"`` or ``"english"`` (``default`` when there are no letters at all).

    Reads at most the first 20,000 characters: the language does not change half-way.
    """
    sample = texts if isinstance(texts, str) else "\n".join(texts)
    sample = sample[:_SAMPLE_CHARS]
    letters = cyrillic = 0
    for ch in sample:
        if ch.isalpha():
            letters += 1
            if _is_cyrillic(ch):
                cyrillic += 1
    if not letters:
        return default
    return "russian" if cyrillic / letters >= CYRILLIC_SHARE else "english"
