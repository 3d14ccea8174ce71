"""``newsbot`` with the inbox summarizing through :class:`bot.workers.SummaryPool`.

Benchmark-only: until the application wires the pool itself, this entry point swaps the
inbox's worker-thread call for the process pool, so the latency and ``/status`` benchmarks
can measure both set-ups in one run::

    python -m benchmarks._perf_pooled run

When ``bot.inbox`` already uses the pool (no ``asyncio.to_thread(_summarize, ...)`` call
left), the swap changes nothing and this is plain ``newsbot``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import bot.app as app_module
import bot.inbox as inbox_module
from bot.workers import SummaryPool

_pool = SummaryPool()


class _AsyncioWithPool:
    """``asyncio`` as seen by :mod:`bot.inbox`, except that summarizing goes to the pool."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def to_thread(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if func is getattr(inbox_module, "_summarize", None) and len(args) == 3 and not kwargs:
            data, name, options = args
            return await _pool.summarize(data, options, name=name)
        return await asyncio.to_thread(func, *args, **kwargs)


def _install() -> None:
    inbox_module.asyncio = _AsyncioWithPool()  # type: ignore[assignment,attr-defined]
    start_background = app_module.start_background

    def start_with_pool(app: Any) -> None:
        start_background(app)
        asyncio.get_running_loop().create_task(_pool.start())

    app_module.start_background = start_with_pool


if __name__ == "__main__":
    _install()
    from bot.cli import main

    main()
