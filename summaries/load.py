"""Read article files (.txt, .md, .html, .eml, .json) into :class:`Article` values.

Bytes come in, an :class:`Article` goes out; :func:`load_article` is the only function that
touches the file system. Formats are chosen by suffix; an unknown suffix or stdin (``-``)
is sniffed from the content. Text of unknown encoding is decoded here once (BOMs, strict
UTF-8, then a detector), and page dumps go through :mod:`summaries.clean`.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from email.message import EmailMessage, Message
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from .clean import CleanedText, TemplateMemory, clean_text
from .errors import ArticleTooLarge, EmptyArticle, UndecodableText, UnsupportedFormat
from .html_page import html_to_article_parts
from .language import detect_language
from .markdown_text import strip_markdown
from .models import Article

__all__ = ["ARTICLE_SUFFIXES", "decode_bytes", "load_article", "parse_article"]

ARTICLE_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".eml", ".json"})

# Suffixes we know are not articles we can read: fail fast with a clear reason.
_UNSUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {
        ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".svg",
        ".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ppt", ".pptx", ".epub",
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar",
        ".mp3", ".mp4", ".wav", ".ogg", ".avi", ".mov", ".mkv", ".webm",
        ".exe", ".dll", ".so", ".bin", ".iso", ".db", ".sqlite",
    }
)  # fmt: skip
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (or office document)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "executable"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_JSON_TEXT_KEYS = ("text", "body", "content", "article")
_JSON_SOURCE_KEYS = ("source", "url", "sitename", "publisher")
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]")
_MAIL_HEADERS = re.compile(
    rb"^(?:from|to|subject|date|message-id|mime-version|received|return-path|content-type):",
    re.IGNORECASE | re.MULTILINE,
)
_HTML_SNIFF = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|p|div|article|h1|title|meta)\b", re.IGNORECASE
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _control_share(text: str) -> float:
    """Share of control characters other than whitespace: high for binary data."""
    sample = text[:20_000]
    return len(_CONTROL.findall(sample)) / len(sample) if sample else 0.0


def _check_text(text: str, name: str) -> str:
    if "\x00" in text or _control_share(text) > 0.01:
        raise UndecodableText(name, "binary data, not text")
    return text


def decode_bytes(data: bytes, name: str = "-", *, declared: str | None = None) -> str:
    """Decode bytes of unknown encoding to text with Unix line endings.

    Order: a byte-order mark; strict UTF-8; the ``declared`` charset (an HTML meta or a
    MIME header); then charset-normalizer's best guess. Binary data raises
    :class:`UndecodableText` naming ``name``.
    """
    text: str | None = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise UndecodableText(name, f"broken {codec} text") from exc
            break
    if text is None and b"\x00" in data[:8192]:
        text = _guess_utf16(data)
        if text is None:
            raise UndecodableText(name, "binary data (NUL bytes), not text")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if text is None and declared:
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text = _detect(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return _check_text(text, name)


def _guess_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: NULs sit on every other byte of mostly-ASCII text."""
    sample = data[:4096]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2 or 1
    codec = "utf-16-le" if odd > 0.4 * half and even < 0.05 * half else None
    if codec is None and even > 0.4 * half and odd < 0.05 * half:
        codec = "utf-16-be"
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _detect(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableText(name, "no known text encoding explains these bytes")
    return str(best)


def _check_size(size: int, name: str, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise ArticleTooLarge(name, f"{size} bytes is over the {max_bytes}-byte limit")


def _sniff(data: bytes) -> str:
    """Guess the format of unnamed bytes (stdin, odd suffixes) from their start."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return "binary:" + what
    if head.startswith((b"{", b"[")):
        return ".json"
    if _HTML_SNIFF.search(head[:1024]):
        return ".html"
    first = head.split(b"\n", 1)[0]
    if _HEADER_LINE.match(first) and len(_MAIL_HEADERS.findall(head[:2048])) >= 2:
        return ".eml"
    return ".txt"


def parse_article(
    data: bytes,
    name: str = "-",
    *,
    max_bytes: int | None = None,
    template: TemplateMemory | None = None,
) -> Article:
    """Parse one article from its bytes; ``name`` (a file name, or ``-``) picks the format.

    ``template`` lets page dumps drop lines that repeat across an inbox (see
    :class:`~summaries.clean.TemplateMemory`).
    """
    _check_size(len(data), name, max_bytes)
    suffix = Path(name).suffix.lower() if name != "-" else ""
    if suffix in _UNSUPPORTED_SUFFIXES:
        raise UnsupportedFormat(name, f"{suffix} files are not articles we can read")
    kind = suffix if suffix in ARTICLE_SUFFIXES else _sniff(data)
    if kind.startswith("binary:"):
        raise UnsupportedFormat(name, f"looks like a {kind[7:]}, not an article")
    if not data.strip():
        raise EmptyArticle(name, "the file is empty")
    if kind == ".json":
        article = _parse_json(data, name, template)
    elif kind in (".html", ".htm"):
        article = _parse_html(data, name, template)
    elif kind == ".eml":
        article = _parse_email(data, name, template)
    elif kind == ".md":
        article = _parse_markdown(data, name, template)
    else:
        article = _parse_text(decode_bytes(data, name), name, template)
    if not article.paragraphs:
        raise EmptyArticle(name, "no article text left after removing markup and boilerplate")
    return replace(article, language=detect_language((article.title, *article.paragraphs)))


def load_article(
    path: str | Path,
    *,
    max_bytes: int | None = None,
    template: TemplateMemory | None = None,
) -> Article:
    """Read a file and parse it: the only I/O in :mod:`summaries`.

    With ``max_bytes``, a larger file is refused before it is read.
    """
    p = Path(path)
    if max_bytes is not None:
        _check_size(p.stat().st_size, str(p), max_bytes)
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    else:
        data = p.read_bytes()
    return parse_article(data, str(p), max_bytes=max_bytes, template=template)


def _article(
    cleaned: CleanedText,
    name: str,
    *,
    title: str | None = None,
    source: str | None = None,
    date: str | None = None,
) -> Article:
    paragraphs = list(cleaned.paragraphs)
    head = _one_line(title) if title else cleaned.title
    if not head and paragraphs:
        head = _title_from_body(paragraphs)
    # The headline often opens the body too; say it once.
    if paragraphs and head and _one_line(paragraphs[0]) == head:
        paragraphs.pop(0)
    return Article(
        title=head,
        paragraphs=tuple(paragraphs),
        source=_one_line(source) if source else None,
        date=_one_line(date) if date else None,
        path=name,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _title_from_body(paragraphs: Sequence[str]) -> str:
    """No headline found: a short first paragraph is one, otherwise none."""
    first = paragraphs[0]
    if len(first) <= 120 and not first.rstrip().endswith("."):
        return first
    return ""


def _parse_text(
    text: str, name: str, template: TemplateMemory | None, *, source: str | None = None
) -> Article:
    cleaned = clean_text(text, template=template, source=source)
    return _article(cleaned, name, source=source)


def _parse_markdown(data: bytes, name: str, template: TemplateMemory | None) -> Article:
    doc = strip_markdown(decode_bytes(data, name))
    # Markdown was written, not scraped: its short lines (lists, subheadings) are structure.
    cleaned = clean_text(doc.text, template=template, find_title=not doc.title, light=True)
    return _article(cleaned, name, title=doc.title, source=doc.source, date=doc.date)


def _parse_html(
    data: bytes, name: str, template: TemplateMemory | None, *, text: str | None = None
) -> Article:
    if text is None:
        declared = _META_CHARSET.search(data[:4096])
        text = decode_bytes(data, name, declared=declared.group(1).decode() if declared else None)
    parts = html_to_article_parts(text)
    if parts.extracted:
        cleaned = clean_text(parts.body, find_title=False, light=True)
    else:
        cleaned = clean_text(parts.body, template=template, source=parts.source)
    return _article(
        cleaned,
        name,
        title=parts.title or cleaned.title,
        source=parts.source,
        date=parts.date,
    )


def _parse_json(data: bytes, name: str, template: TemplateMemory | None) -> Article:
    try:
        obj: Any = json.loads(decode_bytes(data, name))
    except json.JSONDecodeError as exc:
        raise UnsupportedFormat(name, f"invalid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(obj, dict):
        raise UnsupportedFormat(
            name, f"JSON must be one object with a title and text, not a {type(obj).__name__}"
        )
    body: Any = next((obj[k] for k in _JSON_TEXT_KEYS if obj.get(k)), None)
    if body is None:
        keys = ", ".join(f'"{k}"' for k in _JSON_TEXT_KEYS)
        raise UnsupportedFormat(name, f"JSON object has no article text (one of {keys})")
    if isinstance(body, list) and all(isinstance(p, str) for p in body):
        body = "\n\n".join(body)
    if not isinstance(body, str):
        raise UnsupportedFormat(name, "JSON article text must be a string or a list of strings")
    title = obj.get("title") or obj.get("headline")
    source = next((obj[k] for k in _JSON_SOURCE_KEYS if isinstance(obj.get(k), str)), None)
    date = next(
        (obj[k] for k in ("date", "published", "datePublished") if isinstance(obj.get(k), str)),
        None,
    )
    cleaned = clean_text(
        body.replace("\r\n", "\n"), find_title=not isinstance(title, str), light=True
    )
    return _article(
        cleaned,
        name,
        title=title if isinstance(title, str) else None,
        source=source,
        date=date,
    )


def _parse_email(data: bytes, name: str, template: TemplateMemory | None) -> Article:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise UnsupportedFormat(name, "not an e-mail message (no headers)")
    title = _header(msg, "subject")
    sender = _header(msg, "from")
    date = _header(msg, "date")
    source = None
    if sender:
        display, addr = parseaddr(sender)
        source = display or addr or sender
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise EmptyArticle(name, "the e-mail has no text or HTML part")
    body = _part_text(part, name)
    if part.get_content_type() == "text/html":
        article = _parse_html(b"", name, template, text=body)
        return Article(
            title=_one_line(title) if title else article.title,
            paragraphs=article.paragraphs,
            source=source or article.source,
            date=date or article.date,
            path=name,
        )
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = clean_text(body, template=template, source=source, find_title=not title)
    return _article(cleaned, name, title=title, source=source, date=date)


def _header(msg: Message, key: str) -> str | None:
    try:
        value = msg.get(key)
    except (ValueError, IndexError, AttributeError):  # malformed headers in the wild
        return None
    return str(value).strip() or None if value is not None else None


def _part_text(part: Message, name: str) -> str:
    """A MIME part's text, trusting its charset, else detecting one."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    charset = part.get_content_charset()
    if charset:
        try:
            return _check_text(
                payload.decode(charset).replace("\r\n", "\n").replace("\r", "\n"), name
            )
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(payload, name)
