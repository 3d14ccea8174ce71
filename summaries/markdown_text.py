"""Markdown to plain text: the words a reader sees, none of the syntax.

Headings become lines (the first one is the title), links keep their text, images go,
emphasis and code markers go, list items stay one per line, soft-wrapped paragraphs are
joined. A YAML front-matter block gives title, date and source when present. Not a full
CommonMark parser: news articles use a small part of Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MarkdownText", "strip_markdown"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FM_FIELD = re.compile(r"^(\w+)\s*:\s*(.+?)\s*$", re.MULTILINE)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_CODE = re.compile(r"`+([^`]*)`+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")


@dataclass(frozen=True, slots=True)
class MarkdownText:
    """Plain text of a Markdown document, blocks separated by blank lines."""

    title: str | None
    text: str
    date: str | None = None
    source: str | None = None


def _inline(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _CODE.sub(r"\1", text)
    text = _STRIKE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EM_STAR.sub(r"\1", text)
    text = _EM_UNDER.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields = {k.lower(): v.strip("\"'") for k, v in _FM_FIELD.findall(m.group(1))}
    return fields, text[m.end() :]


def strip_markdown(text: str) -> MarkdownText:
    """Plain text of ``text``; the first heading (or front-matter title) is the title."""
    fields, text = _front_matter(text.replace("\r\n", "\n"))
    title: str | None = fields.get("title")
    blocks: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            joined = _inline(" ".join(para))
            if joined:
                blocks.append(joined)
            para.clear()

    def emit(line: str) -> None:
        flush()
        line = _inline(line)
        if line:
            blocks.append(line)

    in_fence = False
    lines = text.split("\n")
    for i, raw in enumerate(lines):
        if _FENCE.match(raw):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            if raw.strip():
                blocks.append(raw.strip())
            continue
        line = _QUOTE.sub("", raw)
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            head = _inline(heading.group(2))
            if head and title is None:
                title = head
            elif head:
                blocks.append(head)
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if para == [] and nxt.strip() and _SETEXT.match(nxt) and not _LIST_ITEM.match(line):
            head = _inline(line)
            if title is None:
                title = head
            else:
                blocks.append(head)
            lines[i + 1] = ""  # the underline is syntax, not a rule
            continue
        if _RULE.match(line) or _LINK_DEF.match(line) or _TABLE_SEP.match(line):
            flush()
            continue
        if _LIST_ITEM.match(line):
            emit(_LIST_ITEM.sub("", line, count=1))
            continue
        if line.lstrip().startswith("|"):
            emit(" ".join(c.strip() for c in line.strip().strip("|").split("|")))
            continue
        para.append(line.strip())
        if line.endswith("  ") or line.endswith("\\"):
            flush()
    flush()
    return MarkdownText(
        title=title or None,
        text="\n\n".join(blocks),
        date=fields.get("date"),
        source=fields.get("source") or fields.get("url"),
    )
