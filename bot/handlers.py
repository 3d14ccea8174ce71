"""Chat commands, buttons and membership updates: each handler parses, calls one service,
replies.

Arguments are parsed by :mod:`bot.commands` (pure, raising :class:`UsageError`); the
:func:`user_errors` wrapper turns :class:`UsageError` / :class:`AccessDenied` into a polite
reply in the reader's language (:mod:`bot.i18n`), and everything else goes to
:func:`error_handler`, which logs first. The ``/settings`` keyboard's layout lives in
:mod:`bot.settings_menu`, digest "more" buttons in :mod:`bot.render`, admin uploads in
:mod:`bot.uploads`.
"""

from __future__ import annotations

import asyncio
import functools
import html
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from summaries import ArticleError, Summary, SummaryOptions, parse_article, summarize_article

from . import access, health, render, settings_menu, uploads
from .commands import (
    COMMAND_TABLE,
    command_menu,
    parse_filter,
    parse_subscribe,
    parse_timezone,
    parse_words,
)
from .errors import AccessDenied, UsageError
from .filters import MAX_FILTERS
from .i18n import CATALOGUE, LANGUAGES, Problem, pick_language, t
from .models import Chat as StoredChat
from .models import StoredArticle, Subscription, SubscriptionMode
from .schedule import remove_digest_job
from .services import Services, get_services, reschedule_chat, schedule_subscription

