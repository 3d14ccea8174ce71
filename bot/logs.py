"""Logging set-up for the entry point: one place, token redacted from every record.

PTB sends requests through httpx, and the Bot API URL contains the token, so the httpx
logger stays at WARNING and a filter scrubs the token from anything that still gets through:
messages, arguments, tracebacks (httpx/PTB exceptions quote the URL), ``extra`` fields.
Output that bypasses logging is covered too: uncaught exceptions (``sys.excepthook``,
``threading.excepthook``) and anything else written to stderr (click's ``Error: ...``) pass
through the same scrubber once :func:`configure_logging` was given the token.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

__all__ = ["JsonFormatter", "RedactingFilter", "configure_logging", "redactor"]

_TOKEN_RE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")


class RedactingFilter(logging.Filter):
    """Replace bot tokens (the given one, and anything shaped like one) with ``[REDACTED]``."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = _variants(secrets)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
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
        if record.stack_info:
            record.stack_info = self._scrub(record.stack_info)
        return True


def _variants(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Each token as written, URL-encoded (``%3A``), and its secret half on its own."""
    found: list[str] = []
    for secret in secrets:
        if not secret:
            continue
        found += [secret, secret.replace(":", "%3A"), secret.replace(":", "%3a")]
        _, _, tail = secret.partition(":")
        if len(tail) >= 16:  # short tails (test tokens) would redact ordinary words
            found.append(tail)
    return tuple(dict.fromkeys(sorted(found, key=len, reverse=True)))


def redactor(secrets: tuple[str, ...]) -> Callable[[str], str]:
    """A function that scrubs these tokens (and anything token-shaped) from a text."""
    return RedactingFilter(secrets)._scrub


class _RedactingStream:
    """A text stream that scrubs what is written to it (wraps stderr)."""

    def __init__(self, stream: TextIO, scrub: Callable[[str], str]) -> None:
        self._stream = stream
        self._scrub = scrub

    def write(self, text: str) -> int:
        self._stream.write(self._scrub(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _install_hooks(scrub: Callable[[str], str]) -> None:
    """Uncaught exceptions (main thread and others) printed with the token scrubbed."""

    def excepthook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        sys.stderr.write(scrub("".join(traceback.format_exception(kind, exc, tb))))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        name = args.thread.name if args.thread is not None else "?"
        sys.stderr.write(scrub(f"Exception in thread {name}:\n{text}"))

    sys.excepthook = excepthook
    threading.excepthook = thread_hook


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
    redacting = RedactingFilter(secrets)
    if any(secrets):
        if not isinstance(sys.stderr, _RedactingStream):
            sys.stderr = _RedactingStream(sys.stderr, redacting._scrub)
        _install_hooks(redacting._scrub)
    handler = logging.StreamHandler(sys.stderr)
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
