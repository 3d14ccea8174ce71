"""Security: who may use the bot, the token never shown, settings only by admins or owners,
the inbox cannot be escaped, user text always escaped."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from telegram import Bot, Update
from telegram.error import NetworkError

from bot.access import REFUSAL_INTERVAL, AccessPolicy
from bot.config import Settings
from bot.inbox import InboxWatcher, Ingestor
from bot.logs import RedactingFilter, configure_logging, redactor
from bot.store import Store
from bot.uploads import save_to_inbox
from tests.conftest import FakeClock, started_app
from tests.fakes import FakeBotAPI, make_callback_query_update, make_update, parse_telegram_html

TOKEN = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
OWNER, MEMBER, STRANGER, ALLOWED_GROUP = 9001, 9002, 9003, -100777
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
async def locked_app(
    settings: Settings, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> AsyncIterator[Any]:
    """Allow-list = one group and one user; one owner."""
    limited = settings.model_copy(
        update={"allowed_chats": [ALLOWED_GROUP, MEMBER], "owner_ids": [OWNER]}
    )
    async with started_app(limited, fake_bot_api, store, clock) as app:
        yield app


async def send(app: Any, text: str, **kwargs: Any) -> None:
    await app.process_update(Update.de_json(make_update(text, **kwargs), app.bot))


# --- allow-list and owners --------------------------------------------------------------------


async def test_stranger_gets_one_refusal_per_interval_and_nothing_is_stored(
    locked_app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    for text in ["/start", "/subscribe", "/summary", "hello", "/status"] * 4:
        await send(locked_app, text, chat_id=STRANGER, user_id=STRANGER)
    [refusal] = fake_bot_api.sent_messages(STRANGER)
    assert "not on its list" in refusal["text"] and str(STRANGER) in refusal["text"]
    assert await store.get_chat(STRANGER) is None
    assert await store.list_subscriptions(chat_id=STRANGER) == []


async def test_a_strangers_button_press_is_answered_and_goes_no_further(
    locked_app: Any, fake_bot_api: FakeBotAPI
) -> None:
    update = make_callback_query_update("settings:quotes", chat_id=STRANGER, user_id=STRANGER)
    await locked_app.process_update(Update.de_json(update, locked_app.bot))
    [answer] = fake_bot_api.calls_to("answerCallbackQuery")
    assert "private" in answer["text"]
    assert fake_bot_api.sent_messages() == []


def test_refusals_come_again_only_after_the_interval_and_memory_is_bounded() -> None:
    now = [0.0]
    policy = AccessPolicy(allowed=frozenset({1}), clock=lambda: now[0])
    assert policy.should_refuse(5) and not policy.should_refuse(5)
    now[0] += REFUSAL_INTERVAL + 1
    assert policy.should_refuse(5)
    for chat in range(20_000):
        policy.should_refuse(-chat - 10)
    assert len(policy._refused) <= 10_000


async def test_foreign_group_messages_that_are_not_commands_get_no_reply(
    locked_app: Any, fake_bot_api: FakeBotAPI
) -> None:
    for _ in range(5):
        await send(locked_app, "just chatting", chat_id=-555, user_id=STRANGER, chat_type="group")
    assert fake_bot_api.sent_messages(-555) == []


async def test_allowed_user_and_allowed_group_and_owner_may_use_the_bot(
    locked_app: Any, fake_bot_api: FakeBotAPI
) -> None:
    await send(locked_app, "/help", chat_id=MEMBER, user_id=MEMBER)
    await send(locked_app, "/help", chat_id=ALLOWED_GROUP, user_id=STRANGER, chat_type="supergroup")
    await send(locked_app, "/help", chat_id=OWNER, user_id=OWNER)
    for chat in (MEMBER, ALLOWED_GROUP, OWNER):
        [reply] = fake_bot_api.sent_messages(chat)
        assert "/subscribe" in reply["text"]


async def test_group_settings_need_a_group_admin_or_an_owner(
    locked_app: Any, fake_bot_api: FakeBotAPI, store: Store
) -> None:
    group = dict(chat_id=ALLOWED_GROUP, chat_type="supergroup")
    await send(locked_app, "/subscribe", user_id=MEMBER, **group)
    assert "admins" in fake_bot_api.sent_messages(ALLOWED_GROUP)[-1]["text"]
    assert await store.list_subscriptions(chat_id=ALLOWED_GROUP) == []
    await send(locked_app, "/subscribe", user_id=OWNER, **group)  # not a group admin: an owner
    assert len(await store.list_subscriptions(chat_id=ALLOWED_GROUP)) == 1


async def test_only_owners_see_operator_details_in_status(
    locked_app: Any, fake_bot_api: FakeBotAPI
) -> None:
    await send(locked_app, "/status", chat_id=MEMBER, user_id=MEMBER)
    await send(locked_app, "/status", chat_id=OWNER, user_id=OWNER)
    member = "\n".join(m["text"] for m in fake_bot_api.sent_messages(MEMBER))
    owner = "\n".join(m["text"] for m in fake_bot_api.sent_messages(OWNER))
    assert "Operator" not in member and "Database" not in member
    assert "Operator" in owner and "Database" in owner
    parse_telegram_html(owner)


# --- the token ----------------------------------------------------------------------------------


def test_redaction_covers_messages_arguments_and_tracebacks() -> None:
    scrub = redactor((TOKEN,))
    url = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert TOKEN not in scrub(url)
    assert TOKEN.split(":")[1] not in scrub(f"secret half {TOKEN.split(':')[1]}")
    assert "%3A" not in scrub(url.replace(":", "%3A", 2).replace("https%3A", "https:"))
    assert "[REDACTED]" in scrub("another 9876543210:ZZHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw token")

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter((TOKEN,)))
    log = logging.getLogger("test.security.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        request = httpx.Request("POST", url)
        try:
            try:
                raise httpx.ConnectError(f"cannot connect to {url}", request=request)
            except httpx.ConnectError as exc:
                raise NetworkError(f"httpx.ConnectError: {exc}") from exc
        except NetworkError:
            log.exception("request to %s failed", url, stack_info=True)
        log.error("extra", extra={"url": url})
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "Traceback" in output and "[REDACTED]" in output
    assert TOKEN not in output


def test_uncaught_exceptions_and_stderr_are_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    configure_logging("INFO", secrets=(TOKEN,))
    try:
        raise RuntimeError(f"https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    thread = threading.Thread(target=lambda: (_ for _ in ()).throw(ValueError(TOKEN)))
    thread.start()
    thread.join()
    print(f"Error: cannot reach bot{TOKEN}", file=sys.stderr)
    logging.getLogger("httpx").warning("HTTP Request: POST https://x/bot%s/getMe", TOKEN)
    output = stream.getvalue()
    assert output.count("[REDACTED]") >= 4
    assert TOKEN not in output


@pytest.mark.slow
def test_newsbot_run_never_prints_the_token_when_the_api_is_unreachable(tmp_path: Path) -> None:
    """The real command, DEBUG logging, a Bot API URL where nothing listens: clear error, no
    token anywhere in the output (httpx and PTB put the URL in their exceptions)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBOT_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
        "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
        "NEWSBOT_LOG_LEVEL": "DEBUG",
        "PTB_TIMEDELTA": "true",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Error: cannot reach the Bot API at http://127.0.0.1:9/bot" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


