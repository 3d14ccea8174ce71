"""Direct quotations with their speakers.

PLACEHOLDER implementation: the quotes helper replaces it. Keep the public signatures.
"""

from __future__ import annotations

import re

from .models import Article, Quote

__all__ = ["extract_quotes"]


def extract_quotes(article: Article, *, max_key: int = 3) -> tuple[Quote, ...]:
    """All statement quotes in article order, the ``max_key`` best flagged ``key``."""
    found = re.findall(r"[\"“]([^\"”]{20,})[\"”]", article.body)
    return tuple(Quote(text=t, speaker=None, key=i < max_key) for i, t in enumerate(found))
