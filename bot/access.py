"""Who may use the bot: ``NEWSBOT_ALLOWED_CHATS`` and ``NEWSBOT_OWNER_IDS``.

One gate runs before every handler (a ``TypeHandler`` in group -1). An update passes when
the allow-list is empty, or its chat or its sender is on it, or the sender is an owner.
Anything else stops there: no handler runs, nothing is stored, and the chat gets one polite
refusal per :data:`REFUSAL_INTERVAL` (and only for a private message or a command), so a
stranger flooding the bot cannot make it flood back. Membership updates from chats that are
not allowed are dropped silently (being added to a group is not a request).

The same gate refuses commands longer than :data:`MAX_COMMAND_CHARS` with one clear sentence
(a command is a few words; a megabyte of arguments only costs CPU and would be echoed back in
"no article matches ..." replies longer than Telegram allows).

Owners may change any chat's settings (the group-admin check lets them through) and see the
operator lines of ``/status`` (:func:`owner_status_lines`).
"""

from __future__ import annotations

import html
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext, TypeHandler

from .config import Settings

__all__ = [
    "ACCESS_KEY",
    "MAX_COMMAND_CHARS",
    "REFUSAL_INTERVAL",
    "AccessPolicy",
    "gate",
    "install",
    "is_owner",
    "owner_status_lines",
    "refusal_text",
]

logger = logging.getLogger(__name__)

ACCESS_KEY = "newsbot.access"
MAX_COMMAND_CHARS = 1000  # longer commands are refused before any handler parses them
REFUSAL_INTERVAL = 3600.0  # seconds between two refusals to the same chat
_MAX_REMEMBERED = 10_000  # chats whose last refusal is remembered (oldest forgotten first)


def refusal_text(chat_id: int) -> str:
    """The one reply a chat that is not allowed gets (its id, so it can ask the owner)."""
    return (
        "Sorry, this is a private news bot and this chat is not on its list. "
        f"If you think it should be, ask the bot's owner to add chat id <code>{chat_id}</code>."
    )


@dataclass(slots=True)
class AccessPolicy:
    """The allow-list and owners, plus when each refused chat was last told so."""

    allowed: frozenset[int] = frozenset()
    owners: frozenset[int] = frozenset()
    interval: float = REFUSAL_INTERVAL
    clock: Callable[[], float] = time.monotonic
    _refused: OrderedDict[int, float] = field(default_factory=OrderedDict)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, extra_chats: tuple[int, ...] = ()
    ) -> AccessPolicy:
        allowed = frozenset(settings.allowed_chats)
        if allowed:
            allowed |= frozenset(extra_chats)
        return cls(allowed=allowed, owners=frozenset(settings.owner_ids))

    def allows(self, chat_id: int | None, user_id: int | None) -> bool:
        """Empty list: everyone. Otherwise the chat, the sender, or an owner."""
        if not self.allowed:
            return True
        return bool(
            (chat_id is not None and chat_id in self.allowed)
            or (user_id is not None and (user_id in self.allowed or user_id in self.owners))
        )

    def is_owner(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.owners

    def should_refuse(self, chat_id: int) -> bool:
        """True at most once per ``interval`` per chat (memory bounded)."""
        now = self.clock()
        last = self._refused.get(chat_id)
        if last is not None and now - last < self.interval:
            return False
        self._refused[chat_id] = now
        self._refused.move_to_end(chat_id)
        while len(self._refused) > _MAX_REMEMBERED:
            self._refused.popitem(last=False)
        return True


def _policy(
    source: CallbackContext[Any, Any, Any, Any] | Application[Any, Any, Any, Any, Any, Any],
) -> AccessPolicy:
    policy = source.bot_data.get(ACCESS_KEY)
    return policy if isinstance(policy, AccessPolicy) else AccessPolicy()


async def gate(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Let allowed updates through; stop the rest (one refusal per chat per interval)."""
    if not isinstance(update, Update):
        return
    chat, user = update.effective_chat, update.effective_user
    policy = _policy(context)
    if policy.allows(chat.id if chat else None, user.id if user else None):
        await _refuse_long_command(update)
        return
    if update.callback_query is not None:  # a button: answer it, or the client keeps spinning
        try:
            await update.callback_query.answer("Sorry, this is a private news bot.")
        except TelegramError as exc:
            logger.info("could not answer the button error=%s", exc)
        raise ApplicationHandlerStop
    message = update.effective_message
    asked = message is not None and (
        (chat is not None and chat.type == ChatType.PRIVATE) or (message.text or "").startswith("/")
    )
    if asked and chat is not None and message is not None and policy.should_refuse(chat.id):
        logger.info("refused chat=%s user=%s (told once)", chat.id, user.id if user else None)
        try:
            await message.reply_text(refusal_text(chat.id))
        except TelegramError as exc:
            logger.info("could not send the refusal chat=%s error=%s", chat.id, exc)
    else:
        logger.debug(
            "ignored chat=%s user=%s", chat.id if chat else None, user.id if user else None
        )
    raise ApplicationHandlerStop


async def _refuse_long_command(update: Update) -> None:
    message = update.message
    text = message.text if message is not None else None
    if message is None or text is None or not text.startswith("/"):
        return
    if len(text) <= MAX_COMMAND_CHARS:
        return
    logger.info("refused long command chat=%s chars=%s", message.chat_id, len(text))
    try:
        await message.reply_text(
            f"That command is too long ({len(text):,} characters; the limit is "
            f"{MAX_COMMAND_CHARS:,}). To summarize a long text, paste it without a command, "
            "or reply to it with /summary."
        )
    except TelegramError as exc:
        logger.info("could not answer chat=%s error=%s", message.chat_id, exc)
    raise ApplicationHandlerStop


def install(
    app: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    *,
    extra_chats: tuple[int, ...] = (),
) -> AccessPolicy:
    """Put the gate in front of every handler; ``extra_chats`` are always allowed (console)."""
    policy = AccessPolicy.from_settings(settings, extra_chats=extra_chats)
    app.bot_data[ACCESS_KEY] = policy
    app.add_handler(TypeHandler(Update, gate), group=-1)
    return policy


def is_owner(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> bool:
    """Whether the sender is one of ``NEWSBOT_OWNER_IDS``."""
    user = update.effective_user
    return _policy(context).is_owner(user.id if user else None)


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


async def owner_status_lines(
    update: Update, context: CallbackContext[Any, Any, Any, Any]
) -> list[str]:
    """Operator details for ``/status``, HTML-escaped; empty for anyone but an owner."""
    if not is_owner(update, context):
        return []
    from .services import get_services  # services imports the handlers' world; keep it lazy

    services = get_services(context)
    settings, db = services.settings, services.db
    lines = [
        "<b>Operator</b> (owners only)",
        f"Database: <code>{html.escape(_safe_url(settings.db_url))}</code>",
        f"Inbox: <code>{html.escape(str(settings.inbox_dir.resolve()))}</code>",
        f"Chats with subscriptions: {await db.count_subscriptions()}",
        f"Allowed chats: {len(settings.allowed_chats) or 'everyone'}",
    ]
    return lines
