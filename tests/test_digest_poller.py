"""Digests from the database schedule: due once per slot, however many pollers run."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.digest_poller import DigestPoller, due_slot, next_slot
from bot.models import SubscriptionMode
from bot.store import Store
from tests.conftest import FakeClock
from tests.test_store import add


async def test_daily_digest_is_queued_once_at_its_slot_by_two_pollers(
    store: Store, clock: FakeClock
) -> None:
    await store.upsert_chat(-1, type="group", default_timezone="Europe/Berlin")
    sub = await store.subscribe(-1, SubscriptionMode.DAILY, at=time(10, 0))  # 09:00 UTC
    clock.advance(minutes=30)
    await add(store, "morning news")
    pollers = [DigestPoller(store, clock=clock, interval=120) for _ in range(2)]
    clock.advance(minutes=29)  # 08:59 UTC
    assert [await p.run_once() for p in pollers] == [[], []]
    assert 59 < pollers[0].seconds_to_next() <= 60  # sleeps until the slot, not 30 s blindly

    clock.advance(minutes=1, seconds=2)
    first, second = [await p.run_once() for p in pollers]
    assert len(first) == 1 and second == []
    assert first[0].article_ids and first[0].chat_id == -1
    stored = await store.get_subscription(sub.id)
    assert stored is not None and stored.last_digest_at == datetime(2026, 11, 29, 9, tzinfo=UTC)


async def test_every_n_hours_slots_follow_the_last_digest(store: Store, clock: FakeClock) -> None:
    sub = await store.subscribe(5, SubscriptionMode.EVERY, every_hours=3)
    start = clock()
    clock.advance(minutes=10)
    await add(store, "one")
    poller = DigestPoller(store, clock=clock)
    clock.advance(hours=3)  # 3h10m after the subscription
    [digest] = await poller.run_once()
    got = await store.get_subscription(sub.id)
    assert got is not None and got.last_digest_at == start + timedelta(hours=3)
    assert digest.article_ids
    assert next_slot(got, "UTC", clock()) == start + timedelta(hours=6)
    assert await poller.run_once() == []


async def test_a_daily_digest_missed_by_more_than_the_grace_waits_for_the_next_day(
    store: Store, clock: FakeClock
) -> None:
    await store.subscribe(7, SubscriptionMode.DAILY, at=time(8, 30))
    clock.advance(minutes=5)
    await add(store, "news")
    clock.advance(hours=2)  # 10:05
    poller = DigestPoller(store, clock=clock)
    # 08:30 is 1h35m ago, beyond the 1 h grace: skipped, nothing queued.
    assert await poller.run_once() == []
    clock.advance(days=1, hours=-1, minutes=-30)  # next day 08:35
    assert len(await poller.run_once()) == 1


async def test_due_slot_is_none_before_the_first_fire_after_subscribing(
    store: Store, clock: FakeClock
) -> None:
    sub = await store.subscribe(9, SubscriptionMode.DAILY, at=time(7, 0))  # created 08:00 UTC
    assert due_slot(sub, "UTC", clock.advance(minutes=30)) is None
    assert due_slot(sub, "UTC", clock.advance(days=1)) == datetime(2026, 11, 30, 7, tzinfo=UTC)
