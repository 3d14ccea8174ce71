"""``newsbot`` with the changes the performance report recommends, for A/B benchmarks.

Benchmark-only: it patches the running bot in memory, never the source, so the latency and
``/status`` benchmarks can measure the set-up as wired and the recommended one in one run::

    python -m benchmarks._perf_pooled [--pool] [--read-sessions] run

``--pool``
    the inbox summarizes through :class:`bot.workers.SummaryPool` (processes) instead of
    ``asyncio.to_thread``. When ``bot.inbox`` no longer calls
    ``asyncio.to_thread(_summarize, ...)`` (the pool is wired), this changes nothing.
``--read-sessions``
    the store's read-only methods run on a second engine whose transactions are not
    ``BEGIN IMMEDIATE``: in WAL mode a reader then never waits for the write lock.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import sys
from collections.abc import Callable
from typing import Any

import bot.app as app_module
import bot.inbox as inbox_module
import bot.store as store_module
from bot.workers import SummaryPool

_pool = SummaryPool()
_READING: contextvars.ContextVar[bool] = contextvars.ContextVar("reading", default=False)
READ_METHODS = (
    "count_articles",
    "get_article",
    "get_articles",
    "get_chat",
    "get_subscription",
    "has_article",
    "latest_article",
    "list_subscriptions",
    "queue_stats",
    "recent_bad_files",
)


class _AsyncioWithPool:
    """``asyncio`` as seen by :mod:`bot.inbox`, except that summarizing goes to the pool."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def to_thread(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if func is getattr(inbox_module, "_summarize", None) and len(args) == 3 and not kwargs:
            data, name, options = args
            return await _pool.summarize(data, options, name=name)
        return await asyncio.to_thread(func, *args, **kwargs)


def install_pool() -> None:
    inbox_module.asyncio = _AsyncioWithPool()  # type: ignore[assignment,attr-defined]
    start_background = app_module.start_background

    def start_with_pool(app: Any) -> None:
        start_background(app)
        asyncio.get_running_loop().create_task(_pool.start())

    app_module.start_background = start_with_pool


class _Sessions:
    """The store's session factory, switching to the read engine inside read methods."""

    def __init__(self, write: Any, read: Any) -> None:
        self.write, self.read = write, read

    def _pick(self) -> Any:
        return self.read if _READING.get() else self.write

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._pick()(*args, **kwargs)

    def begin(self) -> Any:
        return self._pick().begin()


def install_read_sessions() -> None:
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    store_cls: Any = store_module.Store
    open_store = store_cls.open.__func__

    async def open_with_reads(cls: Any, /, url: str, **kwargs: Any) -> Any:
        store = await open_store(cls, url, **kwargs)
        if not url.startswith("sqlite") or not hasattr(store, "_sessions"):
            return store
        engine = create_async_engine(url)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # no BEGIN: each read is its own snapshot
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        store._sessions = _Sessions(
            store._sessions, async_sessionmaker(engine, expire_on_commit=False)
        )
        return store

    store_cls.open = classmethod(open_with_reads)
    for name in READ_METHODS:
        method = getattr(store_cls, name, None)
        if method is None:
            continue

        @functools.wraps(method)
        async def reading(self: Any, *args: Any, _method: Any = method, **kwargs: Any) -> Any:
            token = _READING.set(True)
            try:
                return await _method(self, *args, **kwargs)
            finally:
                _READING.reset(token)

        setattr(store_cls, name, reading)


def main(argv: list[str]) -> None:
    if "--pool" in argv:
        argv.remove("--pool")
        install_pool()
    if "--read-sessions" in argv:
        argv.remove("--read-sessions")
        install_read_sessions()
    from bot.cli import main as newsbot

    sys.argv = [sys.argv[0], *argv]
    newsbot()


if __name__ == "__main__":
    main(sys.argv[1:])
