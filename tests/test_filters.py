"""Keyword filters: words and phrases, word boundaries, negation, prefixes; no regexes."""

from __future__ import annotations

import pytest

from bot.commands import FilterRequest, parse_filter
from bot.errors import UsageError
from bot.filters import FilterSet, matches, normalize_filter, parse_filter_args

STORY = "Night ferry returns: the harbour's night-bus link to Skerry is back, minister says."


@pytest.mark.parametrize(
    ("filters", "passes"),
    [
        ([], True),
        (["ferry"], True),
        (["FERRY"], True),
        (["night bus"], True),  # punctuation between words does not matter
        (["bus night"], False),  # a phrase keeps its word order
        (["err"], False),  # whole words only: no match inside "ferry"
        (["ferr*"], True),  # ...unless asked for a prefix
        (["volcano", "skerry"], True),  # any positive filter is enough
        (["-minister"], False),
        (["ferry", "-minister"], False),  # a negative filter always wins
        (["-sport"], True),
    ],
)
def test_story_passes_filters(filters: list[str], passes: bool) -> None:
    assert matches([normalize_filter(f) for f in filters], STORY) is passes


def test_russian_filters_ignore_case_and_yo() -> None:
    text = "Паромное сообщение с островом восстановлено, сообщил Министр Щёкин."
    assert matches([normalize_filter("министр")], text)
    assert matches([normalize_filter("щекин")], text)
    assert matches([normalize_filter("паром*")], text)
    assert not matches([normalize_filter("паром")], text)


def test_filter_arguments_split_at_commas_and_quotes() -> None:
    assert parse_filter_args("ferry, night bus") == ["ferry", "night bus"]
    assert parse_filter_args('"night bus" ferry') == ["night bus", "ferry"]
    assert parse_filter_args("«ночной автобус»; -Sport") == ["ночной автобус", "-sport"]
    assert parse_filter_args("ferry, FERRY") == ["ferry"]


def test_regex_syntax_is_just_text() -> None:
    assert normalize_filter("(a+)+$") == "a"
    assert FilterSet.of(["a"]).accepts("(a+)+$ " * 10_000 + "!")  # linear, no backtracking
    for nothing in ("!!!", ".*", "-"):
        with pytest.raises(UsageError):
            normalize_filter(nothing)
    with pytest.raises(UsageError):
        normalize_filter("x" * 101)


def test_filter_command_arguments() -> None:
    assert parse_filter([]) == FilterRequest("list")
    assert parse_filter(["add", "ferry,", "night", "bus"]) == FilterRequest(
        "add", ("ferry", "night bus")
    )
    assert parse_filter(["remove", "-sport"]) == FilterRequest("remove", ("-sport",))
    assert parse_filter(["clear"]) == FilterRequest("clear")
    with pytest.raises(UsageError):
        parse_filter(["frobnicate"])
    with pytest.raises(UsageError):
        parse_filter(["add"])
