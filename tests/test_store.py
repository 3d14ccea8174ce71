"""The store: exactly-once outbox, chat lifecycle, digests, search and schema versions."""

from __future__ import annotations

import time as wall
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import insert, text

from bot.models import DeliveryState, SubscriptionMode
from bot.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    ArticleRow,
    Store,
    summary_from_json,
    summary_to_json,
)
from summaries import Article, Quote, Summary
from tests.conftest import FakeClock


def make_summary(
    title: str = "Tram line opens",
    body: str = "The new tram line opened on Monday.",
    *,
    quotes: tuple[Quote, ...] = (),
    source: str | None = None,
) -> Summary:
    article = Article(
        title=title, paragraphs=(body,), source=source, date="2026-11-28", path=f"{title}.txt"
    )
    return Summary(article=article, sentences=(body,), quotes=quotes)


async def add(store: Store, title: str, body: str = "Body text.") -> int:
    stored = await store.add_article(
        f"hash-{title}", f"/inbox/{title}.txt", make_summary(title, body)
    )
    assert stored is not None
    return stored.id


# --- articles -----------------------------------------------------------------------------------


async def test_add_article_round_trips_the_summary_and_rejects_duplicate_hash(store: Store) -> None:
    summary = make_summary(
        quotes=(Quote("We are ready", "Ana Ruiz", key=True), Quote("soon", None, partial=True)),
        source="https://example.org/tram",
    )
    first = await store.add_article("abc", "/inbox/tram.txt", summary)
    assert first is not None
    assert first.summary == summary
    assert first.title == "Tram line opens" and first.source == "https://example.org/tram"
    assert first.created_at.tzinfo is not None
    assert await store.add_article("abc", "/inbox/copy.txt", summary) is None
    assert await store.count_articles() == 1
    assert await store.has_article("abc") and not await store.has_article("zzz")
    assert await store.get_article(first.id) == first


def test_summary_json_round_trip_keeps_every_field() -> None:
    summary = make_summary(quotes=(Quote("“Hi” & <bye>", None, key=True, partial=False),))
    assert summary_from_json(summary_to_json(summary)) == summary


async def test_latest_article_matches_all_words_case_insensitively(
    store: Store, clock: FakeClock
) -> None:
    await add(store, "Harbour plan", "The COUNCIL approved the harbour plan.")
    clock.advance(minutes=1)
    await add(store, "Ferry strike", "Ferry workers went on strike; the council met them.")
    clock.advance(minutes=1)
    await add(store, "Weather", "Rain all week. 100% chance_of gloom.")

    assert (await store.latest_article()).title == "Weather"  # type: ignore[union-attr]
    assert (await store.latest_article("council")).title == "Ferry strike"  # type: ignore[union-attr]
    assert (await store.latest_article("Council HARBOUR")).title == "Harbour plan"  # type: ignore[union-attr]
    assert (await store.latest_article("100%")).title == "Weather"  # type: ignore[union-attr]
    assert await store.latest_article("council volcano") is None
    assert await store.latest_article("50%") is None  # % is literal, not a wildcard
    assert await store.latest_article("chance%of") is None


async def test_latest_article_on_empty_store_is_none(store: Store) -> None:
    assert await store.latest_article() is None
    assert await store.latest_article("anything") is None


async def test_articles_between_is_half_open_and_oldest_first(
    store: Store, clock: FakeClock
) -> None:
    start = clock()
    await add(store, "at-start")
    clock.advance(minutes=1)
    second = await add(store, "second")
    clock.advance(minutes=1)
    third = await add(store, "third")
    found = await store.articles_between(start, clock())
    assert [a.id for a in found] == [second, third]


async def test_latest_article_search_stays_fast_with_10000_articles(store: Store) -> None:
    body = "Council members discussed the budget, the harbour and the ferry timetable. " * 20
    async with store._sessions.begin() as session:  # bulk insert: add_article is per-file
        rows = [
            {
                "content_hash": f"h{i}",
                "path": f"/inbox/{i}.txt",
                "title": f"Article {i}",
                "created_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i),
                "summary_json": summary_to_json(make_summary(f"Article {i}", body)),
                "search_text": f"article {i}\n{body.casefold()}",
            }
            for i in range(10_000)
        ]
        await session.execute(insert(ArticleRow), rows)
    started = wall.perf_counter()
    newest = await store.latest_article("harbour ferry")
    missing = await store.latest_article("volcano")
    elapsed = wall.perf_counter() - started
    assert newest is not None and newest.title == "Article 9999"
    assert missing is None
    assert elapsed < 1.0, f"search took {elapsed:.3f}s"


