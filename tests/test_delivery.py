"""The outbox worker through the real PTB stack (Bot/Application over FakeBotAPI)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import time, timedelta

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.delivery import DeliveryWorker, digest_title
from bot.models import DeliveryState, SubscriptionMode
from bot.render import render_article, utf16_len
from bot.store import Store
from summaries import Article, Quote, Summary
from tests.conftest import FakeClock
from tests.fakes import FakeBotAPI, parse_telegram_html


class Crash(BaseException):
    """Stands in for kill -9: nothing in the worker or PTB catches a BaseException."""


def summary(title: str, sentences: tuple[str, ...] = ("The ferry runs again.",)) -> Summary:
    article = Article(
        title=title, paragraphs=sentences, source="Harbour Gazette", path=f"{title}.txt"
    )
    return Summary(
        article=article,
        sentences=sentences,
        quotes=(Quote("We are back", "Captain Ida Berg", key=True),),
    )


async def add_article(store: Store, title: str, sentences: tuple[str, ...] | None = None) -> int:
    stored = await store.add_article(
        f"hash:{title}", f"/inbox/{title}.txt", summary(title, *([sentences] if sentences else []))
    )
    assert stored is not None
    return stored.id


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot("123:ABC", request=fake_bot_api, get_updates_request=fake_bot_api) as real:
        yield real


@pytest.fixture
def worker(store: Store, bot: Bot, clock: FakeClock) -> DeliveryWorker:
    return DeliveryWorker(store, bot, clock=clock, rng=random.Random(7), max_attempts=3)


async def test_article_is_sent_as_html_and_marked_sent(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    await store.subscribe(10, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Ferry returns"))

    assert await worker.run_once() == 1

    [sent] = fake_bot_api.sent_messages(chat_id=10)
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert sent["text"].startswith("<b>Ferry returns</b>")
    assert "“We are back” — <i>Captain Ida Berg</i>" in sent["text"]
    [row] = await store.list_deliveries()
    assert row.state is DeliveryState.SENT and len(row.message_ids) == 1
    assert await worker.run_once() == 0


async def test_enqueueing_twice_sends_each_chat_once(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    for chat in (1, 2):
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    article = await add_article(store, "Once")
    await store.enqueue_article(article)
    await worker.run_once()
    await store.enqueue_article(article)
    await worker.run_once()
    assert sorted(m["chat_id"] for m in fake_bot_api.sent_messages()) == [1, 2]


async def test_forum_topic_gets_message_thread_id(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    await store.subscribe(-1001, SubscriptionMode.INSTANT, thread_id=77)
    await store.enqueue_article(await add_article(store, "Topic"))
    await worker.run_once()
    [sent] = fake_bot_api.sent_messages(chat_id=-1001)
    assert sent["message_thread_id"] == 77


async def test_crash_mid_post_resumes_with_the_next_part(
    db_url: str, clock: FakeClock, fake_bot_api: FakeBotAPI, bot: Bot
) -> None:
    store = await Store.open(db_url, clock=clock)
    await store.subscribe(5, SubscriptionMode.INSTANT)
    long = tuple(f"Sentence {i} about the harbour works and the new pier. " * 12 for i in range(30))
    article_id = await add_article(store, "Long read", long)
    await store.enqueue_article(article_id)
    expected = render_article(await store.get_article(article_id))  # type: ignore[arg-type]
    assert len(expected) >= 3

    original = fake_bot_api._answer
    sends = 0

    def crash_on_second_part(method: str, params: dict[str, object]) -> object:
        nonlocal sends
        if method == "sendMessage":
            sends += 1
            if sends == 2:
                raise Crash
        return original(method, params)

    fake_bot_api._answer = crash_on_second_part  # type: ignore[method-assign]
    worker = DeliveryWorker(store, bot, clock=clock)
    with pytest.raises(Crash):
        await worker.run_once()
    await store.close()
    assert [m["text"] for m in fake_bot_api.sent_messages()] == expected[:1]

    fake_bot_api._answer = original  # type: ignore[method-assign]
    store = await Store.open(db_url, clock=clock)  # "restart"
    try:
        assert await DeliveryWorker(store, bot, clock=clock).run_once() == 1
        texts = [m["text"] for m in fake_bot_api.sent_messages(chat_id=5)]
        assert texts == expected  # every part exactly once, in order
        [row] = await store.list_deliveries()
        assert row.state is DeliveryState.SENT and row.parts_sent == len(expected)
        assert len(set(row.message_ids)) == len(expected)
    finally:
        await store.close()


async def test_digest_is_numbered_and_dated_in_the_chat_timezone(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    await store.upsert_chat(-42, type="group", default_timezone="Asia/Tokyo")
    sub = await store.subscribe(-42, SubscriptionMode.DAILY, at=time(9))
    for title in ("Alpha", "Beta", "Gamma"):
        clock.advance(minutes=10)
        await add_article(store, title)
    digest = await store.enqueue_digest(sub.id, clock.advance(minutes=10))
    assert digest is not None
    await worker.run_once()
    [sent] = fake_bot_api.sent_messages(chat_id=-42)
    text = sent["text"]
    assert text.startswith(f"<b>{digest_title(digest.created_at, 'Asia/Tokyo')}</b>")
    assert "29 Nov 2026" in text  # 08:40 UTC is 17:40 in Tokyo, same day
    positions = [
        text.index(f"{n}. <b>{title}</b>") for n, title in enumerate(["Alpha", "Beta", "Gamma"], 1)
    ]
    assert positions == sorted(positions)


async def test_chat_migration_moves_the_subscription_and_resends(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    await store.upsert_chat(-5, type="group")
    await store.subscribe(-5, SubscriptionMode.INSTANT)
    fake_bot_api.script("sendMessage", error_code=400, migrate_to_chat_id=-100555)
    await store.enqueue_article(await add_article(store, "Moved"))

    await worker.run_once()

    assert [p["chat_id"] for p in fake_bot_api.calls_to("sendMessage")] == [-5, -100555]
    assert len(fake_bot_api.sent_messages(chat_id=-100555)) == 1
    assert [s.chat_id for s in await store.list_subscriptions()] == [-100555]
    [row] = await store.list_deliveries()
    assert row.chat_id == -100555 and row.state is DeliveryState.SENT


async def test_blocked_chat_is_paused_and_other_chats_still_get_posts(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    for chat in (1, 2):
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    fake_bot_api.script("sendMessage", error_code=403, chat_id=1)
    await store.enqueue_article(await add_article(store, "First"))
    await worker.run_once()

    assert [m["chat_id"] for m in fake_bot_api.sent_messages()] == [2]
    states = {d.chat_id: d for d in await store.list_deliveries()}
    assert states[1].state is DeliveryState.FAILED
    assert "blocked" in (states[1].last_error or "")
    assert [s.chat_id for s in await store.list_subscriptions()] == [2]

    await store.enqueue_article(await add_article(store, "Second"))
    await worker.run_once()
    assert [m["chat_id"] for m in fake_bot_api.sent_messages()] == [2, 2]


async def test_flood_wait_reschedules_without_counting_an_attempt(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    await store.subscribe(3, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Busy"))
    fake_bot_api.script("sendMessage", error_code=429, retry_after=3)

    await worker.run_once()
    [row] = await store.list_deliveries()
    assert row.state is DeliveryState.PENDING and row.attempts == 0
    assert row.next_attempt_at == clock() + timedelta(seconds=3)
    assert await worker.run_once() == 0  # not due yet

    clock.advance(seconds=3)
    assert await worker.run_once() == 1
    assert len(fake_bot_api.sent_messages(chat_id=3)) == 1


async def test_flood_wait_escaping_the_rate_limiter_is_retried_later(
    store: Store, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .request(fake_bot_api)
        .get_updates_request(fake_bot_api)
        .rate_limiter(AIORateLimiter(max_retries=0))
        .build()
    )
    await store.subscribe(3, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Limited"))
    fake_bot_api.script("sendMessage", error_code=429, retry_after=2)
    async with app:
        worker = DeliveryWorker(store, app.bot, clock=clock)
        await worker.run_once()
        assert fake_bot_api.sent_messages() == []
        clock.advance(seconds=2)
        await worker.run_once()
    assert len(fake_bot_api.sent_messages(chat_id=3)) == 1
    assert (await store.list_deliveries())[0].state is DeliveryState.SENT


async def test_rejected_html_is_resent_as_plain_text(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    await store.subscribe(4, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Fish & <Chips>"))
    fake_bot_api.script(
        "sendMessage", error_code=400, description="Bad Request: can't parse entities: boom"
    )

    await worker.run_once()

    first, second = fake_bot_api.calls_to("sendMessage")
    assert first["parse_mode"] == "HTML"
    assert "parse_mode" not in second
    assert second["text"].startswith("Fish & <Chips>\n")
    assert "<b>" not in second["text"]
    assert (await store.list_deliveries())[0].state is DeliveryState.SENT


async def test_other_bad_request_fails_with_telegrams_reason(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    await store.subscribe(4, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Nowhere"))
    fake_bot_api.script("sendMessage", error_code=400, description="Bad Request: chat not found")
    await worker.run_once()
    [row] = await store.list_deliveries()
    assert row.state is DeliveryState.FAILED and row.last_error == "Chat not found"


async def test_network_errors_back_off_then_fail_after_max_attempts(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    await store.subscribe(6, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Flaky"))
    fake_bot_api.script("sendMessage", exception=TimedOut(), times=5)

    delays = []
    for attempt in (1, 2):
        before = clock()
        await worker.run_once()
        [row] = await store.list_deliveries()
        assert row.state is DeliveryState.PENDING and row.attempts == attempt
        assert "TimedOut" in (row.last_error or "")
        assert row.next_attempt_at is not None
        delays.append((row.next_attempt_at - before).total_seconds())
        assert await worker.run_once() == 0  # backing off
        clock.advance(hours=1)
    assert 1.0 <= delays[0] <= 3.0 and 2.0 <= delays[1] <= 6.0  # 2s·2^(n-1), jitter ×0.5–1.5

    await worker.run_once()
    [row] = await store.list_deliveries()
    assert row.state is DeliveryState.FAILED
    assert "gave up after 3 attempts" in (row.last_error or "")
    assert fake_bot_api.sent_messages() == []


async def test_a_network_error_then_success_sends_once(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    await store.subscribe(6, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Blip"))
    fake_bot_api.script("sendMessage", exception=NetworkError("connection reset"))
    await worker.run_once()
    clock.advance(minutes=5)
    await worker.run_once()
    assert len(fake_bot_api.sent_messages(chat_id=6)) == 1
    [row] = await store.list_deliveries()
    assert row.state is DeliveryState.SENT and row.attempts == 1


async def test_every_part_of_a_huge_post_parses_and_fits(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    await store.subscribe(8, SubscriptionMode.INSTANT)
    sentences = tuple(f"Émile 😀 said <no> & “yes” in round {i}. " * 8 for i in range(60))
    await store.enqueue_article(await add_article(store, "Huge", sentences))
    await worker.run_once()
    parts = [m["text"] for m in fake_bot_api.sent_messages(chat_id=8)]
    assert len(parts) > 1
    for part in parts:
        assert utf16_len(part) <= 4096
        parse_telegram_html(part)


async def test_run_forever_wakes_on_the_event_and_survives_errors(
    store: Store, bot: Bot, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    worker = DeliveryWorker(store, bot, clock=clock, poll_interval=0.01)
    wake = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(wake))
    try:
        await store.subscribe(9, SubscriptionMode.INSTANT)
        await store.enqueue_article(await add_article(store, "Live"))
        wake.set()
        for _ in range(200):
            if fake_bot_api.sent_messages():
                break
            await asyncio.sleep(0.01)
        assert len(fake_bot_api.sent_messages(chat_id=9)) == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_digest_title_uses_the_local_date() -> None:
    from datetime import UTC, datetime

    late = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert digest_title(late, "UTC") == "News digest · Sun 29 Nov 2026"
    assert digest_title(late, "Asia/Tokyo") == "News digest · Mon 30 Nov 2026"
    assert digest_title(late, "Not/AZone") == "News digest · Sun 29 Nov 2026"


async def test_error_texts_never_store_the_token(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    await store.subscribe(6, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Leak"))
    fake_bot_api.script(
        "sendMessage", exception=NetworkError("POST https://api.telegram.org/bot123:ABC/x failed")
    )
    await worker.run_once()
    [row] = await store.list_deliveries()
    assert row.last_error is not None and "123:ABC" not in row.last_error
    assert "[REDACTED]" in row.last_error


async def test_a_blocked_chat_costs_one_call_per_batch(
    store: Store, worker: DeliveryWorker, fake_bot_api: FakeBotAPI
) -> None:
    await store.subscribe(1, SubscriptionMode.INSTANT)
    await store.subscribe(1, SubscriptionMode.INSTANT, thread_id=4)
    await store.enqueue_article(await add_article(store, "Blocked"))
    fake_bot_api.script("sendMessage", error_code=403, times=5)
    await worker.run_once()
    assert len(fake_bot_api.calls_to("sendMessage")) == 1
    assert {d.state for d in await store.list_deliveries()} == {DeliveryState.FAILED}


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_several_chats_are_sent_to_at_once_and_each_chat_keeps_its_order(
    store: Store, clock: FakeClock, concurrency: int
) -> None:
    """Telegram is tens of ms away: one request at a time would cap a bot near 15 msg/s."""
    from tests.botapi_server import BotAPIServer

    chats = list(range(1, 9))
    for chat in chats:
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    for title in ("First story", "Second story"):
        await store.enqueue_article(await add_article(store, title))
    # each answer takes 0.1 s: long enough for every lane to be waiting on one at once,
    # even on a busy machine
    async with BotAPIServer(latency=0.1) as server:
        async with Bot(server.token, base_url=server.base_url) as bot:
            worker = DeliveryWorker(store, bot, clock=clock, concurrency=concurrency)
            assert await worker.run_once() == 16
        assert server.max_in_flight == concurrency
        for chat in chats:
            titles = [m["text"].split("</b>")[0] for m in server.messages(chat)]
            assert titles == ["<b>First story", "<b>Second story"]
    assert (await store.queue_stats()).sent == 16


async def test_a_cancelled_batch_leaves_no_sending_task_behind(
    store: Store, clock: FakeClock
) -> None:
    """Shutdown cancels the worker mid-send: every lane ends with it, none outlives the store."""
    from bot.delivery import LANE_TASK
    from tests.botapi_server import BotAPIServer

    for chat in (1, 2, 3):
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add_article(store, "Slow server"))
    server = BotAPIServer(latency=30)
    async with server, Bot(server.token, base_url=server.base_url) as bot:
        worker = DeliveryWorker(store, bot, clock=clock, concurrency=3)
        batch = asyncio.create_task(worker.run_once())
        for _ in range(500):
            if server.in_flight == 3:
                break
            await asyncio.sleep(0.01)
        assert server.in_flight == 3
        batch.cancel()
        with pytest.raises(asyncio.CancelledError):
            await batch
        lanes = [t for t in asyncio.all_tasks() if t.get_name() == LANE_TASK]
        assert all(t.done() for t in lanes), lanes
    assert (await store.queue_stats()).pending == 3
