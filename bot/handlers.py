"""Chat commands and membership updates: each handler parses, calls one service, replies.

Arguments are parsed by :mod:`bot.commands` (pure, raising :class:`UsageError`); the
:func:`user_errors` wrapper turns :class:`UsageError` / :class:`AccessDenied` into a polite
reply, and everything else goes to :func:`error_handler`, which logs first.
"""

from __future__ import annotations

import asyncio
import functools
import html
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, ChatMember, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from summaries import ArticleError, Summary, SummaryOptions, parse_article, summarize_article

from . import render
from .commands import COMMANDS, parse_subscribe, parse_timezone, parse_words
from .errors import AccessDenied, UsageError
from .models import StoredArticle, SubscriptionMode
from .schedule import remove_digest_job
from .services import Services, get_services, reschedule_chat, schedule_subscription

__all__ = [
    "error_handler",
    "help_command",
    "membership",
    "migrate",
    "private_text",
    "quotes",
    "start",
    "status",
    "subscribe",
    "summary",
    "timezone",
    "unknown_command",
    "unsubscribe",
]

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]

MIN_REPLY_CHARS = 200  # shorter replied-to texts are not worth a summary
ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


def user_errors(handler: Handler) -> Handler:
    """Answer :class:`UsageError` and :class:`AccessDenied` with their message for the user."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        try:
            await handler(update, context)
        except (UsageError, AccessDenied) as exc:
            if update.effective_message is not None:
                await update.effective_message.reply_text(html.escape(str(exc)))

    return wrapper


async def _reply_parts(message: Message, parts: list[str]) -> None:
    for part in parts:
        await message.reply_text(part)


def _thread_id(message: Message) -> int | None:
    """The forum topic a command came from (posts go back to the same topic)."""
    return message.message_thread_id if message.is_topic_message else None


async def _remember_chat(services: Services, chat: Chat) -> None:
    await services.db.upsert_chat(
        chat.id,
        type=chat.type,
        title=chat.title or chat.full_name,
        default_timezone=services.settings.timezone,
    )


async def _require_admin(update: Update, context: Context) -> None:
    """Group settings are for group admins; in a private chat the user is the admin."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    if message is not None and message.sender_chat is not None:
        if message.sender_chat.id == chat.id:
            return  # an anonymous admin posts as the group itself
        raise AccessDenied("Only this group's admins can change its subscriptions and settings.")
    if user is None:
        raise AccessDenied("Only this group's admins can change its subscriptions and settings.")
    services = get_services(context)
    if user.id in services.settings.owner_ids:
        return
    is_admin = services.cached_admin(chat.id, user.id)
    if is_admin is None:
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:  # unknown (or unsupported by the server): refuse, no cache
            logger.warning("admin check failed chat=%s user=%s error=%s", chat.id, user.id, exc)
            is_admin = False
        else:
            is_admin = member.status in ADMIN_STATUSES
            services.remember_admin(chat.id, user.id, is_admin)
    if not is_admin:
        raise AccessDenied(
            "Sorry, only this group's admins can change its subscriptions and settings."
        )


def _help_text() -> str:
    lines = ["<b>newsbot</b> posts summaries and key quotes of news articles.", ""]
    lines += [f"/{name} — {html.escape(text)}" for name, text in COMMANDS]
    lines += [
        "",
        "Examples: <code>/summary harbour</code>, <code>/subscribe daily 08:00</code>, "
        "<code>/subscribe every 6 h</code>, <code>/timezone Europe/Berlin</code>.",
        "Reply to a long message with /summary to summarize that text.",
    ]
    return "\n".join(lines)


@user_errors
async def start(update: Update, context: Context) -> None:
    """Greet the user and list the commands."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    await _remember_chat(get_services(context), chat)
    await message.reply_text(_help_text())


@user_errors
async def help_command(update: Update, context: Context) -> None:
    """List the commands."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(_help_text())


def _transient(summary: Summary) -> StoredArticle:
    """Wrap a summary of a chat message so the article renderer can show it (never stored)."""
    article = summary.article
    return StoredArticle(
        id=0,
        content_hash="",
        path="",
        title=article.title or "Summary of the message",
        source=None,
        date=None,
        created_at=datetime.now(UTC),
        summary=summary,
    )