# --- schema -------------------------------------------------------------------------------------


async def test_reopening_an_existing_database_is_a_no_op(db_url: str, clock: FakeClock) -> None:
    first = await Store.open(db_url, clock=clock)
    await add(first, "kept")
    await first.close()
    again = await Store.open(db_url, clock=clock)
    try:
        assert await again.schema_version() == SCHEMA_VERSION
        assert await again.count_articles() == 1
        async with again._sessions() as session:
            versions = (await session.execute(text("SELECT version FROM schema_version"))).all()
        assert [v for (v,) in versions] == [v for v, _, _ in MIGRATIONS]
    finally:
        await again.close()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(store: Store) -> None:
    async with store._sessions() as session:
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_store_rejects_naive_datetimes(store: Store) -> None:
    with pytest.raises(Exception, match="naive"):
        await store.claim_due(10, datetime(2026, 1, 1))


# --- chats and subscriptions ----------------------------------------------------------------------


async def test_upsert_chat_keeps_an_existing_timezone(store: Store) -> None:
    chat = await store.upsert_chat(1, type="private", default_timezone="Europe/Berlin")
    assert chat.timezone == "Europe/Berlin" and chat.active
    await store.set_timezone(1, "Asia/Tokyo")
    again = await store.upsert_chat(1, type="private", title="Me", default_timezone="UTC")
    assert again.timezone == "Asia/Tokyo" and again.title == "Me"
    with pytest.raises(ValueError, match="time zone"):
        await store.set_timezone(1, "Mars/Olympus")


async def test_subscribing_again_replaces_the_mode_and_keeps_the_id(store: Store) -> None:
    await store.upsert_chat(-5, type="group")
    first = await store.subscribe(-5, SubscriptionMode.INSTANT)
    second = await store.subscribe(-5, SubscriptionMode.DAILY, at=time(8, 30))
    assert second.id == first.id
    assert second.mode is SubscriptionMode.DAILY and second.at == time(8, 30)
    topic = await store.subscribe(-5, SubscriptionMode.EVERY, thread_id=7, every_hours=6)
    assert topic.id != first.id and topic.thread_id == 7
    assert await store.count_subscriptions() == 2
    with pytest.raises(ValueError):
        await store.subscribe(-5, SubscriptionMode.DAILY)
    removed = await store.unsubscribe(-5)
    assert [s.id for s in removed] == [first.id]
    assert [s.id for s in await store.list_subscriptions()] == [topic.id]


async def test_subscribe_creates_an_unknown_chat_with_the_default_timezone(db_url: str) -> None:
    store = await Store.open(db_url, default_timezone="America/Chicago")
    try:
        await store.subscribe(42, SubscriptionMode.INSTANT)
        chat = await store.get_chat(42)
        assert chat is not None and chat.timezone == "America/Chicago" and chat.type == "private"
    finally:
        await store.close()


async def test_removing_the_bot_pauses_and_readding_resumes(store: Store) -> None:
    await store.upsert_chat(-5, type="group")
    await store.subscribe(-5, SubscriptionMode.INSTANT)
    await store.set_chat_active(-5, False)
    assert await store.list_subscriptions() == []
    paused = await store.list_subscriptions(include_paused=True)
    assert paused[0].paused
    await store.set_chat_active(-5, True)
    assert [s.paused for s in await store.list_subscriptions()] == [False]


# --- outbox -------------------------------------------------------------------------------------


async def test_enqueue_article_is_idempotent_and_skips_paused_and_digest_chats(
    store: Store,
) -> None:
    for chat in (1, 2, 3, 4):
        await store.upsert_chat(chat, type="private")
    await store.subscribe(1, SubscriptionMode.INSTANT)
    await store.subscribe(2, SubscriptionMode.INSTANT)
    await store.subscribe(2, SubscriptionMode.INSTANT, thread_id=9)
    await store.subscribe(3, SubscriptionMode.DAILY, at=time(9))
    await store.subscribe(4, SubscriptionMode.INSTANT)
    await store.pause_chat(4, "Forbidden: bot was blocked by the user")
    article = await add(store, "one")

    assert await store.enqueue_article(article) == 3
    assert await store.enqueue_article(article) == 0
    rows = await store.list_deliveries()
    assert sorted((d.chat_id, d.thread_id or 0) for d in rows) == [(1, 0), (2, 0), (2, 9)]
    assert all(d.state is DeliveryState.PENDING and d.article_ids == (article,) for d in rows)


