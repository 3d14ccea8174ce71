"""Issue 7, chat side, end to end through the real Application and the fake Bot API:
command menu per scope, /settings keyboard, /filter, digests with "more" buttons, Russian,
forum topics and admin uploads into the inbox."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.delivery import DeliveryWorker
from bot.inbox import Ingestor
from bot.models import StoredArticle, SubscriptionMode
from bot.services import fire_digest, get_services
from bot.store import SCHEMA_VERSION, Store
from summaries import Article, Quote, Summary
from tests.conftest import FakeClock, started_app
from tests.fakes import (
    FakeBotAPI,
    make_callback_query_update,
    make_document_update,
    make_update,
    parse_telegram_html,
)

USER = 601
ADMIN = 602
OWNER = 603
GROUP = -5001
FORUM = -1005551

FERRY = (
    "Night ferry to Skerry island returns in April",
    "The night ferry between Port Alda and Skerry island will resume sailing in April after a "
    "two-year suspension, the regional transport authority announced on Tuesday.",
    "Crossings will run four nights a week with a refitted vessel.",
    "The timetable is published on the authority's site.",
)
FERRY_AGAIN = (
    "Skerry night ferry to resume in April",
    "The regional transport authority said on Tuesday that the Port Alda night ferry to Skerry "
    "island will resume in April, ending a two-year suspension.",
    "A refitted vessel will sail four nights a week.",
)
BRIDGE = (
    "Stone bridge closes for repairs",
    "The old stone bridge over the Alda river closes for six weeks of repairs from Monday.",
    "Pedestrians will use a temporary footbridge.",
)
ARTICLE_TEXT = "Lighthouse keepers return to Skerry\n\n" + " ".join(
    f"The restored lighthouse on Skerry will be staffed again from May, item {n} of the plan."
    for n in range(1, 10)
)


async def add(
    store: Store,
    title: str,
    *sentences: str,
    source: str = "Harbour Gazette",
    key_quote: bool = True,
) -> StoredArticle:
    quotes = (Quote("People have been cut off after dark", "Ingrid Solberg", key=True),)
    article = Article(title=title, paragraphs=sentences, source=source, path=f"{title}.txt")
    summary = Summary(article=article, sentences=sentences, quotes=quotes if key_quote else ())
    stored = await store.add_article(hashlib.sha256(title.encode()).hexdigest(), title, summary)
    assert stored is not None
    return stored


@pytest.fixture
def owner_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"owner_ids": [OWNER]})


@pytest.fixture
async def app(
    owner_settings: Settings, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> AsyncIterator[Any]:
    async with started_app(owner_settings, fake_bot_api, store, clock, clear=False) as application:
        yield application


async def send(app: Any, message: str, **kwargs: Any) -> None:
    kwargs.setdefault("chat_id", USER)
    kwargs.setdefault("user_id", USER)
    await app.process_update(Update.de_json(make_update(message, **kwargs), app.bot))


async def press(app: Any, data: str, **kwargs: Any) -> None:
    kwargs.setdefault("chat_id", USER)
    kwargs.setdefault("user_id", USER)
    await app.process_update(Update.de_json(make_callback_query_update(data, **kwargs), app.bot))


def texts(api: FakeBotAPI, chat_id: int = USER) -> list[str]:
    return [parse_telegram_html(m["text"]) for m in api.sent_messages(chat_id)]


def edits(api: FakeBotAPI) -> list[str]:
    return [parse_telegram_html(p["text"]) for p in api.calls_to("editMessageText")]


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    markup = params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


# --- command menu and /help ----------------------------------------------------------------------


async def test_command_menu_is_published_per_scope_and_language(
    app: Any, fake_bot_api: FakeBotAPI
) -> None:
    calls = fake_bot_api.calls_to("setMyCommands")
    menus = {
        (json.dumps(c.get("scope", {}), sort_keys=True), c.get("language_code")): [
            cmd["command"] for cmd in c["commands"]
        ]
        for c in calls
    }
    assert len(calls) == 8
    group = menus[(json.dumps({"type": "all_group_chats"}), None)]
    admins = menus[(json.dumps({"type": "all_chat_administrators"}), "ru")]
    private = menus[(json.dumps({"type": "all_private_chats"}), None)]
    assert "settings" not in group and "summary" in group
    assert "settings" in admins and "filter" in admins and private == admins
    ru = next(c for c in calls if c.get("language_code") == "ru")
    assert any("Сводка" in cmd["description"] for cmd in ru["commands"])
    await send(app, "/help")
    [help_text] = texts(fake_bot_api)
    for command in private:
        assert f"/{command} — " in help_text


async def test_help_and_replies_follow_the_users_telegram_language(
    app: Any, fake_bot_api: FakeBotAPI
) -> None:
    await send(app, "/help", language_code="ru")
    await send(app, "/unsubscribe", language_code="ru")
    await send(app, "/frobnicate", language_code="ru")
    await send(app, "/subscribe weekly", language_code="ru")
    await send(app, "/timezone Mars/Olympus", language_code="ru")
    help_text, unsubscribed, unknown, usage, zone = texts(fake_bot_api)
    assert usage.startswith("Как подписаться: /subscribe")
    assert zone.startswith("Не знаю часовой пояс 'Mars/Olympus'")
    assert "публикует краткие сводки" in help_text and "/settings — " in help_text
    assert unsubscribed == "У этого чата не было подписки."
    assert "не знаю такой команды" in unknown


# --- /filter ------------------------------------------------------------------------------------


async def test_filter_add_list_remove_clear(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/filter add ferry")
    assert "Subscribe first" in texts(fake_bot_api)[-1]
    await send(app, "/subscribe")
    await send(app, '/filter add ferry, "night bus", -sport')
    assert texts(fake_bot_api)[-1] == "Added: ferry, night bus, -sport."
    await send(app, "/filter")
    assert texts(fake_bot_api)[-1] == (
        "Filters for this chat:\nonly stories with: ferry, night bus\nnever stories with: sport"
    )
    await send(app, "/filter remove night bus")
    await send(app, "/filter remove volcano")
    assert texts(fake_bot_api)[-1] == "No such filter: volcano."
    [sub] = await store.list_subscriptions(chat_id=USER)
    assert sub.filters == ("ferry", "-sport")
    await send(app, "/filter clear")
    [sub] = await store.list_subscriptions(chat_id=USER)
    assert sub.filters == ()
    await send(app, "/filter explode")
    assert texts(fake_bot_api)[-1].startswith("Usage: /filter add")


async def test_group_members_may_list_but_not_change_filters(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await store.subscribe(GROUP, SubscriptionMode.INSTANT)
    group = {"chat_id": GROUP, "chat_type": "group", "user_id": USER}
    await send(app, "/filter add ferry", **group)
    await send(app, "/filter list", **group)
    refused, listed = texts(fake_bot_api, GROUP)
    assert "only this group's admins" in refused and "No filters" in listed


async def test_instant_posts_only_reach_chats_whose_filters_match(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    await store.subscribe(USER, SubscriptionMode.INSTANT)
    await store.subscribe(OWNER, SubscriptionMode.INSTANT)
    await store.set_filters(USER, ["ferr*"])
    await store.set_filters(OWNER, ["-ferry"])
    ferry = await add(store, *FERRY)
    bridge = await add(store, *BRIDGE)
    assert await store.enqueue_article(ferry.id) == 1
    assert await store.enqueue_article(ferry.id) == 0  # still exactly once
    assert await store.enqueue_article(bridge.id) == 1
    await DeliveryWorker(store, app.bot, clock=clock).run_once()
    assert [t.split("\n")[0] for t in texts(fake_bot_api, USER)] == [FERRY[0]]
    assert [t.split("\n")[0] for t in texts(fake_bot_api, OWNER)] == [BRIDGE[0]]


async def test_digest_lists_only_stories_passing_the_filters(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    sub = await store.subscribe(USER, SubscriptionMode.DAILY, at=time(9))
    await store.set_filters(USER, ["bridge"])
    clock.advance(minutes=5)
    await add(store, *FERRY)
    await add(store, *BRIDGE)
    clock.advance(minutes=5)
    delivery_id = await fire_digest(get_services(app), sub.id)
    assert delivery_id is not None
    delivery = await store.get_delivery(delivery_id)
    assert delivery is not None and len(delivery.article_ids) == 1


# --- /settings ----------------------------------------------------------------------------------


async def test_settings_keyboard_changes_settings_in_place(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    await send(app, "/settings")
    [menu] = fake_bot_api.sent_messages(USER)
    assert "Posts: off" in parse_telegram_html(menu["text"])
    assert ("Mode", "set:show:mode") in buttons(menu)

    await press(app, "set:show:mode")
    assert ("every 6 h", "set:mode:every:6") in buttons(
        fake_bot_api.calls_to("editMessageText")[-1]
    )
    await press(app, "set:mode:every:6")
    [sub] = await store.list_subscriptions(chat_id=USER)
    assert sub.mode == SubscriptionMode.EVERY and sub.every_hours == 6
    assert app.job_queue.get_jobs_by_name(f"digest:{sub.id}")
    assert "Posts: every 6 h" in edits(fake_bot_api)[-1]
    assert fake_bot_api.calls_to("answerCallbackQuery")[-1].get("text") == "Saved"

    await press(app, "set:time:07:30")
    await press(app, "set:tz:Asia/Tokyo")
    [sub] = await store.list_subscriptions(chat_id=USER)
    [job] = app.job_queue.get_jobs_by_name(f"digest:{sub.id}")
    assert str(job.job.trigger) == "daily at 07:30 Asia/Tokyo"

    await press(app, "set:length:short")
    await press(app, "set:quotes")
    chat = await store.get_chat(USER)
    assert chat is not None and chat.summary_length == "short" and not chat.show_quotes
    await press(app, "set:language:ru")
    assert "Публикации: ежедневно в 07:30" in edits(fake_bot_api)[-1]
    assert fake_bot_api.calls_to("answerCallbackQuery")[-1].get("text") == "Сохранено"
    await send(app, "/unsubscribe")  # the chat's language now applies to replies too
    assert texts(fake_bot_api)[-1] == "Подписка отменена: публикаций здесь больше не будет."

    await press(app, "set:mode:instant")
    await press(app, "set:mode:off")
    assert await store.list_subscriptions(chat_id=USER) == []
    await press(app, "set:close")
    last = fake_bot_api.calls_to("editMessageText")[-1]
    assert "reply_markup" not in last and "Настройки сохранены" in parse_telegram_html(last["text"])


async def test_forged_or_outdated_settings_buttons_change_nothing(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    for data in ("set:tz:Mars/Olympus", "set:length:huge", "set:mode:every:9999", "set:x"):
        await press(app, data)
    answers = fake_bot_api.calls_to("answerCallbackQuery")
    assert all("out of date" in a["text"] and a["show_alert"] for a in answers)
    chat = await store.get_chat(USER)
    assert chat is None or (chat.timezone == "UTC" and chat.summary_length == "normal")


async def test_only_group_admins_may_press_settings_buttons(
    app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    fake_bot_api.set_chat_member_status(GROUP, ADMIN, "administrator")
    await press(app, "set:mode:instant", chat_id=GROUP, user_id=USER, chat_type="group")
    assert "only this group's admins" in fake_bot_api.calls_to("answerCallbackQuery")[-1]["text"]
    assert await store.list_subscriptions(chat_id=GROUP) == []
    await press(app, "set:mode:instant", chat_id=GROUP, user_id=ADMIN, chat_type="group")
    assert len(await store.list_subscriptions(chat_id=GROUP)) == 1


async def test_chat_settings_shape_the_posts(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    await store.subscribe(USER, SubscriptionMode.INSTANT)
    await store.update_chat_settings(USER, summary_length="short", show_quotes=False, language="ru")
    ferry = await add(store, *FERRY)
    await store.enqueue_article(ferry.id)
    await DeliveryWorker(store, app.bot, clock=clock).run_once()
    [post] = texts(fake_bot_api)
    assert "Crossings will run" in post and "timetable is published" not in post  # 2 sentences
    assert "cut off after dark" not in post and "Источник: Harbour Gazette" in post


# --- digests with "more" ------------------------------------------------------------------------


async def test_digest_merges_duplicates_and_more_button_expands_an_item(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    sub = await store.subscribe(FORUM, SubscriptionMode.DAILY, thread_id=9, at=time(9))
    clock.advance(minutes=5)
    await add(store, *FERRY)
    await add(store, *BRIDGE)
    await add(store, *FERRY_AGAIN, source="https://coastnews.example/ferry")
    clock.advance(minutes=5)
    await fire_digest(get_services(app), sub.id)
    await DeliveryWorker(store, app.bot, clock=clock).run_once()
    [digest] = fake_bot_api.sent_messages(FORUM)
    assert digest["message_thread_id"] == 9
    shown = parse_telegram_html(digest["text"])
    assert "2 stories from 3 articles" in shown
    assert "Harbour Gazette · coastnews.example" in shown
    labels = buttons(digest)
    assert [label for label, _ in labels] == ["1", "2"]

    await press(app, labels[0][1], chat_id=FORUM, chat_type="supergroup", thread_id=9)
    more = fake_bot_api.sent_messages(FORUM)[-1]
    assert more["message_thread_id"] == 9
    expanded = parse_telegram_html(more["text"])
    assert "Crossings will run four nights" in expanded and "Ingrid Solberg" in expanded
    assert "Also reported by: coastnews.example" in expanded
    await press(app, "more:999", chat_id=FORUM, chat_type="supergroup")
    assert "no longer available" in fake_bot_api.calls_to("answerCallbackQuery")[-1]["text"]


# --- forum topics -------------------------------------------------------------------------------


async def test_each_forum_topic_has_its_own_subscription_and_filters(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    fake_bot_api.set_chat_member_status(FORUM, ADMIN, "creator")
    topic = {"chat_id": FORUM, "user_id": ADMIN, "chat_type": "supergroup"}
    await send(app, "/subscribe", thread_id=3, **topic)
    await send(app, "/subscribe", thread_id=4, **topic)
    await send(app, "/filter add bridge", thread_id=4, **topic)
    subs = {s.thread_id: s for s in await store.list_subscriptions(chat_id=FORUM)}
    assert subs[3].filters == () and subs[4].filters == ("bridge",)
    fake_bot_api.clear()
    for article in (await add(store, *FERRY), await add(store, *BRIDGE)):
        await store.enqueue_article(article.id)
    await DeliveryWorker(store, app.bot, clock=clock).run_once()
    posts = [
        (m["message_thread_id"], m["text"].split("\n")[0])
        for m in fake_bot_api.sent_messages(FORUM)
    ]
    assert sorted(posts) == sorted(
        [(3, f"<b>{FERRY[0]}</b>"), (3, f"<b>{BRIDGE[0]}</b>"), (4, f"<b>{BRIDGE[0]}</b>")]
    )
    await send(app, "/settings", thread_id=4, **topic)
    menu = fake_bot_api.sent_messages(FORUM)[-1]
    assert menu["message_thread_id"] == 4 and "Filters: bridge" in parse_telegram_html(menu["text"])


# --- admin uploads ------------------------------------------------------------------------------


async def test_admin_file_lands_in_the_inbox_and_is_ingested(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, owner_settings: Settings
) -> None:
    fake_bot_api.add_file("F1", ARTICLE_TEXT.encode("utf-8"))
    payload = make_document_update(
        "F1", "../../etc/Lighthouse news.txt", chat_id=OWNER, user_id=OWNER
    )
    await app.process_update(Update.de_json(payload, app.bot))
    assert "Added to the inbox as Lighthouse_news.txt" in texts(fake_bot_api, OWNER)[-1]
    inbox = owner_settings.inbox_dir
    saved = inbox / "Lighthouse_news.txt"
    assert saved.read_text(encoding="utf-8") == ARTICLE_TEXT
    assert [p.name for p in inbox.iterdir()] == ["Lighthouse_news.txt"]  # no temp left behind
    await app.process_update(Update.de_json(payload, app.bot))  # same name again: kept apart
    assert (inbox / "Lighthouse_news-2.txt").exists()
    result = await Ingestor(store, inbox)(saved)
    assert result.outcome == "new"
    assert (await store.latest_article("lighthouse")) is not None


async def test_uploads_are_checked_before_downloading(
    app: Any, fake_bot_api: FakeBotAPI, owner_settings: Settings
) -> None:
    cases = [
        (USER, "a.txt", None, "Only the bot's admins"),
        (OWNER, "photo.jpg", None, "I take .txt"),
        (OWNER, "huge.txt", 30_000_000, "too big"),
        (OWNER, "missing.txt", None, "couldn't download"),
    ]
    for user, name, size, expected in cases:
        payload = make_document_update("NOPE", name, chat_id=user, user_id=user, file_size=size)
        await app.process_update(Update.de_json(payload, app.bot))
        assert expected in texts(fake_bot_api, user)[-1]
    assert len(fake_bot_api.calls_to("getFile")) == 1  # only the last one got that far
    assert not owner_settings.inbox_dir.exists() or not any(owner_settings.inbox_dir.iterdir())


async def test_admin_long_text_goes_to_the_inbox_others_get_a_summary(
    app: Any, fake_bot_api: FakeBotAPI, owner_settings: Settings
) -> None:
    await send(app, ARTICLE_TEXT, chat_id=OWNER, user_id=OWNER, message_id=77)
    [saved] = owner_settings.inbox_dir.iterdir()
    assert saved.name.endswith("-77.txt") and saved.read_text(encoding="utf-8") == ARTICLE_TEXT
    await send(app, ARTICLE_TEXT)
    assert "restored lighthouse" in texts(fake_bot_api)[-1]
    assert len(list(owner_settings.inbox_dir.iterdir())) == 1


# --- schema -------------------------------------------------------------------------------------


async def test_a_version_1_database_gains_settings_and_filters(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    old = await Store.open(url, clock=clock)
    await old.subscribe(USER, SubscriptionMode.INSTANT)
    async with old._sessions.begin() as session:  # make it look like a v1 database
        for table, column in (
            ("chats", "summary_length"),
            ("chats", "show_quotes"),
            ("subscriptions", "filters"),
        ):
            await session.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        await session.execute(text("DELETE FROM schema_version WHERE version > 1"))
    await old.close()
    again = await Store.open(url, clock=clock)
    try:
        assert await again.schema_version() == SCHEMA_VERSION
        [sub] = await again.list_subscriptions(chat_id=USER)
        assert sub.filters == ()
        chat = await again.update_chat_settings(USER, summary_length="long")
        assert chat.summary_length == "long" and chat.show_quotes
        assert (await again.set_filters(USER, ["ferry"])) is not None
    finally:
        await again.close()


def test_settings_fixture_has_no_owner_by_default(settings: Settings) -> None:
    assert settings.owner_ids == [] and isinstance(settings.telegram_bot_token, SecretStr)


def test_every_command_is_documented_in_the_chat_guide() -> None:
    from bot.commands import COMMAND_TABLE

    guide = (Path(__file__).resolve().parents[1] / "docs" / "chat.md").read_text(encoding="utf-8")
    for command in COMMAND_TABLE:
        assert f"`/{command.name}" in guide, command.name


async def test_status_speaks_russian_too(app: Any, fake_bot_api: FakeBotAPI) -> None:
    await send(app, "/status", language_code="ru")
    shown = texts(fake_bot_api)[-1]
    assert (
        "Статей: 0" in shown
        and "нет подписки" in shown
        and "Последняя публикация: не было" in shown
    )


async def test_local_console_shows_buttons_and_presses_them_with_hash_numbers(
    tmp_path: Path,
) -> None:
    import asyncio
    import io

    from bot.app import running
    from bot.console import ConsoleBotAPI

    local = Settings(
        _env_file=None,  # type: ignore[call-arg]
        TELEGRAM_BOT_TOKEN=None,
        NEWSBOT_DATA_DIR=tmp_path / "data",
    )
    output = io.StringIO()
    console = ConsoleBotAPI(input_stream=io.StringIO(""), output=output)
    app = build_application(local, request=console)

    async def shows(needle: str) -> None:
        for _ in range(200):
            if needle in output.getvalue():
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"{needle!r} never shown:\n{output.getvalue()}")

    async with running(app):
        console.type_line("/settings")
        await shows("[#1] Mode")
        console.type_line("#1")
        await shows("[#6] every 6 h")
        console.type_line("#6")
        await shows("Posts: every 6 h")
    assert "(edited)" in output.getvalue()


async def test_settings_and_filters_survive_a_group_becoming_a_supergroup(store: Store) -> None:
    await store.subscribe(GROUP, SubscriptionMode.INSTANT)
    await store.set_filters(GROUP, ["ferry"])
    await store.update_chat_settings(GROUP, summary_length="long", show_quotes=False, language="ru")
    await store.migrate_chat(GROUP, -1009876)
    chat = await store.get_chat(-1009876)
    assert chat is not None
    assert (chat.summary_length, chat.show_quotes, chat.language) == ("long", False, "ru")
    [sub] = await store.list_subscriptions(chat_id=-1009876)
    assert sub.filters == ("ferry",)


async def test_a_russian_reader_subscribing_privately_gets_russian_posts(
    app: Any, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> None:
    await send(app, "/subscribe", language_code="ru")
    assert texts(fake_bot_api)[-1] == "Готово: этот чат получает каждую новую статью сразу."
    await send(app, "/subscribe", chat_id=OWNER, user_id=OWNER, language_code="en")
    ferry = await add(store, *FERRY)
    await store.enqueue_article(ferry.id)
    await DeliveryWorker(store, app.bot, clock=clock).run_once()
    assert "Главные цитаты" in texts(fake_bot_api)[-1]  # the post, in Russian
    assert "Key quotes" in texts(fake_bot_api, OWNER)[-1]
    chat = await store.get_chat(USER)
    assert chat is not None and chat.language == "ru"
