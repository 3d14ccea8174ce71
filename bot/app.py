"""Wiring: one function builds the whole application, one runs it.

:func:`build_application` shows every entry point on one screen (like PTB's example
``main()``): handlers in reading order, the error handler, and the start-up / shutdown hooks
that open the store, rebuild digest jobs and start the inbox watcher and delivery worker.
:func:`run` is what ``newsbot run`` calls; without a token it runs the same application
against the console stand-in of :mod:`bot.console`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from . import access, handlers, health, polling
from .compat import TolerantRequest
from .config import Settings
from .console import CONSOLE_CHAT_ID, LOCAL_TOKEN, ConsoleBotAPI
from .delivery import DeliveryWorker, stop_worker
from .errors import ConfigError
from .inbox import InboxWatcher, Ingestor, is_article_name, summarize_in_thread
from .models import SubscriptionMode
from .services import SERVICES_KEY, Services, get_services, open_store, rebuild_jobs
from .store import Store
from .workers import SummaryPool

__all__ = [
    "SAMPLES_DIR",
    "build_application",
    "run",
    "running",
    "seed_inbox",
    "start_background",
    "webhook_options",
]

logger = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).with_name("samples")
BANNER = "newsbot local mode — type /help; posts appear below; Ctrl-C to quit"
App = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    store: Store | None = None,
    clock: Callable[[], datetime] | None = None,
    background: bool = True,
) -> App:
    """The bot, fully wired. ``request`` replaces the HTTP layer (tests, local mode);
    ``store`` an already open store (kept open at shutdown); ``background=False`` leaves
    the inbox watcher and delivery worker to the caller (deterministic tests)."""
    services = Services(settings=settings, store=store, background=background)
    if clock is not None:
        services.clock = clock
    token = settings.telegram_bot_token
    builder = (
        ApplicationBuilder()
        .token(token.get_secret_value() if token and token.get_secret_value() else LOCAL_TOKEN)
        .base_url(settings.telegram_api_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        # Telegram's ~30 msg/s spread evenly (one every 1/30 s) rather than 30-message bursts:
        # a server counting a sliding window then answers no 429 (docs/performance.md);
        # per-group limits keep PTB's default (20 a minute, bursts allowed for replies).
        .rate_limiter(AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 30))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.request(TolerantRequest(connection_pool_size=256)).get_updates_request(
            TolerantRequest(connection_pool_size=1)
        )
    app = builder.build()
    app.bot_data[SERVICES_KEY] = services

    access.install(app, settings, extra_chats=(CONSOLE_CHAT_ID,) if settings.local_mode else ())
    only = filters.UpdateType.MESSAGE  # who may talk to the bot at all: bot.access's gate
    app.add_handler(CommandHandler("start", handlers.start, filters=only))
    app.add_handler(CommandHandler("help", handlers.help_command, filters=only))
    app.add_handler(CommandHandler("summary", handlers.summary, filters=only))
    app.add_handler(CommandHandler("quotes", handlers.quotes, filters=only))
    app.add_handler(CommandHandler("subscribe", handlers.subscribe, filters=only))
    app.add_handler(CommandHandler("unsubscribe", handlers.unsubscribe, filters=only))
    app.add_handler(CommandHandler("timezone", handlers.timezone, filters=only))
    app.add_handler(CommandHandler("status", handlers.status, filters=only))
    app.add_handler(CommandHandler("settings", handlers.settings_command, filters=only))
    app.add_handler(CommandHandler("filter", handlers.filter_command, filters=only))
    app.add_handler(CallbackQueryHandler(handlers.settings_button, pattern=r"^set:"))
    app.add_handler(CallbackQueryHandler(handlers.more_button, pattern=r"^more:"))
    private = only & filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & filters.COMMAND, handlers.unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT, handlers.private_text))
    app.add_handler(MessageHandler(private & filters.Document.ALL, handlers.document))
    app.add_handler(ChatMemberHandler(handlers.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migrate))
    polling.install(app)  # 409 Conflict / network errors while polling: clear words, no spam
    app.add_error_handler(handlers.error_handler)
    return app


async def _post_init(app: App) -> None:
    """Open the store, publish the command menu, rebuild digest jobs, start background work."""
    services = get_services(app)
    settings = services.settings
    if services.store is None:
        services.store = await open_store(settings, clock=services.clock)
        services.owns_store = True
    await handlers.publish_commands(app.bot)  # per scope and language; never fatal
    if settings.local_mode:
        await _subscribe_console(services)
    jobs = await rebuild_jobs(app.job_queue, services)
    logger.info("started digests=%s inbox=%s", jobs, settings.inbox_dir)
    if services.background:
        if settings.workers != 0:
            # Summaries run in worker processes: both cores busy, the event loop free for
            # /status, and a file that exhausts memory kills a worker, not the bot.
            services.pool = SummaryPool(settings.workers)
            await services.pool.start()
            logger.info("summary pool kind=%s", services.pool.kind)
        start_background(app)


async def _subscribe_console(services: Services) -> None:
    """First local start: the console chat gets instant posts, so dropped files show up."""
    if await services.db.get_chat(CONSOLE_CHAT_ID) is not None:
        return
    await services.db.upsert_chat(
        CONSOLE_CHAT_ID,
        type="private",
        title="console",
        default_timezone=services.settings.timezone,
    )
    await services.db.subscribe(CONSOLE_CHAT_ID, SubscriptionMode.INSTANT)


def start_background(app: App) -> None:
    """Start the inbox watcher and the delivery worker as tasks (stopped in post_stop)."""
    services = get_services(app)
    settings = services.settings
    ingest = Ingestor(
        services.db,
        settings.inbox_dir,
        options=services.settings.summary_options,
        max_file_bytes=settings.max_file_bytes,
        on_new=services.wake.set,
        summarize=services.pool.summarize_bytes if services.pool else summarize_in_thread,
    )
    services.inbox = InboxWatcher(
        settings.inbox_dir,
        ingest,
        settle_seconds=settings.settle_seconds,
        rescan_seconds=settings.rescan_seconds,
    )
    services.worker = DeliveryWorker(
        services.db, app.bot, clock=services.clock, concurrency=services.settings.send_concurrency
    )
    services.tasks = [
        asyncio.create_task(services.inbox.run(), name="newsbot-inbox"),
        asyncio.create_task(services.worker.run_forever(services.wake), name="newsbot-delivery"),
    ]
    for task in services.tasks:
        task.add_done_callback(_report_exit)


def _report_exit(task: asyncio.Task[None]) -> None:
    """A background loop must never end on its own: log loudly if one does."""
    if not task.cancelled() and task.exception() is not None:
        logger.error("%s stopped", task.get_name(), exc_info=task.exception())


async def _stop_background(services: Services) -> None:
    tasks, services.tasks = services.tasks, []
    worker_task = next((t for t in tasks if t.get_name() == "newsbot-delivery"), None)
    await stop_worker(services.worker, worker_task)  # the part in flight is finished first
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _post_stop(app: App) -> None:
    """Stop the watcher and the worker before the bot's connection closes."""
    await _stop_background(get_services(app))