async def test_claim_and_mark_walk_the_delivery_states(store: Store, clock: FakeClock) -> None:
    await store.subscribe(1, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add(store, "one"))
    now = clock()
    [row] = await store.claim_due(10, now)
    assert row.state is DeliveryState.PENDING and row.attempts == 0

    await store.mark_retry(row.id, "Timed out", now + timedelta(seconds=30))
    assert await store.claim_due(10, now) == []
    [again] = await store.claim_due(10, now + timedelta(seconds=30))
    assert again.attempts == 1 and again.last_error == "Timed out"

    await store.mark_retry(row.id, "flood", now, count_attempt=False)
    assert (await store.get_delivery(row.id)).attempts == 1  # type: ignore[union-attr]

    await store.record_part_sent(row.id, 501)
    await store.mark_sent(row.id)
    sent = await store.get_delivery(row.id)
    assert sent is not None and sent.state is DeliveryState.SENT and sent.message_ids == (501,)
    assert await store.claim_due(10, now + timedelta(days=1)) == []
    stats = await store.queue_stats()
    assert (stats.pending, stats.sent, stats.failed) == (0, 1, 0)
    assert stats.last_sent_at == clock()


async def test_mark_failed_records_the_reason(store: Store, clock: FakeClock) -> None:
    await store.subscribe(1, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add(store, "one"))
    [row] = await store.claim_due(10, clock())
    await store.mark_failed(row.id, "Bad Request: chat not found")
    failed = await store.get_delivery(row.id)
    assert failed is not None and failed.state is DeliveryState.FAILED
    assert failed.last_error == "Bad Request: chat not found"
    assert (await store.queue_stats()).failed == 1


async def test_multi_part_progress_survives_a_reopen(db_url: str, clock: FakeClock) -> None:
    store = await Store.open(db_url, clock=clock)
    await store.subscribe(1, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add(store, "long"))
    [row] = await store.claim_due(10, clock())
    assert await store.save_parts(row.id, ["p1", "p2", "p3"]) == ("p1", "p2", "p3")
    await store.record_part_sent(row.id, 11)
    await store.close()  # "crash" after the first part

    store = await Store.open(db_url, clock=clock)
    try:
        [resumed] = await store.claim_due(10, clock())
        assert resumed.parts_sent == 1 and resumed.message_ids == (11,)
        assert await store.save_parts(row.id, ["other"]) == ("p1", "p2", "p3")
    finally:
        await store.close()


async def test_claim_with_lease_hides_rows_until_it_expires(store: Store, clock: FakeClock) -> None:
    await store.subscribe(1, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add(store, "one"))
    now = clock()
    assert len(await store.claim_due(10, now, lease=timedelta(minutes=1))) == 1
    assert await store.claim_due(10, now) == []
    assert len(await store.claim_due(10, now + timedelta(minutes=1))) == 1


async def test_digest_collects_articles_since_the_last_digest(
    store: Store, clock: FakeClock
) -> None:
    sub = await store.subscribe(-7, SubscriptionMode.DAILY, at=time(9))
    clock.advance(minutes=5)
    first = await add(store, "first")
    clock.advance(minutes=5)
    second = await add(store, "second")
    period_end = clock.advance(minutes=5)

    digest = await store.enqueue_digest(sub.id, period_end)
    assert digest is not None and digest.kind == "digest"
    assert digest.article_ids == (first, second)
    assert await store.enqueue_digest(sub.id, period_end) is None  # same period: once
    assert (await store.get_subscription(sub.id)).last_digest_at == period_end  # type: ignore[union-attr]

    clock.advance(minutes=5)
    third = await add(store, "third")
    later = await store.enqueue_digest(sub.id, clock.advance(minutes=5))
    assert later is not None and later.article_ids == (third,)


async def test_digest_with_nothing_new_is_none(store: Store, clock: FakeClock) -> None:
    sub = await store.subscribe(-7, SubscriptionMode.EVERY, every_hours=3)
    assert await store.enqueue_digest(sub.id, clock.advance(hours=3)) is None
    assert await store.list_deliveries() == []


async def test_switching_instant_to_daily_does_not_resend_old_articles(
    store: Store, clock: FakeClock
) -> None:
    await store.subscribe(1, SubscriptionMode.INSTANT)
    clock.advance(minutes=1)
    await add(store, "already posted instantly")
    clock.advance(minutes=1)
    sub = await store.subscribe(1, SubscriptionMode.DAILY, at=time(9))
    assert await store.enqueue_digest(sub.id, clock.advance(hours=1)) is None


