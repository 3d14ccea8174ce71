"""The ``newsbot`` command: a thin layer over :mod:`summaries` and :mod:`bot.app`.

Results go to stdout, logs and errors to stderr. A bad file in a batch is reported and the
rest still go through; the exit code is 1 when any input failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

import click

from summaries import (
    ALGORITHMS,
    ARTICLE_SUFFIXES,
    Article,
    ArticleError,
    Summary,
    SummaryOptions,
    parse_article,
    summarize_article,
)

from .config import load_settings
from .errors import ConfigError
from .logs import configure_logging

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])
STDIN = "-"


def _summary_options(func: F) -> F:
    """Shared ``--sentences`` / ``--algorithm`` flags, spelled the same everywhere."""
    func = click.option(
        "--algorithm",
        "-a",
        type=click.Choice(sorted(ALGORITHMS)),
        default="news",
        show_default=True,
        help="Summarizer to use; 'news' is the tuned default.",
    )(func)
    func = click.option(
        "--sentences",
        "-n",
        type=click.IntRange(1, 50),
        default=None,
        help="Summary length in sentences (default: adapts to the article).",
    )(func)
    return func


def _expand(paths: tuple[str, ...]) -> Iterator[str]:
    """Files as given, folders as their article files sorted by name, '-' as stdin."""
    for raw in paths:
        path = Path(raw)
        if raw != STDIN and path.is_dir():
            yield from sorted(
                str(p)
                for p in path.iterdir()
                if p.is_file()
                and not p.name.startswith(".")
                and p.suffix.lower() in ARTICLE_SUFFIXES
            )
        else:
            yield raw


def _read(name: str) -> Article:
    """Load one input; '-' reads standard input (format sniffed from the content)."""
    if name == STDIN:
        return parse_article(sys.stdin.buffer.read(), STDIN)
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise ArticleError(name, exc.strerror or str(exc)) from exc
    return parse_article(data, name)


def _as_json(name: str, summary: Summary) -> str:
    return json.dumps(
        {
            "file": name,
            "title": summary.article.title,
            "summary": list(summary.sentences),
            "quotes": [
                {"text": q.text, "speaker": q.speaker, "key": q.key} for q in summary.quotes
            ],
        },
        ensure_ascii=False,
    )


def _as_text(name: str, summary: Summary) -> str:
    lines = [f"== {name}", summary.article.title, ""]
    lines += [f"  {sentence}" for sentence in summary.sentences]
    if summary.key_quotes:
        # Each language's own quotation marks: «ёлочки» for Russian.
        opening, closing = ("«", "»") if summary.article.language == "russian" else ("“", "”")
        lines += ["", "Key quotes:"]
        lines += [
            f"  {opening}{q.display_text}{closing}" + (f" — {q.speaker}" if q.speaker else "")
            for q in summary.key_quotes
        ]
    return "\n".join(lines) + "\n"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsbot")
def cli() -> None:
    """newsbot: summaries and key quotes of news articles, posted to Telegram chats."""


@cli.command()
@click.option(
    "--role",
    type=click.Choice(["all", "updates", "ingest", "deliver"]),
    default="all",
    show_default=True,
    help="Run one part of the bot; several processes share PostgreSQL (docs/scale.md).",
)
def run(role: str) -> None:
    """Run the bot (Telegram when TELEGRAM_BOT_TOKEN is set, else a local console chat).

    Example: NEWSBOT_INBOX=~/news newsbot run
    """
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    secrets = tuple(
        secret.get_secret_value()
        for secret in (settings.telegram_bot_token, settings.webhook_secret)
        if secret is not None
    )
    configure_logging(settings.log_level, secrets=secrets, fmt=settings.log_format)
    from .roles import run_role  # the bot stack is heavy: import it only to run it

    try:
        run_role(settings, role)  # type: ignore[arg-type]
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_summary_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article per line.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal and stdout is not).",
)
def summarize(
    paths: tuple[str, ...],
    sentences: int | None,
    algorithm: str,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Summarize articles: files, folders (their articles, by name) or '-' for stdin.

    Example: newsbot summarize inbox/ --sentences 3 --json > summaries.jsonl
    """
    options = SummaryOptions(sentences=sentences, algorithm=algorithm)
    names = list(_expand(paths))
    failed = 0
    with _progress(names, progress) as items:
        for name in items:
            try:
                summary = summarize_article(_read(name), options)
            except ArticleError as exc:
                failed += 1
                click.echo(f"newsbot: {exc}", err=True)
                continue
            click.echo(_as_json(name, summary) if as_json else _as_text(name, summary))
    if failed:
        sys.exit(1)


def _progress(names: list[str], wanted: bool | None) -> AbstractContextManager[Iterable[str]]:
    """A progress bar on stderr, shown only where a person watches it and it can't garble
    the results: stderr a terminal, stdout redirected (or forced with ``--progress``)."""
    if wanted is None:
        wanted = len(names) > 1 and _isatty(sys.stderr) and not _isatty(sys.stdout)
    if not wanted:
        return contextlib.nullcontext(names)
    return click.progressbar(
        names, label="summarizing", file=sys.stderr, show_pos=True, show_eta=True, width=30
    )


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@cli.command()
@click.option("--online", is_flag=True, help="Also call getMe on TELEGRAM_API_BASE_URL.")
def check(online: bool) -> None:
    """Validate the configuration before running; exit code 1 when a check fails.

    One line per check: settings, token shape (the token is never printed), inbox, data
    folder, database and its schema version, webhook; --online also asks the Bot API (getMe).

    Example: newsbot check --online
    """
    from .checks import CheckResult, format_result, run_checks

    try:
        settings = load_settings()
    except ConfigError as exc:
        click.echo(format_result(CheckResult("settings", "fail", str(exc))))
        sys.exit(1)
    results = asyncio.run(run_checks(settings, online=online))
    for result in results:
        click.echo(format_result(result))
    if any(result.failed for result in results):
        sys.exit(1)


@cli.command()
@click.argument("path")
def clean(path: str) -> None:
    """Print an article's cleaned text, title on the first line ('-' reads stdin).

    Example: newsbot clean saved-page.txt
    """
    try:
        article = _read(path)
    except ArticleError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(article.text)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="newsbot")
