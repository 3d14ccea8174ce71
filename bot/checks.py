"""Pre-flight checks for ``newsbot check``: find a bad setting before the bot meets it at 3 a.m.

Each check returns one :class:`CheckResult`; the CLI prints one line per result and exits 1
when any failed. Checks never change anything an operator cares about: they do not create
the inbox or the database (a probe file is written and removed to prove a folder writable),
and never print the token (only the bot id, its public part before the colon). ``online``
adds one ``getMe`` call to the configured Bot API.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from .config import Settings
from .inbox import is_article_name
from .store import SCHEMA_VERSION

__all__ = ["CheckResult", "Status", "check_token_shape", "format_result", "run_checks"]

Status = Literal["ok", "warn", "fail", "skip"]

#: What @BotFather hands out: the bot's numeric id, a colon, 35 URL-safe characters.
_TOKEN_RE = re.compile(r"(\d{1,20}):[A-Za-z0-9_-]{30,64}")
#: Ports Telegram delivers webhooks to (Bot API docs, setWebhook).
_WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
_OFFICIAL_API = "api.telegram.org"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of ``newsbot check``: what was checked, how it went, and the detail."""

    name: str
    status: Status
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == "fail"


def format_result(result: CheckResult) -> str:
    """``ok    inbox     /srv/inbox: readable and writable, 3 article file(s)``."""
    shown = result.status.upper() if result.status in ("warn", "fail") else result.status
    return f"{shown:<5} {result.name:<9} {result.detail}"


def check_token_shape(settings: Settings) -> CheckResult:
    """The token looks like BotFather's (never printed: only the bot id before the colon)."""
    if settings.local_mode:
        return CheckResult("token", "skip", "not set: local console mode, no Telegram")
    assert settings.telegram_bot_token is not None
    match = _TOKEN_RE.fullmatch(settings.telegram_bot_token.get_secret_value().strip())
    if match is None:
        return CheckResult(
            "token",
            "fail",
            "TELEGRAM_BOT_TOKEN does not look like a @BotFather token "
            "(<bot id>:<35 letters, digits, _ or ->); value not shown",
        )
    return CheckResult("token", "ok", f"set, bot id {match.group(1)} (the token is never shown)")


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


