"""Summarize articles in worker processes, so the event loop stays free for chats.

The summaries engine is pure CPU-bound Python: in a thread it holds the GIL and a burst of
files makes ``/status`` wait behind it; in processes it runs on every core while the loop
keeps answering. :class:`SummaryPool` wraps :class:`~concurrent.futures.ProcessPoolExecutor`
(forkserver start with :mod:`summaries` preloaded, so a new worker costs a fork, not an
import), warms every worker up before the first real article, and falls back to threads
where processes are not available (some sandboxes, no ``/dev/shm``).

::

    async with SummaryPool() as pool:
        summary = await pool.summarize(path, options)
        ingest = Ingestor(store, inbox, summarize=pool.summarize_bytes)  # the inbox's shape

Errors come back as the same :class:`summaries.ArticleError` subclasses the engine raises.
A worker that dies (killed, out of memory) fails only its own article, with
:class:`WorkerCrashed`, and the pool is rebuilt for the next one.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import pickle
import signal
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Literal

import summaries.errors as summary_errors
from summaries import (
    Article,
    ArticleError,
    Summary,
    SummaryOptions,
    load_article,
    parse_article,
    summarize_article,
)

__all__ = ["SummaryPool", "WorkerCrashed", "default_workers"]

logger = logging.getLogger(__name__)

Source = str | Path | bytes
_Outcome = (
    tuple[Literal["ok"], Summary]
    | tuple[Literal["article-error"], str, str, str]
    | tuple[Literal["error"], BaseException]
)

_WARM_UP = Article(
    title="Warm-up article for a summary worker",
    paragraphs=(
        "The council approved the harbour plan on Tuesday after a long debate. "
        "Officials said the work would start in spring.",
        '"We have waited long enough," the mayor, Maria Olsen, said. '
        "Residents will be able to comment until March.",
    ),
)


class WorkerCrashed(ArticleError):
    """The worker process died on this article (killed, or out of memory)."""


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _summarize(source: Source, name: str, options: SummaryOptions) -> _Outcome:
    """Runs in the worker; every result, errors too, comes back in a shape that pickles.

    ``ArticleError`` takes two arguments, so pickle cannot rebuild it on its own: it crosses
    the process boundary as (class name, file name, reason) and is rebuilt in the parent.
    """
    try:
        article = parse_article(source, name) if isinstance(source, bytes) else load_article(source)
        return ("ok", summarize_article(article, options))
    except ArticleError as exc:
        return ("article-error", type(exc).__name__, exc.name, exc.reason)
    except Exception as exc:
        try:
            pickle.dumps(exc)
        except Exception:
            return ("error", RuntimeError(f"{type(exc).__name__}: {exc}"))
        return ("error", exc)


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the bot shuts the workers down itself, so a
    worker must not die of KeyboardInterrupt first (and break the pool mid-shutdown)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm(delay: float) -> int:
    """Load lazy imports and caches with a small article; the delay spreads warm-ups out."""
    summarize_article(_WARM_UP, SummaryOptions())
    time.sleep(delay)
    return os.getpid()


def _rebuild_error(kind: str, name: str, reason: str) -> ArticleError:
    cls = getattr(summary_errors, kind, None)
    if isinstance(cls, type) and issubclass(cls, ArticleError):
        return cls(name, reason)
    return ArticleError(name, reason)


class SummaryPool:
    """A pool of summary workers sized to the cores, used from async code.

    ``processes=False`` (or a platform without working process pools) uses threads: the
    same API, but summaries then share the event loop's GIL.
    """

    def __init__(self, workers: int | None = None, *, processes: bool = True) -> None:
        self.workers = workers or default_workers()
        self._want_processes = processes
        self._executor: Executor | None = None
        self.kind: Literal["process", "thread", "closed"] = "closed"
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> SummaryPool:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Create the workers and warm each one up, so the first article is not the slow one."""
        async with self._lock:
            if self._executor is None:
                await self._open()

    async def _open(self) -> None:
        if self._want_processes:
            processes: ProcessPoolExecutor | None = None
            try:
                processes = self._process_executor()
                await self._warm_up(processes)
            except (OSError, NotImplementedError, BrokenProcessPool, ImportError) as exc:
                logger.warning("process pool unavailable, summarizing in threads: %s", exc)
                if processes is not None:
                    processes.shutdown(wait=False, cancel_futures=True)
            else:
                self._executor, self.kind = processes, "process"
                return
        threads = ThreadPoolExecutor(self.workers, thread_name_prefix="summary")
        await self._warm_up(threads)
        self._executor, self.kind = threads, "thread"

    def _process_executor(self) -> ProcessPoolExecutor:
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["summaries", "bot.workers"])
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_ignore_interrupts)

    async def _warm_up(self, executor: Executor) -> None:
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        pids = await asyncio.gather(
            *(loop.run_in_executor(executor, _warm, 0.05) for _ in range(self.workers))
        )
        logger.info(
            "summary pool ready workers=%d distinct=%d seconds=%.2f",
            self.workers,
            len(set(pids)),
            time.perf_counter() - started,
        )

    async def summarize(
        self, source: Source, options: SummaryOptions | None = None, *, name: str | None = None
    ) -> Summary:
        """Load (from a path, or raw bytes named ``name``) and summarize in a worker.

        Raises the engine's :class:`ArticleError` subclasses, or :class:`WorkerCrashed`.
        """
        if self._executor is None:
            await self.start()
        executor = self._executor
        assert executor is not None
        label = name or ("-" if isinstance(source, bytes) else str(source))
        call = functools.partial(_summarize, source, label, options or SummaryOptions())
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(executor, call)
        except BrokenProcessPool as exc:
            await self._replace_broken(executor)
            raise WorkerCrashed(label, "the summary worker died on this file") from exc
        if outcome[0] == "ok":
            return outcome[1]
        if outcome[0] == "article-error":
            raise _rebuild_error(outcome[1], outcome[2], outcome[3])
        raise outcome[1]

    async def summarize_bytes(self, data: bytes, name: str, options: SummaryOptions) -> Summary:
        """The inbox's summarizer shape, ``(data, name, options)``: pass
        ``summarize=pool.summarize_bytes`` to :class:`bot.inbox.Ingestor`."""
        return await self.summarize(data, options, name=name)

    async def _replace_broken(self, broken: Executor) -> None:
        """Start fresh workers once, however many calls saw the same broken pool."""
        async with self._lock:
            if self._executor is not broken:
                return
            logger.error("summary worker died; restarting the pool")
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            await self._open()

    async def close(self) -> None:
        """Stop the workers; queued articles are cancelled."""
        async with self._lock:
            executor, self._executor, self.kind = self._executor, None, "closed"
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