async def test_migrating_a_chat_moves_subscriptions_and_pending_posts(
    store: Store, clock: FakeClock
) -> None:
    await store.upsert_chat(-5, type="group", title="Readers")
    await store.set_timezone(-5, "Europe/Madrid")
    await store.subscribe(-5, SubscriptionMode.INSTANT)
    await store.subscribe(-6, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add(store, "one"))

    await store.migrate_chat(-5, -1005)

    new = await store.get_chat(-1005)
    assert new is not None and new.type == "supergroup" and new.timezone == "Europe/Madrid"
    assert new.title == "Readers" and new.active
    assert not (await store.get_chat(-5)).active  # type: ignore[union-attr]
    assert sorted(s.chat_id for s in await store.list_subscriptions()) == [-1005, -6]
    pending = await store.list_deliveries(state=DeliveryState.PENDING)
    assert sorted(d.chat_id for d in pending) == [-1005, -6]
    # Enqueueing the same article again creates nothing for the migrated chat.
    assert await store.enqueue_article(pending[0].article_ids[0]) == 0


async def test_pause_chat_fails_its_pending_posts_only(store: Store) -> None:
    await store.subscribe(1, SubscriptionMode.INSTANT)
    await store.subscribe(2, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add(store, "one"))
    await store.pause_chat(1, "Forbidden: bot was blocked by the user")
    by_chat = {d.chat_id: d for d in await store.list_deliveries()}
    assert by_chat[1].state is DeliveryState.FAILED
    assert by_chat[1].last_error == "Forbidden: bot was blocked by the user"
    assert by_chat[2].state is DeliveryState.PENDING
    [paused] = await store.list_subscriptions(chat_id=1, include_paused=True)
    assert paused.paused and paused.paused_reason == "Forbidden: bot was blocked by the user"
    # The user comes back (/start): posts resume.
    await store.upsert_chat(1, type="private")
    assert [s.chat_id for s in await store.list_subscriptions()] == [1, 2]


async def test_bad_files_are_listed_newest_first(store: Store, clock: FakeClock) -> None:
    await store.record_bad_file("/inbox/a.bin", "unsupported format")
    clock.advance(seconds=1)
    await store.record_bad_file("/inbox/b.txt", "empty article")
    assert [b.path for b in await store.recent_bad_files()] == ["/inbox/b.txt", "/inbox/a.bin"]
    assert len(await store.recent_bad_files(limit=1)) == 1


async def test_word_search_only_looks_at_the_newest_window(db_url: str, clock: FakeClock) -> None:
    store = await Store.open(db_url, clock=clock, search_window=2)
    try:
        await add(store, "old", "The lighthouse keeper retired.")
        for title in ("new1", "new2"):
            clock.advance(minutes=1)
            await add(store, title, "Nothing about towers.")
        assert await store.latest_article("lighthouse") is None
        store.search_window = 3
        assert (await store.latest_article("lighthouse")).title == "old"  # type: ignore[union-attr]
    finally:
        await store.close()


async def test_instant_subscriptions_get_no_digest(store: Store, clock: FakeClock) -> None:
    sub = await store.subscribe(1, SubscriptionMode.INSTANT)
    clock.advance(minutes=1)
    await add(store, "news")
    assert await store.enqueue_digest(sub.id, clock.advance(minutes=1)) is None


# --- several processes sharing one store (issue 8) ----------------------------------------------


async def test_ingest_claim_has_one_winner_until_its_lease_runs_out(
    store: Store, clock: FakeClock
) -> None:
    lease = timedelta(seconds=60)
    assert await store.claim_ingest("h1", "proc-a", lease=lease)
    assert not await store.claim_ingest("h1", "proc-b", lease=lease)
    assert await store.claim_ingest("h1", "proc-a", lease=lease)  # the owner renews
    assert await store.claim_ingest("h2", "proc-b", lease=lease)  # other files are free
    clock.advance(seconds=61)  # proc-a died: its claim is taken over
    assert await store.claim_ingest("h1", "proc-b", lease=lease)
    assert not await store.claim_ingest("h1", "proc-a", lease=lease)
    await store.release_ingest("h1", "proc-a")  # not the owner: nothing happens
    assert not await store.claim_ingest("h1", "proc-c", lease=lease)
    await store.release_ingest("h1", "proc-b")
    assert await store.claim_ingest("h1", "proc-c", lease=lease)


