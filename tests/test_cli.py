"""The ``newsbot`` CLI, run in-process with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

ARTICLE = """Harbour Council Approves New Ferry Timetable

The harbour council of Port Elwyn approved a new ferry timetable on Tuesday after months of debate.

Under the plan, ferries to the outer islands will run every 40 minutes instead of every hour.

"This is the biggest change to island transport in twenty years," council leader Mara Quist said.

Operators said the extra crossings would cost about 1.2 million crowns a year.

Residents of the islands have long complained about missed connections in winter.

The new timetable takes effect in March.
"""


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "b-ferry.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_summarize_json_prints_one_object_per_article(article_file: Path) -> None:
    result = CliRunner().invoke(cli, ["summarize", str(article_file), "--json", "-n", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"file", "title", "summary", "quotes"}
    assert record["file"] == str(article_file)
    assert record["title"] == "Harbour Council Approves New Ferry Timetable"
    assert len(record["summary"]) == 2
    assert all(s in ARTICLE for s in record["summary"])
    assert {"text", "speaker", "key"} <= set(record["quotes"][0])
    assert record["quotes"][0]["text"].startswith("This is the biggest change")


def test_summarize_folder_takes_articles_sorted_by_name(tmp_path: Path, article_file: Path) -> None:
    (tmp_path / "a-first.md").write_text("# First Story\n\nA short body sentence here.\n")
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nNot an article.\n")
    result = CliRunner().invoke(cli, ["summarize", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    files = [Path(json.loads(line)["file"]).name for line in result.output.splitlines()]
    assert files == ["a-first.md", "b-ferry.txt"]


def test_summarize_reports_bad_file_and_goes_on(tmp_path: Path, article_file: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("[1, 2, 3]")
    result = CliRunner().invoke(cli, ["summarize", str(bad), str(article_file), "--json"])
    assert result.exit_code == 1
    assert "broken.json" in result.stderr
    assert json.loads(result.stdout.strip())["file"] == str(article_file)


def test_summarize_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["summarize", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr


def test_summarize_reads_stdin() -> None:
    result = CliRunner().invoke(cli, ["summarize", "-", "--json"], input=ARTICLE)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["file"] == "-"
    assert record["title"] == "Harbour Council Approves New Ferry Timetable"


def test_summarize_text_output_lists_title_summary_and_key_quotes(article_file: Path) -> None:
    result = CliRunner().invoke(cli, ["summarize", str(article_file), "-n", "2"])
    assert result.exit_code == 0, result.output
    assert "Harbour Council Approves New Ferry Timetable" in result.output
    assert "Key quotes:" in result.output
    assert "Mara Quist" in result.output


@pytest.mark.parametrize("algorithm", ["lexrank", "textrank", "lsa", "luhn", "lead"])
def test_summarize_accepts_every_listed_algorithm(article_file: Path, algorithm: str) -> None:
    args = ["summarize", str(article_file), "-a", algorithm, "-n", "2", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["summary"]) == 2


def test_summarize_rejects_unknown_algorithm(article_file: Path) -> None:
    result = CliRunner().invoke(cli, ["summarize", str(article_file), "-a", "magic"])
    assert result.exit_code == 2
    assert "magic" in result.output


def test_clean_prints_title_first(article_file: Path) -> None:
    result = CliRunner().invoke(cli, ["clean", str(article_file)])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Harbour Council Approves New Ferry Timetable"
    assert "every 40 minutes" in result.output


def test_clean_of_empty_input_fails_with_message() -> None:
    result = CliRunner().invoke(cli, ["clean", "-"], input="")
    assert result.exit_code == 1
    assert "Error:" in result.output
