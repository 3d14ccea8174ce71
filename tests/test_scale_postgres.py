"""Several ingest and deliver processes on one PostgreSQL database, killed at random.

3 ``ingest`` + 3 ``deliver`` processes (``python -m bot.roles``) share one inbox folder, one
database and one loopback Bot API. 2,000 generated articles arrive in waves for 100 chats while
random processes are SIGKILLed and restarted. At the end every article is stored once and
delivered to every chat; the only repeats allowed are the unavoidable ones (a deliver process
killed after Telegram accepted a message and before the store recorded it: at most one per
chat it was sending to at that moment, ``NEWSBOT_SEND_CONCURRENCY`` per kill).

Two sizes: ``quick`` (200 articles x 15 chats, about a minute) and ``full`` (the 2,000 x 100
of issue 8: 200,000 messages, also marked ``slow``; 47 minutes on a 2-core box, where the
restarts' imports, the Python Bot API stand-in and PTB's per-message cost share the CPU; run
it from a clean clone: restarted processes import the working tree as it is at that moment)::

    pytest -m "postgres and not slow" tests/test_scale_postgres.py   # quick
    pytest -m postgres tests/test_scale_postgres.py                  # quick + full

``NEWSBOT_SCALE_ARTICLES`` / ``NEWSBOT_SCALE_CHATS`` override the full size.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from benchmarks.scale import role_env, start_role, write_articles
from bot.models import DeliveryState, SubscriptionMode
from bot.store import Store
from tests.botapi_server import BotAPIServer

pytestmark = pytest.mark.postgres

FULL_ARTICLES = int(os.environ.get("NEWSBOT_SCALE_ARTICLES", "2000"))
FULL_CHATS = int(os.environ.get("NEWSBOT_SCALE_CHATS", "100"))
CONCURRENCY = 4  # NEWSBOT_SEND_CONCURRENCY of the deliver processes
TIMEOUT = float(os.environ.get("NEWSBOT_SCALE_TIMEOUT", "4800"))
STORY = re.compile(r"Story (\d{5})")


async def wait_ready(ready: Path, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait without blocking the loop (the Bot API server runs in it)."""
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"role process exited early ({proc.returncode})")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{ready.name} not ready")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize(
    ("articles", "chats"),
    [
        pytest.param(200, 15, id="quick"),
        pytest.param(FULL_ARTICLES, FULL_CHATS, id="full", marks=pytest.mark.slow),
    ],
)
async def test_ingest_and_deliver_processes_deliver_everything_once_despite_sigkills(
    pg_url: str, tmp_path: Path, articles: int, chats: int
) -> None:
    rng = random.Random(8)
    store = await Store.open(pg_url)
    chat_ids = list(range(1001, 1001 + chats))
    for chat in chat_ids:
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    inbox, staging = tmp_path / "inbox", tmp_path / "staging"
    inbox.mkdir()
    files = write_articles(staging, articles)
    kills: collections.Counter[str] = collections.Counter()

    async with BotAPIServer() as server:
        env = role_env(
            pg_url,
            inbox,
            TELEGRAM_BOT_TOKEN=server.token,
            TELEGRAM_API_BASE_URL=server.base_url,
            NEWSBOT_DELIVERY_LEASE_SECONDS="5",
            NEWSBOT_INGEST_LEASE_SECONDS="5",
            NEWSBOT_SEND_RATE="100000",  # the shared bucket runs, but never waits here
            NEWSBOT_SEND_CONCURRENCY=str(CONCURRENCY),
            NEWSBOT_RESCAN_SECONDS="1",
            NEWSBOT_LOG_LEVEL=os.environ.get("NEWSBOT_SCALE_LOG_LEVEL", "WARNING"),
        )
        names = [f"ingest-{n}" for n in range(3)] + [f"deliver-{n}" for n in range(3)]
        procs: dict[str, subprocess.Popen[bytes]] = {}

        async def start(name: str) -> None:
            role = name.split("-")[0]
            proc, ready = start_role(role, env, tmp_path, name, tmp_path / f"{name}.log")
            procs[name] = proc
            await wait_ready(ready, proc)

        for name in names:
            await start(name)

        async def drop_files() -> None:
            waves = 8
            for wave in range(waves):
                for path in files[wave::waves]:
                    path.rename(inbox / path.name)
                await asyncio.sleep(rng.uniform(0.5, 2.0))

        async def chaos(stop: asyncio.Event) -> None:
            while not stop.is_set():
                await asyncio.sleep(rng.uniform(0.7, 2.5))
                if stop.is_set():
                    return
                name = rng.choice(names)
                procs[name].send_signal(signal.SIGKILL)
                await asyncio.to_thread(procs[name].wait)
                kills[name.split("-")[0]] += 1
                await start(name)

        stop_chaos = asyncio.Event()
        dropping = asyncio.create_task(drop_files())
        chaos_task = asyncio.create_task(chaos(stop_chaos))
        started = time.monotonic()
        expected = articles * chats
        try:
            while time.monotonic() - started < TIMEOUT:
                await asyncio.sleep(1.0)
                stats = await store.queue_stats()
                if stats.sent >= expected and await store.count_articles() >= articles:
                    break
                if time.monotonic() - started > TIMEOUT * 0.6:
                    stop_chaos.set()  # let a slow machine finish in peace
        finally:
            stop_chaos.set()
            await dropping
            await chaos_task
            for proc in procs.values():
                proc.send_signal(signal.SIGTERM)
            for proc in procs.values():
                await asyncio.to_thread(proc.wait, 20)
        elapsed = time.monotonic() - started
        sent = list(server.messages())

    try:
        stats = await store.queue_stats()
        assert await store.count_articles() == articles
        assert (stats.pending, stats.failed) == (0, 0), stats
        assert stats.sent == expected
        assert not await store.list_deliveries(state=DeliveryState.FAILED)
    finally:
        await store.close()

    received = collections.Counter(
        (int(m["chat_id"]), int(match.group(1)))
        for m in sent
        if (match := STORY.search(str(m.get("text", ""))))
    )
    missing = [(c, a) for c in chat_ids for a in range(articles) if (c, a) not in received]
    repeats = sum(n - 1 for n in received.values())
    print(
        f"\n{articles} articles x {chats} chats in {elapsed:.0f}s: {len(sent)} messages, "
        f"kills={dict(kills)}, repeats={repeats}"
    )
    if repeats:
        print("repeated:", [k for k, n in received.items() if n > 1][:20])
    assert not missing, f"{len(missing)} (chat, article) pairs never arrived: {missing[:5]}"
    assert len(sent) == len(received) + repeats, "messages that are not one of our articles"
    allowed = CONCURRENCY * kills["deliver"]
    assert repeats <= allowed, f"{repeats} repeats for {kills['deliver']} deliver kills"
    assert sum(kills.values()) >= 3, "the test should have killed something"
