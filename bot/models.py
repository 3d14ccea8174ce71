"""Values the store hands out: frozen, so handlers, the scheduler and the worker can share them.

ORM rows never leave :mod:`bot.store`; everything else in the bot sees these dataclasses.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Literal

from summaries import Summary

__all__ = [
    "BadFile",
    "Chat",
    "Delivery",
    "DeliveryKind",
    "DeliveryState",
    "QueueStats",
    "StoredArticle",
    "Subscription",
    "SubscriptionMode",
]

DeliveryKind = Literal["article", "digest"]


class SubscriptionMode(StrEnum):
    """How a chat wants its news: each article as it lands, or a digest on a schedule."""

    INSTANT = "instant"
    DAILY = "daily"
    EVERY = "every"


class DeliveryState(StrEnum):
    """Outbox row state: SENT only after Telegram accepted every part."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored, with the summary made when it arrived."""

    id: int
    content_hash: str
    path: str
    title: str
    source: str | None
    date: str | None
    created_at: datetime
    summary: Summary


@dataclass(frozen=True, slots=True)
class Chat:
    """A chat the bot knows; ``active`` is False once the bot was removed or blocked."""

    id: int
    type: str
    title: str | None
    timezone: str
    language: str | None
    active: bool
    #: ``/settings``: "short" | "normal" | "long" summaries, and whether posts show quotes.
    summary_length: str = "normal"
    show_quotes: bool = True


@dataclass(frozen=True, slots=True)
class Subscription:
    """One chat (or forum topic) subscription; ``at`` is local time in the chat's time zone."""

    id: int
    chat_id: int
    thread_id: int | None
    mode: SubscriptionMode
    at: time | None
    every_hours: int | None
    paused: bool
    created_at: datetime
    last_digest_at: datetime | None
    paused_reason: str | None = None
    #: ``/filter``: normalized words/phrases (``-word`` excludes); empty means every story.
    filters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row: an article or a digest for one chat/topic.

    ``parts`` holds the rendered messages once the worker rendered them, so a resend after a
    crash continues with exactly the text that was being sent (``parts_sent`` of them went out).
    """

    id: int
    kind: DeliveryKind
    chat_id: int
    thread_id: int | None
    article_ids: tuple[int, ...]
    state: DeliveryState
    attempts: int
    parts_sent: int
    message_ids: tuple[int, ...]
    last_error: str | None
    created_at: datetime
    parts: tuple[str, ...] = ()
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Outbox counts for ``/status`` and the logs."""

    pending: int
    sent: int
    failed: int
    last_sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class BadFile:
    """An inbox file that could not be read, and why (shown in ``/status``)."""

    path: str
    reason: str
    at: datetime
