"""Offline sentence and word tokenizer that plugs into sumy.

PLACEHOLDER implementation: the tokenizer helper replaces it. Keep the public signatures.
"""

from __future__ import annotations

import re
from typing import Protocol

__all__ = ["SentenceTokenizer", "Tokenizer", "split_sentences"]


class SentenceTokenizer(Protocol):
    """sumy's tokenizer seam: anything with these two methods."""

    def to_sentences(self, paragraph: str) -> tuple[str, ...]: ...

    def to_words(self, sentence: str) -> tuple[str, ...]: ...


class Tokenizer:
    """Rule-based tokenizer; needs no downloaded model."""

    def __init__(self, language: str = "english") -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", paragraph.strip()) if s)

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(re.findall(r"\w+(?:['’]\w+)*", sentence))


def split_sentences(text: str, language: str = "english") -> list[str]:
    """Split a text (paragraphs separated by blank lines) into sentences."""
    tok = Tokenizer(language)
    return [s for para in text.split("\n\n") for s in tok.to_sentences(para)]
