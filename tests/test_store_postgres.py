"""The store's own tests, run again on PostgreSQL (``pytest -m postgres``).

Every test of :mod:`tests.test_store` is collected here a second time with the ``db_url`` and
``store`` fixtures pointing at a fresh PostgreSQL database, so both backends keep one
behaviour. SQLite-only checks (PRAGMAs) are left out; PostgreSQL-only ones are below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import Store
from tests import test_store
from tests.conftest import FakeClock

pytestmark = pytest.mark.postgres

_SQLITE_ONLY = {"test_sqlite_runs_in_wal_mode_with_foreign_keys"}

for _name in dir(test_store):
    if _name.startswith("test_") and _name not in _SQLITE_ONLY:
        globals()[_name] = getattr(test_store, _name)


@pytest.fixture
def db_url(pg_url: str) -> str:
    return pg_url


@pytest.fixture
async def store(pg_url: str, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await Store.open(pg_url, clock=clock)
    try:
        yield opened
    finally:
        await opened.close()
