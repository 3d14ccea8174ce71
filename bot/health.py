"""Health and basic metrics: one snapshot, shown in ``/status`` and logged every few minutes.

The numbers come from the store (articles, outbox, bad files) plus two process facts kept in
``bot_data`` (start time, error-log count), so a restart starts uptime and errors from zero
while the store's totals survive. :func:`status_lines` and :func:`metrics_line` are pure; the
periodic job (:func:`metrics_job`) logs ``metrics key=value ...`` at INFO, with the same
numbers as structured ``extra`` fields for the JSON log format.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext

from .services import get_services

if TYPE_CHECKING:
    from .store import Store

__all__ = [
    "HEALTH_KEY",
    "ErrorCounter",
    "Health",
    "Metrics",
    "collect",
    "format_duration",
    "get_health",
    "install",
    "metrics_fields",
    "metrics_job",
    "metrics_line",
    "snapshot",
    "status_lines",
]

logger = logging.getLogger(__name__)

HEALTH_KEY = "newsbot.health"
METRICS_JOB = "newsbot:metrics"
#: ``/status`` counts bad files up to this many (the store keeps them all; the count is a hint).
BAD_FILES_CAP = 1000

AnyApp = Application[Any, Any, Any, Any, Any, Any]
AnyContext = CallbackContext[Any, Any, Any, Any]


class ErrorCounter(logging.Handler):
    """Counts ERROR-and-worse log records: the "errors since start" metric, no extra wiring."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass(slots=True)
class Health:
    """Process facts that the store does not keep: when this process started, its errors."""

    started_at: datetime
    errors: ErrorCounter = field(default_factory=ErrorCounter)


@dataclass(frozen=True, slots=True)
class Metrics:
    """One snapshot of the bot's health, for ``/status`` and the ``metrics`` log line."""

    uptime_seconds: float
    articles: int
    posts_sent: int
    queue_pending: int
    queue_failed: int
    bad_files: int
    errors: int
    inbox_settling: int = 0
    last_sent_at: datetime | None = None


def format_duration(seconds: float) -> str:
    """``3d 4h``, ``2h 5m``, ``7m 3s``, ``42s``: two units are enough to read at a glance."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


async def collect(
    store: Store,
    *,
    started_at: datetime,
    now: datetime,
    errors: int = 0,
    inbox_settling: int = 0,
) -> Metrics:
    """Read the store's totals and combine them with the process facts."""
    stats = await store.queue_stats()
    counter = getattr(store, "count_bad_files", None)
    if counter is not None:
        bad_files = int(await counter())
    else:
        bad_files = len(await store.recent_bad_files(limit=BAD_FILES_CAP))
    return Metrics(
        uptime_seconds=(now - started_at).total_seconds(),
        articles=await store.count_articles(),
        posts_sent=stats.sent,
        queue_pending=stats.pending,
        queue_failed=stats.failed,
        bad_files=bad_files,
        errors=errors,
        inbox_settling=inbox_settling,
        last_sent_at=stats.last_sent_at,
    )


_STATUS_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "uptime": "Uptime: {uptime}",
        "articles": "Articles: {articles} ingested, {bad} bad file(s){settling}",
        "settling": ", {count} settling",
        "posts": "Posts: {sent} sent, {pending} queued, {failed} failed",
        "errors": "Errors since start: {errors}",
    },
    "ru": {
        "uptime": "Работает: {uptime}",
        "articles": "Статьи: принято {articles}, нечитаемых файлов {bad}{settling}",
        "settling": ", ещё записываются {count}",
        "posts": "Публикации: отправлено {sent}, в очереди {pending}, с ошибкой {failed}",
        "errors": "Ошибок с запуска: {errors}",
    },
}


def status_lines(metrics: Metrics, lang: str = "en") -> list[str]:
    """Plain-text lines for ``/status`` in English or Russian (no user text: nothing to escape)."""
    text = _STATUS_TEXT.get(lang, _STATUS_TEXT["en"])
    bad = f"{metrics.bad_files}+" if metrics.bad_files >= BAD_FILES_CAP else str(metrics.bad_files)
    settling = (
        text["settling"].format(count=metrics.inbox_settling) if metrics.inbox_settling else ""
    )
    return [
        text["uptime"].format(uptime=format_duration(metrics.uptime_seconds)),
        text["articles"].format(articles=metrics.articles, bad=bad, settling=settling),
        text["posts"].format(
            sent=metrics.posts_sent, pending=metrics.queue_pending, failed=metrics.queue_failed
        ),
        text["errors"].format(errors=metrics.errors),
    ]


def metrics_fields(metrics: Metrics) -> dict[str, Any]:
    """The snapshot as flat, log-friendly fields (uptime in whole seconds, times ISO 8601)."""
    fields = asdict(metrics)
    fields["uptime_seconds"] = int(metrics.uptime_seconds)
    fields["last_sent_at"] = metrics.last_sent_at.isoformat() if metrics.last_sent_at else None
    return fields


def metrics_line(metrics: Metrics) -> str:
    """One grep-able ``key=value`` line: ``metrics uptime=300s articles=12 sent=40 ...``."""
    return (
        f"metrics uptime={int(metrics.uptime_seconds)}s articles={metrics.articles} "
        f"sent={metrics.posts_sent} pending={metrics.queue_pending} "
        f"failed={metrics.queue_failed} bad_files={metrics.bad_files} "
        f"errors={metrics.errors} settling={metrics.inbox_settling}"
    )


def get_health(source: AnyContext | AnyApp, now: datetime | None = None) -> Health:
    """The process's :class:`Health`, created on first use (tests need no :func:`install`)."""
    health = source.bot_data.get(HEALTH_KEY)
    if not isinstance(health, Health):
        health = Health(started_at=now or datetime.now(UTC))
        source.bot_data[HEALTH_KEY] = health
    return health


async def snapshot(source: AnyContext | AnyApp) -> Metrics:
    """The current :class:`Metrics` of a running application (what ``/status`` shows)."""
    services = get_services(source)
    now = services.clock()
    health = get_health(source, now)
    return await collect(
        services.db,
        started_at=health.started_at,
        now=now,
        errors=health.errors.count,
        inbox_settling=services.inbox.pending if services.inbox else 0,
    )


async def metrics_job(context: AnyContext) -> None:
    """JobQueue callback: one INFO ``metrics ...`` line (structured ``metrics`` extra for JSON)."""
    metrics = await snapshot(context)
    logger.info(metrics_line(metrics), extra={"metrics": metrics_fields(metrics)})


def install(app: AnyApp, *, interval: float, now: datetime | None = None) -> Health:
    """Start counting errors and log metrics every ``interval`` seconds (0: never)."""
    health = get_health(app, now)
    root = logging.getLogger()
    if health.errors not in root.handlers:
        root.addHandler(health.errors)
    if interval > 0 and app.job_queue is not None:
        app.job_queue.run_repeating(
            metrics_job, interval=interval, first=interval, name=METRICS_JOB
        )
    return health
