"""Logging set-up for the entry point: one place, token redacted from every record.

PTB sends requests through httpx, and the Bot API URL contains the token, so the httpx
logger stays at WARNING and a filter scrubs the token from anything that still gets through.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = ["JsonFormatter", "RedactingFilter", "configure_logging"]

_TOKEN_RE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")


class RedactingFilter(logging.Filter):
    """Replace bot tokens (the given one, and anything shaped like one) with ``[REDACTED]``."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return _TOKEN_RE.sub("[REDACTED]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = self._scrub(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_text:
            record.exc_text = self._scrub(record.exc_text)
        return True


# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line (time, level, logger, message, then ``extra=`` fields), for
    log shippers that parse JSON. ``redact`` scrubs the finished line, extras included."""

    def __init__(self, redact: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        return self._redact(line) if self._redact else line


def configure_logging(
    level: str = "INFO",
    *,
    secrets: tuple[str, ...] = (),
    fmt: Literal["text", "json"] = "text",
) -> None:
    """Log to stderr with ``time level logger message`` (or JSON lines); call once, from the CLI."""
    handler = logging.StreamHandler(sys.stderr)
    redacting = RedactingFilter(secrets)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(redact=redacting._scrub))
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
        )
    handler.addFilter(redacting)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler", "watchfiles"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
