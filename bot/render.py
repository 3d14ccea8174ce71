"""Posts as Telegram HTML, split into messages Telegram accepts. Pure: strings in, strings out.

Every piece of article or user text is escaped; the only markup is ours (``<b>``, ``<i>``,
``<a href>``). Telegram counts a message's length in UTF-16 code units *after* parsing the
markup; we measure the HTML itself, which is never shorter, so every part we make fits.

The summary is shown as prose paragraphs, not "• " bullets: the summary sentences are kept in
article order and read as a short story of their own; bullets would break that thread and cost
a line (and, on phones, a wrap) per sentence. Long summaries are cut into two paragraphs.

Splitting (:func:`split_message`) prefers, in order: a blank line between blocks, a line
break, the end of a sentence, a space, and only then any character boundary. It never cuts
inside a tag or an entity; when a cut falls inside ``<b>``/``<a>``... the open tags are closed
at the end of the part and reopened at the start of the next, so each part parses on its own.
"""

from __future__ import annotations

import bisect
import functools
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from summaries import Quote, SummariesError, SummaryOptions, summarize

from .digest import DigestItem, plan_digest, source_name
from .i18n import t
from .models import Chat, StoredArticle

__all__ = [
    "DEFAULT_STYLE",
    "LENGTHS",
    "MESSAGE_LIMIT",
    "MORE_PREFIX",
    "PostStyle",
    "article_html",
    "digest_buttons",
    "digest_html",
    "digest_markup",
    "digest_title",
    "parse_more",
    "render_article",
    "render_digest",
    "render_more",
    "render_quotes",
    "split_message",
    "style_for",
    "to_plain_text",
    "utf16_len",
]

logger = logging.getLogger(__name__)

#: Telegram's limit for one text message, in UTF-16 code units.
MESSAGE_LIMIT = 4096
#: Longer URLs are shown as text, not linked (and never break the splitter).
_MAX_URL = 2048
_DIGEST_SUMMARY_CHARS = 400
#: ``/settings`` summary lengths: "short" keeps two sentences, "long" asks the summarizer for
#: twice as many (at least :data:`_LONG_MIN`) from the stored article.
LENGTHS = ("short", "normal", "long")
_SHORT_SENTENCES = 2
_LONG_MIN = 6
#: Callback data of a digest's "more" buttons: ``more:<article id>[,<id>...]`` (64 bytes max).
MORE_PREFIX = "more:"
_MORE_IDS = 6
_BUTTONS_PER_ROW = 8
_MAX_BUTTONS = 100  # Telegram's limit for one inline keyboard
_QUOTE_MARKS = "\"'“”„‟«»‘’‚‛‹›「」『』"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _safe_url(value: str | None) -> str | None:
    """The value if it is an http(s) URL we may link to; anything else is shown as text."""
    if not value:
        return None
    value = value.strip()
    if len(value) > _MAX_URL or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


