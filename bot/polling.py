"""Errors while fetching updates, said clearly instead of as tracebacks.

PTB's polling loop retries any error with a growing pause (up to 30 s) and hands it to the
error handlers with ``update=None``. Two cases deserve a plain sentence:

* ``409 Conflict``: another process polls with the same token (Telegram gives each update
  to only one of them, so both half-work). A short overlap is normal during a restart, so the
  first conflict is an ERROR line saying what to do; if conflicts go on for
  :data:`CONFLICT_GRACE` seconds the bot stops and ``newsbot run`` exits with that message.
* Network errors and timeouts: one WARNING per minute while the Bot API is unreachable,
  not a traceback every few seconds.

Errors from handlers (``update`` is set) go on to the normal error handler.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.error import Conflict, NetworkError
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext

from .errors import ConfigError

__all__ = ["CONFLICT_GRACE", "GUARD_KEY", "PollingGuard", "install", "raise_if_fatal"]

logger = logging.getLogger(__name__)

GUARD_KEY = "newsbot.polling"
CONFLICT_GRACE = 60.0  # seconds of continuous conflicts before giving up
_STREAK_GAP = 45.0  # a pause this long between conflicts ends a streak (PTB backs off <= 30 s)
_NETWORK_LOG_EVERY = 60.0

App = Application[Any, Any, Any, Any, Any, Any]


def conflict_message(detail: str) -> str:
    detail = detail.removeprefix("Conflict: ")
    return (
        "another process is polling Telegram with this bot token (409 Conflict: "
        f"{detail}). Only one instance may poll: stop the other one, or give this one its "
        "own token."
    )


@dataclass(slots=True)
class PollingGuard:
    """Counts conflict streaks and throttles network warnings."""

    grace: float = CONFLICT_GRACE
    clock: Callable[[], float] = time.monotonic
    streak_start: float | None = None
    last_conflict: float = 0.0
    last_network_log: float | None = None
    network_errors: int = 0
    fatal: str | None = None

    def conflict(self, detail: str) -> bool:
        """Note a conflict; True when the streak outlasted the grace period (give up)."""
        now = self.clock()
        if self.streak_start is None or now - self.last_conflict > _STREAK_GAP:
            self.streak_start = now
            logger.error(
                "%s Retrying for %.0f s before giving up.", conflict_message(detail), self.grace
            )
        self.last_conflict = now
        if now - self.streak_start >= self.grace:
            self.fatal = conflict_message(detail)
            return True
        return False

    def network(self, error: NetworkError) -> None:
        now = self.clock()
        self.network_errors += 1
        if self.last_network_log is None or now - self.last_network_log >= _NETWORK_LOG_EVERY:
            self.last_network_log = now
            logger.warning(
                "cannot fetch updates from the Bot API (%s: %s); retrying (errors so far: %s)",
                type(error).__name__,
                error.message,
                self.network_errors,
            )


async def on_polling_error(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """First error handler: polling errors end here; handler errors go on."""
    if update is not None:
        return
    guard = context.bot_data.get(GUARD_KEY)
    error = context.error
    if not isinstance(guard, PollingGuard):
        return
    if isinstance(error, Conflict):
        if guard.conflict(error.message):
            logger.critical("giving up: %s", guard.fatal)
            context.application.stop_running()
        raise ApplicationHandlerStop
    if isinstance(error, NetworkError):
        guard.network(error)
        raise ApplicationHandlerStop


def install(app: App, *, grace: float = CONFLICT_GRACE) -> PollingGuard:
    """Register the polling error handler; call before adding the general error handler."""
    guard = PollingGuard(grace=grace)
    app.bot_data[GUARD_KEY] = guard
    app.add_error_handler(on_polling_error)
    return guard


def raise_if_fatal(app: App) -> None:
    """After ``run_polling`` returned: a conflict that never ended becomes a ConfigError."""
    guard = app.bot_data.get(GUARD_KEY)
    if isinstance(guard, PollingGuard) and guard.fatal:
        raise ConfigError(guard.fatal)
