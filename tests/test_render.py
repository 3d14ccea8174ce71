"""Rendering: escaped Telegram HTML, splitting under 4096 UTF-16 units, plain-text fallback."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import StoredArticle
from bot.render import (
    article_html,
    render_article,
    render_digest,
    render_quotes,
    split_message,
    to_plain_text,
    utf16_len,
)
from summaries import Article, Quote, Summary
from tests.fakes import parse_telegram_html

HOSTILE = "<script>alert(\"x\")</script> Tom & Jerry's <b>bold</b> &amp; 'quotes'"


def stored(
    title: str = "Bridge reopens",
    sentences: tuple[str, ...] = ("The bridge reopened on Friday.", "Traffic was light."),
    *,
    quotes: tuple[Quote, ...] = (),
    source: str | None = None,
    date: str | None = None,
    path: str = "/inbox/bridge.txt",
    article_id: int = 1,
) -> StoredArticle:
    article = Article(title=title, paragraphs=sentences, source=source, date=date, path=path)
    return StoredArticle(
        id=article_id,
        content_hash=f"h{article_id}",
        path=path,
        title=title,
        source=source,
        date=date,
        created_at=datetime(2026, 11, 29, tzinfo=UTC),
        summary=Summary(article=article, sentences=sentences, quotes=quotes),
    )


def assert_valid_parts(parts: list[str], limit: int = 4096) -> None:
    assert parts
    for part in parts:
        assert utf16_len(part) <= limit
        assert parse_telegram_html(part).strip()  # parses like Telegram and is not empty


def test_article_has_title_summary_quotes_and_source_in_order() -> None:
    article = stored(
        quotes=(
            Quote("“We are open again”", "Mayor Lena Holm", key=True),
            Quote("a detour", None, partial=True),
            Quote("Finally,", None, key=True),
        ),
        date="28 Nov 2026",
    )
    [text] = render_article(article)
    assert text == (
        "<b>Bridge reopens</b>\n\n"
        "The bridge reopened on Friday. Traffic was light.\n\n"
        "<b>Key quotes</b>\n"
        "“We are open again” — <i>Mayor Lena Holm</i>\n"
        "“Finally.”\n\n"
        "Source: bridge.txt · 28 Nov 2026"
    )


def test_long_summaries_become_two_paragraphs() -> None:
    sentences = tuple(f"Sentence {n}." for n in range(1, 6))
    text = article_html(stored(sentences=sentences))
    assert "Sentence 1. Sentence 2. Sentence 3.\n\nSentence 4. Sentence 5." in text


def test_hostile_text_is_escaped_everywhere() -> None:
    article = stored(
        title=HOSTILE,
        sentences=(HOSTILE,),
        quotes=(Quote(HOSTILE, HOSTILE, key=True),),
        source=HOSTILE,
    )
    for text in render_article(article) + render_quotes(article):
        shown = parse_telegram_html(text)  # our own tags only, so Telegram accepts it
        assert "<script>" not in text and "&lt;script&gt;" in text
        assert "Tom &amp; Jerry's" in text and "&amp;amp;" in text
        assert HOSTILE in shown  # the reader sees exactly the original text
    assert to_plain_text(render_article(article)[0]).startswith(HOSTILE + "\n")


def test_url_source_is_a_link_with_an_escaped_attribute() -> None:
    url = 'https://news.example.org/a?b=1&c="2"'
    text = article_html(stored(source=url))
    assert (
        'Source: <a href="https://news.example.org/a?b=1&amp;c=&quot;2&quot;">'
        "news.example.org/a</a>" in text
    )
    assert to_plain_text(text).endswith(f"Source: news.example.org/a ({url})")


@pytest.mark.parametrize("source", ["javascript:alert(1)", "ftp://x.org/f", "not a url"])
def test_only_http_sources_are_linked(source: str) -> None:
    text = article_html(stored(source=source))
    assert "<a " not in text
    assert text.endswith("Source: " + source)


def test_twenty_thousand_character_article_splits_into_valid_parts() -> None:
    emoji = "😀🇺🇦👩‍👩‍👧𝔘𝔫𝔦"
    sentences = tuple(
        f"Sentence {n} mentions {emoji} and <tags> & “quotes” for good measure." for n in range(300)
    )
    article = stored(sentences=sentences, quotes=(Quote("Fine " * 40, "Ana", key=True),))
    html_text = article_html(article)
    assert utf16_len(html_text) > 20_000
    parts = render_article(article)
    assert len(parts) >= 5
    assert_valid_parts(parts)
    # Nothing lost or duplicated: the parts' text is the whole post's text (modulo the cuts).
    joined = " ".join(parse_telegram_html(p) for p in parts)
    assert re.sub(r"\s+", " ", joined) == re.sub(r"\s+", " ", parse_telegram_html(html_text))
    assert parts[0].startswith("<b>Bridge reopens</b>")


def test_split_prefers_paragraphs_then_sentences() -> None:
    para = "One sentence here. " * 60  # ~1140 chars
    text = "\n\n".join([para.strip()] * 3)
    parts = split_message(text, limit=2500)
    assert parts == [para.strip() + "\n\n" + para.strip(), para.strip()]
    sentences = split_message(para.strip(), limit=200)
    assert all(p.endswith("here.") for p in sentences)


def test_split_inside_a_tag_closes_and_reopens_it() -> None:
    words = " ".join(f"w{n}" for n in range(400))
    parts = split_message(
        f'<b>{words}</b> and <a href="https://x.org/?a=1&amp;b=2">{words}</a>', 500
    )
    assert_valid_parts(parts, 500)
    assert parts[0].startswith("<b>") and parts[0].endswith("</b>")
    assert parts[1].startswith("<b>")
    assert any(p.startswith('<a href="https://x.org/?a=1&amp;b=2">') for p in parts)


def test_split_never_cuts_an_entity_or_an_astral_character() -> None:
    text = "&amp;😀" * 3000
    parts = split_message(text, limit=100)
    assert_valid_parts(parts, 100)
    assert "".join(parse_telegram_html(p) for p in parts) == "&😀" * 3000


def test_short_message_is_one_part_and_empty_is_none() -> None:
    assert split_message("<b>hi</b>") == ["<b>hi</b>"]
    assert split_message("  \n ") == []


def test_digest_numbers_items_across_parts() -> None:
    articles = [
        stored(
            title=f"Story {n}",
            sentences=(f"Lead sentence {n} " + "word " * 120 + ".", "Second.", "Third is dropped."),
            article_id=n,
            source="Harbour Gazette",
        )
        for n in range(1, 41)
    ]
    parts = render_digest(articles, title="News digest · Sun 29 Nov 2026")
    assert len(parts) > 1
    assert_valid_parts(parts)
    assert parts[0].startswith("<b>News digest · Sun 29 Nov 2026</b>\n<i>40 articles</i>")
    joined = "\n\n".join(parts)
    numbers = [int(n) for n in re.findall(r"^(\d+)\. <b>", joined, flags=re.M)]
    assert numbers == list(range(1, 41))
    assert "Third is dropped" not in joined
    for part in parts[1:]:  # items are never cut in two: every part starts with an item
        assert re.match(r"\d+\. <b>Story \d+</b>", part)


def test_digest_shortens_long_leads() -> None:
    article = stored(sentences=("word " * 500,))
    [text] = render_digest([article], title="D")
    lead = text.split("\n")[4]
    assert lead.endswith("…") and len(lead) <= 400


def test_quotes_view_falls_back_to_all_quotes_then_says_none() -> None:
    with_plain = stored(quotes=(Quote("We will rebuild", "Ana"), Quote("part", None, partial=True)))
    [text] = render_quotes(with_plain)
    assert "<b>Quotes</b>\n“We will rebuild” — <i>Ana</i>" in text and "part" not in text
    [none] = render_quotes(stored())
    assert "No direct quotes" in none


def test_to_plain_text_strips_tags_and_unescapes() -> None:
    assert to_plain_text("<b>A &amp; B</b> <i>&lt;x&gt;</i>") == "A & B <x>"
    assert to_plain_text('<a href="https://x.org">https://x.org</a>') == "https://x.org"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
        min_size=1,
        max_size=25,
    ),
    st.integers(min_value=60, max_value=600),
)
def test_any_rendered_text_splits_into_parseable_parts(texts: list[str], limit: int) -> None:
    article = stored(title=texts[0], sentences=tuple(texts[1:]) or ("x",))
    html_text = article_html(article)
    parts = split_message(html_text, limit)
    for part in parts:
        assert utf16_len(part) <= limit
        parse_telegram_html(part)
    shown = " ".join(parse_telegram_html(p) for p in parts)
    assert re.sub(r"\s+", "", shown) == re.sub(r"\s+", "", parse_telegram_html(html_text))


def test_russian_quotes_use_guillemets_and_english_curly_marks() -> None:
    from dataclasses import replace

    quote = Quote("Мост откроют в пятницу,", "Иван Петров", key=True)
    english = stored(quotes=(Quote("It opens Friday,", "Ann Lee", key=True),))
    russian = stored(quotes=(quote,))
    russian = replace(
        russian,
        summary=replace(
            russian.summary, article=replace(russian.summary.article, language="russian")
        ),
    )
    assert "“It opens Friday.”" in render_article(english)[0]  # cut by "said": closed
    assert "«Мост откроют в пятницу»" in render_article(russian)[0]
