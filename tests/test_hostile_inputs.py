"""Hostile and broken inputs: the bot keeps running, says clearly what was wrong, and
processes every valid file. Property-based (Hypothesis) where the input space is wide."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from telegram import Update

import bot.inbox as inbox_module
from bot.inbox import FAILED_DIR, InboxWatcher, Ingestor, display_name
from bot.render import render_article
from bot.store import Store
from tests.fakes import FakeBotAPI, make_update, parse_telegram_html

USER = 4242
TITLE = "Harbour council approves the night ferry"
BODY = (
    "The harbour council voted on Tuesday to restore the night ferry to the island.\n\n"
    '"People have been cut off after dark for too long," said the mayor, Ingrid Solberg.\n\n'
    "The first evening crossing is planned for the start of next month.\n"
)
TEXT = f"{TITLE}\n\n{BODY}"
RUSSIAN = (
    "Совет одобрил ночной паром\n\n"
    "Городской совет во вторник проголосовал за возвращение ночного парома на остров.\n\n"
    "Первый вечерний рейс запланирован на начало следующего месяца.\n"
)
QUIET = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


VALID_FILES = [
        ("utf8.txt", TEXT.encode()),
        ("bom.txt", b"\xef\xbb\xbf" + TEXT.encode()),
        ("utf16.txt", TEXT.encode("utf-16")),
        ("crlf.txt", TEXT.replace("\n", "\r\n").encode()),
        ("cp1251.txt", RUSSIAN.encode("cp1251")),
        ("bad-utf8.txt", TEXT.encode().replace(b"night", b"n\xffght\xc3\x28")),
        ("page.html", f"<html><head><title>{TITLE}</title><script>steal()</script></head>"
                      f"<body><h1>{TITLE}</h1><p>{BODY}</p><script>alert(1)</script></body>"
                      "</html>".encode()),
        ("deep.html", ("<html><body>" + "<div>" * 5000 + f"<h1>{TITLE}</h1><p>{BODY}</p>"
                       + "</div>" * 5000 + "</body></html>").encode()),
    ]  # fmt: skip


BROKEN_FILES = [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b" \r\n\t\n", "empty"),
    ("binary.txt", bytes(range(256)) * 40, ""),
    ("huge.txt", TEXT.encode() * 200, "too large"),
]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def ingestor(store: Store, inbox: Path, **kwargs: Any) -> Ingestor:
    return Ingestor(store, inbox, **kwargs)


# --- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data"), VALID_FILES, ids=[n for n, _ in VALID_FILES])
async def test_valid_files_in_any_encoding_or_shape_become_articles(
    store: Store, inbox: Path, name: str, data: bytes
) -> None:
    (inbox / name).write_bytes(data)
    result = await ingestor(store, inbox)(inbox / name)
    assert result.outcome == "new", result.reason
    article = await store.get_article(result.article_id or 0)
    assert article is not None
    for part in render_article(article):
        shown = parse_telegram_html(part)
        assert "steal()" not in shown and "alert(1)" not in shown


@pytest.mark.parametrize(
    ("name", "data", "reason"), BROKEN_FILES, ids=[n for n, *_ in BROKEN_FILES]
)
async def test_broken_files_are_set_aside_with_a_clear_reason(
    store: Store, inbox: Path, name: str, data: bytes, reason: str
) -> None:
    (inbox / name).write_bytes(data)
    result = await ingestor(store, inbox, max_file_bytes=20_000)(inbox / name)
    assert result.outcome == "bad" and result.reason
    assert reason in result.reason.lower()
    assert not (inbox / name).exists()
    moved = inbox / FAILED_DIR / name
    assert moved.read_bytes() == data  # never deleted, never changed
    assert (inbox / FAILED_DIR / f"{name}.reason.txt").read_text().strip() == result.reason
    [bad] = await store.recent_bad_files()
    assert bad.reason == result.reason


async def test_oversized_file_is_refused_without_reading_it(
    store: Store, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = inbox / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB that cost nothing
    reads: list[int] = []
    original = inbox_module._read_and_hash

    def spy(path: Path, root: Path, limit: int) -> tuple[bytes, str]:
        reads.append(limit)
        return original(path, root, limit)

    monkeypatch.setattr(inbox_module, "_read_and_hash", spy)
    result = await ingestor(store, inbox, max_file_bytes=1_000_000)(big)
    assert result.outcome == "bad"
    assert "50,000,000 bytes; the limit is 1,000,000" in (result.reason or "")
    assert "NEWSBOT_MAX_FILE_BYTES" in (result.reason or "")


async def test_file_that_vanishes_before_it_is_read_is_skipped(store: Store, inbox: Path) -> None:
    result = await ingestor(store, inbox)(inbox / "gone.txt")
    assert result.outcome == "gone"


async def test_file_that_changes_while_read_is_taken_again_when_settled(
    store: Store, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = inbox / "growing.txt"
    path.write_text(TEXT)
    real_fstat = os.fstat
    calls = [0]

    def shifting_fstat(fd: int) -> os.stat_result:
        calls[0] += 1
        result = real_fstat(fd)
        if calls[0] == 2:  # the "after" stat of the first read: someone appended
            fields = list(result)
            fields[6] += 10  # st_size
            return os.stat_result(fields)
        return result

    monkeypatch.setattr(os, "fstat", shifting_fstat)
    now = [0.0]
    watcher = InboxWatcher(
        inbox, ingestor(store, inbox), settle_seconds=1, clock=lambda: now[0], use_events=False
    )
    watcher.scan()
    now[0] += 2
    [first] = await watcher.poll()
    assert first.outcome == "changed" and watcher.pending == 1
    now[0] += 2
    [second] = await watcher.poll()
    assert second.outcome == "new"


async def test_fifo_and_symlink_loop_never_block_or_crash(store: Store, inbox: Path) -> None:
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "loop.txt").symlink_to(inbox / "loop.txt")
    (inbox / "ok.txt").write_text(TEXT)
    watcher = InboxWatcher(inbox, ingestor(store, inbox), settle_seconds=0, use_events=False)
    watcher.scan()
    results = await watcher.poll()
    assert [(r.path.name, r.outcome) for r in results] == [("ok.txt", "new")]
    direct = await ingestor(store, inbox)(inbox / "pipe.txt")  # handed over anyway: refused
    assert direct.outcome == "bad" and "not a regular file" in (direct.reason or "")


@pytest.mark.parametrize(
    "raw_name",
    [
        b"two\nlines.txt",
        b"caf\xe9-latin1.txt",
        b"\xff\xfe-not-utf8.txt",
        b"-leading-dash.txt",
        b"tab\there.txt",
        "emoji-📰.txt".encode(),
        b"x" * 250 + b".txt",
        b"$(rm -rf ~).txt",
        b"<b>bold<\\b>&amp;.txt",
    ],
)
async def test_odd_file_names_are_processed_and_shown_safely(
    store: Store, inbox: Path, raw_name: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = Path(os.fsdecode(os.fsencode(inbox) + b"/" + raw_name))
    path.write_text(TEXT)
    with caplog.at_level(logging.INFO, logger="bot.inbox"):
        result = await ingestor(store, inbox)(path)
    assert result.outcome == "new"
    article = await store.get_article(result.article_id or 0)
    assert article is not None
    article.path.encode("utf-8")  # storable, sendable
    assert "\n" not in Path(article.path).name
    for record in caplog.records:
        assert "\n" not in record.getMessage()
    for part in render_article(article):
        parse_telegram_html(part)


@given(name=st.text(min_size=1, max_size=40))
def test_display_names_are_printable_utf8_without_control_characters(name: str) -> None:
    shown = display_name(name)
    shown.encode("utf-8")
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in shown)


@given(
    data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".md", ".html", ".json", ".eml"])
)
@hsettings(max_examples=15, **QUIET)  # type: ignore[arg-type]
async def test_any_bytes_are_either_an_article_or_a_clear_rejection(
    tmp_path: Path, db_url: str, data: bytes, suffix: str
) -> None:
    folder = tmp_path / f"inbox-{os.urandom(4).hex()}"
    folder.mkdir()
    store = await Store.open(db_url)
    try:
        path = folder / f"random{suffix}"
        path.write_bytes(data)
        result = await Ingestor(store, folder)(path)
        assert result.outcome in ("new", "bad", "duplicate")
        if result.outcome == "bad":
            assert result.reason and "internal error" not in result.reason
        if result.outcome == "new":
            article = await store.get_article(result.article_id or 0)
            assert article is not None
            for part in render_article(article):
                parse_telegram_html(part)
    finally:
        await store.close()


async def test_a_folder_of_bad_files_does_not_stop_the_good_ones(store: Store, inbox: Path) -> None:
    for n in range(3):
        (inbox / f"good-{n}.txt").write_text(TEXT.replace("night ferry", f"ferry number {n}"))
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "binary.txt").write_bytes(os.urandom(2000))
    (inbox / "pipe.txt").unlink(missing_ok=True)
    os.mkfifo(inbox / "pipe.txt")
    watcher = InboxWatcher(inbox, ingestor(store, inbox), settle_seconds=0, use_events=False)
    watcher.scan()
    outcomes = {r.path.name: r.outcome for r in await watcher.poll()}
    assert outcomes == {
        "binary.txt": "bad",
        "empty.txt": "bad",
        "good-0.txt": "new",
        "good-1.txt": "new",
        "good-2.txt": "new",
    }


# --- commands ---------------------------------------------------------------------------------


async def say(app: Any, text: str) -> None:
    await app.process_update(Update.de_json(make_update(text, chat_id=USER, user_id=USER), app.bot))


def assert_clear_replies(api: FakeBotAPI, expected: int) -> None:
    """Each command got an answer Telegram accepts, and none was the crash apology."""
    replies = api.sent_messages(USER)
    assert len(replies) >= expected
    for reply in replies:
        if reply.get("parse_mode") == "HTML":
            parse_telegram_html(reply["text"])
        assert "went wrong" not in reply["text"]
        assert len(reply["text"]) <= 4096


@pytest.mark.parametrize(
    "text",
    [
        "/subscribe daily 25:00",
        "/subscribe daily 7",
        "/subscribe daily 08:60",
        "/subscribe daily -1:00",
        "/subscribe every 0 h",
        "/subscribe every 99999999999999999999 h",
        "/subscribe weekly",
        "/timezone Mars/Olympus_Mons",
        "/timezone ../../etc/passwd",
        "/timezone UTC+25",
        "/timezone <script>",
        "/summary " + "harbour " * 2000,
        "/quotes " + "x" * 5000,
        "/nosuchcommand",
        "/start@someotherbot",
        "/" + "a" * 300,
    ],
)
async def test_bad_commands_get_a_clear_answer_and_the_bot_goes_on(
    app: Any, fake_bot_api: FakeBotAPI, text: str
) -> None:
    await say(app, text)
    await say(app, "/help")  # still working
    assert fake_bot_api.sent_messages(USER), "no answer at all"
    assert_clear_replies(fake_bot_api, 1)
    assert "/subscribe" in fake_bot_api.sent_messages(USER)[-1]["text"]


@given(args=st.text(max_size=120))
@hsettings(max_examples=8, **QUIET)  # type: ignore[arg-type]
async def test_any_arguments_to_any_command_never_crash_a_handler(
    app: Any, fake_bot_api: FakeBotAPI, args: str
) -> None:
    fake_bot_api.clear()
    for command in ("/subscribe", "/timezone", "/summary", "/quotes", "/unsubscribe"):
        await say(app, f"{command} {args}")
    assert_clear_replies(fake_bot_api, 4)