def _writable(folder: Path) -> str | None:
    """None when a file can be created (and removed) in ``folder``, else why not."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".newsbot-check-", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(probe)
    return None


def _folder(name: str, folder: Path, *, purpose: str) -> CheckResult:
    """A folder the bot reads and writes: present and usable, or creatable at start."""
    shown = str(folder.resolve())
    if folder.exists() and not folder.is_dir():
        return CheckResult(name, "fail", f"{shown} exists but is not a folder")
    if not folder.exists():
        parent = _nearest_existing(folder.resolve())
        if not parent.is_dir():
            return CheckResult(name, "fail", f"{shown} cannot be created: {parent} is a file")
        problem = _writable(parent)
        if problem:
            return CheckResult(name, "fail", f"{shown} cannot be created in {parent}: {problem}")
        return CheckResult(name, "ok", f"{shown} does not exist yet; created at start")
    if not os.access(folder, os.R_OK | os.X_OK):
        return CheckResult(name, "fail", f"{shown} is not readable by this user")
    problem = _writable(folder)
    if problem:
        return CheckResult(name, "fail", f"{shown} is not writable ({purpose}): {problem}")
    if name == "inbox":
        files = sum(1 for p in folder.iterdir() if p.is_file() and is_article_name(p.name))
        return CheckResult(name, "ok", f"{shown}: readable and writable, {files} article file(s)")
    return CheckResult(name, "ok", f"{shown}: writable")


def _read_schema_version(conn: Connection) -> int | None:
    if not inspect(conn).has_table("schema_version"):
        return None
    value = conn.execute(text("SELECT max(version) FROM schema_version")).scalar()
    return int(value or 0)


def _describe_version(found: int | None, where: str) -> CheckResult:
    if found is None:
        return CheckResult("database", "ok", f"{where}: empty, schema created at start")
    if found > SCHEMA_VERSION:
        return CheckResult(
            "database",
            "fail",
            f"{where}: schema version {found} is newer than this newsbot's ({SCHEMA_VERSION}); "
            "upgrade newsbot",
        )
    if found < SCHEMA_VERSION:
        return CheckResult(
            "database",
            "ok",
            f"{where}: schema version {found}, migrated to {SCHEMA_VERSION} at start",
        )
    return CheckResult("database", "ok", f"{where}: schema version {found} (current)")


async def check_database(settings: Settings, *, timeout: float = 5.0) -> CheckResult:
    """Reachable, and at a schema version this code can run (a new SQLite file is not created)."""
    try:
        url = make_url(settings.db_url)
    except ArgumentError as exc:
        return CheckResult("database", "fail", f"NEWSBOT_DATABASE_URL is not a database URL: {exc}")
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database or "")
        where = f"sqlite {path}"
        if not path.exists():
            folder = _folder("database", path.parent, purpose="the database lives there")
            if folder.failed:
                return folder
            return CheckResult("database", "ok", f"{where}: new file, created at start")
        problem = _writable(path.parent)
        if problem or not os.access(path, os.R_OK | os.W_OK):
            return CheckResult(
                "database",
                "fail",
                f"{where}: file or its folder not writable ({problem or 'file'})",
            )
    try:
        engine = create_async_engine(url)
    except (ArgumentError, ImportError) as exc:
        return CheckResult("database", "fail", f"{where}: no driver for this URL: {exc}")
    try:
        async with asyncio.timeout(timeout), engine.connect() as conn:
            found = await conn.run_sync(_read_schema_version)
    except TimeoutError:
        return CheckResult("database", "fail", f"{where}: no answer within {timeout:g} s")
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return CheckResult("database", "fail", f"{where}: cannot connect: {reason}")
    finally:
        await engine.dispose()
    return _describe_version(found, where)


def check_webhook(settings: Settings) -> CheckResult:
    """Webhook settings Telegram will accept, and the web server PTB needs (tornado)."""
    if settings.webhook_url is None:
        return CheckResult("webhook", "skip", "not set: the bot polls getUpdates")
    if settings.local_mode:
        return CheckResult("webhook", "warn", "NEWSBOT_WEBHOOK_URL ignored in local mode")
    if importlib.util.find_spec("tornado") is None:
        return CheckResult(
            "webhook",
            "fail",
            "webhook mode needs python-telegram-bot[webhooks] (tornado), which is not installed",
        )
    public = urlsplit(settings.webhook_url)
    if _OFFICIAL_API in settings.telegram_api_base_url:
        port = public.port or (443 if public.scheme == "https" else 80)
        if public.scheme != "https":
            return CheckResult("webhook", "fail", "Telegram only posts to https:// webhook URLs")
        if port not in _WEBHOOK_PORTS:
            return CheckResult(
                "webhook", "fail", f"Telegram only posts to ports 443, 80, 88, 8443 (not {port})"
            )
    secret = "secret set" if settings.webhook_secret else "no secret (set NEWSBOT_WEBHOOK_SECRET)"
    status: Status = "ok" if settings.webhook_secret else "warn"
    return CheckResult(
        "webhook",
        status,
        f"{settings.webhook_url} -> listening on {settings.webhook_listen}:"
        f"{settings.webhook_port}{public.path or '/'}, {secret}",
    )


async def check_bot_api(settings: Settings, *, timeout: float = 10.0) -> CheckResult:
    """``getMe`` against TELEGRAM_API_BASE_URL: the server answers and accepts the token."""
    if settings.local_mode:
        return CheckResult("bot api", "skip", "no token: nothing to ask")
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from .compat import TolerantRequest

    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value().strip()
    base = settings.telegram_api_base_url
    request = TolerantRequest(connection_pool_size=1, connect_timeout=timeout, read_timeout=timeout)
    bot = Bot(token, base_url=base, request=request, get_updates_request=request)
    try:
        async with asyncio.timeout(timeout * 2):
            me = await bot.get_me()
    except InvalidToken:
        return CheckResult("bot api", "fail", f"{base} rejected the token")
    except (NetworkError, TimeoutError) as exc:
        reason = str(exc).replace(token, "[REDACTED]") or type(exc).__name__
        return CheckResult("bot api", "fail", f"cannot reach {base}: {reason}")
    except TelegramError as exc:
        reason = str(exc).replace(token, "[REDACTED]")
        return CheckResult("bot api", "fail", f"{base} answered getMe with an error: {reason}")
    finally:
        await request.shutdown()
    return CheckResult("bot api", "ok", f"getMe: @{me.username} (id {me.id}) at {base}")


def _mode(settings: Settings) -> str:
    if settings.local_mode:
        return "local console mode"
    return "Telegram webhook mode" if settings.webhook_mode else "Telegram polling mode"


async def run_checks(settings: Settings, *, online: bool = False) -> Sequence[CheckResult]:
    """Every check, in the order an operator fixes things; settings were validated by loading."""
    results = [
        CheckResult("settings", "ok", f"valid; {_mode(settings)}, time zone {settings.timezone}"),
        check_token_shape(settings),
        _folder("inbox", settings.inbox_dir, purpose="bad files move to .failed/"),
    ]
    if settings.database_url is None:
        results.append(_folder("data dir", settings.data_dir, purpose="the database lives there"))
    results.append(await check_database(settings))
    results.append(check_webhook(settings))
    if online:
        results.append(await check_bot_api(settings))
    return results
