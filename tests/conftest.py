"""Shared fixtures: a fresh store per test, a fake Bot API, settings, a controllable clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import build_application
from bot.config import Settings
from bot.store import Store
from tests.fakes import FakeBotAPI
from tests.pgserver import PostgresUnavailable, create_database, drop_database, server_url

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand: ``clock()`` reads it, ``clock.advance(seconds=5)`` moves it."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta periods: the int form warns (and warnings are errors here)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'newsbot.sqlite3'}"


@pytest.fixture
async def store(db_url: str, clock: FakeClock) -> AsyncIterator[Store]:
    """A freshly migrated SQLite store in tmp_path whose timestamps come from ``clock``."""
    opened = await Store.open(db_url, clock=clock)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def fake_bot_api() -> FakeBotAPI:
    return FakeBotAPI()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for a test run: token set, everything under tmp_path, no .env read."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr("123:ABC"),
        data_dir=tmp_path / "data",
        inbox=tmp_path / "inbox",
        database_url=db_url,
        workers=0,  # summaries in a thread: no process start-up in every test
    )


@contextlib.asynccontextmanager
async def started_app(
    settings: Settings,
    fake_bot_api: FakeBotAPI,
    store: Store,
    clock: FakeClock,
    *,
    clear: bool = True,
) -> AsyncIterator[Any]:
    """The real application on the fake Bot API, started without inbox/delivery tasks;
    ``clear`` forgets the calls start-up made (setMyCommands...)."""
    application = build_application(
        settings, request=fake_bot_api, store=store, clock=clock, background=False
    )
    async with application:
        await application.post_init(application)
        if clear:
            fake_bot_api.clear()
        try:
            yield application
        finally:
            await application.post_shutdown(application)


@pytest.fixture
async def app(
    settings: Settings, fake_bot_api: FakeBotAPI, store: Store, clock: FakeClock
) -> AsyncIterator[Any]:
    async with started_app(settings, fake_bot_api, store, clock) as application:
        yield application


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server for ``postgres``-marked tests: ``NEWSBOT_TEST_DATABASE_URL``, or a
    throw-away cluster started once per session; the test is skipped when neither works."""
    pytest.importorskip("asyncpg", reason="asyncpg is not installed (pip install asyncpg)")
    try:
        with server_url() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")


@pytest.fixture
async def pg_url(pg_server: str) -> AsyncIterator[str]:
    """A fresh, empty database on the test server (dropped afterwards)."""
    url = await create_database(pg_server)
    try:
        yield url
    finally:
        await drop_database(pg_server, url)
