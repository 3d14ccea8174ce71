"""Digest times: once per local day, in the chat's time zone, correct across DST changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import ApplicationBuilder, JobQueue

from bot.schedule import (
    DailyTrigger,
    job_name,
    next_fire,
    next_interval_fire,
    previous_fire,
    remove_digest_job,
    schedule_daily,
    schedule_every,
)
from tests.fakes import FakeBotAPI

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST shift


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_next_fire_is_in_the_chats_time_zone() -> None:
    # 17:00 in Tokyo: today's 09:00 has passed, so tomorrow 09:00 JST = 00:00 UTC.
    assert next_fire(utc(2026, 11, 29, 8, 0), time(9, 0), TOKYO) == utc(2026, 11, 30, 0, 0)
    # 07:00 in Tokyo: today's 09:00 is still ahead.
    assert next_fire(utc(2026, 11, 28, 22, 0), time(9, 0), TOKYO) == utc(2026, 11, 29, 0, 0)


def test_next_fire_is_strictly_after_now() -> None:
    at_nine = utc(2026, 11, 29, 0, 0)  # 09:00 JST
    assert next_fire(at_nine, time(9, 0), TOKYO) == at_nine + timedelta(days=1)
    assert next_fire(at_nine - timedelta(seconds=1), time(9, 0), TOKYO) == at_nine


def test_skipped_spring_forward_time_fires_at_first_valid_instant() -> None:
    # 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist that day.
    fire = next_fire(utc(2026, 3, 7, 17, 0), time(2, 30), NEW_YORK)
    assert fire == utc(2026, 3, 8, 7, 0)  # 03:00 EDT, the end of the gap
    assert fire.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:00 EDT"
    following = next_fire(fire, time(2, 30), NEW_YORK)
    assert following.astimezone(NEW_YORK).strftime("%d %H:%M %Z") == "09 02:30 EDT"


def test_half_hour_dst_gap_is_handled_too() -> None:
    # Lord Howe Island: 2026-10-04 02:00 jumps to 02:30; 02:15 is skipped.
    fire = next_fire(utc(2026, 10, 3, 6, 0), time(2, 15), LORD_HOWE)
    assert fire.astimezone(LORD_HOWE).strftime("%Y-%m-%d %H:%M") == "2026-10-04 02:30"


def test_repeated_fall_back_time_fires_once() -> None:
    # 2026-11-01 01:30 happens twice in New York (EDT, then EST): fire at the first only.
    fire = next_fire(utc(2026, 10, 31, 17, 0), time(1, 30), NEW_YORK)
    assert fire == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    following = next_fire(fire, time(1, 30), NEW_YORK)
    assert following == utc(2026, 11, 2, 6, 30)  # next day 01:30 EST, not 01:30 EST that night


def test_daily_trigger_follows_next_fire_across_a_dst_week() -> None:
    trigger = DailyTrigger(time(2, 30), NEW_YORK)
    now = utc(2026, 3, 5, 12, 0)
    fires = []
    previous = None
    for _ in range(6):
        fire = trigger.get_next_fire_time(previous, now)
        assert fire is not None
        fires.append(fire.astimezone(NEW_YORK).strftime("%m-%d %H:%M"))
        previous, now = fire, fire + timedelta(milliseconds=5)
    assert fires == [
        "03-06 02:30",
        "03-07 02:30",
        "03-08 03:00",
        "03-09 02:30",
        "03-10 02:30",
        "03-11 02:30",
    ]


def test_previous_fire_is_the_last_due_time() -> None:
    now = utc(2026, 11, 29, 8, 0)  # 17:00 JST
    assert previous_fire(now, time(9, 0), TOKYO) == utc(2026, 11, 29, 0, 0)
    assert previous_fire(now, time(17, 0), TOKYO) == now
    assert previous_fire(now, time(18, 0), TOKYO) == utc(2026, 11, 28, 9, 0)


def test_next_fire_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_fire(datetime(2026, 1, 1), time(9, 0), TOKYO)


def test_interval_digest_starts_n_hours_after_the_last() -> None:
    last = utc(2026, 11, 29, 6, 0)
    assert next_interval_fire(utc(2026, 11, 29, 8, 0), last, 6) == utc(2026, 11, 29, 12, 0)
    overdue = next_interval_fire(utc(2026, 11, 30, 8, 0), last, 6)
    assert utc(2026, 11, 30, 8, 0) < overdue <= utc(2026, 11, 30, 8, 0, 1)


async def _noop(context: object) -> None:
    return None


@pytest.fixture
async def job_queue():
    app = ApplicationBuilder().token("123:ABC").request(FakeBotAPI()).build()
    async with app:
        await app.start()
        try:
            assert app.job_queue is not None
            yield app.job_queue
        finally:
            await app.stop()


async def test_daily_job_is_named_for_the_subscription_and_replaced(job_queue: JobQueue) -> None:
    assert schedule_daily(job_queue, _noop, 7, time(9, 0), "Asia/Tokyo") is False
    assert schedule_daily(job_queue, _noop, 7, time(10, 0), "Asia/Tokyo") is True
    [job] = job_queue.get_jobs_by_name(job_name(7))
    assert job.name == "digest:7" and job.data == 7
    assert job.job.id == "digest:7"
    assert job.job.misfire_grace_time == 3600 and job.job.coalesce is True
    assert str(job.job.trigger) == "daily at 10:00 Asia/Tokyo"
    expected = next_fire(datetime.now(UTC), time(10, 0), TOKYO)
    assert job.next_t is not None and job.next_t == expected


async def test_every_job_repeats_and_removal_reports_it(job_queue: JobQueue) -> None:
    first = datetime.now(UTC) + timedelta(hours=2)
    schedule_every(job_queue, _noop, 8, 6, first)
    [job] = job_queue.get_jobs_by_name("digest:8")
    assert job.job.trigger.interval == timedelta(hours=6)
    assert remove_digest_job(job_queue, 8) is True
    assert remove_digest_job(job_queue, 8) is False
    assert job_queue.get_jobs_by_name("digest:8") == ()


async def test_daily_job_really_fires_in_the_running_job_queue(job_queue: JobQueue) -> None:
    fired = asyncio.Event()
    seen: list[object] = []

    async def callback(context) -> None:
        seen.append(context.job.data)
        fired.set()

    soon = (datetime.now(TOKYO) + timedelta(seconds=1)).time().replace(microsecond=0)
    schedule_daily(job_queue, callback, 9, soon, "Asia/Tokyo")
    async with asyncio.timeout(5):
        await fired.wait()
    assert seen == [9]
    [job] = job_queue.get_jobs_by_name("digest:9")
    assert job.next_t is not None and job.next_t - datetime.now(UTC) > timedelta(hours=23)