__all__ = [
    "document",
    "error_handler",
    "filter_command",
    "help_command",
    "membership",
    "migrate",
    "more_button",
    "private_text",
    "publish_commands",
    "quotes",
    "settings_button",
    "settings_command",
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
#: English catalogue texts raised as plain UsageError/AccessDenied, to show them translated.
_KEY_OF_ENGLISH = {entry["en"]: key for key, entry in CATALOGUE.items()}


async def _language(update: Update, context: Context) -> str:
    """The reader's language: the chat's /settings choice, else the user's Telegram one."""
    chat, user = update.effective_chat, update.effective_user
    stored = await get_services(context).db.get_chat(chat.id) if chat is not None else None
    return pick_language(stored.language if stored else None, user.language_code if user else None)


def _error_text(exc: UsageError | AccessDenied, lang: str) -> str:
    if isinstance(exc, Problem):
        return exc.text(lang)
    key = _KEY_OF_ENGLISH.get(str(exc))
    return t(key, lang) if key else html.escape(str(exc))


def user_errors(handler: Handler) -> Handler:
    """Answer :class:`UsageError` and :class:`AccessDenied` with their message for the user."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        try:
            await handler(update, context)
        except (UsageError, AccessDenied) as exc:
            if update.effective_message is not None:
                lang = await _language(update, context)
                await update.effective_message.reply_text(_error_text(exc, lang))

    return wrapper


async def _reply_parts(message: Message, parts: list[str]) -> None:
    for part in parts:
        await message.reply_text(part)


def _thread_id(message: Message) -> int | None:
    """The forum topic a command came from (posts go back to the same topic)."""
    return message.message_thread_id if message.is_topic_message else None


async def _style(services: Services, chat_id: int, lang: str) -> render.PostStyle:
    """The chat's post style (/settings), in the reader's language."""
    base = render.style_for(await services.db.get_chat(chat_id))
    return render.PostStyle(lang=lang, length=base.length, quotes=base.quotes)


async def publish_commands(bot: Bot) -> bool:
    """Publish the command menu per scope (everyone in private chats, members and admins in
    groups) in English and Russian. A server without ``setMyCommands`` (or without scopes)
    is logged and skipped: the bot works without a menu."""
    scopes = (
        (BotCommandScopeDefault(), True),
        (BotCommandScopeAllPrivateChats(), True),
        (BotCommandScopeAllGroupChats(), False),
        (BotCommandScopeAllChatAdministrators(), True),
    )
    for lang in LANGUAGES:
        for scope, admin in scopes:
            commands = [BotCommand(name, text) for name, text in command_menu(lang, admin=admin)]
            try:
                await bot.set_my_commands(
                    commands, scope=scope, language_code=None if lang == "en" else lang
                )
            except TelegramError as exc:  # some Bot API servers lack it: never fatal
                logger.warning("setMyCommands not available, going on without a menu: %s", exc)
                return False
    return True


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
    denied = t("err.admins_only", "en")
    if message is not None and message.sender_chat is not None and update.callback_query is None:
        if message.sender_chat.id == chat.id:
            return  # an anonymous admin posts as the group itself
        raise AccessDenied(denied)
    if user is None:
        raise AccessDenied(denied)
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
        raise AccessDenied(denied)


def help_text(lang: str = "en") -> str:
    """/help: made from the same command table as the Telegram menu."""
    lines = [t("help.intro", lang), ""]
    lines += [f"/{c.name} — {html.escape(c.description(lang))}" for c in COMMAND_TABLE]
    lines += ["", t("help.examples", lang), t("help.reply", lang), t("help.admin", lang)]
    return "\n".join(lines)


@user_errors
async def start(update: Update, context: Context) -> None:
    """Greet the user and list the commands."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    await _remember_chat(get_services(context), chat)
    await message.reply_text(help_text(await _language(update, context)))


@user_errors
async def help_command(update: Update, context: Context) -> None:
    """List the commands."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(help_text(await _language(update, context)))


def _transient(summary: Summary, lang: str = "en") -> StoredArticle:
    """Wrap a summary of a chat message so the article renderer can show it (never stored)."""
    article = summary.article
    return StoredArticle(
        id=0,
        content_hash="",
        path="",
        title=article.title or t("post.transient_title", lang),
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
    lang = await _language(update, context)
    replied = message.reply_to_message
    text = (replied.text or replied.caption or "") if replied is not None else ""
    if text and (len(text) >= MIN_REPLY_CHARS or not context.args):
        if len(text) < MIN_REPLY_CHARS:
            raise Problem("err.too_short")
        result = await _summarize_or_explain(text, services.settings.summary_options)
        style = await _style(services, message.chat_id, lang)
        await _reply_parts(message, render.render_article(_transient(result, lang), style))
        return
    article = await _find_article(services, context.args or [])
    style = await _style(services, message.chat_id, lang)
    await _reply_parts(message, render.render_article(article, style))


async def _summarize_or_explain(text: str, options: SummaryOptions) -> Summary:
    try:
        return await asyncio.to_thread(_summarize_text, text, options)
    except ArticleError as exc:
        raise Problem("err.cannot_summarize", reason=html.escape(exc.reason)) from exc


async def _find_article(services: Services, args: list[str] | tuple[str, ...]) -> StoredArticle:
    words = parse_words(args)
    article = await services.db.latest_article(words)
    if article is None:
        if words:
            raise Problem("err.no_match", words=html.escape(repr(words)))
        raise Problem("err.no_articles")
    return article


@user_errors
async def quotes(update: Update, context: Context) -> None:
    """Key quotes, with speakers, of the newest (or matching) article."""
    message = update.effective_message
    if message is None:
        return
    article = await _find_article(get_services(context), context.args or [])
    lang = await _language(update, context)
    await _reply_parts(message, render.render_quotes(article, render.PostStyle(lang=lang)))


def _describe(mode: str, at: Any, every_hours: int | None, timezone: str, lang: str = "en") -> str:
    if mode == SubscriptionMode.DAILY and at is not None:
        return t("sub.daily", lang, at=f"{at:%H:%M}", tz=html.escape(timezone))
    if mode == SubscriptionMode.EVERY and every_hours:
        return t("sub.every", lang, hours=every_hours)
    return t("sub.instant", lang)


async def _adopt_user_language(services: Services, chat: Chat, update: Update) -> StoredChat | None:
    """A private chat is one reader: when it subscribes without a /settings language, its
    posts take the user's Telegram language (Russian stays Russian; /settings changes it)."""
    stored = await services.db.get_chat(chat.id)
    user = update.effective_user
    if stored is None or stored.language is not None or chat.type != ChatType.PRIVATE:
        return stored
    lang = pick_language(None, user.language_code if user else None)
    if lang == "en":
        return stored
    return await services.db.update_chat_settings(chat.id, language=lang)


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
    stored_chat = await _adopt_user_language(services, chat, update)
    tz = stored_chat.timezone if stored_chat else services.settings.timezone
    schedule_subscription(context.job_queue, services, sub, tz)
    logger.info("subscribed chat=%s sub=%s mode=%s", chat.id, sub.id, sub.mode)
    lang = await _language(update, context)
    text = t("sub.done", lang, what=_describe(sub.mode, sub.at, sub.every_hours, tz, lang))
    if sub.mode == SubscriptionMode.DAILY:
        text += t("sub.tz_hint", lang)
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
    lang = await _language(update, context)
    await message.reply_text(t("sub.removed" if removed else "sub.none", lang))


@user_errors
async def timezone(update: Update, context: Context) -> None:
    """Show or set this chat's time zone (digests follow it, daylight saving included)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    services = get_services(context)
    lang = await _language(update, context)
    if not context.args:
        stored = await services.db.get_chat(chat.id)
        current = stored.timezone if stored else services.settings.timezone
        await message.reply_text(t("tz.show", lang, tz=html.escape(current)))
        return
    name = parse_timezone(context.args)
    await _require_admin(update, context)
    await _remember_chat(services, chat)
    await services.db.set_timezone(chat.id, name)
    moved = await reschedule_chat(context.job_queue, services, chat.id)
    text = t("tz.set", lang, tz=html.escape(name))
    if moved:
        text += t("tz.moved", lang, count=moved)
    await message.reply_text(text)


@user_errors
async def private_text(update: Update, context: Context) -> None:
    """In a private chat, a pasted long text is summarized; anything shorter gets a hint."""
    message = update.effective_message
    if message is None or not message.text:
        return
    lang = await _language(update, context)
    if len(message.text) < MIN_REPLY_CHARS:
        await message.reply_text(t("hint.private", lang))
        return
    services = get_services(context)
    if _is_bot_admin(update, services):  # an admin's long text is news: into the inbox
        name = uploads.text_name(message.date, message.message_id)
        await _to_inbox(services, message, name, message.text.encode("utf-8"), lang)
        return
    result = await _summarize_or_explain(message.text, services.settings.summary_options)
    style = await _style(services, message.chat_id, lang)
    await _reply_parts(message, render.render_article(_transient(result, lang), style))


def _is_bot_admin(update: Update, services: Services) -> bool:
    """The bot's own admins (NEWSBOT_OWNER_IDS) may add articles from the chat."""
    user = update.effective_user
    return user is not None and user.id in services.settings.owner_ids


async def _to_inbox(
    services: Services, message: Message, name: str, data: bytes, lang: str
) -> None:
    path = await asyncio.to_thread(uploads.save_to_inbox, services.settings.inbox_dir, name, data)
    if services.inbox is not None:
        services.inbox.notice(path)  # no need to wait for the file event or the rescan
    logger.info("upload saved chat=%s file=%s bytes=%s", message.chat_id, path.name, len(data))
    await message.reply_text(t("upload.saved", lang, name=html.escape(path.name)))


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


@user_errors
async def document(update: Update, context: Context) -> None:
    """An admin sent a file: an article for the inbox (.txt .md .html .eml .json)."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    services = get_services(context)
    lang = await _language(update, context)
    if not _is_bot_admin(update, services):
        raise Problem("upload.not_admin")
    doc = message.document
    name = doc.file_name or "article.txt"
    if not uploads.accepts_name(name):
        raise Problem("upload.bad_type")
    limit = min(services.settings.max_file_bytes, uploads.MAX_UPLOAD_BYTES)
    if doc.file_size is not None and doc.file_size > limit:
        raise Problem("upload.too_big", size=_megabytes(doc.file_size), limit=_megabytes(limit))
    try:
        data = bytes(await (await doc.get_file()).download_as_bytearray())
    except TelegramError as exc:
        logger.warning("upload download failed chat=%s error=%s", message.chat_id, exc)
        raise Problem("upload.failed") from exc
    if len(data) > limit:
        raise Problem("upload.too_big", size=_megabytes(len(data)), limit=_megabytes(limit))
    await _to_inbox(services, message, name, data, lang)


async def unknown_command(update: Update, context: Context) -> None:
    """A command this bot does not have (private chats only, so groups stay quiet)."""
    if update.effective_message is not None:
        lang = await _language(update, context)
        await update.effective_message.reply_text(t("err.unknown_command", lang))


def _ago(when: datetime | None, now: datetime, lang: str = "en") -> str:
    if when is None:
        return t("status.never", lang)
    seconds = int((now - when).total_seconds())
    if seconds < 120:
        return t("status.ago", lang, amount=f"{max(seconds, 0)} s")
    if seconds < 7200:
        return t("status.ago", lang, amount=f"{seconds // 60} min")
    return t("status.ago", lang, amount=f"{seconds // 3600} h")


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
    lang = await _language(update, context)
    lines = [
        t("status.title", lang),
        t("status.inbox", lang, path=html.escape(str(services.settings.inbox_dir)))
        + (
            t("status.settling", lang, count=services.inbox.pending)
            if services.inbox and services.inbox.pending
            else ""
        ),
        t("status.articles", lang, count=await db.count_articles()),
        t("status.queue", lang, pending=stats.pending, sent=stats.sent, failed=stats.failed),
        t("status.last", lang, ago=_ago(stats.last_sent_at, now, lang)),
        t("status.chat", lang, tz=html.escape(tz))
        + (
            ", ".join(
                _describe(s.mode, s.at, s.every_hours, tz, lang)
                + (t("status.paused", lang) if s.paused else "")
                + (f" [{t('set.filters', lang)}: {len(s.filters)}]" if s.filters else "")
                for s in subs
            )
            or t("status.not_subscribed", lang)
        ),
    ]
    bad = await db.recent_bad_files(limit=5)
    if bad:
        lines.append(t("status.bad", lang))
        lines += [f"• {html.escape(_short_name(b.path))}: {html.escape(b.reason)}" for b in bad]
    metrics = health.status_lines(await health.snapshot(context), lang)
    lines += [metrics[0], metrics[3]]  # uptime and errors; the counts are above already
    lines += await access.owner_status_lines(update, context)  # empty unless an owner asks
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
                lang = pick_language(None, change.from_user.language_code)
                await context.bot.send_message(chat.id, t("hello.group", lang))
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
        user = update.effective_user
        lang = pick_language(None, user.language_code if user else None)
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(t("err.generic", lang))
            else:
                await update.effective_message.reply_text(t("err.generic", lang))
        except TelegramError:
            logger.warning("could not tell the user about the error")


# --- /filter ------------------------------------------------------------------------------------


def _filter_lines(filters: tuple[str, ...], lang: str) -> str:
    include = [f for f in filters if not f.startswith("-")]
    exclude = [f[1:] for f in filters if f.startswith("-")]
    lines = []
    if include:
        lines.append(f"{t('filter.include', lang)}: " + ", ".join(html.escape(f) for f in include))
    if exclude:
        lines.append(f"{t('filter.exclude', lang)}: " + ", ".join(html.escape(f) for f in exclude))
    return "\n".join(lines)


async def _subscription_here(
    services: Services, chat_id: int, thread: int | None
) -> Subscription | None:
    subs = await services.db.list_subscriptions(chat_id=chat_id, include_paused=True)
    return next((s for s in subs if s.thread_id == thread), None)


@user_errors
async def filter_command(update: Update, context: Context) -> None:
    """Keyword filters of this chat's (topic's) subscription: add, remove, list, clear."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    request = parse_filter(context.args or [])
    services = get_services(context)
    lang = await _language(update, context)
    thread = _thread_id(message)
    sub = await _subscription_here(services, chat.id, thread)
    if request.action == "list":
        if sub is None or not sub.filters:
            await message.reply_text(t("filter.none", lang))
        else:
            await message.reply_text(t("filter.list", lang, lines=_filter_lines(sub.filters, lang)))
        return
    await _require_admin(update, context)
    if sub is None:
        raise Problem("sub.needed")
    current = list(sub.filters)
    if request.action == "clear":
        current = []
        reply = t("filter.cleared", lang)
    elif request.action == "add":
        current += [f for f in request.items if f not in current]
        if len(current) > MAX_FILTERS:
            raise Problem("filter.too_many", count=MAX_FILTERS)
        reply = t("filter.added", lang, items=", ".join(html.escape(f) for f in request.items))
    else:
        missing = [f for f in request.items if f not in current]
        if missing:
            raise Problem("filter.not_found", items=", ".join(html.escape(f) for f in missing))
        current = [f for f in current if f not in request.items]
        reply = t("filter.removed", lang, items=", ".join(html.escape(f) for f in request.items))
    await services.db.set_filters(chat.id, current, thread_id=thread)
    logger.info("filters set chat=%s thread=%s count=%s", chat.id, thread, len(current))
    await message.reply_text(reply)