async def test_delivery_errors_never_store_the_token(store: Store, clock: FakeClock) -> None:
    from bot.delivery import DeliveryWorker
    from bot.models import SubscriptionMode
    from summaries import Article, Summary

    api = FakeBotAPI()
    api.script("sendMessage", exception=NetworkError(f"POST https://x/bot{TOKEN}/sendMessage"))
    await store.subscribe(5, SubscriptionMode.INSTANT)
    article = Article(title="Ferry", paragraphs=("The ferry runs.",), path="f.txt")
    stored = await store.add_article("h", "/inbox/f.txt", Summary(article, ("The ferry runs.",)))
    assert stored is not None
    await store.enqueue_article(stored.id)
    async with Bot(TOKEN, request=api) as bot:
        await DeliveryWorker(store, bot, clock=clock).run_once()
    [row] = await store.list_deliveries()
    assert row.last_error is not None and TOKEN not in row.last_error


# --- the inbox cannot be escaped -------------------------------------------------------------


async def test_symlinks_out_of_the_inbox_are_never_read(tmp_path: Path, store: Store) -> None:
    inbox, outside = tmp_path / "inbox", tmp_path / "secret"
    inbox.mkdir()
    outside.mkdir()
    (outside / "passwords.txt").write_text("Top secret\n\n" + "The vault code is 1234. " * 20)
    (inbox / "link.txt").symlink_to(outside / "passwords.txt")
    (inbox / "dirlink").symlink_to(outside, target_is_directory=True)
    watcher = InboxWatcher(inbox, Ingestor(store, inbox), settle_seconds=0, use_events=False)
    watcher.scan()
    assert await watcher.poll() == []
    # Even when handed the path directly (a race between listing and reading), it is refused.
    result = await Ingestor(store, inbox)(inbox / "link.txt")
    assert result.outcome == "bad" and "outside the inbox" in (result.reason or "")
    assert await store.count_articles() == 0
    assert (outside / "passwords.txt").exists() and (inbox / "link.txt").is_symlink()


@given(name=st.text(min_size=1, max_size=60))
@hsettings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_uploaded_file_names_cannot_leave_the_inbox(tmp_path: Path, name: str) -> None:
    inbox = tmp_path / "inbox"
    path = save_to_inbox(inbox, name, b"text")
    assert path.parent == inbox and not path.name.startswith(".")
    path.unlink()


# --- user text is always escaped -------------------------------------------------------------


@given(words=st.text(min_size=1, max_size=80).filter(lambda t: t.strip() and "\x00" not in t))
@hsettings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_user_text_echoed_in_replies_is_escaped(
    locked_app: Any, fake_bot_api: FakeBotAPI, words: str
) -> None:
    fake_bot_api.clear()
    for command in ("/summary", "/timezone", "/subscribe"):
        await send(locked_app, f"{command} {words}", chat_id=MEMBER, user_id=MEMBER)
    for message in fake_bot_api.sent_messages(MEMBER):
        if message.get("parse_mode") == "HTML":
            parse_telegram_html(message["text"])  # Telegram would accept it
        assert "<script" not in message["text"].lower()
