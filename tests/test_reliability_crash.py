"""Crash points in-process (fast): a ``BaseException`` stands in for kill -9 at chosen
moments, the store is reopened ("restart") and the work goes on.

The real-process version (``newsbot run`` killed with SIGKILL) is ``tests/test_crash.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

from bot.delivery import DeliveryWorker
from bot.inbox import Ingestor
from bot.models import DeliveryState, SubscriptionMode
from bot.store import Store
from summaries import Article, Quote, Summary
from tests.conftest import FakeClock
from tests.fakes import FakeBotAPI

ARTICLE = (
    "Night ferry returns to the island\n\n"
    "The town council voted on Tuesday to restore the night ferry to the island.\n\n"
    '"People have been cut off after dark for too long," said the mayor, Ingrid Solberg.\n'
)


class Crash(BaseException):
    """kill -9: nothing in the bot or PTB catches a BaseException."""


def summary(n: int, sentences: int = 1) -> Summary:
    body = tuple(
        f"Item {n}, point {i}: the harbour board met again to discuss the pier. " * 10
        for i in range(sentences)
    )
    article = Article(title=f"Item {n}", paragraphs=body, path=f"item-{n}.txt")
    return Summary(article, body, (Quote(f"Quote {n}", "A. Speaker", key=True),))


class CrashingAPI(FakeBotAPI):
    """Crashes on the ``at``-th sendMessage: before Telegram sees it, or just after it accepted
    it (the one unavoidable repeat: accepted, but not yet recorded locally)."""

    def __init__(self) -> None:
        super().__init__()
        self.at: int | None = None
        self.after_accept = False
        self.sends = 0

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method != "sendMessage":
            return super()._answer(method, params)
        self.sends += 1
        if self.sends == self.at and not self.after_accept:
            raise Crash
        result = super()._answer(method, params)
        if self.sends == self.at:
            raise Crash
        return result


async def test_killed_between_storing_and_queueing_the_article_is_still_posted(
    tmp_path: Path, db_url: str, clock: FakeClock
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ferry.txt").write_text(ARTICLE, encoding="utf-8")
    store = await Store.open(db_url, clock=clock)
    await store.subscribe(7, SubscriptionMode.INSTANT)

    def crash(_article_id: int, **_kwargs: Any) -> Any:
        raise Crash

    store._enqueue_article_stmt = crash  # type: ignore[method-assign,assignment]
    with pytest.raises(Crash):
        await Ingestor(store, inbox)(inbox / "ferry.txt")
    await store.close()

    store = await Store.open(db_url, clock=clock)  # restart: the inbox is scanned again
    try:
        result = await Ingestor(store, inbox)(inbox / "ferry.txt")
        assert result.outcome == "new" and result.deliveries == 1
        assert await store.count_articles() == 1
    finally:
        await store.close()


@pytest.mark.parametrize("concurrency", [1, 4])
@pytest.mark.parametrize("seed", range(2))
async def test_random_crashes_during_fan_out_lose_nothing(
    db_url: str, clock: FakeClock, seed: int, concurrency: int
) -> None:
    """Crash at random sends, before or after Telegram accepted; restart until done. Nothing
    is lost, and the only repeats are the parts accepted right before a crash: exactly those
    when one chat is sent to at a time, at most one per chat in flight otherwise (a crash
    stops every lane, like a kill)."""
    rng = random.Random(seed)
    api = CrashingAPI()
    chats = list(range(1, 6))
    store = await Store.open(db_url, clock=clock)
    for chat in chats:
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    expected: Counter[tuple[int, str]] = Counter()
    for n in range(3):
        stored = await store.add_article(f"h{n}", f"/inbox/{n}.txt", summary(n, 1 + 14 * (n % 2)))
        assert stored is not None
        await store.enqueue_article(stored.id)
    await store.close()

    crashes_after_accept = restarts = 0
    async with Bot("123:ABC", request=api) as bot:
        while True:
            api.at = api.sends + rng.randint(1, 12)
            api.after_accept = rng.random() < 0.5
            store = await Store.open(db_url, clock=clock)
            try:
                worker = DeliveryWorker(store, bot, clock=clock, concurrency=concurrency)
                while await worker.run_once():
                    pass
                break
            except Crash:
                restarts += 1
                crashes_after_accept += api.after_accept
            finally:
                await store.close()
    store = await Store.open(db_url, clock=clock)
    try:
        rows = await store.list_deliveries()
        assert {row.state for row in rows} == {DeliveryState.SENT}
        for row in rows:
            for part in row.parts:
                expected[(row.chat_id, part)] += 1
    finally:
        await store.close()
    got = Counter((int(m["chat_id"]), str(m["text"])) for m in api.sent_messages())
    assert set(got) == set(expected), "a part was lost"
    repeats = sum(got.values()) - sum(expected.values())
    assert restarts >= 3
    if concurrency == 1:
        assert repeats == crashes_after_accept  # exactly the accepted-not-recorded parts
    else:
        assert repeats <= concurrency * restarts