# --- /settings ----------------------------------------------------------------------------------


def _markup(view: settings_menu.MenuView) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in view.buttons
        ]
    )


async def _menu_state(
    services: Services, chat: Chat, thread: int | None
) -> tuple[StoredChat, Subscription | None]:
    stored = await services.db.get_chat(chat.id)
    if stored is None:
        await _remember_chat(services, chat)
        stored = await services.db.get_chat(chat.id)
    assert stored is not None
    return stored, await _subscription_here(services, chat.id, thread)


@user_errors
async def settings_command(update: Update, context: Context) -> None:
    """This chat's settings as an inline keyboard (admins only in groups)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    await _require_admin(update, context)
    services = get_services(context)
    stored, sub = await _menu_state(services, chat, _thread_id(message))
    lang = pick_language(
        stored.language, update.effective_user.language_code if update.effective_user else None
    )
    view = settings_menu.menu(stored, sub, lang)
    await message.reply_text(view.text, reply_markup=_markup(view))


def _allowed(services: Services, chat_id: int) -> bool:
    allowed = services.settings.allowed_chats
    return not allowed or chat_id in allowed


async def _apply(
    action: settings_menu.SettingsAction,
    services: Services,
    context: Context,
    chat_id: int,
    thread: int | None,
    sub: Subscription | None,
    stored: StoredChat,
) -> None:
    """Carry out one settings change through the store (and the job queue)."""
    db, value = services.db, action.value or ""
    if action.kind == "mode" and value == "off":
        for removed in await db.unsubscribe(chat_id, thread):
            if context.job_queue is not None:
                remove_digest_job(context.job_queue, removed.id)
        return
    if action.kind in ("mode", "time"):
        if action.kind == "time":
            new = await db.subscribe(
                chat_id,
                SubscriptionMode.DAILY,
                thread_id=thread,
                at=settings_menu.parse_time(value),
            )
        elif value == "daily":
            at = sub.at if sub and sub.at else settings_menu.DEFAULT_DIGEST_TIME
            new = await db.subscribe(chat_id, SubscriptionMode.DAILY, thread_id=thread, at=at)
        elif value.startswith("every:"):
            hours = int(value.split(":", 1)[1])
            new = await db.subscribe(
                chat_id, SubscriptionMode.EVERY, thread_id=thread, every_hours=hours
            )
        else:
            new = await db.subscribe(chat_id, SubscriptionMode.INSTANT, thread_id=thread)
        schedule_subscription(context.job_queue, services, new, stored.timezone)
    elif action.kind == "tz":
        await db.set_timezone(chat_id, value)
        await reschedule_chat(context.job_queue, services, chat_id)
    elif action.kind == "length":
        await db.update_chat_settings(chat_id, summary_length=value)
    elif action.kind == "quotes":
        await db.update_chat_settings(chat_id, show_quotes=not stored.show_quotes)
    elif action.kind == "language":
        await db.update_chat_settings(chat_id, language=None if value == "auto" else value)


async def settings_button(update: Update, context: Context) -> None:
    """A /settings button: change the setting, redraw the menu in place, confirm."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or not isinstance(query.message, Message):
        if query is not None:
            await query.answer(t("set.stale", "en"))
        return
    services = get_services(context)
    if not _allowed(services, chat.id):
        return
    user_lang = query.from_user.language_code if query.from_user else None
    try:
        action = settings_menu.parse_action(query.data or "")
        await _require_admin(update, context)
    except (UsageError, AccessDenied) as exc:
        stored_now = await services.db.get_chat(chat.id)
        lang = pick_language(stored_now.language if stored_now else None, user_lang)
        await query.answer(_error_text(exc, lang)[:190], show_alert=True)
        return
    message = query.message
    thread = _thread_id(message)
    stored, sub = await _menu_state(services, chat, thread)
    changed = action.kind not in ("menu", "show", "close")
    if changed:
        await _apply(action, services, context, chat.id, thread, sub, stored)
        stored, sub = await _menu_state(services, chat, thread)
        logger.info("settings chat=%s %s=%s", chat.id, action.kind, action.value)
    lang = pick_language(stored.language, user_lang)
    if action.kind == "close":
        summary = settings_menu.menu(stored, sub, lang).text
        await _edit(message, f"{summary}\n\n<i>{t('set.closed', lang)}</i>", None)
    else:
        show = action.value if action.kind == "show" else None
        view = settings_menu.menu(stored, sub, lang, show=show)
        await _edit(message, view.text, _markup(view))
    await query.answer(t("set.saved", lang) if changed else None)


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


# --- digest "more" buttons ----------------------------------------------------------------------


async def more_button(update: Update, context: Context) -> None:
    """A digest's numbered button: post that story's full summary and quotes here."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    services = get_services(context)
    if not _allowed(services, chat.id):
        return
    lang = await _language(update, context)
    ids = render.parse_more(query.data or "")
    articles = await services.db.get_articles(ids) if ids else []
    if not articles:
        await query.answer(t("err.article_gone", lang), show_alert=True)
        return
    message = query.message
    thread = _thread_id(message) if isinstance(message, Message) else None
    style = await _style(services, chat.id, lang)
    for part in render.render_more(articles, style):
        await context.bot.send_message(chat.id, part, message_thread_id=thread)
    await query.answer()
