"""Digest timing: when a chat's digest fires, in the chat's own time zone.

The time arithmetic is pure (:func:`next_fire`) and drives the JobQueue through
:class:`DailyTrigger`, because APScheduler's cron trigger fires an ambiguous fall-back time
twice and lands a spring-forward gap time half an hour past the gap. Here a daily digest fires
exactly once per local day: at the first occurrence of an ambiguous time, and at the first
valid instant after a time the clocks skip.

Jobs are named ``digest:{subscription id}``; scheduling replaces any job of that name, so
restarts and repeated ``/subscribe`` are idempotent. Jobs carry only the subscription id: the
callback re-reads the store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger  # type: ignore[import-untyped]
from telegram.ext import CallbackContext, JobQueue

__all__ = [
    "MISFIRE_GRACE_SECONDS",
    "DailyTrigger",
    "job_name",
    "next_fire",
    "next_interval_fire",
    "previous_fire",
    "remove_digest_job",
    "schedule_daily",
    "schedule_every",
]

logger = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 3600
JobCallback = Callable[[CallbackContext[Any, Any, Any, Any]], Coroutine[Any, Any, None]]


def _wall(instant: datetime, tz: tzinfo) -> datetime:
    """The naive local wall-clock time of an instant."""
    return instant.astimezone(tz).replace(tzinfo=None)


def _resolve(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant of wall time ``at`` on ``day``: first occurrence, or end of a gap."""
    naive = datetime.combine(day, at.replace(tzinfo=None))
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == naive:
        return first  # exists; fold=0 is the earlier of two ambiguous instants
    # In a gap: fold=0 and fold=1 bracket the transition; find the first instant whose wall
    # time is at or after ``naive`` (transitions fall on whole seconds).
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(first, other), max(first, other)
    low, high = 0, int((hi - lo).total_seconds())
    while low < high:
        mid = (low + high) // 2
        if _wall(lo + timedelta(seconds=mid), tz) >= naive:
            high = mid
        else:
            low = mid + 1
    return lo + timedelta(seconds=low)


def next_fire(now_utc: datetime, at: time, tz: tzinfo) -> datetime:
    """The first daily fire time strictly after ``now_utc`` (aware), as an aware UTC datetime."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    day = now_utc.astimezone(tz).date() - timedelta(days=1)
    for _ in range(4):
        candidate = _resolve(day, at, tz)
        if candidate > now_utc:
            return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a local day always has a fire time")  # pragma: no cover


def previous_fire(now_utc: datetime, at: time, tz: tzinfo) -> datetime:
    """The last daily fire time at or before ``now_utc`` (to catch up one missed while down)."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    day = now_utc.astimezone(tz).date() + timedelta(days=1)
    for _ in range(4):
        candidate = _resolve(day, at, tz)
        if candidate <= now_utc:
            return candidate
        day -= timedelta(days=1)
    raise AssertionError("unreachable: a local day always has a fire time")  # pragma: no cover


def next_interval_fire(now_utc: datetime, last: datetime, every_hours: int) -> datetime:
    """The next ``every N h`` fire: N hours after the last digest, or now if that has passed."""
    due = last + timedelta(hours=every_hours)
    return due if due > now_utc else now_utc + timedelta(seconds=1)


class DailyTrigger(BaseTrigger):  # type: ignore[misc]
    """APScheduler trigger firing once a local day at ``at`` in ``tz`` (see :func:`next_fire`)."""

    __slots__ = ("at", "tz")

    def __init__(self, at: time, tz: tzinfo) -> None:
        self.at = at.replace(tzinfo=None)
        self.tz = tz

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        start = max(previous_fire_time, now) if previous_fire_time else now
        return next_fire(start.astimezone(UTC), self.at, self.tz)

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "at": self.at, "tz": str(self.tz)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.at = state["at"]
        self.tz = ZoneInfo(state["tz"])

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M} {self.tz}"

    def __repr__(self) -> str:
        return f"<DailyTrigger at={self.at:%H:%M} tz={self.tz}>"


def job_name(subscription_id: int) -> str:
    """The deterministic job name (and APScheduler id) of a digest subscription."""
    return f"digest:{subscription_id}"


def remove_digest_job(job_queue: JobQueue[Any], subscription_id: int) -> bool:
    """Remove the digest job of a subscription; say whether there was one."""
    jobs = job_queue.get_jobs_by_name(job_name(subscription_id))
    for job in jobs:
        job.schedule_removal()
    return bool(jobs)


def _job_kwargs(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "replace_existing": True,
        "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        "coalesce": True,
    }


def schedule_daily(
    job_queue: JobQueue[Any],
    callback: JobCallback,
    subscription_id: int,
    at: time,
    timezone: str,
) -> bool:
    """(Re)schedule a daily digest; returns whether it replaced an existing job."""
    name = job_name(subscription_id)
    replaced = remove_digest_job(job_queue, subscription_id)
    kwargs = _job_kwargs(name) | {"trigger": DailyTrigger(at, ZoneInfo(timezone))}
    job_queue.run_custom(callback, job_kwargs=kwargs, data=subscription_id, name=name)
    logger.info("scheduled digest sub=%s daily=%s tz=%s", subscription_id, at, timezone)
    return replaced


def schedule_every(
    job_queue: JobQueue[Any],
    callback: JobCallback,
    subscription_id: int,
    every_hours: int,
    first: datetime,
) -> bool:
    """(Re)schedule an ``every N h`` digest starting at ``first``; returns whether it replaced."""
    name = job_name(subscription_id)
    replaced = remove_digest_job(job_queue, subscription_id)
    job_queue.run_repeating(
        callback,
        interval=timedelta(hours=every_hours),
        first=first,
        data=subscription_id,
        name=name,
        job_kwargs=_job_kwargs(name),
    )
    logger.info("scheduled digest sub=%s every=%sh first=%s", subscription_id, every_hours, first)
    return replaced
