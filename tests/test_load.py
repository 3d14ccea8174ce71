"""Loading articles: every format, every encoding, and clear errors for bad input."""

from __future__ import annotations

import base64
import json
import quopri
import re
from pathlib import Path

import pytest

from summaries import (
    ArticleTooLarge,
    EmptyArticle,
    UndecodableText,
    UnsupportedFormat,
    decode_bytes,
    load_article,
    parse_article,
)

TITLE = "Harbour Bridge Will Be Rebuilt, Council Decides"
PARAGRAPHS = [
    "The city council voted on Tuesday to rebuild the old harbour bridge, ending a debate "
    "that had divided residents for almost a decade.",
    '"This bridge carried my grandfather to work," the mayor, Anna Lindqvist, said after '
    "the vote, adding that the work would start next year.",
    "Engineers say the new span will take three years to build and cost about 40 million "
    "euros, most of it paid for by a regional fund.",
]
TEXT = TITLE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n"

RUSSIAN_TITLE = "Совет решил восстановить старый мост"
RUSSIAN = [
    "Городской совет во вторник проголосовал за восстановление старого моста через гавань, "
    "завершив спор, который разделял жителей почти десять лет.",
    "По словам инженеров, строительство нового пролёта займёт три года и обойдётся примерно "
    "в сорок миллионов евро.",
]
FRENCH_TITLE = "Le conseil décide de reconstruire le pont"
FRENCH = [
    "Le conseil municipal a voté mardi la reconstruction du vieux pont du port, mettant fin à "
    "un débat qui divisait les habitants depuis près d'une décennie.",
    "Selon les ingénieurs, les travaux dureront trois ans et coûteront environ quarante "
    "millions d'euros, financés en grande partie par la région.",
]


def _text(title: str, paragraphs: list[str]) -> str:
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


# --- plain text and encodings -------------------------------------------------------------


def test_txt_first_line_is_title_and_blank_lines_separate_paragraphs() -> None:
    article = parse_article(TEXT.encode(), "story.txt")
    assert article.title == TITLE
    assert list(article.paragraphs) == PARAGRAPHS
    assert article.path == "story.txt"


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
        lambda s: s.encode("utf-16"),
        lambda s: s.encode("utf-16-le"),
        lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16-le-no-bom", "crlf"],
)
def test_txt_decodes_unicode_encodings_and_line_endings(encode: object) -> None:
    data = encode(TEXT)  # type: ignore[operator]
    article = parse_article(data, "story.txt")
    assert article.title == TITLE
    assert list(article.paragraphs) == PARAGRAPHS


def test_txt_in_cp1251_is_read_as_cyrillic() -> None:
    data = _text(RUSSIAN_TITLE, RUSSIAN).encode("cp1251")
    article = parse_article(data, "novosti.txt")
    assert article.title == RUSSIAN_TITLE
    assert list(article.paragraphs) == RUSSIAN


@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_txt_in_latin1_or_cp1252_keeps_accents(codec: str) -> None:
    article = parse_article(_text(FRENCH_TITLE, FRENCH).encode(codec), "article.txt")
    assert article.title == FRENCH_TITLE
    assert list(article.paragraphs) == FRENCH


def test_decode_bytes_normalizes_windows_and_old_mac_line_endings() -> None:
    assert decode_bytes(b"a\r\nb\rc\n") == "a\nb\nc\n"


def test_binary_data_is_undecodable_and_names_the_file() -> None:
    data = bytes(range(256)) * 8
    with pytest.raises(UndecodableText, match=r"photo\.txt"):
        parse_article(data, "photo.txt")


def test_control_characters_are_undecodable() -> None:
    data = ("abc\x01\x02\x03\x04" * 50).encode()
    with pytest.raises(UndecodableText) as err:
        parse_article(data, "weird.txt")
    assert err.value.name == "weird.txt"


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  \n"])
def test_empty_file_is_an_empty_article(data: bytes) -> None:
    with pytest.raises(EmptyArticle, match=r"empty\.txt"):
        parse_article(data, "empty.txt")


def test_text_of_only_page_chrome_is_an_empty_article() -> None:
    with pytest.raises(EmptyArticle):
        parse_article(b"Home\nNews\nSign in\nShare\nSubscribe\n", "chrome.txt")


def test_too_large_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArticleTooLarge, match=r"big\.txt"):
        parse_article(TEXT.encode(), "big.txt", max_bytes=100)
    path = tmp_path / "big.txt"
    path.write_text(TEXT * 100, encoding="utf-8")
    with pytest.raises(ArticleTooLarge):
        load_article(path, max_bytes=1000)
    assert load_article(path, max_bytes=10**6).title == TITLE


