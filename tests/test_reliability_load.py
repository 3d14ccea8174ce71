"""Load: many articles, many chats. Commands still answer promptly, memory stays bounded, and
the outbox drains completely (at the rate limiter's pace with ``-m slow``).

Default suite: commands over 600 articles; one fan-out of 2 articles x 100 chats.
``-m slow``: the issue's 10,000 articles x 1,000 chats, through PTB's AIORateLimiter
(about 30 messages a second).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.app import build_application
from bot.config import Settings
from bot.delivery import DeliveryWorker
from bot.models import DeliveryState, SubscriptionMode
from bot.store import Store
from summaries import Article, Quote, Summary
from tests.conftest import FakeClock, started_app
from tests.fakes import FakeBotAPI, make_update, parse_telegram_html

ASKER = 555_000
WORDS = ["harbour", "ferry", "council", "budget", "bridge", "school", "river", "market"]


def summary(n: int) -> Summary:
    topic = WORDS[n % len(WORDS)]
    body = tuple(
        f"Report {n}: the {topic} committee met on day {n % 365} and agreed step {i} of the "
        f"plan, officials said after a long meeting in the town hall." * 3
        for i in range(6)
    )
    article = Article(
        title=f"Report {n} on the {topic}", paragraphs=body, source="Load Gazette", path=f"{n}.txt"
    )
    quotes = (Quote(f"We will finish the {topic} work", "Mayor Ana Ruiz", key=True),)
    return Summary(article, body[:3], quotes)


def rss_mb() -> float:
    """Resident memory of this process (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


async def fill(store: Store, articles: int, chats: int, clock: FakeClock) -> None:
    """Bulk-load through the store's own statements, one transaction per 500 articles."""
    for start in range(0, articles, 500):
        async with store._sessions.begin() as session:
            for n in range(start, min(start + 500, articles)):
                clock.advance(seconds=1)
                await session.execute(
                    store._article_insert(f"hash-{n}", f"/in/{n}.txt", summary(n))
                )
    for chat in range(1, chats + 1):
        await store.subscribe(chat, SubscriptionMode.INSTANT)


@pytest.fixture
async def loaded_app(
    settings: Settings, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> AsyncIterator[Any]:
    await fill(store, 600, 20, clock)
    async with started_app(settings, fake_bot_api, store, clock) as app:
        yield app


async def timed(app: Any, text: str) -> float:
    started = time.perf_counter()
    update = make_update(text, chat_id=ASKER, user_id=ASKER)
    await app.process_update(Update.de_json(update, app.bot))
    return time.perf_counter() - started


async def check_commands_answer_promptly(
    app: Any, api: FakeBotAPI, limit: float
) -> dict[str, float]:
    seconds = {
        text: await timed(app, text)
        for text in ["/summary", "/summary harbour day 3", "/summary nothing-matches-this",
                     "/quotes ferry", "/status"]
    }  # fmt: skip
    replies = api.sent_messages(ASKER)
    assert len(replies) >= 5
    for reply in replies:
        parse_telegram_html(reply["text"])
    assert "went wrong" not in "".join(r["text"] for r in replies)
    slow = {text: s for text, s in seconds.items() if s > limit}
    assert not slow, f"slow answers: {slow}"
    return seconds


async def test_commands_answer_promptly_with_thousands_of_articles_and_chats(
    loaded_app: Any, fake_bot_api: FakeBotAPI
) -> None:
    seconds = await check_commands_answer_promptly(loaded_app, fake_bot_api, limit=2.0)
    print({k: round(v * 1000) for k, v in seconds.items()})


async def test_fan_out_to_every_chat_loses_nothing_and_memory_stays_bounded(
    store: Store, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    await fill(store, 20, 100, clock)
    app = ApplicationBuilder().token("123:ABC").request(fake_bot_api).build()
    async with app:
        worker = DeliveryWorker(store, app.bot, clock=clock, batch=100)
        before = rss_mb()
        for article_id in (1, 11):  # 2 articles x 100 chats
            assert await store.enqueue_article(article_id) == 100
        while await worker.run_once():
            pass
        grown = rss_mb() - before
    got = Counter(int(m["chat_id"]) for m in fake_bot_api.sent_messages())
    assert got == Counter(dict.fromkeys(range(1, 101), 2))
    assert (await store.queue_stats()).pending == 0
    assert len(worker._rendered) <= 32  # the render cache is bounded
    assert grown < 50, f"RSS grew {grown:.1f} MB"
    print(f"rss_growth={grown:.1f}MB for 200 posts")


@pytest.mark.slow
async def test_ten_thousand_articles_and_a_thousand_chats_drain_at_the_limiters_pace(
    settings: Settings, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    started = time.perf_counter()
    await fill(store, 10_000, 1000, clock)
    filled = time.perf_counter() - started
    app = build_application(
        settings, request=fake_bot_api, store=store, clock=clock, background=False
    )
    async with app:
        await app.post_init(app)
        fake_bot_api.clear()
        seconds = await check_commands_answer_promptly(app, fake_bot_api, limit=2.0)
        fake_bot_api.clear()
        await app.post_shutdown(app)
    limited = (
        ApplicationBuilder().token("123:ABC").request(fake_bot_api)
        .rate_limiter(AIORateLimiter(max_retries=0)).build()
    )  # fmt: skip
    async with limited:
        assert await store.enqueue_article(10_000) == 1000
        worker = DeliveryWorker(store, limited.bot, clock=clock, batch=100)  # limiter: real time
        before = rss_mb()
        began = time.perf_counter()
        wake = asyncio.Event()
        task = asyncio.create_task(worker.run_forever(wake))
        while (await store.queue_stats()).pending:
            await asyncio.sleep(0.5)
        drained = time.perf_counter() - began
        grown = rss_mb() - before
        worker.stop()
        await task
    got = Counter(int(m["chat_id"]) for m in fake_bot_api.sent_messages())
    assert got == Counter(dict.fromkeys(range(1, 1001), 1))
    assert {d.state for d in await store.list_deliveries()} == {DeliveryState.SENT}
    rate = 1000 / drained
    print(
        f"fill={filled:.1f}s commands_ms={ {k: round(v * 1000) for k, v in seconds.items()} } "
        f"drain={drained:.1f}s rate={rate:.1f}/s rss_growth={grown:.1f}MB"
    )
    assert 20 <= rate <= 40  # AIORateLimiter: 30 msg/s overall (plus its initial burst)
    assert grown < 100
