"""The ``/settings`` inline keyboard: what it shows and what its buttons mean. Pure.

Every button carries callback data ``set:<action>[:<value>]`` (at most 64 bytes, Telegram's
limit). :func:`parse_action` turns the data back into a :class:`SettingsAction` and refuses
anything else, so a forged or outdated button cannot set an arbitrary value; the handler
applies the action through the store and redraws the menu in place (``editMessageText``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import time
from typing import Literal
from zoneinfo import available_timezones

from .i18n import Problem, t
from .models import Chat, Subscription, SubscriptionMode
from .render import LENGTHS

__all__ = [
    "DIGEST_TIMES",
    "EVERY_HOURS",
    "PREFIX",
    "TIMEZONES",
    "MenuView",
    "SettingsAction",
    "menu",
    "parse_action",
]

PREFIX = "set:"
DIGEST_TIMES = ("06:00", "07:00", "08:00", "09:00", "12:00", "17:00", "19:00", "21:00")
EVERY_HOURS = (1, 3, 6, 12, 24)
TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Kyiv",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
)
DEFAULT_DIGEST_TIME = time(8, 0)

Kind = Literal["menu", "show", "mode", "time", "tz", "length", "quotes", "language", "close"]
Buttons = tuple[tuple[tuple[str, str], ...], ...]
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class SettingsAction:
    """One button press: ``show`` opens a sub-menu (value: which), the others change a setting."""

    kind: Kind
    value: str | None = None


@dataclass(frozen=True, slots=True)
class MenuView:
    """A menu screen: HTML text and rows of ``(label, callback data)`` buttons."""

    text: str
    buttons: Buttons


def parse_action(data: str) -> SettingsAction:
    """Callback data → action; :class:`Problem` ("menu is out of date") for anything else."""
    parts = data.split(":")
    if parts[0] + ":" != PREFIX or len(parts) < 2:
        raise Problem("set.stale")
    kind, value = parts[1], ":".join(parts[2:]) or None
    valid = {
        "menu": value is None,
        "close": value is None,
        "quotes": value is None,
        "show": value in ("mode", "time", "tz", "length", "language"),
        "mode": value in ("off", "instant", "daily")
        or (value is not None and value.startswith("every:") and value[6:].isdigit()),
        "time": value is not None and _TIME_RE.match(value) is not None,
        "tz": value is not None and (value == "UTC" or value in available_timezones()),
        "length": value in LENGTHS,
        "language": value in ("en", "ru", "auto"),
    }
    if not valid.get(kind, False):
        raise Problem("set.stale")
    if kind == "mode" and value is not None and value.startswith("every:"):
        hours = int(value[6:])
        if not 1 <= hours <= 24 * 7:
            raise Problem("set.stale")
    return SettingsAction(kind, value)  # type: ignore[arg-type]


def parse_time(value: str) -> time:
    """``"08:00"`` (already validated by :func:`parse_action`) → ``time(8, 0)``."""
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def _mode_text(sub: Subscription | None, lang: str) -> str:
    if sub is None:
        return t("set.mode.off", lang)
    if sub.mode == SubscriptionMode.DAILY and sub.at is not None:
        return t("set.mode.daily", lang, at=f"{sub.at:%H:%M}")
    if sub.mode == SubscriptionMode.EVERY and sub.every_hours:
        return t("set.mode.every", lang, hours=sub.every_hours)
    return t("set.mode.instant", lang)


def _summary(chat: Chat, sub: Subscription | None, lang: str) -> str:
    language = {"en": "English", "ru": "Русский"}.get(chat.language or "") or t(
        "set.language.auto", lang
    )
    filters = ", ".join(html.escape(f) for f in sub.filters) if sub and sub.filters else "—"
    rows = [
        (t("set.mode", lang), _mode_text(sub, lang)),
        (t("set.tz", lang), html.escape(chat.timezone)),
        (t("set.length", lang), t(f"set.length.{_length(chat)}", lang)),
        (t("set.quotes", lang), t("set.on" if chat.show_quotes else "set.off", lang)),
        (t("set.language", lang), language),
        (t("set.filters", lang), filters),
    ]
    return t("set.title", lang) + "\n\n" + "\n".join(f"{k}: <b>{v}</b>" for k, v in rows)


def _length(chat: Chat) -> str:
    return chat.summary_length if chat.summary_length in LENGTHS else "normal"


def _rows(buttons: list[tuple[str, str]], width: int) -> Buttons:
    return tuple(tuple(buttons[i : i + width]) for i in range(0, len(buttons), width))


def _mark(label: str, chosen: bool) -> str:
    return f"• {label}" if chosen else label


def menu(chat: Chat, sub: Subscription | None, lang: str, *, show: str | None = None) -> MenuView:
    """The main menu (``show=None``) or one sub-menu, with the current choice marked."""
    text = _summary(chat, sub, lang)
    back = ((t("set.btn.back", lang), PREFIX + "menu"),)
    if show == "mode":
        mode = sub.mode if sub else None
        choices = [
            (_mark(t("set.mode.off", lang), sub is None), PREFIX + "mode:off"),
            (_mark(t("set.mode.instant", lang), mode == "instant"), PREFIX + "mode:instant"),
            (_mark(t("set.btn.time", lang), mode == "daily"), PREFIX + "mode:daily"),
        ]
        every = [
            (
                _mark(
                    t("set.mode.every", lang, hours=h),
                    mode == "every" and sub is not None and sub.every_hours == h,
                ),
                f"{PREFIX}mode:every:{h}",
            )
            for h in EVERY_HOURS
        ]
        buttons = (*_rows(choices, 3), *_rows(every, 5), back)
        return MenuView(text + "\n\n" + t("set.pick.mode", lang), buttons)
    if show == "time":
        at = f"{sub.at:%H:%M}" if sub and sub.at else None
        times = [(_mark(v, v == at), f"{PREFIX}time:{v}") for v in DIGEST_TIMES]
        prompt = t("set.pick.time", lang, tz=html.escape(chat.timezone))
        return MenuView(text + "\n\n" + prompt, (*_rows(times, 4), back))
    if show == "tz":
        zones = [(_mark(z, z == chat.timezone), f"{PREFIX}tz:{z}") for z in TIMEZONES]
        return MenuView(text + "\n\n" + t("set.pick.tz", lang), (*_rows(zones, 2), back))
    if show == "length":
        lengths = [
            (_mark(t(f"set.length.{n}", lang), n == _length(chat)), f"{PREFIX}length:{n}")
            for n in LENGTHS
        ]
        return MenuView(text + "\n\n" + t("set.pick.length", lang), (*_rows(lengths, 3), back))
    if show == "language":
        current = chat.language or "auto"
        options = [("English", "en"), ("Русский", "ru"), (t("set.language.auto", lang), "auto")]
        langs = [
            (_mark(label, code == current), f"{PREFIX}language:{code}") for label, code in options
        ]
        return MenuView(text + "\n\n" + t("set.pick.language", lang), (*_rows(langs, 3), back))
    main = [
        (t("set.btn.mode", lang), PREFIX + "show:mode"),
        (t("set.btn.time", lang), PREFIX + "show:time"),
        (t("set.btn.tz", lang), PREFIX + "show:tz"),
        (t("set.btn.length", lang), PREFIX + "show:length"),
        (t("set.btn.quotes", lang), PREFIX + "quotes"),
        (t("set.btn.language", lang), PREFIX + "show:language"),
    ]
    return MenuView(text, (*_rows(main, 2), ((t("set.btn.close", lang), PREFIX + "close"),)))
