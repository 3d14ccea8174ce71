"""Telegram failures during fan-out, one test each: the failing chat is handled, every other
chat still gets every post exactly once. (Single-delivery mechanics: tests/test_delivery.py.)"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot
from telegram.error import Conflict, NetworkError, TimedOut
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bot.app import build_application
from bot.compat import TolerantRequest
from bot.config import Settings
from bot.delivery import DeliveryWorker
from bot.errors import ConfigError
from bot.models import DeliveryState, SubscriptionMode
from bot.polling import GUARD_KEY, PollingGuard, raise_if_fatal
from bot.store import Store
from summaries import Article, Summary
from tests.botapi_server import BotAPIServer
from tests.conftest import FakeClock
from tests.fakes import FakeBotAPI

CHATS = list(range(101, 111))


async def add_article(store: Store, title: str) -> int:
    article = Article(title=title, paragraphs=(f"{title}: the ferry runs again.",), path="a.txt")
    stored = await store.add_article(
        f"h:{title}", "/inbox/a.txt", Summary(article, article.paragraphs)
    )
    assert stored is not None
    await store.enqueue_article(stored.id)
    return stored.id


@pytest.fixture
async def limited_bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    """The bot as the app builds it: PTB's AIORateLimiter in front of the fake Bot API."""
    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .request(fake_bot_api)
        .get_updates_request(fake_bot_api)
        .rate_limiter(AIORateLimiter(max_retries=0))
        .build()
    )
    async with app:
        yield app.bot


@pytest.fixture
async def subscribed(store: Store) -> Store:
    for chat in CHATS:
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    return store


def per_chat(api: FakeBotAPI) -> Counter[int]:
    return Counter(int(m["chat_id"]) for m in api.sent_messages())


async def drain(worker: DeliveryWorker) -> None:
    while await worker.run_once():
        pass


