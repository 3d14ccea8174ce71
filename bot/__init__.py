"""newsbot's Telegram application: wires the summaries engine to an inbox, a store and chats."""

from __future__ import annotations

from .config import Settings, load_settings
from .errors import AccessDenied, ConfigError, DeliveryError, NewsbotError, UsageError

__all__ = [
    "AccessDenied",
    "ConfigError",
    "DeliveryError",
    "NewsbotError",
    "Settings",
    "UsageError",
    "load_settings",
]
