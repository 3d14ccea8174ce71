"""HTML pages to article text: trafilatura first, our own page dump as the fallback.

trafilatura finds the main content and the metadata (title, date, site) of most pages.
When it fails (hostile or odd markup, a page it finds no article in), we walk the tree
ourselves, iteratively so depth cannot exhaust the stack, into a one-line-per-block text
dump that :mod:`summaries.clean` knows how to read. Scripts, styles and hidden elements never
reach the text. Nothing here touches the network.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Any

import lxml.etree
import lxml.html

__all__ = ["HtmlParts", "html_to_article_parts", "page_dump", "strip_tags"]

logger = logging.getLogger(__name__)

_SKIP_TAGS = frozenset(
    {
        "head", "script", "style", "noscript", "template", "svg", "iframe", "img", "video",
        "audio", "canvas", "object", "embed", "select", "input", "textarea", "button",
        "form", "math", "picture", "source", "map",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "section", "article", "main", "header", "footer", "nav", "aside", "figure",
        "figcaption", "blockquote", "pre", "table", "tr", "thead", "tbody", "tfoot",
        "caption", "address", "hr", "br", "details", "summary", "dialog", "fieldset",
        "legend", "body", "html", "center",
    }
)  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Below this much extracted text we do not trust trafilatura's choice of main content.
_MIN_EXTRACTED_CHARS = 200


@dataclass(frozen=True, slots=True)
class HtmlParts:
    """What a page gave: ``body`` is one block per line; ``extracted`` when trafilatura found
    the main content (so the body needs only light cleaning), else it is a whole-page dump."""

    title: str | None
    body: str
    source: str | None
    date: str | None
    extracted: bool


def _parse(text: str) -> Any | None:
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return None


def _hidden(el: Any) -> bool:
    attrib = el.attrib
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(attrib.get("style", "")))


def page_dump(root: Any) -> str:
    """The visible text of a parsed page, one block per line, in document order."""
    out: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if closing:
            if tag in _BLOCK_TAGS:
                out.append("\n")
            if el.tail:
                out.append(el.tail)
            continue
        if not tag or tag in _SKIP_TAGS or _hidden(el):  # comments, scripts, hidden parts
            if el.tail:
                out.append(el.tail)
            continue
        if tag in _BLOCK_TAGS:
            out.append("\n")
        if el.text:
            out.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def _first_text(root: Any, path: str) -> str | None:
    for el in root.iterfind(path):
        text = " ".join(el.text_content().split())
        if text:
            return text
    return None


def _trafilatura(text: str) -> Any | None:
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            deduplicate=False,
        )
    except (RecursionError, ValueError, TypeError, AttributeError, lxml.etree.LxmlError) as exc:
        logger.debug("trafilatura failed, falling back to page dump: %r", exc)
        return None


def html_to_article_parts(text: str) -> HtmlParts:
    """Title, body text and metadata of an HTML page."""
    doc = _trafilatura(text)
    title = source = date = None
    body = ""
    if doc is not None:
        title = getattr(doc, "title", None)
        source = getattr(doc, "sitename", None) or getattr(doc, "url", None)
        source = source or getattr(doc, "hostname", None)
        date = getattr(doc, "date", None)
        body = getattr(doc, "text", None) or ""
    if len(body) >= _MIN_EXTRACTED_CHARS:
        return HtmlParts(title or _fallback_title(text), body, source, date, True)
    root = _parse(text)
    dump = page_dump(root) if root is not None else ""
    if root is not None:
        title = title or _first_text(root, ".//title") or _first_text(root, ".//h1")
    if len(dump) < _MIN_EXTRACTED_CHARS:
        # The parser gives up past a few hundred levels of nesting and drops the rest.
        stripped = strip_tags(text)
        if len(stripped) > len(dump):
            dump = stripped
            title = title or _tag_text(text, "title") or _tag_text(text, "h1")
    if len(dump) <= len(body):
        return HtmlParts(title, body, source, date, True)
    return HtmlParts(title, dump, source, date, False)


_INVISIBLE = re.compile(
    r"<(script|style|noscript|template|svg|head|iframe|textarea|select|button)\b.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(_BLOCK_TAGS)) + r")\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")


def strip_tags(text: str) -> str:
    """Visible text by regular expressions, for markup too broken or deep for a parser."""
    text = _COMMENT.sub(" ", text)
    text = _INVISIBLE.sub(" ", text)
    text = _BLOCK_TAG.sub("\n", text)
    text = html.unescape(_ANY_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _tag_text(text: str, tag: str) -> str | None:
    m = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}\s*>", text, re.IGNORECASE | re.DOTALL)
    if not m:
        return None
    return " ".join(html.unescape(_ANY_TAG.sub("", m.group(1))).split()) or None


def _fallback_title(text: str) -> str | None:
    root = _parse(text)
    if root is None:
        return None
    return _first_text(root, ".//h1") or _first_text(root, ".//title")
