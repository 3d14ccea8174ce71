"""README can't drift from the code: quick start, CI command, CLI and chat commands."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli import cli

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
CONTRACT_CHAT_COMMANDS = (
    "/start",
    "/help",
    "/summary",
    "/quotes",
    "/subscribe",
    "/unsubscribe",
    "/timezone",
    "/status",
)


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("<!-- QUICKSTART-END -->", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    assert commands[0].endswith("newsbot run")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _quick_start_commands()[1]
    assert test_command.replace("pip install -e", "pip install -q -e") in ci


def test_every_cli_command_is_documented_with_help() -> None:
    for name, command in cli.commands.items():
        assert f"newsbot {name}" in README, name
        assert command.help, name


def test_every_contract_chat_command_is_documented() -> None:
    for command in CONTRACT_CHAT_COMMANDS:
        assert f"`{command}" in README, command


def test_every_setting_is_documented_in_readme_and_env_example() -> None:
    from bot.config import Settings

    env_example = (REPO / ".env.example").read_text(encoding="utf-8")
    for field in Settings.model_fields.values():
        name = field.alias
        assert name is not None
        assert f"`{name}`" in README, name
        assert f"\n{name}=" in env_example, name


def test_env_example_copied_as_is_gives_the_local_defaults() -> None:
    from bot.config import Settings

    settings = Settings(_env_file=str(REPO / ".env.example"))  # type: ignore[call-arg]
    assert settings.local_mode
    assert settings.inbox is None and settings.workers is None
    assert settings.timezone == "UTC"
