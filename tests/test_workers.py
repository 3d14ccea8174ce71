"""SummaryPool: worker summaries equal in-process ones; errors and crashes stay contained."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.workers import SummaryPool, WorkerCrashed, default_workers
from summaries import ArticleError, SummaryOptions, parse_article, summarize_article

ARTICLE_BYTES = (
    b"Harbour plan approved after long debate\n\n"
    b"The town council approved the new harbour plan on Tuesday evening. "
    b"Work on the eastern pier is expected to start in the spring.\n\n"
    b'"We have waited ten years for this," said the mayor, Ana Ruiz. '
    b"Opponents said the cost had doubled since the first estimate.\n\n"
    b"A public meeting on the timetable will be held next month."
)
EMPTY = b"  \n\n \t\n"


@pytest.fixture
async def process_pool() -> AsyncIterator[SummaryPool]:
    async with SummaryPool(2) as pool:
        yield pool


async def test_process_pool_summary_equals_in_process_summary(process_pool: SummaryPool) -> None:
    options = SummaryOptions(sentences=2)
    expected = summarize_article(parse_article(ARTICLE_BYTES, "harbour.txt"), options)
    got = await process_pool.summarize(ARTICLE_BYTES, options, name="harbour.txt")
    assert process_pool.kind == "process"
    assert got == expected


async def test_pool_reads_paths_in_the_worker(process_pool: SummaryPool, tmp_path: Path) -> None:
    path = tmp_path / "harbour.txt"
    path.write_bytes(ARTICLE_BYTES)
    summary = await process_pool.summarize(path)
    assert summary.article.title == "Harbour plan approved after long debate"


async def test_inbox_shaped_call_takes_bytes_name_options(process_pool: SummaryPool) -> None:
    summary = await process_pool.summarize_bytes(ARTICLE_BYTES, "harbour.txt", SummaryOptions())
    assert summary.article.title == "Harbour plan approved after long debate"


async def test_article_errors_come_back_as_the_same_class(process_pool: SummaryPool) -> None:
    with pytest.raises(ArticleError) as caught:
        await process_pool.summarize(EMPTY, name="blank.txt")
    local = pytest.raises(ArticleError)
    with local:
        parse_article(EMPTY, "blank.txt")
    assert type(caught.value) is type(local.excinfo.value)
    assert caught.value.name == "blank.txt"


async def test_many_articles_at_once_all_come_back(process_pool: SummaryPool) -> None:
    results = await asyncio.gather(
        *(process_pool.summarize(ARTICLE_BYTES, name=f"a{n}.txt") for n in range(20))
    )
    assert len({r.sentences for r in results}) == 1


async def test_ctrl_c_to_the_process_group_does_not_kill_workers(
    process_pool: SummaryPool,
) -> None:
    for pid in list(getattr(process_pool._executor, "_processes", {})):
        os.kill(pid, signal.SIGINT)
    await asyncio.sleep(0.2)
    summary = await process_pool.summarize(ARTICLE_BYTES, name="after-ctrl-c.txt")
    assert summary.sentences


async def test_dead_worker_fails_one_article_and_pool_recovers(process_pool: SummaryPool) -> None:
    executor = process_pool._executor
    pids = list(getattr(executor, "_processes", {}))
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashed):
        for _ in range(50):  # the executor notices the dead workers within a few polls
            await process_pool.summarize(ARTICLE_BYTES, name="victim.txt")
            await asyncio.sleep(0.05)
    summary = await process_pool.summarize(ARTICLE_BYTES, name="next.txt")
    assert summary.sentences
    assert process_pool.kind == "process"


async def test_threads_when_processes_are_not_wanted() -> None:
    async with SummaryPool(2, processes=False) as pool:
        summary = await pool.summarize(ARTICLE_BYTES, name="harbour.txt")
        kind_inside: str = pool.kind
    assert kind_inside == "thread"
    assert summary.sentences
    assert pool.kind == "closed"


async def test_falls_back_to_threads_when_processes_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(self: SummaryPool) -> None:
        raise OSError("no /dev/shm here")

    monkeypatch.setattr(SummaryPool, "_process_executor", no_processes)
    async with SummaryPool(1) as pool:
        assert pool.kind == "thread"
        with pytest.raises(ArticleError):
            await pool.summarize(EMPTY, name="blank.txt")


def test_default_size_is_the_usable_cores() -> None:
    assert default_workers() == len(os.sched_getaffinity(0))
