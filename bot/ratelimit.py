"""One send rate for a bot token across every process that sends with it.

Telegram's limits are per bot (about 30 messages a second overall), not per process, so three
``deliver`` processes pacing themselves at 30/s each would send 90/s and collect 429s. The
:class:`SharedRateLimiter` reserves each send from a token bucket row in the store
(:meth:`bot.store.Store.take_rate_token`: one ``UPDATE .. RETURNING`` under a row lock on
PostgreSQL), sleeps for its turn, then hands the request to an inner limiter (PTB's
``AIORateLimiter``, which keeps the per-chat limits and retries a stray 429) or sends it.

A process reserves a small block of sends at a time (a fifth of a second's worth, at most the
bucket's burst), not one: the round trip to the database was a fifth of a deliver process's
CPU per message. Reserved sends unused after a second are dropped, so an idle process cannot
save them up and burst past the rate later.

Groups have a limit of their own (20 messages a minute each), and it is per bot too: a group
chat's sends (a negative ``chat_id``, or an ``@channel``) also take a token from that chat's
own bucket (``GROUP_RATE`` with a burst of ``GROUP_BURST``, one round trip each: groups are few
next to private chats), so several processes posting to one group stay under it together.

Only sending methods are counted; ``getMe``, ``getUpdates``, ``setMyCommands``... pass
straight through. The bucket key is the bot's numeric id, never the token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

from .store import Store

__all__ = ["GROUP_BURST", "GROUP_RATE", "SENDING_METHODS", "SharedRateLimiter", "bucket_key"]

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


#: How long reserved sends stay usable: several processes take turns, and a block reserved
#: by one must not expire while another sends (a wasted block is a fifth of a second lost).
#: Using it later can exceed the rate by at most the block, within Telegram's own tolerance.
_SPARE_SECONDS = 1.0

#: Telegram's limit per group chat: 20 messages a minute, all at once at most.
GROUP_RATE = 20 / 60
GROUP_BURST = 20.0


def _group(chat_id: object) -> str | None:
    """The chat as a bucket suffix when it is a group or channel (its own limit), else None."""
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        return chat_id.lower()
    try:
        number = int(str(chat_id))
    except ValueError:
        return None
    return str(number) if number < 0 else None


def bucket_key(token: str) -> str:
    """The bucket of a bot: its numeric id (the part of the token before ':')."""
    return f"bot:{token.split(':', 1)[0]}"


class SharedRateLimiter(BaseRateLimiter[Any]):
    """Paces sends through a store-held token bucket shared by all processes of one bot."""

    __slots__ = (
        "_block",
        "_burst",
        "_clock",
        "_inner",
        "_key",
        "_lock",
        "_rate",
        "_ready_at",
        "_sleep",
        "_spare",
        "_spare_until",
        "_store",
        "waited",
    )

    def __init__(
        self,
        store: Store,
        key: str,
        *,
        rate: float = 25.0,
        burst: float = 5.0,
        inner: BaseRateLimiter[Any] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._key = key
        self._rate = rate
        self._burst = burst
        self._inner = inner
        self._sleep = sleep
        self._clock = clock
        self._block = max(1, min(int(burst), int(rate / 5)))
        self._lock = asyncio.Lock()
        self._spare = 0  # sends reserved in the bucket and not used yet
        self._ready_at = 0.0  # when the reserved block may go out
        self._spare_until = 0.0  # when unused reserved sends go stale
        self.waited = 0.0  # total seconds spent waiting for a turn (for metrics/benchmarks)

    async def _turn(self) -> float:
        """Seconds until this send may go: from the reserved block, else a new reservation."""
        async with self._lock:
            now = self._clock()
            if self._spare <= 0 or now >= self._spare_until:
                wait = await self._store.take_rate_token(
                    self._key, rate=self._rate, burst=self._burst, count=self._block
                )
                self._spare = self._block
                self._ready_at = now + wait
                self._spare_until = self._ready_at + max(_SPARE_SECONDS, self._block / self._rate)
            self._spare -= 1
            return max(0.0, self._ready_at - now)

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
            wait = await self._turn()
            group = _group(data.get("chat_id"))
            if group is not None:
                group_wait = await self._store.take_rate_token(
                    f"{self._key}:chat:{group}", rate=GROUP_RATE, burst=GROUP_BURST
                )
                wait = max(wait, group_wait)
            if wait > 0:
                self.waited += wait
                await self._sleep(wait)
        if self._inner is not None:
            return await self._inner.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        return await callback(*args, **kwargs)