async def _post_shutdown(app: App) -> None:
    """Close what post_init opened."""
    services = get_services(app)
    await _stop_background(services)
    if services.pool is not None:
        await services.pool.close()
        services.pool = None
    if services.store is not None and services.owns_store:
        await services.store.close()
        services.store = None


@asynccontextmanager
async def running(app: App, *, poll_timeout: int = 1) -> AsyncIterator[App]:
    """Run ``app`` in the current event loop as ``run_polling`` would (for tests and embedding)."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=timedelta(seconds=poll_timeout),
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
        await app.start()
        yield app
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def seed_inbox(inbox: Path, samples: Path = SAMPLES_DIR) -> int:
    """Copy the sample articles into an empty inbox (never moves or overwrites); how many."""
    inbox.mkdir(parents=True, exist_ok=True)
    if any(is_article_name(p.name) for p in inbox.iterdir()):
        return 0
    copied = 0
    for sample in sorted(samples.iterdir()):
        if sample.is_file() and is_article_name(sample.name):
            shutil.copy2(sample, inbox / sample.name)
            copied += 1
    return copied


def webhook_options(settings: Settings) -> dict[str, Any]:
    """``run_webhook`` arguments: listen on NEWSBOT_WEBHOOK_LISTEN:PORT at the public URL's path
    (a reverse proxy forwards https://host/path to it) and register the URL with Telegram."""
    secret = settings.webhook_secret
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url or "").path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": secret.get_secret_value() if secret else None,
        "allowed_updates": Update.ALL_TYPES,
        "drop_pending_updates": False,
    }


def run(settings: Settings, *, background: bool = True) -> None:
    """Run the bot until SIGINT/SIGTERM (blocking); local console mode when there is no token.
    ``background=False`` answers updates only (no inbox watcher or delivery worker): the
    ``updates`` role of :mod:`bot.roles`.

    Raises :class:`ConfigError` when the Bot API cannot be reached or refuses the token.
    """
    request: BaseRequest | None = None
    if settings.local_mode:
        seeded = seed_inbox(settings.inbox_dir)
        request = ConsoleBotAPI()
        print(BANNER, flush=True)
        print(f"inbox: {settings.inbox_dir.resolve()}", flush=True)
        if seeded:
            print(f"(copied {seeded} sample articles into the empty inbox)", flush=True)
        if settings.log_level.upper() != "DEBUG":
            # The console is the chat: keep routine log lines out of the conversation.
            for chatty in ("bot", "telegram", "apscheduler"):
                logging.getLogger(chatty).setLevel(logging.WARNING)
    app = build_application(settings, request=request, background=background)
    health.install(app, interval=settings.metrics_seconds)
    try:
        if settings.webhook_mode:
            options = webhook_options(settings)
            logger.info(
                "webhook mode url=%s listen=%s:%s secret=%s",
                settings.webhook_url,
                options["listen"],
                options["port"],
                "set" if options["secret_token"] else "none",
            )
            app.run_webhook(**options)
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
            polling.raise_if_fatal(app)
    except InvalidToken as exc:
        raise ConfigError(
            "the Bot API server rejected TELEGRAM_BOT_TOKEN (or TELEGRAM_API_BASE_URL is not a "
            f"Bot API): {exc}"
        ) from exc
    except NetworkError as exc:
        raise ConfigError(
            f"cannot reach the Bot API at {settings.telegram_api_base_url}: {exc}"
        ) from exc