def _link(url: str, label: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{_esc(label)}</a>'


def _short_url(url: str, width: int = 60) -> str:
    parts = urlsplit(url)
    shown = parts.netloc + parts.path.rstrip("/")
    if shown.startswith("www."):
        shown = shown[4:]
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def _paragraphs(sentences: Sequence[str]) -> list[str]:
    """One paragraph for up to three sentences, else two of (nearly) equal size."""
    clean = [s.strip() for s in sentences if s.strip()]
    if not clean:
        return []
    if len(clean) <= 3:
        return [" ".join(clean)]
    half = (len(clean) + 1) // 2
    return [" ".join(clean[:half]), " ".join(clean[half:])]


def _quote_line(quote: Quote, language: str = "english") -> str:
    # The one rule for a quote shown alone (the CLI's too): "…without this work," said X
    # loses its comma, and a whole statement cut off by its attribution gets its full stop.
    text = quote.display_text.strip().strip(_QUOTE_MARKS).strip() or quote.text.strip()
    if language == "russian" and text.endswith(".") and not quote.text.rstrip().endswith("."):
        text = text[:-1]  # Russian puts that full stop after the «», and alone needs none
    # Quote marks follow the article's typography: «ёлочки» in Russian, “curly” otherwise.
    opening, closing = ("«", "»") if language == "russian" else ("“", "”")
    line = f"{opening}{_esc(text)}{closing}"
    if quote.speaker:
        line += f" — <i>{_esc(quote.speaker)}</i>"
    return line


def _source_text(article: StoredArticle, *, with_date: bool = True) -> str:
    """Where it came from: the source (linked when a URL), else the file name; then the date."""
    source = article.source or article.summary.article.source
    url = _safe_url(source)
    if url is not None:
        shown = _link(url, _short_url(url))
    elif source:
        shown = _esc(source.strip())
    else:
        shown = _esc(PurePath(article.path).name) if article.path else ""
    date = (article.date or article.summary.article.date) if with_date else None
    if date:
        shown = f"{shown} · {_esc(date.strip())}" if shown else _esc(date.strip())
    return shown


def _title(article: StoredArticle, lang: str = "en") -> str:
    title = (article.title or article.summary.article.title or "").strip()
    return _esc(title) if title else t("post.untitled", lang)


@dataclass(frozen=True, slots=True)
class PostStyle:
    """How one chat wants its posts (``/settings``): language, summary length, quotes."""

    lang: str = "en"
    length: str = "normal"
    quotes: bool = True


DEFAULT_STYLE = PostStyle()


def style_for(chat: Chat | None) -> PostStyle:
    """The chat's post style; a chat that follows its users' languages gets English posts
    (a post goes to everyone in the chat; a /settings language choice changes that)."""
    if chat is None:
        return DEFAULT_STYLE
    length = chat.summary_length if chat.summary_length in LENGTHS else "normal"
    return PostStyle(lang=chat.language or "en", length=length, quotes=chat.show_quotes)


@functools.lru_cache(maxsize=64)
def _long_sentences(article: StoredArticle) -> tuple[str, ...]:
    """A longer summary of the stored article (the text is kept with the summary)."""
    stored = article.summary.sentences
    wanted = max(2 * len(stored), _LONG_MIN)
    options = SummaryOptions(
        sentences=wanted,
        algorithm=article.summary.algorithm,
        language=article.summary.article.language,
    )
    try:
        longer = summarize(article.summary.article, options)
    except (SummariesError, ValueError) as exc:
        logger.info("long summary unavailable article=%s error=%s", article.id, exc)
        return stored
    return longer if len(longer) > len(stored) else stored


def _sentences(article: StoredArticle, length: str) -> tuple[str, ...]:
    if length == "short":
        return article.summary.sentences[:_SHORT_SENTENCES]
    if length == "long" and article.summary.article.paragraphs:
        return _long_sentences(article)
    return article.summary.sentences


def article_html(
    article: StoredArticle, style: PostStyle = DEFAULT_STYLE, *, also: Sequence[str] = ()
) -> str:
    """The whole post, unsplit: title, summary paragraphs, key quotes, source (and the other
    sources of the same story, when a digest merged it)."""
    lang = style.lang
    blocks = [f"<b>{_title(article, lang)}</b>"]
    blocks.extend(_esc(p) for p in _paragraphs(_sentences(article, style.length)))
    key_quotes = article.summary.key_quotes if style.quotes else ()
    if style.length == "short":
        key_quotes = key_quotes[:1]
    if key_quotes:
        heading = t("post.key_quotes", lang)
        blocks.append(
            f"<b>{heading}</b>\n"
            + "\n".join(_quote_line(q, article.summary.article.language) for q in key_quotes)
        )
    source = _source_text(article)
    if source:
        blocks.append(f"{t('post.source', lang)}: {source}")
    if also:
        blocks.append(f"{t('digest.also', lang)}: " + ", ".join(_esc(a) for a in also))
    return "\n\n".join(blocks)


def render_article(article: StoredArticle, style: PostStyle = DEFAULT_STYLE) -> list[str]:
    """The post as Telegram messages (usually one)."""
    return split_message(article_html(article, style))


def render_quotes(article: StoredArticle, style: PostStyle = DEFAULT_STYLE) -> list[str]:
    """The article's key quotes with speakers (all full quotes when none is flagged key)."""
    lang = style.lang
    quotes = article.summary.key_quotes or tuple(q for q in article.summary.quotes if not q.partial)
    blocks = [f"<b>{_title(article, lang)}</b>"]
    if quotes:
        heading = t("post.key_quotes" if article.summary.key_quotes else "post.quotes", lang)
        blocks.append(
            f"<b>{heading}</b>\n"
            + "\n".join(_quote_line(q, article.summary.article.language) for q in quotes)
        )
    else:
        blocks.append(f"<i>{t('post.no_quotes', lang)}</i>")
    source = _source_text(article)
    if source:
        blocks.append(f"{t('post.source', lang)}: {source}")
    return split_message("\n\n".join(blocks))


def render_more(articles: Sequence[StoredArticle], style: PostStyle = DEFAULT_STYLE) -> list[str]:
    """A digest item expanded ("more" button): the full post of its first article, quotes
    shown whatever the chat's setting, with the other sources of the same story named."""
    if not articles:
        return []
    lead, others = articles[0], articles[1:]
    also = []
    for other in others:  # "coastnews.example (Skerry night ferry to resume)": theirs, too
        title = (other.title or other.summary.article.title or "").strip()
        name = source_name(other)
        also.append(f"{name} ({title})" if name and title else name or title)
    expanded = PostStyle(lang=style.lang, length=style.length, quotes=True)
    return split_message(article_html(lead, expanded, also=[a for a in also if a]))


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def _digest_count(stories: int, articles: int, lang: str) -> str:
    if lang == "en" and stories == articles:  # the short English form: "3 articles"
        return f"{articles} article{'s' if articles != 1 else ''}"
    if stories == articles:
        return t("digest.count_one", lang, stories=stories)
    return t("digest.count", lang, stories=stories, articles=articles)


def _digest_item(item: DigestItem, style: PostStyle) -> str:
    article = item.lead
    lines = [f"{item.number}. <b>{_title(article, style.lang)}</b>"]
    limit = _DIGEST_SUMMARY_CHARS // 2 if style.length == "short" else _DIGEST_SUMMARY_CHARS
    count = 1 if style.length == "short" else 2
    lead = " ".join(s.strip() for s in article.summary.sentences[:count] if s.strip())
    if lead:
        lines.append(_esc(_shorten(lead, limit)))
    if len(item.articles) > 1:
        shown = [_source_text(a, with_date=False) for a in item.articles]
        source = " · ".join(dict.fromkeys(s for s in shown if s))
    else:
        source = _source_text(article, with_date=False)
    if source:
        lines.append(f"<i>{source}</i>")
    return "\n".join(lines)


def digest_html(
    articles: Sequence[StoredArticle], *, title: str, style: PostStyle = DEFAULT_STYLE
) -> str:
    """The whole digest, unsplit: a header, then numbered items (title, 1–2 sentences,
    sources), near-duplicates merged and grouped by source (see :mod:`bot.digest`)."""
    plan = plan_digest(articles)
    lang = style.lang
    count = _digest_count(len(plan.items), plan.article_count, lang)
    blocks = [f"<b>{_esc(title)}</b>\n<i>{count}</i>"]
    headed = len(plan.sections) > 1
    for section in plan.sections:
        items = [_digest_item(item, style) for item in section.items]
        if headed:
            if section.several:
                heading = t("digest.several", lang)
            else:
                heading = _esc(section.source) if section.source else t("digest.other", lang)
            items[0] = f"<b>— {heading} —</b>\n\n{items[0]}"
        blocks.extend(items)
    if plan.items:
        blocks.append(f"<i>{t('digest.more_hint', lang)}</i>")
    return "\n\n".join(blocks)


def render_digest(
    articles: Sequence[StoredArticle], *, title: str, style: PostStyle = DEFAULT_STYLE
) -> list[str]:
    """A digest as Telegram messages; items are numbered across parts and never cut in two
    unless a single item is longer than a message."""
    return split_message(digest_html(articles, title=title, style=style))


def digest_buttons(articles: Sequence[StoredArticle]) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Rows of ``(label, callback data)``: one numbered "more" button per digest item."""
    buttons = [
        (str(item.number), MORE_PREFIX + ",".join(str(a.id) for a in item.articles[:_MORE_IDS]))
        for item in plan_digest(articles).items[:_MAX_BUTTONS]
    ]
    return tuple(
        tuple(buttons[i : i + _BUTTONS_PER_ROW]) for i in range(0, len(buttons), _BUTTONS_PER_ROW)
    )


def digest_markup(articles: Sequence[StoredArticle]) -> InlineKeyboardMarkup | None:
    """The digest's "more" keyboard (goes under its last part); None for an empty digest."""
    rows = digest_buttons(articles)
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def parse_more(data: str) -> tuple[int, ...]:
    """The article ids of a "more" button's callback data (empty when it is not one)."""
    if not data.startswith(MORE_PREFIX):
        return ()
    ids = data[len(MORE_PREFIX) :].split(",")
    if not ids or not all(i.isdigit() for i in ids):
        return ()
    return tuple(int(i) for i in ids[:_MORE_IDS])


_RU_DAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_RU_MONTHS = ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def digest_title(when: datetime, timezone: str, lang: str = "en") -> str:
    """The digest header, dated in the chat's own time zone and language."""
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    local = when.astimezone(tz)
    if lang == "ru":
        date = (
            f"{_RU_DAYS[local.weekday()]}, {local.day} {_RU_MONTHS[local.month - 1]} {local.year}"
        )
    else:
        date = f"{local:%a} {local.day} {local:%b %Y}"
    return t("digest.title", lang, date=date)


# --- splitting ----------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;|.", re.DOTALL)
_TAG_NAME_RE = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
_EMPTY_ELEMENT_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>(\s*)</\1>")
_SENTENCE_END = set(".!?…")
_PAIRED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "blockquote", "tg-spoiler", "span", "tg-emoji",
}  # fmt: skip
_CLOSERS = set(_QUOTE_MARKS) | set(")]")

