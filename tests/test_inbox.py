"""The inbox takes each complete article file once, skips temp files and quarantines bad ones."""

from __future__ import annotations

import asyncio
import os
from datetime import time
from pathlib import Path

import pytest
from telegram import Bot

from bot.delivery import DeliveryWorker
from bot.inbox import FAILED_DIR, InboxWatcher, Ingestor, IngestResult, is_article_name
from bot.models import SubscriptionMode
from bot.store import Store
from tests.conftest import FakeClock
from tests.fakes import FakeBotAPI

ARTICLE = (
    "Harbour council restores the night ferry\n\n"
    "The council of a small harbour town voted on Tuesday to restore the night ferry.\n\n"
    '"People have been cut off after dark for too long," the mayor, Ingrid Solberg, said.\n'
)


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def wakes() -> list[int]:
    return []


@pytest.fixture
def watcher(inbox: Path, store: Store, ticks: Ticks, wakes: list[int]) -> InboxWatcher:
    ingest = Ingestor(store, inbox, max_file_bytes=10_000, on_new=lambda: wakes.append(1))
    return InboxWatcher(inbox, ingest, settle_seconds=0.5, clock=ticks, use_events=False)


async def settle(watcher: InboxWatcher, ticks: Ticks) -> list[IngestResult]:
    """Scan, let the settle time pass, and ingest what is complete."""
    watcher.scan()
    first = await watcher.poll()
    ticks.advance(1.0)
    return first + await watcher.poll()


@pytest.mark.parametrize(
    ("name", "taken"),
    [
        ("story.txt", True),
        ("Story.HTML", True),
        ("mail.eml", True),
        ("data.json", True),
        ("notes.md", True),
        (".hidden.txt", False),
        ("story.txt.part", False),
        ("story.tmp", False),
        ("story.txt~", False),
        ("story.crdownload", False),
        (".story.txt.swp", False),
        ("photo.jpg", False),
        ("~$draft.txt", False),
    ],
)
def test_only_article_names_are_taken(name: str, taken: bool) -> None:
    assert is_article_name(name) is taken


async def test_file_written_in_chunks_is_taken_only_once_complete(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks, store: Store
) -> None:
    path = inbox / "slow.txt"
    chunks = [ARTICLE[:40], ARTICLE[40:90], ARTICLE[90:]]
    with path.open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(chunk)
            handle.flush()
            watcher.scan()
            assert await watcher.poll() == []  # just changed: not settled
            ticks.advance(0.3)  # less than settle_seconds between chunks
            assert await watcher.poll() == []
    ticks.advance(1.0)
    results = await watcher.poll()
    assert [r.outcome for r in results] == ["new"]
    article = await store.latest_article()
    assert article is not None
    assert "cut off after dark" in article.summary.article.body  # the last chunk is in
    assert await store.count_articles() == 1


async def test_temp_names_are_ignored_until_renamed(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks
) -> None:
    for name in ("a.txt.part", ".b.txt", "c.txt~", "d.tmp", "e.crdownload"):
        (inbox / name).write_text(ARTICLE, encoding="utf-8")
    assert await settle(watcher, ticks) == []
    (inbox / "a.txt.part").rename(inbox / "a.txt")
    results = await settle(watcher, ticks)
    assert [(r.path.name, r.outcome) for r in results] == [("a.txt", "new")]


