"""One send rate for a bot token across every process that sends with it.

Telegram's limits are per bot (about 30 messages a second overall), not per process, so three
``deliver`` processes pacing themselves at 30/s each would send 90/s and collect 429s. The
:class:`SharedRateLimiter` reserves each send from a token bucket row in the store
(:meth:`bot.store.Store.take_rate_token`: one ``UPDATE .. RETURNING`` under a row lock on
PostgreSQL), sleeps for its turn, then hands the request to an inner limiter (PTB's
``AIORateLimiter``, which keeps the per-chat limits and retries a stray 429) or sends it.

Only sending methods are counted; ``getMe``, ``getUpdates``, ``setMyCommands``... pass
straight through. The bucket key is the bot's numeric id, never the token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

from .store import Store

__all__ = ["SENDING_METHODS", "SharedRateLimiter", "bucket_key"]

logger = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]

#: Bot API methods that post something to a chat (what Telegram's flood limits count).
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "forwardMessage",
        "copyMessage",
        "editMessageText",
    }
)


def bucket_key(token: str) -> str:
    """The bucket of a bot: its numeric id (the part of the token before ':')."""
    return f"bot:{token.split(':', 1)[0]}"


class SharedRateLimiter(BaseRateLimiter[Any]):
    """Paces sends through a store-held token bucket shared by all processes of one bot."""

    __slots__ = ("_burst", "_inner", "_key", "_rate", "_sleep", "_store", "waited")

    def __init__(
        self,
        store: Store,
        key: str,
        *,
        rate: float = 25.0,
        burst: float = 5.0,
        inner: BaseRateLimiter[Any] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._key = key
        self._rate = rate
        self._burst = burst
        self._inner = inner
        self._sleep = sleep
        self.waited = 0.0  # total seconds spent waiting for a turn (for metrics/benchmarks)

    async def initialize(self) -> None:
        if self._inner is not None:
            await self._inner.initialize()

    async def shutdown(self) -> None:
        if self._inner is not None:
            await self._inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any | None,
    ) -> JSONResult:
        if endpoint in SENDING_METHODS:
            wait = await self._store.take_rate_token(self._key, rate=self._rate, burst=self._burst)
            if wait > 0:
                self.waited += wait
                await self._sleep(wait)
        if self._inner is not None:
            return await self._inner.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        return await callback(*args, **kwargs)