_PARAGRAPH, _LINE, _SENTENCE, _WORD = 4, 3, 2, 1
_MIN_FILL = 0.25  # a structural cut must fill at least this share of a part


def _close(stack: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _reopen(stack: tuple[tuple[str, str], ...]) -> str:
    return "".join(tag for _, tag in stack)


def _rank(tokens: list[str], index: int) -> int:
    """How good a cut before ``tokens[index]`` is (0: only a character boundary)."""
    prev = tokens[index - 1]
    if prev == "\n":
        return _PARAGRAPH if index >= 2 and tokens[index - 2] == "\n" else _LINE
    if not prev.isspace():
        return 0
    j = index - 2
    while j >= 0 and ((tokens[j].startswith("<") and len(tokens[j]) > 1) or tokens[j] in _CLOSERS):
        j -= 1
    return _SENTENCE if j >= 0 and tokens[j] in _SENTENCE_END else _WORD


def _tidy(part: str) -> str:
    """Drop elements left empty by a cut (``<b></b>``) and surrounding whitespace."""
    previous = None
    while previous != part:
        previous, part = part, _EMPTY_ELEMENT_RE.sub(r"\2", part)
    return part.strip()


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut Telegram HTML into parts of at most ``limit`` UTF-16 units, each valid on its own.

    Cuts at a blank line, else a line break, else a sentence end, else a space (each of these
    only when the part is at least a quarter full), else anywhere between characters outside
    tags and entities. Tags open at a cut are closed and reopened in the next part.
    """
    text = text.strip()
    if not text:
        return []
    if utf16_len(text) <= limit:
        return [text]
    tokens = _TOKEN_RE.findall(text)
    count = len(tokens)
    cum = [0] * (count + 1)
    stacks: list[tuple[tuple[str, str], ...]] = [()] * (count + 1)
    stack: tuple[tuple[str, str], ...] = ()
    for i, token in enumerate(tokens):
        cum[i + 1] = cum[i] + utf16_len(token)
        if len(token) > 1 and token.startswith("<"):
            match = _TAG_NAME_RE.match(token)
            name = match.group(2).lower() if match is not None else ""
            if match is not None and name in _PAIRED_TAGS and not token.endswith("/>"):
                closing = match.group(1)
                if not closing:
                    stack = (*stack, (name, token))
                elif stack and stack[-1][0] == name:
                    stack = stack[:-1]
        stacks[i + 1] = stack

    parts: list[str] = []
    start = 0
    while start < count:
        while start < count and tokens[start].isspace():
            start += 1
        if start >= count:
            break
        opener = _reopen(stacks[start])
        budget = limit - utf16_len(opener)
        if cum[count] - cum[start] + utf16_len(_close(stacks[count])) <= budget:
            end = count
        else:
            end = bisect.bisect_right(cum, cum[start] + budget) - 1
            while end > start and cum[end] - cum[start] + utf16_len(_close(stacks[end])) > budget:
                end -= 1
            if end <= start:
                raise ValueError("cannot split: a tag is longer than the message limit")
            end = _best_cut(tokens, cum, start, end, budget)
        body = "".join(tokens[start:end])
        part = _tidy(opener + body.rstrip() + _close(stacks[end]))
        if part and _has_text(part):
            parts.append(part)
        start = end
    return parts


def _best_cut(tokens: list[str], cum: list[int], start: int, end: int, budget: int) -> int:
    """The best boundary in ``(start, end]``: the last one of the highest rank available."""
    floor = cum[start] + int(budget * _MIN_FILL)
    best_by_rank: dict[int, int] = {}
    for index in range(end, start, -1):
        rank = _rank(tokens, index)
        if rank and rank not in best_by_rank and (rank == _WORD or cum[index] >= floor):
            best_by_rank[rank] = index
            if rank == _PARAGRAPH:
                break
    for rank in (_PARAGRAPH, _LINE, _SENTENCE, _WORD):
        if rank in best_by_rank:
            return best_by_rank[rank]
    return end


def _has_text(part: str) -> bool:
    return bool(re.sub(r"<[^<>]*>", "", part).strip())


# --- plain text fallback ------------------------------------------------------------------------

_LINK_RE = re.compile(r"<a\s[^<>]*?href=\"([^\"]*)\"[^<>]*>(.*?)</a>", re.DOTALL | re.IGNORECASE)
_TAG_RE = re.compile(r"<[^<>]*>")


def to_plain_text(text: str) -> str:
    """What the reader should see when Telegram rejects our HTML: tags gone, entities
    decoded, links kept as ``label (url)``."""

    def link(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        label = html.unescape(_TAG_RE.sub("", match.group(2)))
        return label if label == url or not url else f"{label} ({url})"

    # Links first (their labels are unescaped once, inside ``link``); then the remaining text.
    pieces: list[str] = []
    last = 0
    for match in _LINK_RE.finditer(text):
        pieces.append(html.unescape(_TAG_RE.sub("", text[last : match.start()])))
        pieces.append(link(match))
        last = match.end()
    pieces.append(html.unescape(_TAG_RE.sub("", text[last:])))
    return "".join(pieces)
