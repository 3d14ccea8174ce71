"""The outbox worker: sends pending deliveries to Telegram, exactly once where Telegram allows.

A delivery is rendered once and its parts pinned in the store; each part is recorded the
moment Telegram accepts it and the row is SENT only after the last one. So a crash at any
point resumes with the next unsent part and never repeats an accepted one. (One window is
unavoidable: Telegram accepted a part but the process died before recording it. Telegram has
no idempotency key, so that part would go out again; the window is one local store write,
for each of the up to ``concurrency`` chats being sent to at that moment.)

What Telegram says, and what we do::

    RetryAfter (429)           reschedule after retry_after; not counted as an attempt
    ChatMigrated               move the chat in the store, send to the new id at once
    Forbidden (403)            blocked/kicked: pause the chat, fail its pending posts
    BadRequest parse entities  resend that part as plain text
    other BadRequest           fail with Telegram's reason (retrying cannot help)
    TimedOut / NetworkError    exponential backoff with jitter, FAILED after max_attempts

PTB's ``AIORateLimiter`` (on the Application's bot) paces requests; it is built with
``max_retries=0`` (measured best: a retry inside the limiter blocks the whole queue), so a
``RetryAfter`` reaches us and the row waits in the store instead of blocking the worker.

Shutting down (SIGTERM/SIGINT) keeps the queue: :meth:`DeliveryWorker.stop` lets the part in
flight finish and be recorded, then the worker returns; unsent rows stay PENDING for the next
start. Cancelling a task in the middle of a request would open the duplicate window above
for no reason, so :func:`stop_worker` cancels only after a grace period.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import random
import warnings
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from .models import Delivery, DeliveryState
from .render import (
    PostStyle,
    digest_markup,
    render_article,
    render_digest,
    style_for,
    to_plain_text,
)
from .render import digest_title as local_digest_title
from .store import Store

__all__ = ["DeliveryWorker", "digest_title", "retry_after_seconds", "stop_worker"]

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]

#: Name of the tasks that send to one chat each inside :meth:`DeliveryWorker.run_once`.
LANE_TASK = "newsbot-delivery-lane"
_RENDER_CACHE = 32  # articles whose rendering is kept (one article fans out to many chats)
_PARSE_ERRORS = ("can't parse entities", "can't find end of the entity", "unsupported start tag")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds to wait, whether PTB gives ``retry_after`` as int or timedelta (22.x migrates
    from one to the other and warns on the old form)."""
    value: object = getattr(exc, "_retry_after", None)
    if value is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float):
        return float(value)
    return 1.0


def digest_title(when: datetime, timezone: str) -> str:
    """The digest header, dated in the chat's own time zone."""
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    local = when.astimezone(tz)
    return f"News digest · {local:%a} {local.day} {local:%b %Y}"


