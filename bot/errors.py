"""Errors raised by :mod:`bot`, grouped by what the caller does about them.

::

    NewsbotError            anything from the bot
    ├── ConfigError         settings are missing or invalid: fix the environment and restart
    ├── UsageError          a user's command was malformed: show ``str(exc)`` to the user
    ├── AccessDenied        the user may not do this here: show ``str(exc)`` to the user
    └── DeliveryError       Telegram refused a post for good: the outbox marks it failed
"""

from __future__ import annotations

__all__ = ["AccessDenied", "ConfigError", "DeliveryError", "NewsbotError", "UsageError"]


class NewsbotError(Exception):
    """Base class for every error the bot raises on purpose."""


class ConfigError(NewsbotError):
    """The settings cannot work; the message says which one and why."""


class UsageError(NewsbotError):
    """A command's arguments were wrong; the message is written for the user."""


class AccessDenied(NewsbotError):
    """The user may not do this in this chat; the message is written for the user."""


class DeliveryError(NewsbotError):
    """Telegram refused a message permanently (not a transient failure)."""