async def test_duplicate_content_is_stored_once(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks, store: Store
) -> None:
    (inbox / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (inbox / "two.txt").write_text(ARTICLE, encoding="utf-8")
    results = await settle(watcher, ticks)
    assert sorted(r.outcome for r in results) == ["duplicate", "new"]
    assert await store.count_articles() == 1


async def test_rescan_and_restart_do_not_take_a_file_again(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks, store: Store
) -> None:
    await store.subscribe(42, SubscriptionMode.INSTANT)
    (inbox / "one.txt").write_text(ARTICLE, encoding="utf-8")
    assert [r.outcome for r in await settle(watcher, ticks)] == ["new"]
    assert await settle(watcher, ticks) == []  # rescan: same size and mtime, skipped cheaply
    restarted = InboxWatcher(
        inbox, Ingestor(store, inbox), settle_seconds=0.5, clock=ticks, use_events=False
    )
    assert [r.outcome for r in await settle(restarted, ticks)] == ["duplicate"]
    assert (await store.queue_stats()).pending == 1  # queued once, not twice
    assert (inbox / "one.txt").exists()  # processed files stay where they are


async def test_bad_file_is_moved_aside_with_reason_and_others_go_on(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks, store: Store
) -> None:
    (inbox / "broken.txt").write_bytes(b"\xff\xfe\x00\x01" * 10 + b"\x80\x81\xfe" * 50)
    (inbox / "good.txt").write_text(ARTICLE, encoding="utf-8")
    results = {r.path.name: r for r in await settle(watcher, ticks)}
    assert results["good.txt"].outcome == "new"
    assert results["broken.txt"].outcome == "bad"
    moved = inbox / FAILED_DIR / "broken.txt"
    assert moved.exists() and not (inbox / "broken.txt").exists()
    reason = (inbox / FAILED_DIR / "broken.txt.reason.txt").read_text(encoding="utf-8")
    assert reason.strip() == results["broken.txt"].reason
    bad = await store.recent_bad_files()
    assert [Path(b.path).name for b in bad] == ["broken.txt"]


async def test_oversized_file_is_reported_not_read(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks, store: Store
) -> None:
    (inbox / "huge.txt").write_text("word " * 5000, encoding="utf-8")
    [result] = await settle(watcher, ticks)
    assert result.outcome == "bad" and "limit" in (result.reason or "")
    assert (inbox / FAILED_DIR / "huge.txt").exists()


async def test_symlink_out_of_the_inbox_is_ignored(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(ARTICLE, encoding="utf-8")
    os.symlink(outside, inbox / "link.txt")
    assert await settle(watcher, ticks) == []


async def test_new_article_wakes_the_delivery_worker(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks, store: Store, wakes: list[int]
) -> None:
    await store.subscribe(42, SubscriptionMode.INSTANT)
    (inbox / "one.txt").write_text(ARTICLE, encoding="utf-8")
    [result] = await settle(watcher, ticks)
    assert result.deliveries == 1 and wakes == [1]


async def test_running_watcher_picks_up_a_dropped_file(inbox: Path, store: Store) -> None:
    watcher = InboxWatcher(inbox, Ingestor(store, inbox), settle_seconds=0.05, rescan_seconds=30)
    task = asyncio.create_task(watcher.run())
    try:
        await asyncio.sleep(0.1)
        (inbox / "dropped.txt").write_text(ARTICLE, encoding="utf-8")
        async with asyncio.timeout(5):
            while not watcher.results:
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert [r.outcome for r in watcher.results] == ["new"]
    assert await store.count_articles() == 1


async def test_each_subscribed_chat_gets_a_dropped_file_exactly_once(
    watcher: InboxWatcher, inbox: Path, ticks: Ticks, store: Store, clock: FakeClock
) -> None:
    api = FakeBotAPI()
    await store.subscribe(42, SubscriptionMode.INSTANT)
    await store.subscribe(-100777, SubscriptionMode.INSTANT)
    await store.subscribe(-100888, SubscriptionMode.DAILY, at=time(8, 0))  # digest only
    (inbox / "one.txt").write_text(ARTICLE, encoding="utf-8")
    (inbox / "copy.txt").write_text(ARTICLE, encoding="utf-8")
    async with Bot("123:ABC", request=api) as bot:
        worker = DeliveryWorker(store, bot, clock=clock)
        await settle(watcher, ticks)
        await worker.run_once()
        await settle(watcher, ticks)  # rescans find nothing new
        await worker.run_once()
    chats = sorted(m["chat_id"] for m in api.sent_messages())
    assert chats == [-100777, 42]
