"""The store's own tests, run again on PostgreSQL (``pytest -m postgres``).

Every test of :mod:`tests.test_store` is collected here a second time with the ``db_url`` and
``store`` fixtures pointing at a fresh PostgreSQL database, so both backends keep one
behaviour. SQLite-only checks (PRAGMAs) are left out; PostgreSQL-only ones are below.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.models import SubscriptionMode
from bot.store import SCHEMA_VERSION, Store
from tests import test_store
from tests.conftest import FakeClock

pytestmark = pytest.mark.postgres

_SQLITE_ONLY = {"test_sqlite_runs_in_wal_mode_with_foreign_keys"}

for _name in dir(test_store):
    if _name.startswith("test_") and _name not in _SQLITE_ONLY:
        globals()[_name] = getattr(test_store, _name)


@pytest.fixture
def db_url(pg_url: str) -> str:
    return pg_url


@pytest.fixture
async def store(pg_url: str, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(pg_url, clock=clock)
    try:
        yield opened
    finally:
        await opened.close()


# --- PostgreSQL only: several stores (think: processes) at once ---------------------------------


async def test_concurrent_lease_claims_never_hand_a_row_out_twice(
    pg_url: str, clock: FakeClock
) -> None:
    stores = [await Store.open(pg_url, clock=clock) for _ in range(4)]
    try:
        for chat in range(1, 201):
            await stores[0].subscribe(chat, SubscriptionMode.INSTANT)
        for n in range(3):
            await stores[0].enqueue_article(await test_store.add(stores[0], f"a{n}"))

        async def drain(store: Store) -> list[int]:
            got: list[int] = []
            while batch := await store.claim_due(7, clock(), lease=timedelta(minutes=1)):
                got += [d.id for d in batch]
            return got

        claimed = await asyncio.gather(*(drain(s) for s in stores))
        flat = [i for ids in claimed for i in ids]
        assert len(flat) == len(set(flat)) == 600
        assert all(claimed), "every store got some rows"
    finally:
        for store in stores:
            await store.close()


async def test_a_digest_fired_by_several_processes_is_queued_once(
    pg_url: str, clock: FakeClock
) -> None:
    stores = [await Store.open(pg_url, clock=clock) for _ in range(4)]
    try:
        sub = await stores[0].subscribe(-3, SubscriptionMode.DAILY, at=time(9))
        clock.advance(minutes=1)
        await test_store.add(stores[0], "news")
        slot = clock.advance(minutes=1)
        results = await asyncio.gather(*(s.enqueue_digest(sub.id, slot) for s in stores))
        assert sum(r is not None for r in results) == 1
        late = await asyncio.gather(
            *(s.enqueue_digest(sub.id, slot + timedelta(seconds=i)) for i, s in enumerate(stores))
        )
        assert late == [None] * 4  # later racers find the period done and nothing new
        assert len(await stores[0].list_deliveries()) == 1
    finally:
        for store in stores:
            await store.close()


async def test_ingest_claims_race_has_exactly_one_winner(pg_url: str, clock: FakeClock) -> None:
    stores = [await Store.open(pg_url, clock=clock) for _ in range(4)]
    try:
        for n in range(20):
            wins = await asyncio.gather(
                *(s.claim_ingest(f"h{n}", f"proc-{i}") for i, s in enumerate(stores))
            )
            assert sum(wins) == 1
    finally:
        for store in stores:
            await store.close()


async def test_rate_bucket_is_shared_by_concurrent_senders(pg_url: str, clock: FakeClock) -> None:
    stores = [await Store.open(pg_url, clock=clock) for _ in range(3)]
    try:
        waits = await asyncio.gather(
            *(s.take_rate_token("bot:9", rate=10, burst=1) for s in stores for _ in range(10))
        )
        # 30 reservations at 10/s with a burst of 1: one free, then one every 0.1 s.
        assert sorted(waits) == pytest.approx([i / 10 for i in range(30)])
    finally:
        for store in stores:
            await store.close()


async def test_stores_opening_together_migrate_once(pg_url: str, clock: FakeClock) -> None:
    stores = await asyncio.gather(*(Store.open(pg_url, clock=clock) for _ in range(5)))
    try:
        assert {await s.schema_version() for s in stores} == {SCHEMA_VERSION}
    finally:
        for store in stores:
            await store.close()


async def test_only_one_updates_process_polls_and_a_standby_takes_over(pg_url: str) -> None:
    import threading

    from bot.roles import _poll_leader

    dsn = pg_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    first, second = threading.Event(), threading.Event()
    leader = asyncio.create_task(_poll_leader(dsn, first, 0.05))
    async with asyncio.timeout(10):
        while not first.is_set():
            await asyncio.sleep(0.02)
    standby = asyncio.create_task(_poll_leader(dsn, second, 0.05))
    await asyncio.sleep(0.5)
    assert not second.is_set()  # waits while the leader lives
    leader.cancel()  # the leader dies: its connection, and the lock, go
    with contextlib.suppress(asyncio.CancelledError):
        await leader
    async with asyncio.timeout(10):
        while not second.is_set():
            await asyncio.sleep(0.02)
    standby.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await standby


async def test_ingest_and_deliver_roles_share_one_postgres_database(
    pg_url: str, tmp_path: Path
) -> None:
    from pydantic import SecretStr

    from benchmarks.scale import write_articles
    from bot.config import Settings
    from bot.roles import serve_deliver, serve_ingest
    from tests.botapi_server import BotAPIServer

    async with BotAPIServer() as server:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=SecretStr(server.token),
            telegram_api_base_url=server.base_url,
            data_dir=tmp_path / "data",
            inbox=tmp_path / "inbox",
            database_url=pg_url,
            settle_seconds=0.05,
            rescan_seconds=0.3,
            send_rate=200.0,
        )
        store = await Store.open(pg_url)
        try:
            for chat in (21, 22, 23):
                await store.subscribe(chat, SubscriptionMode.INSTANT)
            stop = asyncio.Event()
            tasks = [asyncio.create_task(serve_ingest(settings, stop)) for _ in range(2)]
            tasks += [asyncio.create_task(serve_deliver(settings, stop)) for _ in range(2)]
            write_articles(settings.inbox_dir, 8)
            await server.wait_for_messages(24, timeout=60)
            await asyncio.sleep(0.5)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 20)
            pairs = sorted((int(m["chat_id"]), m["text"].split("\n")[0]) for m in server.sent)
            assert len(pairs) == len(set(pairs)) == 24  # 8 articles x 3 chats, once each
            assert await store.count_articles() == 8
            assert (await store.queue_stats()).sent == 24
        finally:
            await store.close()
