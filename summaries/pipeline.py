"""The whole engine in one call: article in, :class:`Summary` out."""

from __future__ import annotations

from pathlib import Path

from .load import load_article
from .models import Article, Summary, SummaryOptions
from .quotes import extract_quotes
from .summarize import summarize

__all__ = ["summarize_article", "summarize_file"]


def summarize_article(article: Article, options: SummaryOptions | None = None) -> Summary:
    """Summarize and extract quotes; pure and synchronous, so run it off the event loop."""
    options = options or SummaryOptions()
    return Summary(
        article=article,
        sentences=summarize(article, options),
        quotes=extract_quotes(article, max_key=options.max_key_quotes),
        algorithm=options.algorithm,
    )


def summarize_file(path: str | Path, options: SummaryOptions | None = None) -> Summary:
    """Load a file and summarize it."""
    return summarize_article(load_article(path), options)
