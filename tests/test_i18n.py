"""The message catalogue: every message in every language, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from bot.commands import COMMAND_TABLE, command_menu
from bot.i18n import CATALOGUE, LANGUAGES, Problem, pick_language, t
from tests.fakes import parse_telegram_html


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_message_has_every_language_with_the_same_placeholders(key: str) -> None:
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGUAGES)
    assert _fields(entry["en"]) == _fields(entry["ru"])
    for text in entry.values():
        parse_telegram_html(text.replace("{", "").replace("}", ""))  # valid Telegram HTML


def test_every_command_has_a_menu_description_telegram_accepts() -> None:
    for command in COMMAND_TABLE:
        for lang in LANGUAGES:
            assert 3 <= len(command.description(lang)) <= 256
    everyone = {name for name, _ in command_menu("en", admin=False)}
    assert "settings" not in everyone and "summary" in everyone
    assert {name for name, _ in command_menu("ru")} == {c.name for c in COMMAND_TABLE}


@pytest.mark.parametrize(
    ("chat", "user", "expected"),
    [
        (None, None, "en"),
        (None, "ru", "ru"),
        (None, "ru-RU", "ru"),
        (None, "de", "en"),
        ("en", "ru", "en"),  # the chat's /settings choice wins
        ("ru", "en", "ru"),
        ("xx", "ru", "ru"),  # an unknown stored value is ignored
    ],
)
def test_language_follows_the_chat_setting_then_the_user(
    chat: str | None, user: str | None, expected: str
) -> None:
    assert pick_language(chat, user) == expected


def test_problem_is_english_in_logs_and_translated_for_the_reader() -> None:
    problem = Problem("filter.too_many", count=50)
    assert str(problem) == "At most 50 filters per chat."
    assert problem.text("ru") == "Не больше 50 фильтров на чат."
    assert t("sub.every", "ru", hours=6) == "сводку каждые 6 ч"
