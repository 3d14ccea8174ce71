"""Process roles: one bot split over several processes (and machines) sharing PostgreSQL.

``newsbot run --role ROLE``:

* ``all`` (default) — everything in one process: updates, inbox, delivery, digests.
* ``updates`` — receives Telegram updates and answers commands (polling: run exactly one;
  webhook mode: any number behind a load balancer). No inbox, no outbox worker.
* ``ingest`` — watches the (shared) inbox folder and summarizes new files. Any number: each
  file is claimed by content hash in the database (:meth:`bot.store.Store.claim_ingest`), so
  it is summarized once; a dead process's claim is retaken when its lease runs out.
* ``deliver`` — sends the outbox and queues due digests. Any number: rows are claimed with
  ``FOR UPDATE SKIP LOCKED`` and a lease, digests by their schedule slot
  (:mod:`bot.digest_poller`), and all of them share one send rate per bot token
  (:class:`bot.ratelimit.SharedRateLimiter`).

Across machines the roles need PostgreSQL (``NEWSBOT_DATABASE_URL=postgresql+asyncpg://..``).
On one machine they also run on SQLite, where writers queue up (fine for trying it out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
import threading
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal, get_args

from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot

from .compat import TolerantRequest
from .config import Settings
from .delivery import DeliveryWorker, stop_worker
from .digest_poller import DigestPoller
from .errors import ConfigError
from .inbox import InboxWatcher, Ingestor
from .ratelimit import SharedRateLimiter, bucket_key
from .services import open_store

__all__ = ["ROLES", "Role", "process_name", "run_role", "serve_deliver", "serve_ingest"]

logger = logging.getLogger(__name__)

Role = Literal["all", "updates", "ingest", "deliver"]
#: Outbox rows a ``deliver`` process claims at a time.
DELIVER_BATCH = 20
ROLES: tuple[Role, ...] = get_args(Role)


def process_name() -> str:
    """A name unique to this process (claims are made in its name)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


async def serve_ingest(
    settings: Settings,
    stop: asyncio.Event,
    *,
    name: str | None = None,
    ready: Callable[[], None] | None = None,
) -> None:
    """Watch the inbox and ingest new files until ``stop`` is set (the ``ingest`` role)."""
    store = await open_store(settings)
    owner = name or process_name()
    try:
        ingest = Ingestor(
            store,
            settings.inbox_dir,
            options=settings.summary_options,
            max_file_bytes=settings.max_file_bytes,
            claim_owner=owner,
            claim_lease=timedelta(seconds=settings.ingest_lease_seconds),
        )
        watcher = InboxWatcher(
            settings.inbox_dir,
            ingest,
            settle_seconds=settings.settle_seconds,
            rescan_seconds=settings.rescan_seconds,
        )
        task = asyncio.create_task(watcher.run(), name="newsbot-inbox")
        logger.info("role=ingest started name=%s inbox=%s", owner, settings.inbox_dir)
        if ready is not None:
            ready()
        await _until(stop, task)
    finally:
        await store.close()


async def serve_deliver(
    settings: Settings,
    stop: asyncio.Event,
    *,
    ready: Callable[[], None] | None = None,
) -> None:
    """Send the outbox and queue due digests until ``stop`` is set (the ``deliver`` role)."""
    token = settings.telegram_bot_token
    if token is None or not token.get_secret_value():
        raise ConfigError("--role deliver needs TELEGRAM_BOT_TOKEN")
    store = await open_store(settings)
    store.claim_lease = timedelta(seconds=settings.delivery_lease_seconds)
    # The overall per-bot rate and each group's 20/min are the shared buckets' job, across
    # processes (send rate 0 = no shared limit: test servers). PTB's limiter inside keeps the
    # group limit per process too (never looser) and retries a stray 429.
    inner = AIORateLimiter(overall_max_rate=0, max_retries=3)
    limiter: BaseRateLimiter[Any] = (
        SharedRateLimiter(
            store,
            bucket_key(token.get_secret_value()),
            rate=settings.send_rate,
            burst=max(1.0, settings.send_rate / 5),
            inner=inner,
        )
        if settings.send_rate > 0
        else inner
    )
    bot: ExtBot[None] = ExtBot(
        token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        request=TolerantRequest(connection_pool_size=32),
        get_updates_request=TolerantRequest(connection_pool_size=1),
        rate_limiter=limiter,
    )
    wake = asyncio.Event()
    try:
        async with bot:
            # Small batches: several processes share the queue evenly, and a batch ends well
            # inside its claim lease even when per-group limits slow it down.
            worker = DeliveryWorker(
                store, bot, batch=DELIVER_BATCH, concurrency=settings.send_concurrency
            )
            poller = DigestPoller(store, interval=settings.digest_poll_seconds, on_queued=wake.set)
            tasks = [
                asyncio.create_task(worker.run_forever(wake), name="newsbot-delivery"),
                asyncio.create_task(poller.run_forever(stop), name="newsbot-digests"),
            ]
            logger.info("role=deliver started bot=%s", bucket_key(token.get_secret_value()))
            if ready is not None:
                ready()
            try:
                await stop.wait()
            finally:
                await stop_worker(worker, tasks[0])
                for task in tasks[1:]:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
    finally:
        await store.close()


