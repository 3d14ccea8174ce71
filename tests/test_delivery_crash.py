"""kill -9 the delivery worker again and again: nothing is lost, and at most the one part in
flight at each kill is sent twice (Telegram has no idempotency key). Slow: run with -m slow."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.models import DeliveryState, SubscriptionMode
from bot.render import render_article
from bot.store import Store
from summaries import Article, Quote, Summary
from tests.botapi_server import BotAPIServer

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import asyncio, sys
from telegram import Bot
from bot.delivery import DeliveryWorker
from bot.store import Store

async def main(db_url, base_url, token):
    store = await Store.open(db_url)
    async with Bot(token, base_url=base_url) as bot:
        worker = DeliveryWorker(store, bot, batch=5)
        while await worker.run_once():
            pass
    await store.close()

asyncio.run(main(*sys.argv[1:4]))
"""


def long_summary(n: int) -> Summary:
    sentences = tuple(
        f"Report {n}, sentence {i}: the council debated the harbour budget at length. " * 9
        for i in range(12 if n % 2 else 2)
    )
    article = Article(title=f"Report {n}", paragraphs=sentences, path=f"report-{n}.txt")
    return Summary(article, sentences, (Quote(f"Quote {n}", "A. Speaker", key=True),))


async def test_killing_the_worker_loses_nothing_and_repeats_at_most_one_part_per_kill(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'crash.sqlite3'}"
    store = await Store.open(db_url)
    chats = list(range(1, 16))
    for chat in chats:
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    expected: Counter[tuple[int, str]] = Counter()
    for n in range(6):
        stored = await store.add_article(f"h{n}", f"/inbox/{n}.txt", long_summary(n))
        assert stored is not None
        await store.enqueue_article(stored.id)
        for part in render_article(stored):
            for chat in chats:
                expected[(chat, part)] += 1
    await store.close()
    assert sum(expected.values()) > 100

    rng = random.Random(1)
    kills = 0
    async with BotAPIServer() as server:
        for _ in range(30):
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-c", CHILD, db_url, server.base_url, server.token,
                cwd=REPO, env={**os.environ, "PTB_TIMEDELTA": "true"},
            )  # fmt: skip
            target = len(server.sent) + rng.randint(10, 50)
            while child.returncode is None and len(server.sent) < target:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(child.wait(), timeout=0.002)
            if child.returncode is None:
                # Kill at a random moment: in the accepted-but-not-recorded window, or not.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(child.wait(), timeout=rng.uniform(0, 0.03))
            if child.returncode is None:
                child.send_signal(signal.SIGKILL)
                await child.wait()
                kills += 1
                continue
            assert child.returncode == 0
            break
        else:
            pytest.fail("the worker never finished")

    got = Counter((int(m["chat_id"]), m["text"]) for m in server.sent)
    assert set(got) == set(expected), "lost or foreign messages"
    duplicates = sum(count - 1 for count in got.values())
    assert duplicates <= kills
    print(f"kills={kills} duplicates={duplicates} messages={len(server.sent)}")
    assert kills >= 2

    store = await Store.open(db_url)
    try:
        stats = await store.queue_stats()
        assert stats.pending == 0 and stats.failed == 0
        assert {d.state for d in await store.list_deliveries()} == {DeliveryState.SENT}
    finally:
        await store.close()
