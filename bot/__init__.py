"""newsbot's Telegram application: wires the summaries engine to an inbox, a store and chats."""

from __future__ import annotations

from .config import Settings, load_settings
from .delivery import DeliveryWorker
from .errors import AccessDenied, ConfigError, DeliveryError, NewsbotError, UsageError
from .models import (
    BadFile,
    Chat,
    Delivery,
    DeliveryKind,
    DeliveryState,
    QueueStats,
    StoredArticle,
    Subscription,
    SubscriptionMode,
)
from .render import render_article, render_digest, render_quotes, split_message, to_plain_text
from .store import Store

__all__ = [
    "AccessDenied",
    "BadFile",
    "Chat",
    "ConfigError",
    "Delivery",
    "DeliveryError",
    "DeliveryKind",
    "DeliveryState",
    "DeliveryWorker",
    "NewsbotError",
    "QueueStats",
    "Settings",
    "Store",
    "StoredArticle",
    "Subscription",
    "SubscriptionMode",
    "UsageError",
    "load_settings",
    "render_article",
    "render_digest",
    "render_quotes",
    "split_message",
    "to_plain_text",
]
