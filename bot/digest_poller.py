"""Digests scheduled from the database, so any number of processes can fire them safely.

Each process of a split deployment would otherwise run its own APScheduler and race. Here a
digest is identified by its *slot*, the schedule's fire time it is due for (daily: the last
local ``HH:MM`` at or before now, in the chat's time zone; every N hours: the subscription's
last digest plus a whole number of periods). The slot, not a process's clock, is the
``period_end`` given to :meth:`bot.store.Store.enqueue_digest`, which locks the subscription
row and keeps a unique ``(subscription, period_end)`` outbox key: however many processes fire
a slot, one digest is queued and the others find it done.

:class:`DigestPoller` runs in every ``deliver`` process. It sleeps until the next slot of any
subscription (at most ``interval`` seconds, so new subscriptions are seen), then queues what
is due. A daily digest more than :data:`bot.schedule.MISFIRE_GRACE_SECONDS` late is skipped
(its articles go into the next day's), as the in-process scheduler does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import Delivery, Subscription, SubscriptionMode
from .schedule import MISFIRE_GRACE_SECONDS, next_fire, previous_fire
from .store import Store

__all__ = ["DigestPoller", "due_slot", "next_slot"]

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def due_slot(sub: Subscription, timezone: str, now: datetime) -> datetime | None:
    """The slot the subscription's digest is due for at ``now``, or None (not due yet)."""
    last = sub.last_digest_at or sub.created_at
    if sub.mode is SubscriptionMode.DAILY and sub.at is not None:
        slot = previous_fire(now, sub.at, _zone(timezone))
    elif sub.mode is SubscriptionMode.EVERY and sub.every_hours:
        period = timedelta(hours=sub.every_hours)
        periods = (now - last) // period
        if periods < 1:
            return None
        slot = last + periods * period
    else:
        return None
    return slot if slot > last else None


def next_slot(sub: Subscription, timezone: str, now: datetime) -> datetime | None:
    """The first slot after ``now`` (when the poller should look again)."""
    if sub.mode is SubscriptionMode.DAILY and sub.at is not None:
        return next_fire(now, sub.at, _zone(timezone))
    if sub.mode is SubscriptionMode.EVERY and sub.every_hours:
        last = sub.last_digest_at or sub.created_at
        period = timedelta(hours=sub.every_hours)
        return last + max(1, (now - last) // period + 1) * period
    return None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DigestPoller:
    """Queues due digests from the store's schedule; safe to run in many processes."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        interval: float = 30.0,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock or _utc_now
        self._interval = interval
        self._on_queued = on_queued
        self._next: datetime | None = None

    async def run_once(self) -> list[Delivery]:
        """Queue every digest due now; returns the ones this process queued."""
        now = self._clock()
        queued: list[Delivery] = []
        upcoming: list[datetime] = []
        for sub, timezone in await self._store.digest_targets():
            slot = due_slot(sub, timezone, now)
            late = slot is not None and (now - slot).total_seconds() > MISFIRE_GRACE_SECONDS
            if slot is not None and not (sub.mode is SubscriptionMode.DAILY and late):
                delivery = await self._store.enqueue_digest(sub.id, slot)
                if delivery is not None:
                    logger.info(
                        "digest queued sub=%s chat=%s slot=%s articles=%s",
                        sub.id,
                        sub.chat_id,
                        slot.isoformat(),
                        len(delivery.article_ids),
                    )
                    queued.append(delivery)
            following = next_slot(sub, timezone, now)
            if following is not None:
                upcoming.append(following)
        self._next = min(upcoming, default=None)
        if queued and self._on_queued is not None:
            self._on_queued()
        return queued

    def seconds_to_next(self) -> float:
        """How long to sleep: until the next known slot, at most ``interval``."""
        if self._next is None:
            return self._interval
        delta = (self._next - self._clock()).total_seconds()
        return min(self._interval, max(delta, 0.05))

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; survives errors (logged, retried after ``interval``)."""
        while not stop.is_set():
            try:
                await self.run_once()
                wait = self.seconds_to_next()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("digest poller failed; retrying")
                wait = self._interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