def _summarize_text(text: str, options: SummaryOptions) -> Summary:
    return summarize_article(parse_article(text.encode("utf-8"), "message.txt"), options)


@user_errors
async def summary(update: Update, context: Context) -> None:
    """Summary of the newest (or matching) article, or of the replied-to message's text."""
    message = update.effective_message
    if message is None:
        return
    services = get_services(context)
    replied = message.reply_to_message
    text = (replied.text or replied.caption or "") if replied is not None else ""
    if text and (len(text) >= MIN_REPLY_CHARS or not context.args):
        if len(text) < MIN_REPLY_CHARS:
            raise UsageError("That message is too short to summarize.")
        try:
            result = await asyncio.to_thread(_summarize_text, text, services.summary_options)
        except ArticleError as exc:
            raise UsageError(f"I couldn't summarize that message: {exc.reason}") from exc
        await _reply_parts(message, render.render_article(_transient(result)))
        return
    words = parse_words(context.args or [])
    article = await services.db.latest_article(words)
    if article is None:
        raise UsageError(
            f"No article matches {words!r}." if words else "No articles yet: the inbox is empty."
        )
    await _reply_parts(message, render.render_article(article))


@user_errors
async def quotes(update: Update, context: Context) -> None:
    """Key quotes, with speakers, of the newest (or matching) article."""
    message = update.effective_message
    if message is None:
        return
    words = parse_words(context.args or [])
    article = await get_services(context).db.latest_article(words)
    if article is None:
        raise UsageError(
            f"No article matches {words!r}." if words else "No articles yet: the inbox is empty."
        )
    await _reply_parts(message, render.render_quotes(article))


def _describe(mode: str, at: Any, every_hours: int | None, timezone: str) -> str:
    if mode == SubscriptionMode.DAILY and at is not None:
        return f"a daily digest at {at:%H:%M} ({html.escape(timezone)})"
    if mode == SubscriptionMode.EVERY and every_hours:
        return f"a digest every {every_hours} h"
    return "every new article as it arrives"


@user_errors
async def subscribe(update: Update, context: Context) -> None:
    """Subscribe this chat (topic) to instant posts or a digest."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    request = parse_subscribe(context.args or [])
    await _require_admin(update, context)
    services = get_services(context)
    await _remember_chat(services, chat)
    sub = await services.db.subscribe(
        chat.id,
        SubscriptionMode(request.mode),
        thread_id=_thread_id(message),
        at=request.at,
        every_hours=request.every_hours,
    )
    stored_chat = await services.db.get_chat(chat.id)
    tz = stored_chat.timezone if stored_chat else services.settings.timezone
    schedule_subscription(context.job_queue, services, sub, tz)
    logger.info("subscribed chat=%s sub=%s mode=%s", chat.id, sub.id, sub.mode)
    text = f"Subscribed: this chat gets {_describe(sub.mode, sub.at, sub.every_hours, tz)}."
    if sub.mode == SubscriptionMode.DAILY:
        text += " Change the time zone with /timezone Area/City."
    await message.reply_text(text)


@user_errors
async def unsubscribe(update: Update, context: Context) -> None:
    """Stop posts in this chat (topic)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    await _require_admin(update, context)
    services = get_services(context)
    removed = await services.db.unsubscribe(chat.id, _thread_id(message))
    if context.job_queue is not None:
        for sub in removed:
            remove_digest_job(context.job_queue, sub.id)
    logger.info("unsubscribed chat=%s removed=%s", chat.id, len(removed))
    await message.reply_text(
        "Unsubscribed: no more posts here." if removed else "This chat had no subscription."
    )


@user_errors
async def timezone(update: Update, context: Context) -> None:
    """Show or set this chat's time zone (digests follow it, daylight saving included)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    services = get_services(context)
    if not context.args:
        stored = await services.db.get_chat(chat.id)
        current = stored.timezone if stored else services.settings.timezone
        await message.reply_text(
            f"This chat's time zone is {html.escape(current)}. "
            "Change it with /timezone Area/City, e.g. /timezone Europe/Berlin."
        )
        return
    name = parse_timezone(context.args)
    await _require_admin(update, context)
    await _remember_chat(services, chat)
    await services.db.set_timezone(chat.id, name)
    moved = await reschedule_chat(context.job_queue, services, chat.id)
    text = f"Time zone set to {html.escape(name)}."
    if moved:
        text += f" Rescheduled {moved} digest(s)."
    await message.reply_text(text)


@user_errors
async def private_text(update: Update, context: Context) -> None:
    """In a private chat, a pasted long text is summarized; anything shorter gets a hint."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if len(message.text) < MIN_REPLY_CHARS:
        await message.reply_text(
            "Send /help for the commands, or paste a whole article to get its summary."
        )
        return
    services = get_services(context)
    try:
        result = await asyncio.to_thread(_summarize_text, message.text, services.summary_options)
    except ArticleError as exc:
        raise UsageError(f"I couldn't summarize that text: {exc.reason}") from exc
    await _reply_parts(message, render.render_article(_transient(result)))