class DeliveryWorker:
    """Claims due outbox rows and sends them, one part at a time, through ``bot``."""

    def __init__(
        self,
        store: Store,
        bot: Bot,
        *,
        batch: int = 50,
        max_attempts: int = 8,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
        poll_interval: float = 0.5,
        base_backoff: float = 2.0,
        max_backoff: float = 900.0,
        concurrency: int = 4,
    ) -> None:
        self._store = store
        self._bot = bot
        self._batch = batch
        self._max_attempts = max_attempts
        self._clock = clock or _utc_now
        self._sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        self._poll_interval = poll_interval
        self._base_backoff = base_backoff
        self._max_backoff = max_backoff
        self._concurrency = max(1, concurrency)
        self._rendered: dict[tuple[int, PostStyle], tuple[str, ...]] = {}
        self._styles: dict[int, PostStyle] = {}  # per batch: /settings changes apply next batch
        self._lock = asyncio.Lock()
        self._blocked: set[int] = set()
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the part in flight, then stop (:meth:`run_forever` returns); the rest of the
        queue stays PENDING in the store."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run_once(self) -> int:
        """Send what is due now; returns how many deliveries were worked on.

        Rows are split into one lane per chat, and up to ``concurrency`` lanes send at once:
        Telegram is tens of milliseconds away, so one request at a time would cap a bot at
        about 15 messages a second, below Telegram's own limit of about 30. Within a lane
        (one chat) posts keep their order. Calls on one worker never overlap (a lock), so a
        row is never sent twice by it.
        """
        async with self._lock:
            claimed_at = self._clock()
            due = await self._store.claim_due(self._batch, claimed_at)
            # Several deliver processes: the rows are ours for the store's claim lease only.
            # Stop well before it runs out (the rest is reclaimed later), or a slow batch
            # would be sent twice.
            lease = self._store.claim_lease
            give_back = claimed_at + lease * 0.6 if lease is not None else None
            self._blocked.clear()
            self._styles.clear()
            lanes: dict[int, list[Delivery]] = {}
            for delivery in due:
                lanes.setdefault(delivery.chat_id, []).append(delivery)
            pending = collections.deque(lanes.values())
            halt = asyncio.Event()  # the lease ran out, or a lane failed: finish, take no more

            async def lane() -> None:
                while pending and not halt.is_set():
                    for delivery in pending.popleft():
                        if self._stopping.is_set() or halt.is_set():
                            return
                        if give_back is not None and self._clock() > give_back:
                            logger.warning("claim lease running out, leaving the rest of the batch")
                            halt.set()
                            return
                        if delivery.chat_id in self._blocked:
                            continue  # paused earlier in this batch; its rows failed already
                        try:
                            await self._process(delivery)
                        except Exception:
                            halt.set()  # the others finish the delivery in hand, then stop
                            raise

            width = max(1, min(self._concurrency, len(lanes)))
            tasks = [asyncio.create_task(lane(), name=LANE_TASK) for _ in range(width)]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
                if any(t.done() and not t.cancelled() and _fatal(t.exception()) for t in tasks):
                    for task in tasks:  # the process is going down: do not wait for the rest
                        task.cancel()
                await asyncio.wait(tasks)
            except asyncio.CancelledError:
                for task in tasks:
                    task.cancel()
                await asyncio.wait(tasks)  # none may outlive the call (nor the store it uses)
                raise
            for task in tasks:
                if not task.cancelled() and (exc := task.exception()) is not None:
                    raise exc
            return len(due)

    async def run_forever(self, wake: asyncio.Event) -> None:
        """Loop until cancelled: work, then wait for ``wake`` (new rows) or the poll interval
        (retries coming due). Survives any error: logs it with the traceback and backs off."""
        failures = 0
        while not self._stopping.is_set():
            try:
                processed = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                logger.exception("delivery loop failed failures=%s", failures)
                await self._sleep(min(self._poll_interval * 2**failures, 30.0))
                continue
            failures = 0
            if processed >= self._batch:
                continue  # more may be due right now
            stop = asyncio.ensure_future(self._stopping.wait())
            woken = asyncio.ensure_future(wake.wait())
            try:
                await asyncio.wait(
                    (stop, woken), timeout=self._poll_interval, return_when="FIRST_COMPLETED"
                )
            finally:
                stop.cancel()
                woken.cancel()
            wake.clear()

    # -- one delivery ----------------------------------------------------------------------------

    async def _process(self, delivery: Delivery) -> None:
        try:
            parts = await self._parts(delivery)
        except Exception as exc:  # a rendering bug must not stop the other deliveries
            logger.exception("render failed delivery=%s", delivery.id)
            await self._retry_later(delivery, f"render failed: {exc!r}")
            return
        if not parts:
            await self._store.mark_failed(delivery.id, "nothing to send (article missing)")
            logger.warning("delivery failed delivery=%s reason=empty", delivery.id)
            return

        chat_id = delivery.chat_id
        index = delivery.parts_sent
        pinned = bool(delivery.parts)
        plain = False
        migrations = 0
        while index < len(parts):
            if self._stopping.is_set():
                return  # shutting down: the next start resumes at this part
            text = to_plain_text(parts[index]) if plain else parts[index]
            last_of_digest = delivery.kind == "digest" and index == len(parts) - 1
            markup = await self._digest_markup(delivery) if last_of_digest else None
            try:
                message_id = await self._send(
                    chat_id, delivery.thread_id, text, html=not plain, reply_markup=markup
                )
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                await self._store.mark_retry(
                    delivery.id,
                    f"RetryAfter: {wait:g}s",
                    self._clock() + timedelta(seconds=wait),
                    count_attempt=False,
                )
                logger.warning(
                    "flood wait delivery=%s chat=%s retry_after=%s", delivery.id, chat_id, wait
                )
                return
            except ChatMigrated as exc:
                migrations += 1
                if migrations > 2:
                    await self._store.mark_failed(delivery.id, f"chat migrated again: {exc}")
                    return
                await self._store.migrate_chat(chat_id, exc.new_chat_id)
                logger.info(
                    "chat migrated delivery=%s old=%s new=%s",
                    delivery.id,
                    chat_id,
                    exc.new_chat_id,
                )
                chat_id = exc.new_chat_id
                moved = await self._store.get_delivery(delivery.id)
                if moved is None or moved.state is not DeliveryState.PENDING:
                    return  # the new chat already had this post queued
                continue
            except Forbidden as exc:
                self._blocked.add(chat_id)
                await self._store.pause_chat(chat_id, exc.message)
                await self._store.mark_failed(delivery.id, exc.message)
                logger.warning(
                    "chat forbidden delivery=%s chat=%s reason=%s",
                    delivery.id,
                    chat_id,
                    exc.message,
                )
                return
            except BadRequest as exc:
                if not plain and any(p in exc.message.lower() for p in _PARSE_ERRORS):
                    logger.warning(
                        "html rejected, resending as plain text delivery=%s chat=%s reason=%s",
                        delivery.id,
                        chat_id,
                        exc.message,
                    )
                    plain = True
                    continue
                await self._store.mark_failed(delivery.id, exc.message)
                logger.warning(
                    "delivery failed delivery=%s chat=%s reason=%s",
                    delivery.id,
                    chat_id,
                    exc.message,
                )
                return
            except (NetworkError, TelegramError) as exc:  # TimedOut is a NetworkError
                await self._retry_later(delivery, f"{type(exc).__name__}: {exc.message}")
                return
            index += 1
            await self._store.record_part_sent(
                delivery.id,
                message_id,
                parts=None if pinned else parts,
                done=index == len(parts),
            )
            pinned = True
            plain = False
        if delivery.parts_sent >= len(parts):  # crashed after the last part, before SENT
            await self._store.mark_sent(delivery.id)
        logger.info(
            "delivered delivery=%s kind=%s chat=%s parts=%s",
            delivery.id,
            delivery.kind,
            chat_id,
            len(parts),
        )

    async def _parts(self, delivery: Delivery) -> tuple[str, ...]:
        """The pinned parts, else a fresh rendering (pinned with the first accepted part).

        An article goes to many chats with the same text, so its rendering is cached here.
        """
        if delivery.parts:
            return delivery.parts
        style = await self._style(delivery.chat_id)
        if delivery.kind == "article" and delivery.article_ids:
            cached = self._rendered.get((delivery.article_ids[0], style))
            if cached is not None:
                return cached
        articles = await self._store.get_articles(delivery.article_ids)
        if not articles:
            return ()
        if delivery.kind == "digest":
            chat = await self._store.get_chat(delivery.chat_id)
            tz = chat.timezone if chat else "UTC"
            title = local_digest_title(delivery.created_at, tz, style.lang)
            return tuple(render_digest(articles, title=title, style=style))
        parts = tuple(render_article(articles[0], style))
        if len(self._rendered) >= _RENDER_CACHE:
            self._rendered.pop(next(iter(self._rendered)))
        self._rendered[(articles[0].id, style)] = parts
        return parts

    async def _style(self, chat_id: int) -> PostStyle:
        """The chat's /settings (language, summary length, quotes) for rendering its posts."""
        style = self._styles.get(chat_id)
        if style is None:
            style = self._styles[chat_id] = style_for(await self._store.get_chat(chat_id))
        return style

    async def _digest_markup(self, delivery: Delivery) -> InlineKeyboardMarkup | None:
        """The numbered "more" buttons under a digest's last part (see bot.render)."""
        return digest_markup(await self._store.get_articles(delivery.article_ids))

    async def _send(
        self,
        chat_id: int,
        thread_id: int | None,
        text: str,
        *,
        html: bool,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> int:
        message = await self._bot.send_message(
            chat_id=chat_id,
            text=text,
            message_thread_id=thread_id,
            parse_mode=ParseMode.HTML if html else None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            reply_markup=reply_markup,
        )
        return message.message_id

    def _scrub(self, reason: str) -> str:
        """Error texts go to the store and the log: never with the bot token in them."""
        token = getattr(self._bot, "token", "")
        return reason.replace(token, "[REDACTED]") if token else reason

    async def _retry_later(self, delivery: Delivery, reason: str) -> None:
        """Back off exponentially with jitter; give up after ``max_attempts``."""
        reason = self._scrub(reason)
        attempt = delivery.attempts + 1
        if attempt >= self._max_attempts:
            await self._store.mark_failed(
                delivery.id, f"{reason} (gave up after {attempt} attempts)"
            )
            logger.warning(
                "delivery failed delivery=%s chat=%s attempts=%s reason=%s",
                delivery.id,
                delivery.chat_id,
                attempt,
                reason,
            )
            return
        delay = min(self._max_backoff, self._base_backoff * 2 ** (attempt - 1))
        delay *= 0.5 + self._rng.random()
        await self._store.mark_retry(delivery.id, reason, self._clock() + timedelta(seconds=delay))
        logger.info(
            "delivery retry delivery=%s chat=%s attempt=%s in=%.1fs reason=%s",
            delivery.id,
            delivery.chat_id,
            attempt,
            delay,
            reason,
        )


def _fatal(exc: BaseException | None) -> bool:
    """Not an error to recover from (KeyboardInterrupt, SystemExit...): stop every lane."""
    return exc is not None and not isinstance(exc, Exception)


async def stop_worker(
    worker: DeliveryWorker | None, task: asyncio.Task[None] | None, *, grace: float = 5.0
) -> None:
    """Ask the worker to stop after the part in flight, wait up to ``grace`` seconds, then
    cancel (a send stuck in a long flood wait must not hold shutdown forever)."""
    if worker is not None:
        worker.stop()
    if task is None or task.done():
        return
    await asyncio.wait({task}, timeout=grace)
    if task.done():
        return
    logger.warning("delivery worker did not stop within %.1fs; cancelling it", grace)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