async def test_rate_bucket_spaces_sends_after_the_burst(store: Store, clock: FakeClock) -> None:
    waits = [await store.take_rate_token("bot:1", rate=10, burst=2) for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.0, 0.1, 0.2])
    clock.advance(seconds=1)  # refilled (to the burst, not beyond)
    waits = [await store.take_rate_token("bot:1", rate=10, burst=2) for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.0, 0.1])
    assert await store.take_rate_token("bot:2", rate=10, burst=2) == 0.0  # separate bucket


async def test_claim_with_lease_returns_rows_oldest_first_and_only_once(
    store: Store, clock: FakeClock
) -> None:
    for chat in range(1, 6):
        await store.subscribe(chat, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add(store, "one"))
    now, lease = clock(), timedelta(seconds=30)
    first = await store.claim_due(3, now, lease=lease)
    second = await store.claim_due(3, now, lease=lease)
    assert [d.id for d in first] == sorted(d.id for d in first)
    assert len(first) == 3 and len(second) == 2
    assert not {d.id for d in first} & {d.id for d in second}
    assert all(d.next_attempt_at == now + lease for d in first + second)


async def test_digest_targets_lists_active_digest_subscriptions_with_timezones(
    store: Store,
) -> None:
    await store.upsert_chat(-1, type="group", default_timezone="Asia/Tokyo")
    daily = await store.subscribe(-1, SubscriptionMode.DAILY, at=time(8))
    await store.subscribe(2, SubscriptionMode.INSTANT)
    await store.subscribe(3, SubscriptionMode.EVERY, every_hours=2)
    await store.pause_chat(3, "Forbidden: bot was blocked by the user")
    assert [(s.id, tz) for s, tz in await store.digest_targets()] == [(daily.id, "Asia/Tokyo")]


async def test_migration_3_adds_the_claim_tables_to_an_older_database(
    db_url: str, clock: FakeClock
) -> None:
    store = await Store.open(db_url, clock=clock)
    async with store._sessions.begin() as session:  # make it look like a version-2 database
        await session.execute(text("DROP TABLE ingest_claims"))
        await session.execute(text("DROP TABLE rate_buckets"))
        await session.execute(text("DELETE FROM schema_version WHERE version >= 3"))
    await store.close()
    store = await Store.open(db_url, clock=clock)
    try:
        assert await store.schema_version() == SCHEMA_VERSION
        assert await store.claim_ingest("h", "me")
        assert await store.take_rate_token("k", rate=1, burst=1) == 0.0
    finally:
        await store.close()


async def test_record_part_sent_appends_message_ids_and_pins_parts_once(
    store: Store, clock: FakeClock
) -> None:
    await store.subscribe(1, SubscriptionMode.INSTANT)
    await store.enqueue_article(await add(store, "long"))
    [row] = await store.claim_due(10, clock())
    await store.record_part_sent(row.id, 7, parts=["a", "b", "c"])
    await store.record_part_sent(row.id, 8, parts=["other"])
    await store.record_part_sent(row.id, 1234567890123, done=True)
    sent = await store.get_delivery(row.id)
    assert sent is not None and sent.state is DeliveryState.SENT
    assert sent.message_ids == (7, 8, 1234567890123) and sent.parts_sent == 3
    assert sent.parts == ("a", "b", "c") and sent.sent_at == clock()
    with pytest.raises(LookupError):
        await store.record_part_sent(999_999, 1)


async def test_ingest_claim_is_refused_once_the_article_is_stored(store: Store) -> None:
    assert await store.claim_ingest("hash-stored", "proc-a")
    await add(store, "stored")  # hash-stored: the claimer finished...
    await store.release_ingest("hash-stored", "proc-a")  # ...and let go
    assert not await store.claim_ingest("hash-stored", "proc-b")


async def test_reads_do_not_wait_for_a_writer_holding_the_lock(store: Store, db_url: str) -> None:
    import asyncio
    import sqlite3

    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock; PostgreSQL reads never wait for writers")
    writer = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process mid-write, holding the write lock
        started = wall.perf_counter()
        assert await asyncio.wait_for(store.count_articles(), timeout=2) == 0
        assert await asyncio.wait_for(store.queue_stats(), timeout=2) is not None
        assert wall.perf_counter() - started < 1.0  # a BEGIN IMMEDIATE would wait 5 s
    finally:
        writer.execute("ROLLBACK")
        writer.close()