async def unknown_command(update: Update, context: Context) -> None:
    """A command this bot does not have (private chats only, so groups stay quiet)."""
    if update.effective_message is not None:
        await update.effective_message.reply_text("I don't know that command. Try /help.")


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    if seconds < 120:
        return f"{max(seconds, 0)} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


@user_errors
async def status(update: Update, context: Context) -> None:
    """Inbox, articles, this chat's subscriptions, queue and recent bad files."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    services = get_services(context)
    db, now = services.db, services.clock()
    stats = await db.queue_stats()
    subs = await db.list_subscriptions(chat_id=chat.id, include_paused=True)
    stored_chat = await db.get_chat(chat.id)
    tz = stored_chat.timezone if stored_chat else services.settings.timezone
    lines = [
        "<b>newsbot status</b>",
        f"Inbox: <code>{html.escape(str(services.settings.inbox_dir))}</code>"
        + (
            f" ({services.inbox.pending} file(s) settling)"
            if services.inbox and services.inbox.pending
            else ""
        ),
        f"Articles: {await db.count_articles()}",
        f"Queue: {stats.pending} pending, {stats.sent} sent, {stats.failed} failed",
        f"Last post: {_ago(stats.last_sent_at, now)}",
        f"This chat: time zone {html.escape(tz)}; "
        + (
            ", ".join(
                _describe(s.mode, s.at, s.every_hours, tz) + (" (paused)" if s.paused else "")
                for s in subs
            )
            or "not subscribed"
        ),
    ]
    bad = await db.recent_bad_files(limit=5)
    if bad:
        lines.append("Recent bad files:")
        lines += [f"• {html.escape(_short_name(b.path))}: {html.escape(b.reason)}" for b in bad]
    await _reply_parts(message, render.split_message("\n".join(lines)))


def _short_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


async def membership(update: Update, context: Context) -> None:
    """The bot was added to or removed from a chat: remember it, or stop posting there."""
    change = update.my_chat_member
    if change is None:
        return
    services = get_services(context)
    chat = change.chat
    was = change.old_chat_member.status
    now_status = change.new_chat_member.status
    present = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    if now_status in present and was not in present:
        await _remember_chat(services, chat)
        await services.db.set_chat_active(chat.id, True)
        logger.info("added to chat=%s type=%s", chat.id, chat.type)
        if chat.type != ChatType.PRIVATE and chat.type != ChatType.CHANNEL:
            try:
                await context.bot.send_message(
                    chat.id,
                    "Hello! I post news summaries. A group admin can turn posts on with "
                    "/subscribe (or /subscribe daily HH:MM). /help lists everything.",
                )
            except TelegramError as exc:
                logger.info("could not greet chat=%s error=%s", chat.id, exc)
    elif now_status not in present and was in present:
        await services.db.upsert_chat(chat.id, type=chat.type, title=chat.title)
        await services.db.set_chat_active(chat.id, False)
        logger.info("removed from chat=%s status=%s", chat.id, now_status)


async def migrate(update: Update, context: Context) -> None:
    """A group became a supergroup: move its chat, subscriptions and pending posts."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    services = get_services(context)
    await services.db.migrate_chat(message.chat_id, message.migrate_to_chat_id)
    await reschedule_chat(context.job_queue, services, message.migrate_to_chat_id)
    logger.info("chat migrated old=%s new=%s", message.chat_id, message.migrate_to_chat_id)


async def error_handler(update: object, context: Context) -> None:
    """Log the error with its traceback, then tell the user something went wrong."""
    logger.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(
                "Sorry, something went wrong on my side. Please try again later."
            )
        except TelegramError:
            logger.warning("could not tell the user about the error")
