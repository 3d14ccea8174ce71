"""Read article files (.txt, .md, .html, .eml, .json) into :class:`Article` values.

PLACEHOLDER implementation: the loading helper replaces it. Keep the public signatures.
"""

from __future__ import annotations

from pathlib import Path

from .errors import EmptyArticle, UndecodableText
from .models import Article

__all__ = ["ARTICLE_SUFFIXES", "decode_bytes", "load_article", "parse_article"]

ARTICLE_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".eml", ".json"})


def decode_bytes(data: bytes, name: str = "-") -> str:
    """Decode bytes of unknown encoding to text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UndecodableText(name, "not valid UTF-8") from exc


def parse_article(data: bytes, name: str = "-") -> Article:
    """Parse one article from its bytes; ``name`` (a file name) picks the format."""
    text = decode_bytes(data, name)
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if not blocks:
        raise EmptyArticle(name, "no text")
    return Article(title=blocks[0], paragraphs=tuple(blocks[1:]), path=name)


def load_article(path: str | Path) -> Article:
    """Read a file and parse it: the only I/O in :mod:`summaries`."""
    p = Path(path)
    return parse_article(p.read_bytes(), str(p))
