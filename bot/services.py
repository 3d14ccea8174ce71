"""The bot's running services, shared by handlers and jobs through one typed ``bot_data`` key.

Handlers stay thin: they parse, call one function here, render and reply. The functions here
hold the logic that needs the store and the job queue but not an incoming update.
"""

from __future__ import annotations

import asyncio
import logging
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, JobQueue

from . import schedule
from .config import Settings
from .digest_poller import due_slot
from .store import Store

if TYPE_CHECKING:
    from .delivery import DeliveryWorker
    from .inbox import InboxWatcher
    from .models import Subscription
    from .workers import SummaryPool

__all__ = [
    "SERVICES_KEY",
    "Services",
    "digest_job",
    "fire_digest",
    "get_services",
    "open_store",
    "reschedule_chat",
    "schedule_subscription",
]

logger = logging.getLogger(__name__)

SERVICES_KEY = "newsbot.services"
ADMIN_CACHE_SECONDS = 60.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Services:
    """Everything a handler or job needs; mutable runtime state, unlike the value types."""

    settings: Settings
    store: Store | None = None
    owns_store: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    clock: Callable[[], datetime] = _utcnow
    inbox: InboxWatcher | None = None
    worker: DeliveryWorker | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    admin_cache: dict[tuple[int, int], tuple[bool, float]] = field(default_factory=dict)
    background: bool = True
    pool: SummaryPool | None = None

    @property
    def db(self) -> Store:
        """The open store (opened in ``post_init``)."""
        if self.store is None:
            raise RuntimeError("the store is not open yet")
        return self.store

    def cached_admin(self, chat_id: int, user_id: int) -> bool | None:
        """A recent admin check's answer, or None when unknown or stale."""
        hit = self.admin_cache.get((chat_id, user_id))
        if hit is None or _time.monotonic() - hit[1] > ADMIN_CACHE_SECONDS:
            return None
        return hit[0]

    def remember_admin(self, chat_id: int, user_id: int, is_admin: bool) -> None:
        self.admin_cache[(chat_id, user_id)] = (is_admin, _time.monotonic())


async def open_store(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> Store:
    """Open (and migrate) the configured database; the default SQLite file's folder is created."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return await Store.open(settings.db_url, clock=clock, default_timezone=settings.timezone)


def get_services(
    source: CallbackContext[Any, Any, Any, Any] | Application[Any, Any, Any, Any, Any, Any],
) -> Services:
    """The typed :class:`Services` of an application or callback context."""
    services = source.bot_data[SERVICES_KEY]
    if not isinstance(services, Services):  # pragma: no cover - wiring bug
        raise TypeError("bot_data has no Services")
    return services


async def fire_digest(services: Services, subscription_id: int) -> int | None:
    """Queue the digest a subscription is due for; returns the delivery id (None: nothing new)."""
    sub = await services.db.get_subscription(subscription_id)
    if sub is None or sub.paused:
        logger.info("digest skipped sub=%s (gone or paused)", subscription_id)
        return None
    # The period ends at the schedule's slot, not at this process's clock: an APScheduler job
    # here and the DigestPoller of `deliver` processes then queue the same (subscription,
    # period_end) key, which the store makes once (issue 8). Off-schedule calls use now.
    now = services.clock()
    chat = await services.db.get_chat(sub.chat_id)
    timezone = chat.timezone if chat else services.settings.timezone
    period_end = due_slot(sub, timezone, now) or now
    delivery = await services.db.enqueue_digest(subscription_id, period_end=period_end)
    if delivery is None:
        logger.info("digest empty sub=%s chat=%s", subscription_id, sub.chat_id)
        return None
    logger.info(
        "digest queued sub=%s chat=%s articles=%s", sub.id, sub.chat_id, len(delivery.article_ids)
    )
    services.wake.set()
    return delivery.id


async def digest_job(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """JobQueue callback: the job's data is the subscription id; the store has the rest."""
    job = context.job
    if job is None or not isinstance(job.data, int):  # pragma: no cover - wiring bug
        return
    await fire_digest(get_services(context), job.data)


def schedule_subscription(
    job_queue: JobQueue[Any] | None, services: Services, sub: Subscription, timezone: str
) -> None:
    """Create or replace the digest job of a subscription (instant ones have none)."""
    if job_queue is None:
        return
    if sub.mode == "daily" and sub.at is not None:
        schedule.schedule_daily(job_queue, digest_job, sub.id, sub.at, timezone)
    elif sub.mode == "every" and sub.every_hours:
        last = sub.last_digest_at or sub.created_at
        first = schedule.next_interval_fire(services.clock(), last, sub.every_hours)
        schedule.schedule_every(job_queue, digest_job, sub.id, sub.every_hours, first)
    else:
        schedule.remove_digest_job(job_queue, sub.id)


async def reschedule_chat(job_queue: JobQueue[Any] | None, services: Services, chat_id: int) -> int:
    """Re-create every digest job of one chat (after its time zone changed); returns how many."""
    chat = await services.db.get_chat(chat_id)
    timezone = chat.timezone if chat else services.settings.timezone
    subs = await services.db.list_subscriptions(chat_id=chat_id, include_paused=True)
    for sub in subs:
        schedule_subscription(job_queue, services, sub, timezone)
    return sum(1 for sub in subs if sub.mode != "instant")


async def rebuild_jobs(job_queue: JobQueue[Any] | None, services: Services) -> int:
    """At start: one job per digest subscription in the store; returns how many."""
    count = 0
    timezones: dict[int, str] = {}
    for sub in await services.db.list_subscriptions(include_paused=True):
        if sub.mode == "instant":
            continue
        if sub.chat_id not in timezones:
            chat = await services.db.get_chat(sub.chat_id)
            timezones[sub.chat_id] = chat.timezone if chat else services.settings.timezone
        schedule_subscription(job_queue, services, sub, timezones[sub.chat_id])
        count += 1
        if job_queue is not None and _missed_daily(services.clock(), sub, timezones[sub.chat_id]):
            logger.info("digest missed while down sub=%s: sending it now", sub.id)
            job_queue.run_once(digest_job, when=0, data=sub.id, name=f"digest:{sub.id}:catch-up")
    return count


def _missed_daily(now: datetime, sub: Subscription, timezone: str) -> bool:
    """A daily digest fell due while the bot was down, within the misfire grace time."""
    if sub.mode != "daily" or sub.at is None or sub.paused:
        return False
    due = schedule.previous_fire(now, sub.at, ZoneInfo(timezone))
    last = sub.last_digest_at or sub.created_at
    return last < due and (now - due).total_seconds() <= schedule.MISFIRE_GRACE_SECONDS
