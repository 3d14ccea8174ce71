"""Chat commands through the real Application, against the fake Bot API (no network)."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Update

from bot.app import build_application
from bot.commands import SubscribeRequest, parse_subscribe, parse_timezone, parse_words
from bot.config import Settings
from bot.delivery import DeliveryWorker
from bot.errors import UsageError
from bot.models import SubscriptionMode
from bot.schedule import next_fire
from bot.services import fire_digest, get_services
from bot.store import Store
from summaries import Article, Quote, Summary
from tests.conftest import FakeClock
from tests.fakes import FakeBotAPI, make_my_chat_member_update, make_update, parse_telegram_html

USER = 501
ADMIN = 502
GROUP = -4001
LONG_TEXT = " ".join(
    f"The harbour committee met for the {n}th time on Tuesday to discuss the ferry timetable."
    for n in range(1, 12)
)


def make_summary(title: str, sentences: tuple[str, ...], quotes: tuple[Quote, ...] = ()) -> Summary:
    article = Article(title=title, paragraphs=sentences, source="Test Gazette", path=f"{title}.txt")
    return Summary(article=article, sentences=sentences, quotes=quotes)


async def add_article(store: Store, title: str, *sentences: str, quotes: tuple[Quote, ...] = ()):
    summary = make_summary(title, tuple(sentences) or (f"{title} happened today.",), quotes)
    digest = hashlib.sha256(title.encode()).hexdigest()
    stored = await store.add_article(digest, f"/inbox/{title}.txt", summary)
    assert stored is not None
    return stored


async def send(app: Any, text: str, **kwargs: Any) -> None:
    kwargs.setdefault("chat_id", USER)
    kwargs.setdefault("user_id", USER)
    await app.process_update(Update.de_json(make_update(text, **kwargs), app.bot))


def replies(api: FakeBotAPI, chat_id: int = USER) -> list[str]:
    return [m["text"] for m in api.sent_messages(chat_id)]


def plain(text: str) -> str:
    return parse_telegram_html(text)


# --- argument parsing (pure) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], SubscribeRequest("instant")),
        (["instant"], SubscribeRequest("instant")),
        (["daily", "08:30"], SubscribeRequest("daily", at=time(8, 30))),
        (["DAILY", "7.05"], SubscribeRequest("daily", at=time(7, 5))),
        (["every", "6", "h"], SubscribeRequest("every", every_hours=6)),
        (["every", "12h"], SubscribeRequest("every", every_hours=12)),
        (["every", "3", "hours"], SubscribeRequest("every", every_hours=3)),
    ],
)
def test_subscribe_arguments_are_parsed(args: list[str], expected: SubscribeRequest) -> None:
    assert parse_subscribe(args) == expected


@pytest.mark.parametrize(
    "args",
    [["daily"], ["daily", "25:00"], ["daily", "noon"], ["every", "0", "h"], ["weekly"], ["every"]],
)
def test_bad_subscribe_arguments_explain_the_usage(args: list[str]) -> None:
    with pytest.raises(UsageError):
        parse_subscribe(args)


def test_timezone_names_are_checked_and_canonical() -> None:
    assert parse_timezone(["asia/tokyo"]) == "Asia/Tokyo"
    assert parse_timezone(["utc"]) == "UTC"
    with pytest.raises(UsageError, match="Europe/Berlin"):
        parse_timezone(["Mars/Olympus"])
    with pytest.raises(UsageError):
        parse_timezone([])


def test_search_words_are_joined_or_none() -> None:
    assert parse_words([]) is None
    assert parse_words(["  ", "ferry", "night"]) == "ferry night"


# --- commands ---------------------------------------------------------------------------------


async def test_start_greets_and_lists_commands(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/start")
    [text] = replies(fake_bot_api)
    for command in ("/summary", "/quotes", "/subscribe", "/unsubscribe", "/timezone", "/status"):
        assert command in text
    chat = await store.get_chat(USER)
    assert chat is not None and chat.type == "private"


async def test_summary_without_articles_says_the_inbox_is_empty(
    app: Any, fake_bot_api: FakeBotAPI
) -> None:
    await send(app, "/summary")
    assert "No articles yet" in replies(fake_bot_api)[0]


async def test_summary_shows_the_newest_article(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    await add_article(store, "Ferry returns", "The night ferry returns in April.")
    clock.advance(minutes=1)
    await add_article(store, "Bridge closes", "The stone bridge closes for repairs.")
    await send(app, "/summary")
    text = plain(replies(fake_bot_api)[0])
    assert "Bridge closes" in text and "stone bridge" in text


async def test_summary_with_words_finds_the_newest_match(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    await add_article(store, "Ferry returns", "The night ferry returns in April.")
    clock.advance(minutes=1)
    await add_article(store, "Bridge closes", "The stone bridge closes for repairs.")
    await send(app, "/summary night FERRY")
    assert "Ferry returns" in plain(replies(fake_bot_api)[0])
    await send(app, "/summary volcano")
    assert "No article matches" in plain(replies(fake_bot_api)[1])


async def test_summary_as_reply_summarizes_that_message_without_storing_it(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/summary", reply_to_text="Committee meets again\n\n" + LONG_TEXT)
    text = plain(replies(fake_bot_api)[0])
    assert "harbour committee" in text
    assert await store.count_articles() == 0
    await send(app, "/summary", reply_to_text="Too short.")
    assert "too short" in plain(replies(fake_bot_api)[1])


async def test_quotes_lists_key_quotes_with_speakers(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    quote = Quote("People have been cut off after dark", "Ingrid Solberg", key=True)
    await add_article(store, "Ferry returns", "The ferry returns.", quotes=(quote,))
    await send(app, "/quotes ferry")
    text = plain(replies(fake_bot_api)[0])
    assert "cut off after dark" in text and "Ingrid Solberg" in text


async def test_subscribe_in_a_private_chat(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/subscribe")
    assert "Subscribed" in replies(fake_bot_api)[0]
    [sub] = await store.list_subscriptions(chat_id=USER)
    assert sub.mode == SubscriptionMode.INSTANT


async def test_subscribe_daily_schedules_a_named_job(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/subscribe daily 08:30")
    [sub] = await store.list_subscriptions(chat_id=USER)
    assert sub.mode == SubscriptionMode.DAILY and sub.at == time(8, 30)
    [job] = app.job_queue.get_jobs_by_name(f"digest:{sub.id}")
    assert str(job.job.trigger) == "daily at 08:30 UTC"
    assert "08:30" in replies(fake_bot_api)[0]


async def test_bad_subscribe_arguments_get_a_usage_reply(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/subscribe weekly")
    assert "Usage: /subscribe" in plain(replies(fake_bot_api)[0])
    assert await store.list_subscriptions(chat_id=USER) == []


async def test_group_member_may_not_subscribe_but_admin_may(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    fake_bot_api.set_chat_member_status(GROUP, ADMIN, "administrator")
    group = {"chat_id": GROUP, "chat_type": "group", "chat_title": "Newsroom"}
    await send(app, "/subscribe", user_id=USER, **group)
    assert "only this group's admins" in plain(replies(fake_bot_api, GROUP)[0])
    assert await store.list_subscriptions(chat_id=GROUP) == []
    await send(app, "/subscribe daily 07:00", user_id=ADMIN, **group)
    assert "Subscribed" in replies(fake_bot_api, GROUP)[1]
    [sub] = await store.list_subscriptions(chat_id=GROUP)
    assert sub.mode == SubscriptionMode.DAILY
    await send(app, "/unsubscribe", user_id=USER, **group)
    await send(app, "/timezone Asia/Tokyo", user_id=USER, **group)
    assert len(await store.list_subscriptions(chat_id=GROUP)) == 1
    chat = await store.get_chat(GROUP)
    assert chat is not None and chat.timezone == "UTC"


async def test_anonymous_group_admin_counts_as_admin(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    payload = make_update("/subscribe", chat_id=GROUP, user_id=1087968824, chat_type="supergroup")
    payload["message"]["sender_chat"] = {"id": GROUP, "type": "supergroup", "title": "Newsroom"}
    await app.process_update(Update.de_json(payload, app.bot))
    assert len(await store.list_subscriptions(chat_id=GROUP)) == 1


async def test_unsubscribe_stops_posts_and_removes_the_job(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/subscribe daily 09:00")
    [sub] = await store.list_subscriptions(chat_id=USER)
    await send(app, "/unsubscribe")
    assert "Unsubscribed" in replies(fake_bot_api)[-1]
    assert app.job_queue.get_jobs_by_name(f"digest:{sub.id}") == ()
    article = await add_article(store, "Ferry returns")
    assert await store.enqueue_article(article.id) == 0
    await send(app, "/unsubscribe")
    assert "no subscription" in replies(fake_bot_api)[-1]


async def test_timezone_change_reschedules_the_digest(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/subscribe daily 09:00")
    await send(app, "/timezone asia/tokyo")
    assert "Asia/Tokyo" in replies(fake_bot_api)[-1]
    [sub] = await store.list_subscriptions(chat_id=USER)
    [job] = app.job_queue.get_jobs_by_name(f"digest:{sub.id}")
    assert str(job.job.trigger) == "daily at 09:00 Asia/Tokyo"
    await send(app, "/timezone")
    assert "Asia/Tokyo" in replies(fake_bot_api)[-1]
    await send(app, "/timezone Atlantis/Lost")
    assert "don't know the time zone" in plain(replies(fake_bot_api)[-1])


async def test_status_reports_inbox_queue_and_subscriptions(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await add_article(store, "Ferry returns")
    await store.record_bad_file("/inbox/broken.txt", "not valid UTF-8")
    await send(app, "/subscribe every 6 h")
    await send(app, "/status")
    text = plain(replies(fake_bot_api)[-1])
    assert "Articles: 1" in text and "Queue:" in text
    assert "every 6 h" in text and "broken.txt: not valid UTF-8" in text
    assert "Uptime:" in text and "Errors since start: 0" in text
    assert "123:ABC" not in text


async def test_bot_added_and_removed_from_a_group(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    added = make_my_chat_member_update(
        chat_id=GROUP, user_id=ADMIN, old_status="left", new_status="member"
    )
    await app.process_update(Update.de_json(added, app.bot))
    chat = await store.get_chat(GROUP)
    assert chat is not None and chat.active
    assert "/subscribe" in replies(fake_bot_api, GROUP)[0]
    await store.subscribe(GROUP, SubscriptionMode.INSTANT)
    removed = make_my_chat_member_update(
        chat_id=GROUP, user_id=ADMIN, old_status="member", new_status="kicked"
    )
    await app.process_update(Update.de_json(removed, app.bot))
    chat = await store.get_chat(GROUP)
    assert chat is not None and not chat.active
    article = await add_article(store, "Ferry returns")
    assert await store.enqueue_article(article.id) == 0


async def test_unexpected_error_is_logged_and_the_user_told(
    app: Any,
    fake_bot_api: FakeBotAPI,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(words: str | None = None) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(store, "latest_article", broken)
    with caplog.at_level(logging.ERROR, logger="bot.handlers"):
        await send(app, "/summary")
    assert "something went wrong" in replies(fake_bot_api)[0]
    assert any(r.exc_info and "database on fire" in str(r.exc_info[1]) for r in caplog.records)


async def test_unsupported_set_my_commands_is_not_fatal(
    settings: Settings, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    api = FakeBotAPI()
    api.script("setMyCommands", error_code=404, description="Not Found: method not found")
    app = build_application(settings, request=api, store=store, background=False)
    async with app:
        with caplog.at_level(logging.WARNING, logger="bot.handlers"):
            await app.post_init(app)
        await send(app, "/help")
        await app.post_shutdown(app)
    assert "setMyCommands" in caplog.text
    assert "/summary" in api.sent_messages(USER)[0]["text"]


# --- posts: digests, splitting ----------------------------------------------------------------


async def test_daily_digest_fires_in_tokyo_with_the_articles_since_the_last(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo
    await send(app, "/timezone Asia/Tokyo")
    await send(app, "/subscribe daily 08:00")
    [sub] = await store.list_subscriptions(chat_id=USER)
    [job] = app.job_queue.get_jobs_by_name(f"digest:{sub.id}")
    fire = job.job.trigger.get_next_fire_time(None, clock())
    assert fire == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # 08:00 JST next morning
    fake_bot_api.clear()

    clock.advance(hours=2)
    await add_article(store, "Ferry returns")
    clock.advance(hours=1)
    await add_article(store, "Bridge closes")
    clock.now = fire
    services = get_services(app)
    worker = DeliveryWorker(store, app.bot, clock=clock)
    await job.run(app)  # the JobQueue's own call: context.job.data is the subscription id
    assert services.wake.is_set()
    await worker.run_once()
    [digest] = replies(fake_bot_api)
    assert "Ferry returns" in digest and "Bridge closes" in digest

    next_day = job.job.trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert next_day == fire + timedelta(days=1)
    clock.now = next_day
    assert await fire_digest(services, sub.id) is None  # nothing new: no post
    await worker.run_once()
    assert len(replies(fake_bot_api)) == 1

    clock.advance(hours=1)
    await add_article(store, "Orchard frost")
    clock.now = next_day + timedelta(days=1)
    assert next_fire(next_day, time(8, 0), ZoneInfo("Asia/Tokyo")) == clock.now
    await fire_digest(services, sub.id)
    await worker.run_once()
    last = replies(fake_bot_api)[-1]
    assert "Orchard frost" in last and "Ferry returns" not in last


async def test_very_long_post_is_split_and_sent_in_order(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    await send(app, "/subscribe")
    fake_bot_api.clear()
    sentences = tuple(
        f"Sentence {n} of a very long report about the harbour & its <ferries> goes on and on "
        "with details of timetables, fares, crews and the weather on the crossing."
        for n in range(120)
    )
    article = await add_article(store, "Very long report", *sentences)
    assert await store.enqueue_article(article.id) == 1
    await DeliveryWorker(store, app.bot, clock=clock).run_once()
    parts = replies(fake_bot_api)
    assert len(parts) >= 3
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    text = " ".join(plain(p) for p in parts)
    assert "<ferries>" in text  # escaped, then shown as typed
    positions = [text.find(f"Sentence {n} of") for n in (0, 60, 119)]
    assert -1 not in positions and positions == sorted(positions)


async def test_missed_daily_digest_is_caught_up_at_start(
    settings: Settings, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    sub = await store.subscribe(USER, SubscriptionMode.DAILY, at=time(7, 0))
    clock.advance(minutes=30)
    await add_article(store, "Ferry returns")
    clock.now = datetime(2026, 11, 29, 7, 20, tzinfo=UTC)  # down at 07:00, back 20 min later
    app = build_application(
        settings, request=fake_bot_api, store=store, clock=clock, background=False
    )
    async with app:
        await app.post_init(app)
        assert app.job_queue.get_jobs_by_name(f"digest:{sub.id}:catch-up")
        assert app.job_queue.get_jobs_by_name(f"digest:{sub.id}")
        await app.post_shutdown(app)


async def test_private_text_is_summarized_and_unknown_commands_get_help(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, LONG_TEXT)
    assert "harbour committee" in plain(replies(fake_bot_api)[0])
    assert await store.count_articles() == 0
    await send(app, "hello")
    assert "/help" in replies(fake_bot_api)[1]
    await send(app, "/frobnicate")
    assert "don't know that command" in plain(replies(fake_bot_api)[2])
    await send(app, "/frobnicate", chat_id=GROUP, chat_type="group")
    await send(app, "just chatting", chat_id=GROUP, chat_type="group")
    assert replies(fake_bot_api, GROUP) == []  # groups stay quiet


async def test_group_upgraded_to_supergroup_keeps_its_subscription(app: Any, store: Store) -> None:
    await store.subscribe(GROUP, SubscriptionMode.INSTANT)
    payload = make_update("", chat_id=GROUP, user_id=ADMIN, chat_type="group")
    del payload["message"]["text"]
    payload["message"]["migrate_to_chat_id"] = -1009999
    await app.process_update(Update.de_json(payload, app.bot))
    assert await store.list_subscriptions(chat_id=GROUP) == []
    assert len(await store.list_subscriptions(chat_id=-1009999)) == 1


async def test_chats_outside_the_allow_list_get_one_refusal_only(
    settings: Settings, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    limited = settings.model_copy(update={"allowed_chats": [USER]})
    app = build_application(limited, request=fake_bot_api, store=store, background=False)
    async with app:
        await app.post_init(app)
        await send(app, "/help", chat_id=777, user_id=777)
        await send(app, "/help", chat_id=777, user_id=777)
        await send(app, "/help")
        await app.post_shutdown(app)
    [refusal] = fake_bot_api.sent_messages(777)  # bot.access: one polite refusal per interval
    assert "not on its list" in refusal["text"]
    assert len(fake_bot_api.sent_messages(USER)) == 1


async def test_subscribe_in_a_forum_topic_posts_to_that_topic(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    forum = -1005550
    fake_bot_api.set_chat_member_status(forum, ADMIN, "creator")
    await send(app, "/subscribe", chat_id=forum, user_id=ADMIN, chat_type="supergroup", thread_id=7)
    [reply] = fake_bot_api.sent_messages(forum)
    assert reply["message_thread_id"] == 7
    [sub] = await store.list_subscriptions(chat_id=forum)
    assert sub.thread_id == 7
    article = await add_article(store, "Ferry returns")
    await store.enqueue_article(article.id)
    await DeliveryWorker(store, app.bot, clock=clock).run_once()
    post = fake_bot_api.sent_messages(forum)[-1]
    assert post["message_thread_id"] == 7 and "Ferry returns" in post["text"]
