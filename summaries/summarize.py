"""Extractive summarizers behind one call shape, chosen by name.

PLACEHOLDER implementation: the summarizer helper replaces it. Keep the public signatures.
"""

from __future__ import annotations

from .models import Article, SummaryOptions
from .sentences import split_sentences

__all__ = ["ALGORITHMS", "summarize"]

ALGORITHMS: tuple[str, ...] = ("news", "lead")


def summarize(article: Article, options: SummaryOptions | None = None) -> tuple[str, ...]:
    """Pick summary sentences from the article body, returned in article order."""
    options = options or SummaryOptions()
    sentences = split_sentences(article.body, options.language)
    return tuple(sentences[: options.sentences or 3])
