"""Chat command arguments, parsed by pure functions that raise :class:`UsageError`.

Kept apart from the handlers so every accepted and refused spelling is tested with strings.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .filters import MAX_FILTERS, parse_filter_args
from .i18n import Problem, t

__all__ = [
    "COMMANDS",
    "COMMAND_TABLE",
    "CommandSpec",
    "FilterRequest",
    "SubscribeRequest",
    "command_menu",
    "parse_filter",
    "parse_subscribe",
    "parse_timezone",
    "parse_words",
]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One chat command: its name, and whether it changes the chat (admins only in groups).

    The description is the catalogue entry ``cmd.<name>`` (English and Russian), so the
    Telegram menu (``setMyCommands``) and ``/help`` are made from this one table.
    """

    name: str
    admin: bool = False

    def description(self, lang: str = "en") -> str:
        return t(f"cmd.{self.name}", lang)


#: Every command, in the order /help and the Telegram menu show them.
COMMAND_TABLE: tuple[CommandSpec, ...] = (
    CommandSpec("start"),
    CommandSpec("help"),
    CommandSpec("summary"),
    CommandSpec("quotes"),
    CommandSpec("subscribe", admin=True),
    CommandSpec("unsubscribe", admin=True),
    CommandSpec("settings", admin=True),
    CommandSpec("filter", admin=True),
    CommandSpec("timezone", admin=True),
    CommandSpec("status"),
)

# (command, English description): the table in its simplest shape.
COMMANDS: tuple[tuple[str, str], ...] = tuple((c.name, c.description()) for c in COMMAND_TABLE)


def command_menu(lang: str = "en", *, admin: bool = True) -> list[tuple[str, str]]:
    """``(command, description)`` pairs for one menu: group members see only the commands
    they may use; admins and private chats see all."""
    return [(c.name, c.description(lang)) for c in COMMAND_TABLE if admin or not c.admin]


SUBSCRIBE_USAGE = t("sub.usage", "en")
MAX_EVERY_HOURS = 24 * 7


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """What ``/subscribe`` asked for."""

    mode: Literal["instant", "daily", "every"]
    at: time | None = None
    every_hours: int | None = None


_TIME_RE = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
_EVERY_RE = re.compile(r"^(\d{1,3})\s*(h|hr|hrs|hour|hours)?$")


def _parse_time(text: str) -> time:
    match = _TIME_RE.match(text.strip())
    if not match:
        raise Problem("sub.bad_time", text=html.escape(repr(text)))
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise Problem("sub.not_a_time", text=html.escape(text))
    return time(hour, minute)


def parse_subscribe(args: list[str] | tuple[str, ...]) -> SubscribeRequest:
    """``[]`` → instant; ``["daily", "08:30"]`` → daily; ``["every", "6", "h"]`` → every 6 h."""
    words = [w.lower() for w in args]
    if not words or words == ["instant"]:
        return SubscribeRequest("instant")
    head, rest = words[0], " ".join(words[1:])
    if head == "daily" and rest:
        return SubscribeRequest("daily", at=_parse_time(rest))
    if head == "every" and rest:
        match = _EVERY_RE.match(rest)
        if not match:
            raise Problem("sub.usage")
        hours = int(match[1])
        if not 1 <= hours <= MAX_EVERY_HOURS:
            raise Problem("sub.hours_range", hours=MAX_EVERY_HOURS)
        return SubscribeRequest("every", every_hours=hours)
    raise Problem("sub.usage")


def parse_timezone(args: list[str] | tuple[str, ...]) -> str:
    """One IANA zone name (``Europe/Berlin``), matched case-insensitively."""
    if len(args) != 1:
        raise Problem("tz.usage")
    name = args[0].strip()
    if name.upper() == "UTC":
        return "UTC"
    by_lower = {zone.lower(): zone for zone in available_timezones()}
    canonical = by_lower.get(name.lower())
    if canonical is None:
        raise Problem("tz.unknown", name=html.escape(repr(name)))
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unloadable
        raise Problem("tz.unloadable", name=html.escape(repr(name))) from exc
    return canonical


def parse_words(args: list[str] | tuple[str, ...]) -> str | None:
    """Search words for ``/summary`` and ``/quotes``; ``None`` means "the newest"."""
    words = " ".join(a.strip() for a in args if a.strip())
    return words or None


@dataclass(frozen=True, slots=True)
class FilterRequest:
    """What ``/filter`` asked for; ``items`` are normalized filters (see :mod:`bot.filters`)."""

    action: Literal["add", "remove", "list", "clear"]
    items: tuple[str, ...] = ()


_FILTER_ACTIONS = {
    "add": "add",
    "+": "add",
    "remove": "remove",
    "rm": "remove",
    "del": "remove",
    "delete": "remove",
    "-": "remove",
    "list": "list",
    "ls": "list",
    "show": "list",
    "clear": "clear",
    "reset": "clear",
}


def parse_filter(args: list[str] | tuple[str, ...]) -> FilterRequest:
    """``[]``/``list`` → list; ``add ferry, night bus`` → add two; ``remove ferry``; ``clear``."""
    if not args:
        return FilterRequest("list")
    action = _FILTER_ACTIONS.get(args[0].lower())
    rest = " ".join(args[1:])
    if action is None:
        raise Problem("filter.usage")
    if action in ("list", "clear"):
        return FilterRequest(action)  # type: ignore[arg-type]
    items = tuple(parse_filter_args(rest))
    if not items:
        raise Problem("filter.usage")
    if len(items) > MAX_FILTERS:
        raise Problem("filter.too_many", count=MAX_FILTERS)
    return FilterRequest(action, items)  # type: ignore[arg-type]