async def test_429_delays_only_that_chat_then_sends_and_drops_nothing(
    subscribed: Store, limited_bot: Bot, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    await add_article(subscribed, "Busy day")
    fake_bot_api.script("sendMessage", error_code=429, retry_after=5, chat_id=103)
    worker = DeliveryWorker(subscribed, limited_bot, clock=clock)
    await drain(worker)
    assert per_chat(fake_bot_api) == Counter({c: 1 for c in CHATS if c != 103})
    clock.advance(seconds=4)
    await drain(worker)
    assert 103 not in per_chat(fake_bot_api)  # waits the full retry_after
    clock.advance(seconds=1)
    await drain(worker)
    assert per_chat(fake_bot_api) == Counter(dict.fromkeys(CHATS, 1))


async def test_403_pauses_that_chat_and_the_others_get_every_post(
    subscribed: Store, limited_bot: Bot, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    await add_article(subscribed, "First")
    fake_bot_api.script(
        "sendMessage", error_code=403, description="Forbidden: bot was kicked", chat_id=104
    )
    worker = DeliveryWorker(subscribed, limited_bot, clock=clock)
    await drain(worker)
    await add_article(subscribed, "Second")
    await drain(worker)
    assert per_chat(fake_bot_api) == Counter({c: 2 for c in CHATS if c != 104})
    [sub] = await subscribed.list_subscriptions(chat_id=104, include_paused=True)
    assert sub.paused


async def test_migrated_group_gets_the_post_at_its_new_id(
    store: Store, limited_bot: Bot, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    old, new = -4005, -1004005
    await store.subscribe(old, SubscriptionMode.INSTANT)
    await store.subscribe(101, SubscriptionMode.INSTANT)
    await add_article(store, "Upgraded")
    fake_bot_api.script("sendMessage", error_code=400, migrate_to_chat_id=new, chat_id=old)
    worker = DeliveryWorker(store, limited_bot, clock=clock)
    await drain(worker)
    await add_article(store, "Next")
    await drain(worker)
    assert per_chat(fake_bot_api) == Counter({new: 2, 101: 2})
    assert len(await store.list_subscriptions(chat_id=new)) == 1
    assert await store.list_subscriptions(chat_id=old) == []


async def test_unparsable_html_is_resent_once_as_plain_text(
    subscribed: Store, limited_bot: Bot, fake_bot_api: FakeBotAPI, clock: FakeClock
) -> None:
    await add_article(subscribed, "Fish & <Chips>")
    fake_bot_api.script(
        "sendMessage",
        error_code=400,
        description="Bad Request: can't parse entities: unsupported start tag",
        chat_id=105,
    )
    await drain(DeliveryWorker(subscribed, limited_bot, clock=clock))
    assert per_chat(fake_bot_api) == Counter(dict.fromkeys(CHATS, 1))
    [plain] = fake_bot_api.sent_messages(105)
    assert "parse_mode" not in plain and "<b>" not in plain["text"]
    assert "Fish & <Chips>" in plain["text"]


class HangingServer(BotAPIServer):
    """Answers the first ``hang`` sendMessage calls only after the client gave up."""

    def __init__(self, hang: int) -> None:
        super().__init__()
        self.hang = hang

    async def _handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if path.endswith("/sendMessage") and self.hang > 0:
            self.hang -= 1
            await asyncio.sleep(1.0)  # the client's read timeout is 0.2 s
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        return await super()._handle(path, headers, body)


async def test_real_timeouts_back_off_and_retry_then_deliver_once(
    store: Store, clock: FakeClock
) -> None:
    await store.subscribe(101, SubscriptionMode.INSTANT)
    await add_article(store, "Slow line")
    async with HangingServer(hang=2) as server:
        request = TolerantRequest(read_timeout=0.2, connect_timeout=0.5)
        async with Bot(server.token, base_url=server.base_url, request=request) as bot:
            worker = DeliveryWorker(store, bot, clock=clock, max_attempts=5)
            for attempt in (1, 2):
                await worker.run_once()
                [row] = await store.list_deliveries()
                assert row.state is DeliveryState.PENDING and row.attempts == attempt
                assert "TimedOut" in (row.last_error or "")
                assert await worker.run_once() == 0  # backing off, not hammering
                clock.advance(minutes=5)
            await worker.run_once()
    assert [int(m["chat_id"]) for m in server.messages()] == [101]
    assert (await store.list_deliveries())[0].state is DeliveryState.SENT


async def test_connection_errors_retry_a_bounded_number_of_times(
    store: Store, clock: FakeClock
) -> None:
    await store.subscribe(101, SubscriptionMode.INSTANT)
    await add_article(store, "Nobody home")
    server = BotAPIServer()
    await server.__aenter__()
    bot = Bot(server.token, base_url=server.base_url, request=TolerantRequest(connect_timeout=0.5))
    await bot.initialize()
    await server.__aexit__(None, None, None)  # the Bot API goes away: connection refused
    try:
        worker = DeliveryWorker(store, bot, clock=clock, max_attempts=3)
        for _ in range(5):
            await worker.run_once()
            clock.advance(hours=1)
    finally:
        await bot.shutdown()
    [row] = await store.list_deliveries()
    assert row.state is DeliveryState.FAILED and row.attempts == 3
    assert "gave up after 3 attempts" in (row.last_error or "")
    assert server.token not in (row.last_error or "")


async def test_409_conflict_is_one_clear_error_then_the_bot_gives_up(
    settings: Settings,
    fake_bot_api: FakeBotAPI,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = build_application(settings, request=fake_bot_api, store=store, background=False)
    now = [0.0]
    guard = app.bot_data[GUARD_KEY]
    assert isinstance(guard, PollingGuard)
    guard.clock = lambda: now[0]
    conflict = Conflict("Conflict: terminated by other getUpdates request")
    async with app:
        with caplog.at_level(logging.INFO):
            for _ in range(3):  # a restart's short overlap: reported, tolerated
                await app.process_error(None, conflict)
                now[0] += 20
            assert guard.fatal is None
            for _ in range(2):
                await app.process_error(None, conflict)
                now[0] += 20
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "another process is polling Telegram with this bot token" in errors[0].getMessage()
    assert errors[-1].levelno == logging.CRITICAL
    assert not any("error while handling" in r.getMessage() for r in caplog.records)
    with pytest.raises(ConfigError, match="Only one instance may poll"):
        raise_if_fatal(app)


async def test_polling_network_errors_are_one_warning_a_minute_not_tracebacks(
    settings: Settings, fake_bot_api: FakeBotAPI, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_application(settings, request=fake_bot_api, store=store, background=False)
    async with app:
        with caplog.at_level(logging.INFO):
            for error in (NetworkError("httpx.ConnectError: refused"), TimedOut()) * 5:
                await app.process_error(None, error)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "retrying" in warnings[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)
