"""Digest planning: near-duplicates merged with both sources, grouped, numbered; "more" buttons."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.digest import plan_digest, similarity
from bot.models import StoredArticle
from bot.render import (
    PostStyle,
    digest_buttons,
    digest_html,
    digest_markup,
    digest_title,
    parse_more,
    render_digest,
    render_more,
)
from summaries import Article, Quote, Summary
from tests.fakes import parse_telegram_html


def story(
    article_id: int,
    title: str,
    *sentences: str,
    source: str | None = None,
    quotes: tuple[Quote, ...] = (),
) -> StoredArticle:
    article = Article(title=title, paragraphs=sentences, source=source)
    return StoredArticle(
        id=article_id,
        content_hash=f"h{article_id}",
        path=f"/inbox/{article_id}.txt",
        title=title,
        source=source,
        date=None,
        created_at=datetime(2026, 11, 29, 8, article_id, tzinfo=UTC),
        summary=Summary(article=article, sentences=sentences, quotes=quotes),
    )


FERRY_A = story(
    1,
    "Night ferry to Skerry island returns in April",
    "The night ferry between Port Alda and Skerry island will resume sailing in April after "
    "a two-year suspension, the regional transport authority announced on Tuesday.",
    "Crossings will run four nights a week with a refitted vessel.",
    source="Harbour Gazette",
    quotes=(Quote("People have been cut off after dark", "Ingrid Solberg", key=True),),
)
FERRY_B = story(
    2,
    "Skerry night ferry to resume in April",
    "The regional transport authority said on Tuesday that the Port Alda night ferry to Skerry "
    "island will resume in April, ending a two-year suspension.",
    "A refitted vessel will sail four nights a week.",
    source="https://www.coastnews.example/ferry-returns",
)
BRIDGE = story(
    3,
    "Stone bridge closes for repairs",
    "The old stone bridge over the Alda river closes for six weeks of repairs from Monday.",
    "Pedestrians will use a temporary footbridge.",
    source="Harbour Gazette",
)
FROST = story(
    4,
    "Orchards count frost damage",
    "Apple growers in the valley report heavy losses after two nights of hard frost.",
    source="https://www.coastnews.example/frost",
)


def test_same_event_from_two_sources_is_alike_and_other_stories_are_not() -> None:
    assert similarity(FERRY_A, FERRY_B) > 0.3
    assert similarity(FERRY_A, BRIDGE) < 0.1
    assert similarity(FERRY_A, FROST) < 0.1


def test_plan_merges_duplicates_groups_by_source_and_numbers_across_groups() -> None:
    plan = plan_digest([FERRY_A, BRIDGE, FERRY_B, FROST])
    assert plan.article_count == 4
    assert [(s.several, s.source) for s in plan.sections] == [
        (True, None),
        (False, "Harbour Gazette"),
        (False, "coastnews.example"),
    ]
    assert [(i.number, [a.id for a in i.articles]) for i in plan.items] == [
        (1, [1, 2]),
        (2, [3]),
        (3, [4]),
    ]
    assert plan.items[0].sources == ("Harbour Gazette", "coastnews.example")


def test_one_source_never_merges_with_itself_and_short_summaries_stay_apart() -> None:
    again = story(5, FERRY_A.title, *FERRY_A.summary.sentences, source="Harbour Gazette")
    assert len(plan_digest([FERRY_A, again]).items) == 2
    tiny = [story(i, t, f"{t} happened today.", source=f"S{i}") for i, t in enumerate("ABC", 1)]
    assert len(plan_digest(tiny).items) == 3


def test_digest_reads_well_with_both_sources_and_a_hint() -> None:
    html = digest_html([FERRY_A, BRIDGE, FERRY_B, FROST], title="News digest · Sun 29 Nov 2026")
    text = parse_telegram_html(html)
    assert "3 stories from 4 articles" in text
    assert "— Reported by several sources —\n\n1. Night ferry to Skerry island" in text
    assert "Harbour Gazette · coastnews.example" in text
    assert "— Harbour Gazette —\n\n2. Stone bridge" in text
    assert "Skerry night ferry to resume" not in text  # the duplicate is shown once
    assert text.rstrip().endswith("Tap a number for the full summary and quotes.")
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", text, flags=re.M)]
    assert numbers == [1, 2, 3]


def test_single_source_digest_has_no_group_headings() -> None:
    text = parse_telegram_html(digest_html([BRIDGE, FERRY_A], title="D"))
    assert "—" not in text.split("\n", 2)[2].split("Tap")[0].replace(" — ", "")
    assert "2 articles" in text


def test_more_buttons_match_the_numbers_and_round_trip() -> None:
    rows = digest_buttons([FERRY_A, BRIDGE, FERRY_B, FROST])
    assert rows == ((("1", "more:1,2"), ("2", "more:3"), ("3", "more:4")),)
    assert parse_more("more:1,2") == (1, 2)
    assert parse_more("more:x") == () and parse_more("set:menu") == ()
    markup = digest_markup([FERRY_A])
    assert markup is not None and markup.inline_keyboard[0][0].callback_data == "more:1"
    assert digest_markup([]) is None
    many = [story(i, f"Story number {i}", f"Sentence {i}.", source="One") for i in range(1, 21)]
    assert [len(r) for r in digest_buttons(many)] == [8, 8, 4]
    assert all(len(d.encode()) <= 64 for r in digest_buttons(many) for _, d in r)


def test_more_expands_the_full_summary_quotes_and_other_sources() -> None:
    [text] = render_more([FERRY_A, FERRY_B], PostStyle(quotes=False))
    plain = parse_telegram_html(text)
    assert "Crossings will run four nights" in plain
    assert "People have been cut off after dark" in plain  # quotes shown when expanding
    assert "Also reported by: coastnews.example" in plain


def test_russian_digest_title_and_labels() -> None:
    when = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # 01:00 on the 30th in Moscow
    assert digest_title(when, "Europe/Moscow", "ru") == "Сводка новостей · пн, 30 ноя 2026"
    assert digest_title(when, "UTC") == "News digest · Sun 29 Nov 2026"
    [text] = render_digest([FERRY_A, FERRY_B, BRIDGE], title="T", style=PostStyle(lang="ru"))
    assert "Сообщают несколько источников" in text and "Сюжетов: 2, статей: 3" in text


def test_short_style_keeps_one_sentence_per_item() -> None:
    [text] = render_digest([FERRY_A], title="T", style=PostStyle(length="short"))
    assert "refitted vessel" not in text and "night ferry between" in text


def test_summary_length_setting_short_normal_long() -> None:
    paragraphs = tuple(
        f"Harbour report item {n}: the council reviewed ferry berth {n} and its repairs. "
        f"Engineers said berth {n} needs new fenders before the winter storms arrive."
        for n in range(1, 9)
    )
    article = Article(title="Harbour berths reviewed", paragraphs=paragraphs, source="Gazette")
    sentences = tuple(p.split(". ")[0] + "." for p in paragraphs[:3])
    stored = StoredArticle(
        id=42,
        content_hash="h42",
        path="",
        title=article.title,
        source="Gazette",
        date=None,
        created_at=datetime(2026, 11, 29, tzinfo=UTC),
        summary=Summary(article=article, sentences=sentences),
    )

    def body(length: str) -> str:
        [text] = render_more([stored], PostStyle(length=length))
        return parse_telegram_html(text).split("\n\nSource:")[0]

    short, normal, long = body("short"), body("normal"), body("long")
    assert short.count("Harbour report item") == 2
    assert normal.count("Harbour report item") == 3
    assert long.count("berth") > normal.count("berth")  # more of the article, from the summarizer
