"""Which language an article is in: Russian or English, from the share of Cyrillic letters.

newsbot summarizes two languages, and they use different alphabets, so counting letters is
enough and costs one pass over a bounded sample: no model, no download, no dependency. A
Russian article quotes Latin names and brands ("Reuters", "iPhone"), an English one the odd
Cyrillic word, so the cut is a share, not "any Cyrillic at all".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["CYRILLIC_SHARE", "detect_language"]

#: Above this share of Cyrillic among letters the text is Russian.
CYRILLIC_SHARE = 0.4
_SAMPLE_CHARS = 2_000
_LETTERS = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")


def detect_language(texts: str | Iterable[str], default: str = "english") -> str:
    """``"russian"`` or ``"english"`` (``default`` when there are no letters at all).

    Reads at most the first 2,000 characters: the language does not change half-way.
    """
    if isinstance(texts, str):
        sample = texts[:_SAMPLE_CHARS]
    else:
        parts: list[str] = []
        size = 0
        for text in texts:
            parts.append(text)
            size += len(text)
            if size >= _SAMPLE_CHARS:
                break
        sample = "\n".join(parts)[:_SAMPLE_CHARS]
    letters = sum(map(len, _LETTERS.findall(sample)))
    if not letters:
        return default
    cyrillic = sum(map(len, _CYRILLIC.findall(sample)))
    return "russian" if cyrillic / letters >= CYRILLIC_SHARE else "english"
