"""Process roles: a ``deliver`` process sends the outbox and queues digests on its own."""

from __future__ import annotations

import asyncio
import time as wall
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.errors import ConfigError
from bot.models import DeliveryState, SubscriptionMode
from bot.roles import ROLES, run_role, serve_deliver
from bot.store import ArticleRow, Store, SubscriptionRow
from tests.botapi_server import BotAPIServer
from tests.test_store import add


def role_settings(tmp_path: Path, server: BotAPIServer | None, **extra: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(server.token if server else "") if server else None,
        telegram_api_base_url=server.base_url if server else "http://127.0.0.1:9/bot",
        data_dir=tmp_path / "data",
        inbox=tmp_path / "inbox",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    )


def test_the_roles_are_the_documented_four() -> None:
    assert ROLES == ("all", "updates", "ingest", "deliver")


def test_an_unknown_role_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown role"):
        run_role(role_settings(tmp_path, None), "everything")  # type: ignore[arg-type]


async def test_deliver_role_needs_a_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        await serve_deliver(role_settings(tmp_path, None), asyncio.Event())


async def test_deliver_role_sends_queued_posts_and_due_digests(tmp_path: Path) -> None:
    async with BotAPIServer() as server:
        settings = role_settings(tmp_path, server, send_rate=50.0)
        store = await Store.open(settings.db_url)
        try:
            for chat in (11, 12, 13):
                await store.subscribe(chat, SubscriptionMode.INSTANT)
            now = datetime.now(UTC)
            due_at = (now - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
            digest = await store.subscribe(14, SubscriptionMode.DAILY, at=time(0, 0))
            article = await add(store, "Harbour reopens")
            async with store._sessions.begin() as session:  # subscribed yesterday, digest due
                sub = await session.get_one(SubscriptionRow, digest.id)
                sub.created_at = now - timedelta(days=1)
                sub.at = due_at.strftime("%H:%M")
                (await session.get_one(ArticleRow, article)).created_at = now - timedelta(minutes=3)
            await store.enqueue_article(article)
            stop = asyncio.Event()
            task = asyncio.create_task(serve_deliver(settings, stop))
            await server.wait_for_messages(4, timeout=10)
            stop.set()
            await asyncio.wait_for(task, 10)
            sent = sorted(int(m["chat_id"]) for m in server.messages())
            assert sent == [11, 12, 13, 14]
            rows = await store.list_deliveries()
            assert {d.state for d in rows} == {DeliveryState.SENT}
            assert sorted(d.kind for d in rows) == ["article", "article", "article", "digest"]
        finally:
            await store.close()


async def test_shared_rate_limit_paces_two_deliver_processes_together(tmp_path: Path) -> None:
    """Two deliver loops on one store: together they stay under the one send rate."""
    async with BotAPIServer() as server:
        settings = role_settings(tmp_path, server, send_rate=20.0)
        store = await Store.open(settings.db_url)
        try:
            for chat in range(1, 21):
                await store.subscribe(chat, SubscriptionMode.INSTANT)
            await store.enqueue_article(await add(store, "Ferry timetable"))
            stop = asyncio.Event()
            started = wall.monotonic()
            tasks = [asyncio.create_task(serve_deliver(settings, stop)) for _ in range(2)]
            await server.wait_for_messages(20, timeout=15)
            elapsed = wall.monotonic() - started
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 10)
            # burst 4 at 20/s: the other 16 need >= 0.8 s however many processes send
            assert elapsed >= 0.75, elapsed
            assert sorted(int(m["chat_id"]) for m in server.messages()) == list(range(1, 21))
        finally:
            await store.close()


async def test_two_ingest_processes_summarize_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.inbox
    from benchmarks.scale import write_articles
    from bot.roles import serve_ingest

    summarized: list[str] = []
    real = bot.inbox._summarize

    def counting(data: bytes, name: str, options: object) -> object:
        summarized.append(name)
        return real(data, name, options)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.inbox, "_summarize", counting)
    settings = role_settings(tmp_path, None, settle_seconds=0.05, rescan_seconds=0.3)
    store = await Store.open(settings.db_url)
    try:
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(serve_ingest(settings, stop, name=f"proc-{n}")) for n in range(2)
        ]
        write_articles(settings.inbox_dir, 12)
        async with asyncio.timeout(30):
            while await store.count_articles() < 12:
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.8)  # a rescan or two: nothing is taken again
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        assert await store.count_articles() == 12
        assert sorted(summarized) == sorted(set(summarized)) and len(summarized) == 12
    finally:
        await store.close()