async def _until(stop: asyncio.Event, task: asyncio.Task[None]) -> None:
    """Wait for ``stop`` (or the task dying), then cancel the task."""
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _serve_until_signal(serve: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``serve(stop)`` in a new event loop; SIGINT/SIGTERM set ``stop``."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await serve(stop)

    asyncio.run(main())


#: PostgreSQL advisory lock key held by the one process polling for updates.
POLLING_LOCK = 0x6E627570  # "nbup"


async def _poll_leader(dsn: str, acquired: threading.Event, interval: float) -> None:
    """Take the polling lock (waiting as a standby while another process holds it), then
    keep its connection alive; losing it stops this process (a standby takes over)."""
    import asyncpg  # type: ignore[import-untyped]

    conn: Any = await asyncpg.connect(dsn)
    try:
        waiting_logged = False
        while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", POLLING_LOCK):
            if not waiting_logged:
                logger.info("role=updates standby: another process is polling for updates")
                waiting_logged = True
            await asyncio.sleep(interval)
        logger.info("role=updates took the polling lock")
        acquired.set()
        while True:
            await asyncio.sleep(interval)
            await conn.fetchval("SELECT 1")
    except Exception:
        if acquired.is_set():
            logger.exception("role=updates lost the polling lock's connection; stopping")
            os.kill(os.getpid(), signal.SIGTERM)
        raise
    finally:
        await conn.close()  # the session lock goes with the connection


def _hold_polling_lock(db_url: str, *, interval: float = 5.0) -> None:
    """Block until this process may poll; the lock lives in a daemon thread from then on."""
    dsn = db_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    acquired = threading.Event()
    thread = threading.Thread(
        target=lambda: asyncio.run(_poll_leader(dsn, acquired, interval)),
        name="newsbot-polling-lock",
        daemon=True,
    )
    thread.start()
    while not acquired.wait(1.0):
        if not thread.is_alive():
            raise ConfigError("cannot take the polling lock: the database is not reachable")


def run_role(settings: Settings, role: Role = "all") -> None:
    """Run one role until SIGINT/SIGTERM (blocking); what ``newsbot run --role`` calls."""
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r} (use one of {', '.join(ROLES)})")
    if role in ("all", "updates"):
        from .app import run

        if role == "all":
            run(settings)
            return
        if not settings.webhook_mode and settings.db_url.startswith("postgresql"):
            # Telegram serves getUpdates to one consumer: a second poller would fight it
            # (409 Conflict). Extra `updates` processes wait as hot standbys instead.
            _hold_polling_lock(settings.db_url)
        run(settings, background=False)
        return
    if role == "ingest":
        _serve_until_signal(lambda stop: serve_ingest(settings, stop))
    else:
        _serve_until_signal(lambda stop: serve_deliver(settings, stop))


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.roles ROLE [--ready-file PATH]``: run one role, as ``newsbot run
    --role ROLE`` does; the ready file is written once the role is serving (tests, benchmarks)."""
    import argparse
    from pathlib import Path

    from .config import load_settings
    from .logs import configure_logging

    parser = argparse.ArgumentParser(prog="python -m bot.roles")
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--ready-file", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = load_settings()
    hidden = tuple(
        secret.get_secret_value()
        for secret in (settings.telegram_bot_token, settings.webhook_secret)
        if secret is not None
    )
    configure_logging(settings.log_level, secrets=hidden, fmt=settings.log_format)
    ready_file: Path | None = args.ready_file

    def ready() -> None:
        if ready_file is not None:
            ready_file.write_text(f"{os.getpid()}\n", encoding="utf-8")

    if args.role == "ingest":
        _serve_until_signal(lambda stop: serve_ingest(settings, stop, ready=ready))
    elif args.role == "deliver":
        _serve_until_signal(lambda stop: serve_deliver(settings, stop, ready=ready))
    else:
        run_role(settings, args.role)


if __name__ == "__main__":
    main()