def test_load_article_reads_a_file_and_records_its_path(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(TEXT.encode("utf-16"))
    article = load_article(path)
    assert article.title == TITLE
    assert article.path == str(path)


# --- Markdown -----------------------------------------------------------------------------

MARKDOWN = f"""---
title: "{TITLE}"
date: 2024-05-14
source: https://example.org/bridge
---

# Ignored Because Front Matter Has A Title

The **city council** voted on _Tuesday_ to rebuild the old [harbour bridge](https://example.org/b),
ending a debate that had divided residents for almost a decade.

![a photo of the bridge](bridge.jpg)

## What happens next

- Engineers draw the *final* plans
- Work starts in `2025`
1. First step is the survey

> "This bridge carried my grandfather to work," the mayor said.

Some text with a [reference link][ref] and ~~struck~~ words.

[ref]: https://example.org/ref
"""


def test_markdown_syntax_is_stripped() -> None:
    article = parse_article(MARKDOWN.encode(), "bridge.md")
    assert article.title == TITLE
    assert article.date == "2024-05-14"
    assert article.source == "https://example.org/bridge"
    body = article.body
    for syntax in ("**", "](", "![", "`", "~~", "#", "https://example.org/ref", "> "):
        assert syntax not in body, syntax
    assert article.paragraphs[0] == "Ignored Because Front Matter Has A Title"
    assert article.paragraphs[1].startswith("The city council voted on Tuesday to rebuild the old")
    assert "harbour bridge, ending" in body
    assert "What happens next" in article.paragraphs
    assert "Engineers draw the final plans" in article.paragraphs
    assert "Work starts in 2025" in article.paragraphs
    assert "First step is the survey" in article.paragraphs
    assert "a photo of the bridge" not in body
    assert "Some text with a reference link and struck words." in article.paragraphs


def test_markdown_first_heading_is_the_title() -> None:
    text = "# " + TITLE + "\n\n" + "\n\n".join(PARAGRAPHS)
    article = parse_article(text.encode(), "story.md")
    assert article.title == TITLE
    assert list(article.paragraphs) == PARAGRAPHS


def test_markdown_keeps_snake_case_words() -> None:
    text = "# Title Here\n\nThe file_name_field and 2*3*4 stay as they are in this sentence."
    article = parse_article(text.encode(), "x.md")
    assert article.paragraphs == (
        "The file_name_field and 2*3*4 stay as they are in this sentence.",
    )


# --- HTML ---------------------------------------------------------------------------------

HTML = f"""<!DOCTYPE html>
<html><head><title>{TITLE} | Harbour Gazette</title>
<meta property="og:site_name" content="Harbour Gazette">
<meta property="article:published_time" content="2024-05-14">
<style>body {{ color: red; }} .secret {{ display: none }}</style>
<script>var leaked = "SCRIPT TEXT MUST NOT APPEAR"; document.write(leaked);</script>
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/login">Sign in</a></nav>
<article>
<h1>{TITLE}</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
<script>alert("ALSO NOT IN THE TEXT")</script>
</article>
<footer>© 2024 Harbour Gazette. All rights reserved.</footer>
</body></html>
"""


def test_html_gives_title_body_and_metadata_without_scripts() -> None:
    article = parse_article(HTML.encode(), "page.html")
    assert TITLE in article.title
    assert article.paragraphs == tuple(PARAGRAPHS)
    assert article.source == "Harbour Gazette"
    assert article.date == "2024-05-14"
    assert "SCRIPT" not in article.text and "color: red" not in article.text


def test_deeply_nested_html_does_not_crash() -> None:
    depth = 5000
    body = "<div>" * depth + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>" * depth
    page = f"<html><head><title>{TITLE}</title></head><body>{body}</body></html>"
    article = parse_article(page.encode(), "nested.html")
    assert article.title == TITLE
    assert "harbour bridge" in article.body


def test_html_scripts_never_leak_even_without_an_article() -> None:
    page = (
        "<html><head><title>Short Page Title</title><script>SECRET_CODE()</script></head><body>"
        + "".join(f"<div><span>{p}</span></div>" for p in PARAGRAPHS)
        + "<noscript>NOSCRIPT TEXT</noscript><style>.x{}</style></body></html>"
    )
    article = parse_article(page.encode(), "x.htm")
    assert "SECRET_CODE" not in article.text
    assert "NOSCRIPT" not in article.text
    assert "harbour bridge" in article.body


def test_html_title_falls_back_to_h1_or_title_tag() -> None:
    page = f"<html><body><h1>{TITLE}</h1>{''.join(f'<p>{p}</p>' for p in PARAGRAPHS)}</body></html>"
    assert TITLE in parse_article(page.encode(), "x.html").title


def test_html_in_a_declared_legacy_charset_is_decoded() -> None:
    page = (
        '<html><head><meta charset="windows-1251"><title>Новости</title></head><body>'
        + "".join(f"<p>{p}</p>" for p in RUSSIAN)
        + "</body></html>"
    )
    article = parse_article(page.encode("cp1251"), "ru.html")
    assert "Городской совет" in article.body


# --- e-mail -------------------------------------------------------------------------------


def _multipart_email() -> bytes:
    plain = base64.encodebytes(TEXT.encode("utf-8")).decode()
    html = quopri.encodestring(HTML.encode("utf-8")).decode()
    return (
        "From: Harbour Gazette <news@gazette.example>\r\n"
        "To: reader@example.org\r\n"
        f"Subject: =?utf-8?q?{TITLE.replace(' ', '_').replace(',', '=2C')}?=\r\n"
        "Date: Tue, 14 May 2024 09:30:00 +0200\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="XYZ"\r\n\r\n'
        "--XYZ\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{plain}\r\n"
        "--XYZ\r\n"
        'Content-Type: text/html; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{html}\r\n"
        "--XYZ--\r\n"
    ).encode("ascii")


def test_eml_prefers_the_plain_part_and_reads_headers() -> None:
    article = parse_article(_multipart_email(), "letter.eml")
    assert article.title == TITLE
    assert article.source == "Harbour Gazette"
    assert article.date == "Tue, 14 May 2024 09:30:00 +0200"
    assert PARAGRAPHS[0] in article.paragraphs


def test_eml_with_only_html_goes_through_the_html_path() -> None:
    html = quopri.encodestring(HTML.encode("utf-8")).decode()
    data = (
        "From: desk@gazette.example\nSubject: Bridge news\nMIME-Version: 1.0\n"
        'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n'
        f"\n{html}"
    ).encode()
    article = parse_article(data, "html.eml")
    assert article.title == "Bridge news"
    assert article.source == "desk@gazette.example"
    assert "SCRIPT" not in article.text
    assert PARAGRAPHS[0] in article.paragraphs


def test_eml_in_a_legacy_charset_is_decoded() -> None:
    body = _text(RUSSIAN_TITLE, RUSSIAN).encode("koi8-r")
    data = (
        b"From: desk@example.ru\nSubject: =?koi8-r?b?"
        + base64.b64encode(RUSSIAN_TITLE.encode("koi8-r"))
        + b"?=\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n"
        + body
    )
    article = parse_article(data, "ru.eml")
    assert article.title == RUSSIAN_TITLE
    assert RUSSIAN[0] in article.paragraphs


# --- JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["text", "body", "content", "article"])
def test_json_object_with_title_and_text(key: str) -> None:
    obj = {
        "title": TITLE,
        key: "\n\n".join(PARAGRAPHS),
        "url": "https://example.org/b",
        "date": "2024-05-14",
    }
    article = parse_article(json.dumps(obj).encode(), "a.json")
    assert article.title == TITLE
    assert article.paragraphs == tuple(PARAGRAPHS)
    assert article.source == "https://example.org/b"
    assert article.date == "2024-05-14"


def test_json_text_may_be_a_list_of_paragraphs() -> None:
    obj = {"title": TITLE, "source": "Gazette", "text": PARAGRAPHS}
    article = parse_article(json.dumps(obj).encode(), "a.json")
    assert article.paragraphs == tuple(PARAGRAPHS)
    assert article.source == "Gazette"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[1, 2, 3]", "not a list"),
        (b'{"title": "No text here"}', "no article text"),
        (b'{"title": "x", "text": 42}', "string or a list"),
        (b'{"title": "broken", ', "invalid JSON"),
    ],
)
def test_bad_json_is_unsupported_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UnsupportedFormat, match=reason):
        parse_article(data, "bad.json")


