"""newsbot's Telegram application: wires the summaries engine to an inbox, a store and chats."""

from __future__ import annotations

from .config import Settings, load_settings
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
    "NewsbotError",
    "QueueStats",
    "Settings",
    "Store",
    "StoredArticle",
    "Subscription",
    "SubscriptionMode",
    "UsageError",
    "load_settings",
]
