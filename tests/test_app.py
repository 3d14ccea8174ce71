"""End to end: the real Application, polling a loopback Bot API server or the console stand-in."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from bot.app import SAMPLES_DIR, build_application, running, seed_inbox
from bot.compat import normalize_dates
from bot.config import Settings
from bot.console import CONSOLE_CHAT_ID, ConsoleBotAPI, group_lines, to_terminal
from bot.store import Store
from tests.botapi_server import BotAPIServer

ARTICLE = (
    "Night ferry returns to the island\n\n"
    "The town council voted on Tuesday to restore the night ferry to the island.\n\n"
    '"People have been cut off after dark for too long," said the mayor, Ingrid Solberg.\n'
)
REPO = Path(__file__).resolve().parents[1]


def loopback_settings(tmp_path: Path, server: BotAPIServer) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        TELEGRAM_BOT_TOKEN=server.token,
        TELEGRAM_API_BASE_URL=server.base_url,
        NEWSBOT_DATA_DIR=tmp_path / "data",
        NEWSBOT_INBOX=tmp_path / "inbox",
        NEWSBOT_SETTLE_SECONDS=0.05,
    )


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("date_style", "unsupported_code", "thin_replies"),
    [("ms", 404, False), ("string", 404, False), ("iso", 400, True)],
)
async def test_bot_runs_against_a_minimal_bot_api_server(
    tmp_path: Path, date_style: str, unsupported_code: int, thin_replies: bool
) -> None:
    """Only getMe/getUpdates/sendMessage exist, dates are odd: the bot still works."""
    async with BotAPIServer(
        date_style=date_style,  # type: ignore[arg-type]
        unsupported_code=unsupported_code,
        thin_replies=thin_replies,
    ) as server:
        settings = loopback_settings(tmp_path, server)
        app = build_application(settings)
        async with running(app):
            server.queue_text("/start", chat_id=42, user_id=42)
            await server.wait_for_messages(1, chat_id=42)
            server.queue_text("/subscribe", chat_id=42, user_id=42)
            await server.wait_for_messages(2, chat_id=42)
            (settings.inbox_dir / "ferry.txt").write_text(ARTICLE, encoding="utf-8")
            [*_, post] = await server.wait_for_messages(3, chat_id=42)
            await asyncio.sleep(0.3)  # time for a duplicate post, if there were one
        methods = [method for method, _ in server.calls]
    assert "Night ferry returns" in post["text"]
    assert len(server.messages(chat_id=42)) == 3
    assert "setMyCommands" in methods  # tried, refused with 404, survived


async def test_file_dropped_into_inbox_reaches_each_subscribed_chat_once(tmp_path: Path) -> None:
    async with BotAPIServer() as server:
        settings = loopback_settings(tmp_path, server)
        settings.data_dir.mkdir(parents=True)
        store = await Store.open(settings.db_url)
        try:
            await store.subscribe(42, "instant")  # type: ignore[arg-type]
            await store.subscribe(-1001, "instant")  # type: ignore[arg-type]
            app = build_application(settings, store=store)
            async with running(app):
                (settings.inbox_dir / "ferry.txt").write_text(ARTICLE, encoding="utf-8")
                (settings.inbox_dir / "ferry-copy.txt").write_text(ARTICLE, encoding="utf-8")
                await server.wait_for_messages(2)
                await asyncio.sleep(0.4)
        finally:
            await store.close()
    assert sorted(int(m["chat_id"]) for m in server.messages()) == [-1001, 42]


async def test_console_mode_posts_sample_articles_and_answers_commands(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        TELEGRAM_BOT_TOKEN=None,
        NEWSBOT_DATA_DIR=tmp_path / "data",
        NEWSBOT_SETTLE_SECONDS=0.05,
    )
    assert settings.local_mode
    samples = sorted(p.name for p in SAMPLES_DIR.iterdir())
    assert seed_inbox(settings.inbox_dir) == len(samples)
    assert seed_inbox(settings.inbox_dir) == 0  # never twice, never over user files
    output = io.StringIO()
    console = ConsoleBotAPI(input_stream=io.StringIO(""), output=output)
    app = build_application(settings, request=console)
    async with running(app):
        await until(lambda: output.getvalue().count("── newsbot") >= len(samples), timeout=10)
        console.type_line("/status")
        await until(lambda: "newsbot status" in output.getvalue())
    shown = output.getvalue()
    assert "<b>" not in shown and "&amp;" not in shown
    assert "Old stone bridge to close for summer repairs" in shown
    assert f"Articles: {len(samples)}" in shown
    assert all(int(m["chat_id"]) == CONSOLE_CHAT_ID for m in console.sent)


def test_pasted_lines_become_one_message_and_commands_stay_apart() -> None:
    lines = ["/status", "Ferry returns", "", "The council voted.", "/help", "  ", "/summary x"]
    assert group_lines(lines) == [
        "/status",
        "Ferry returns\n\nThe council voted.",
        "/help",
        "/summary x",
    ]


def test_terminal_text_drops_tags_and_unescapes() -> None:
    assert to_terminal("<b>Tom &amp; Jerry</b> &lt;3") == "Tom & Jerry <3"


def test_newsbot_run_without_token_is_a_console_chat(tmp_path: Path) -> None:
    """The real command: banner, sample posts, a typed command answered, Ctrl-C exits cleanly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBOT_"))}
    env |= {"NEWSBOT_DATA_DIR": str(tmp_path / "data"), "NEWSBOT_LOG_LEVEL": "WARNING"}
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        output, errors, returncode = _run_console(env, tmp_path, stderr)
    errors = log.read_text()
    assert returncode == 0, errors
    assert output.startswith("newsbot local mode — type /help")
    assert "night ferry" in output
    assert "Traceback" not in errors


def _run_console(env: dict[str, str], cwd: Path, stderr: IO[str]) -> tuple[str, str, int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if sum("── newsbot" in seen for seen in lines) == len(list(SAMPLES_DIR.iterdir())):
                break
        proc.stdin.write("/help\n")
        proc.stdin.close()  # end of input does not stop the bot
        for line in proc.stdout:
            lines.append(line)
            if "/unsubscribe" in line:
                break
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        rest = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    return "".join(lines) + rest, "", proc.returncode


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(1_764_000_000, 1_764_000_000), (1_764_000_000_000, 1_764_000_000),
     ("1764000000", 1_764_000_000), (1_764_000_000.5, 1_764_000_000), (-5, 0)],
)  # fmt: skip
def test_odd_message_dates_become_unix_seconds(raw: object, seconds: int) -> None:
    data, _ = normalize_dates({"result": [{"message": {"date": raw, "chat": {"id": 1}}}]})
    assert data["result"][0]["message"]["date"] == seconds