# --- formats by suffix and by sniffing ---------------------------------------------------


@pytest.mark.parametrize("name", ["scan.pdf", "photo.PNG", "archive.zip", "doc.docx"])
def test_known_non_article_suffixes_are_unsupported(name: str) -> None:
    with pytest.raises(UnsupportedFormat, match=re.escape(name)):
        parse_article(TEXT.encode(), name)


def test_binary_magic_is_unsupported_even_from_stdin() -> None:
    with pytest.raises(UnsupportedFormat, match="PDF"):
        parse_article(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "-")


@pytest.mark.parametrize("name", ["-", "story", "story.article"])
def test_stdin_and_unknown_suffixes_are_sniffed(name: str) -> None:
    as_json = json.dumps({"title": TITLE, "text": PARAGRAPHS}).encode()
    assert parse_article(as_json, name).paragraphs == tuple(PARAGRAPHS)
    assert parse_article(HTML.encode(), name).paragraphs == tuple(PARAGRAPHS)
    assert parse_article(_multipart_email(), name).title == TITLE
    assert parse_article(TEXT.encode(), name).paragraphs == tuple(PARAGRAPHS)


def test_hostile_html_with_unclosed_tags_stays_fast_and_leaks_nothing() -> None:
    import time

    junk = "a < b and " * 20_000 + "<script>never(); " * 200 + "<p>"
    page = "<html><body>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + junk
    started = time.perf_counter()
    try:
        article = parse_article(page.encode(), "hostile.html")
    except EmptyArticle:
        return
    assert time.perf_counter() - started < 5
    assert "never()" not in article.text


def test_html_without_any_text_is_an_empty_article() -> None:
    with pytest.raises(EmptyArticle):
        parse_article(b"<html><head><script>x()</script></head><body></body></html>", "e.html")
