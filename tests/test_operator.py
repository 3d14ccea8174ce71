"""The operator side: `newsbot check`, JSON logs, metrics, progress, webhook mode, deploy files."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import socket
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from bot import health
from bot.app import build_application, webhook_options
from bot.checks import CheckResult, check_token_shape, format_result, run_checks
from bot.cli import cli
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.logs import JsonFormatter, configure_logging
from bot.models import QueueStats
from bot.store import SCHEMA_VERSION, Store
from tests.botapi_server import BotAPIServer
from tests.fakes import FakeBotAPI, make_update

REPO = Path(__file__).resolve().parents[1]
GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2"
ENV_NAMES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "NEWSBOT_DATA_DIR",
    "NEWSBOT_INBOX",
    "NEWSBOT_DATABASE_URL",
    "NEWSBOT_TIMEZONE",
    "NEWSBOT_LOG_LEVEL",
    "NEWSBOT_LOG_FORMAT",
    "NEWSBOT_WEBHOOK_URL",
    "NEWSBOT_WEBHOOK_SECRET",
)
ARTICLE = (
    "Lighthouse keepers return to Skerry Point\n\n"
    "The coast authority said on Monday that keepers will live at Skerry Point again.\n\n"
    '"A light needs a person," said the authority\'s director, Oona Brekke.\n'
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment in tmp_path (no .env, no inherited NEWSBOT_*): the working dir."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _check(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["check", *args])
    return result.exit_code, result.stdout.splitlines()


def _line(lines: list[str], name: str) -> str:
    [line] = [line for line in lines if line.split(maxsplit=1)[1].startswith(name)]
    return line


# -- newsbot check ---------------------------------------------------------------------------------


def test_check_passes_on_a_fresh_local_setup_and_creates_nothing(env: Path) -> None:
    code, lines = _check()
    assert code == 0, lines
    assert [line.split()[1] for line in lines] == [
        "settings",
        "token",
        "inbox",
        "data",
        "database",
        "webhook",
    ]
    assert _line(lines, "settings").startswith("ok ")
    assert "local console mode" in _line(lines, "settings")
    assert "created at start" in _line(lines, "database")
    assert not (env / "data").exists()


def test_check_reports_invalid_settings_in_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBOT_TIMEZONE", "Mars/Olympus")
    code, lines = _check()
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith("FAIL  settings")
    assert "Mars/Olympus" in lines[0]


def test_check_fails_on_malformed_token_without_printing_it(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "12345:not-a-real-token")
    code, lines = _check()
    assert code == 1
    assert _line(lines, "token").startswith("FAIL")
    assert "not-a-real-token" not in "\n".join(lines)


def test_check_shows_only_the_bot_id_of_a_good_token(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    code, lines = _check()
    assert code == 0, lines
    assert "bot id 123456789" in _line(lines, "token")
    assert GOOD_TOKEN.split(":")[1] not in "\n".join(lines)


def test_check_fails_when_inbox_is_a_file(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (env / "inbox").write_text("not a folder")
    monkeypatch.setenv("NEWSBOT_INBOX", str(env / "inbox"))
    code, lines = _check()
    assert code == 1
    assert "is not a folder" in _line(lines, "inbox")


def test_check_fails_when_inbox_cannot_be_created(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (env / "blocker").write_text("a file where a folder should be")
    monkeypatch.setenv("NEWSBOT_INBOX", str(env / "blocker" / "inbox"))
    code, lines = _check()
    assert code == 1
    assert "cannot be created" in _line(lines, "inbox")


def test_check_counts_inbox_articles(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = env / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(ARTICLE)
    (inbox / "b.md").write_text(ARTICLE)
    (inbox / "c.part").write_text("half written")
    monkeypatch.setenv("NEWSBOT_INBOX", str(inbox))
    code, lines = _check()
    assert code == 0, lines
    assert "readable and writable, 2 article file(s)" in _line(lines, "inbox")
    assert sorted(p.name for p in inbox.iterdir()) == ["a.txt", "b.md", "c.part"]


async def test_check_reads_schema_version_of_an_existing_database(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=tmp_path)  # type: ignore[call-arg]
    store = await Store.open(settings.db_url)
    await store.close()
    results = {r.name: r for r in await run_checks(settings)}
    assert results["database"].status == "ok"
    assert f"schema version {SCHEMA_VERSION} (current)" in results["database"].detail


async def test_check_fails_on_a_database_newer_than_the_code(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=tmp_path)  # type: ignore[call-arg]
    store = await Store.open(settings.db_url)
    await store.close()
    with contextlib.closing(sqlite3.connect(tmp_path / "newsbot.sqlite3")) as db, db:
        db.execute(
            "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
            (SCHEMA_VERSION + 1, "from the future", "2030-01-01 00:00:00"),
        )
    results = {r.name: r for r in await run_checks(settings)}
    assert results["database"].failed
    assert "newer" in results["database"].detail


async def test_check_fails_on_unreachable_database_and_hides_password(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+asyncpg://newsbot:hunter2@127.0.0.1:{port}/newsbot"
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=tmp_path, NEWSBOT_DATABASE_URL=url)  # type: ignore[call-arg]
    results = {r.name: r for r in await run_checks(settings)}
    if "no driver" in results["database"].detail:
        pytest.skip("asyncpg not installed")
    assert results["database"].failed
    assert "hunter2" not in results["database"].detail
    assert "data dir" not in results  # not used when the database is elsewhere


@pytest.mark.postgres
async def test_check_reads_schema_version_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=tmp_path, NEWSBOT_DATABASE_URL=pg_url)  # type: ignore[call-arg]
    before = {r.name: r for r in await run_checks(settings)}
    assert before["database"].status == "ok"
    assert "empty, schema created at start" in before["database"].detail
    store = await Store.open(pg_url)
    await store.close()
    after = {r.name: r for r in await run_checks(settings)}
    assert f"schema version {SCHEMA_VERSION} (current)" in after["database"].detail


async def test_check_online_asks_get_me_of_the_configured_api(tmp_path: Path) -> None:
    async with BotAPIServer(token=GOOD_TOKEN) as server:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            TELEGRAM_BOT_TOKEN=GOOD_TOKEN,
            TELEGRAM_API_BASE_URL=server.base_url,
            NEWSBOT_DATA_DIR=tmp_path,
        )
        results = {r.name: r for r in await run_checks(settings, online=True)}
    assert results["bot api"].status == "ok"
    assert "@loopback_news_bot" in results["bot api"].detail
    assert [method for method, _ in server.calls] == ["getMe"]


async def test_check_online_reports_a_rejected_token(tmp_path: Path) -> None:
    async with BotAPIServer() as server:  # expects a different token: answers 404
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            TELEGRAM_BOT_TOKEN=GOOD_TOKEN,
            TELEGRAM_API_BASE_URL=server.base_url,
            NEWSBOT_DATA_DIR=tmp_path,
        )
        results = {r.name: r for r in await run_checks(settings, online=True)}
    assert results["bot api"].failed
    assert "rejected the token" in results["bot api"].detail
    assert GOOD_TOKEN not in results["bot api"].detail


def test_check_online_reports_an_unreachable_api(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{port}/bot")
    code, lines = _check("--online")
    assert code == 1
    assert _line(lines, "bot api").startswith("FAIL  bot api   cannot reach")
    assert GOOD_TOKEN.split(":")[1] not in "\n".join(lines)


def test_token_shape_check_skips_local_mode() -> None:
    result = check_token_shape(Settings(_env_file=None))  # type: ignore[call-arg]
    assert result.status == "skip"
    assert format_result(result).startswith("skip  token")


def test_failed_and_warned_checks_are_upper_case() -> None:
    assert format_result(CheckResult("inbox", "fail", "x")) == "FAIL  inbox     x"
    assert format_result(CheckResult("webhook", "warn", "y")).startswith("WARN  webhook")


# -- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSBOT_LOG_LEVEL", "loud", "unknown log level"),
        ("NEWSBOT_LOG_FORMAT", "xml", "'text' or 'json'"),
        ("NEWSBOT_WEBHOOK_URL", "bot.example.org/hook", "not an absolute URL"),
        ("NEWSBOT_WEBHOOK_SECRET", "has spaces in it", "1-256 characters"),
        ("NEWSBOT_WEBHOOK_PORT", "70000", "NEWSBOT_WEBHOOK_PORT"),
    ],
)
def test_operations_settings_are_validated(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(_env_file=None, **{name: value})
    if name == "NEWSBOT_WEBHOOK_SECRET":
        assert value not in str(info.value)


def test_log_settings_are_case_insensitive() -> None:
    settings = load_settings(_env_file=None, NEWSBOT_LOG_LEVEL="debug", NEWSBOT_LOG_FORMAT="JSON")
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")


def test_webhook_mode_needs_a_token_and_a_url() -> None:
    url = "https://bot.example.org/newsbot/hook"
    assert not Settings(_env_file=None, NEWSBOT_WEBHOOK_URL=url).webhook_mode  # type: ignore[call-arg]
    with_token = Settings(_env_file=None, NEWSBOT_WEBHOOK_URL=url, TELEGRAM_BOT_TOKEN=GOOD_TOKEN)  # type: ignore[call-arg]
    assert with_token.webhook_mode
    assert not Settings(_env_file=None, TELEGRAM_BOT_TOKEN=GOOD_TOKEN).webhook_mode  # type: ignore[call-arg]


# -- logging -------------------------------------------------------------------------------------


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers: put the test runner's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_json_log_line_has_time_level_logger_message_and_extras() -> None:
    record = logging.LogRecord(
        "bot.inbox", logging.WARNING, __file__, 1, "bad file=%s", ("x.txt",), None
    )
    record.chat = 42
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "bot.inbox"
    assert entry["message"] == "bad file=x.txt"
    assert entry["chat"] == 42
    assert entry["time"].endswith("Z")
    assert datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).tzinfo is not None


def test_json_logs_are_one_object_per_line_with_token_redacted(
    root_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging("INFO", secrets=(GOOD_TOKEN,), fmt="json")
    log = logging.getLogger("bot.test")
    log.info(
        "calling %s", f"https://api.telegram.org/bot{GOOD_TOKEN}/getMe", extra={"url": GOOD_TOKEN}
    )
    log.debug("hidden at INFO")
    try:
        raise ValueError("multi\nline")
    except ValueError:
        log.exception("failed chat=%s", 7)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert GOOD_TOKEN not in stream.getvalue()
    assert "[REDACTED]" in first["message"] and first["url"] == "[REDACTED]"
    assert second["level"] == "ERROR" and "ValueError: multi" in second["exc_info"]


def test_text_logs_stay_the_default(root_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging("INFO")
    logging.getLogger("bot.test").info("started digests=%s", 2)
    assert stream.getvalue().rstrip().endswith("INFO bot.test: started digests=2")


def test_run_configures_json_logs_that_redact_token_and_webhook_secret(
    env: Path, monkeypatch: pytest.MonkeyPatch, root_logging: None
) -> None:
    seen: list[Settings] = []
    monkeypatch.setattr("bot.app.run", lambda settings, **_: seen.append(settings))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("NEWSBOT_WEBHOOK_SECRET", "hook_secret_value")
    monkeypatch.setenv("NEWSBOT_LOG_FORMAT", "json")
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    assert seen and seen[0].log_format == "json"
    [handler] = logging.getLogger().handlers
    assert isinstance(handler.formatter, JsonFormatter)
    record = logging.LogRecord(
        "bot", logging.INFO, __file__, 1, "%s %s", (GOOD_TOKEN, "hook_secret_value"), None
    )
    assert handler.filter(record)
    assert json.loads(handler.format(record))["message"] == "[REDACTED] [REDACTED]"


# -- health and metrics --------------------------------------------------------------------------


def _metrics(**changes: object) -> health.Metrics:
    values: dict[str, object] = {
        "uptime_seconds": 3 * 3600 + 125.0,
        "articles": 12,
        "posts_sent": 40,
        "queue_pending": 2,
        "queue_failed": 1,
        "bad_files": 3,
        "errors": 0,
    }
    values.update(changes)
    return health.Metrics(**values)  # type: ignore[arg-type]


def test_status_lines_show_uptime_articles_posts_and_errors() -> None:
    assert health.status_lines(_metrics()) == [
        "Uptime: 3h 2m",
        "Articles: 12 ingested, 3 bad file(s)",
        "Posts: 40 sent, 2 queued, 1 failed",
        "Errors since start: 0",
    ]


def test_status_lines_in_russian() -> None:
    assert health.status_lines(_metrics(), "ru") == [
        "Работает: 3h 2m",
        "Статьи: принято 12, нечитаемых файлов 3",
        "Публикации: отправлено 40, в очереди 2, с ошибкой 1",
        "Ошибок с запуска: 0",
    ]
    assert health.status_lines(_metrics(), "xx") == health.status_lines(_metrics())


def test_status_lines_mention_settling_files_and_cap_bad_files() -> None:
    lines = health.status_lines(_metrics(bad_files=health.BAD_FILES_CAP, inbox_settling=2))
    assert lines[1] == f"Articles: 12 ingested, {health.BAD_FILES_CAP}+ bad file(s), 2 settling"


def test_metrics_line_is_key_value() -> None:
    line = health.metrics_line(_metrics())
    assert line == (
        "metrics uptime=10925s articles=12 sent=40 pending=2 failed=1 bad_files=3 errors=0 "
        "settling=0"
    )
    pairs = dict(part.split("=") for part in line.split()[1:])
    assert set(pairs) == {
        "uptime",
        "articles",
        "sent",
        "pending",
        "failed",
        "bad_files",
        "errors",
        "settling",
    }


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59.9, "59s"), (61, "1m 1s"), (3600, "1h 0m"), (90000, "1d 1h"), (-5, "0s")],
)
def test_durations_read_at_a_glance(seconds: float, text: str) -> None:
    assert health.format_duration(seconds) == text


async def test_snapshot_reads_the_store_and_process_facts(
    settings: Settings, store: Store, clock
) -> None:
    app = build_application(
        settings, request=FakeBotAPI(), store=store, clock=clock, background=False
    )
    started = health.get_health(app, clock() - timedelta(minutes=5))
    started.errors.count = 2
    await store.record_bad_file("/inbox/broken.json", "not an article")
    metrics = await health.snapshot(app)
    assert metrics == health.Metrics(
        uptime_seconds=300.0,
        articles=0,
        posts_sent=0,
        queue_pending=0,
        queue_failed=0,
        bad_files=1,
        errors=2,
    )


async def test_collect_counts_queue_states(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    async def stats() -> QueueStats:
        return QueueStats(pending=4, sent=9, failed=1, last_sent_at=None)

    monkeypatch.setattr(store, "queue_stats", stats)
    now = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    metrics = await health.collect(store, started_at=now - timedelta(hours=1), now=now, errors=3)
    assert (metrics.posts_sent, metrics.queue_pending, metrics.queue_failed) == (9, 4, 1)
    assert metrics.uptime_seconds == 3600.0


async def test_metrics_job_logs_one_info_line_with_structured_fields(
    settings: Settings, store: Store, clock, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_application(
        settings, request=FakeBotAPI(), store=store, clock=clock, background=False
    )
    health.get_health(app, clock())

    class Context:
        bot_data = app.bot_data

    with caplog.at_level(logging.INFO, logger="bot.health"):
        await health.metrics_job(Context())  # type: ignore[arg-type]
    [record] = caplog.records
    assert record.getMessage().startswith("metrics uptime=0s articles=0 sent=0")
    assert record.metrics["articles"] == 0  # type: ignore[attr-defined]


async def test_install_schedules_the_metrics_job_and_counts_errors(
    settings: Settings, store: Store
) -> None:
    app = build_application(settings, request=FakeBotAPI(), store=store, background=False)
    state = health.install(app, interval=300)
    try:
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name("newsbot:metrics")
        assert job.job.trigger.interval == timedelta(seconds=300)
        logging.getLogger("bot.test").error("something broke")
        logging.getLogger("bot.test").warning("only a warning")
        assert state.errors.count == 1
    finally:
        logging.getLogger().removeHandler(state.errors)


# -- summarize progress bar ----------------------------------------------------------------------


def test_summarize_progress_goes_to_stderr_and_json_stays_clean(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(ARTICLE.replace("Skerry", name[0].upper() + "kerry"))
    result = CliRunner().invoke(cli, ["summarize", str(tmp_path), "--json", "--progress"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["file"][-5:] for line in result.stdout.splitlines()] == [
        "a.txt",
        "b.txt",
        "c.txt",
    ]
    assert "summarizing" in result.stderr


def test_summarize_shows_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(ARTICLE)
    result = CliRunner().invoke(cli, ["summarize", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


# -- webhook mode --------------------------------------------------------------------------------


def test_webhook_options_listen_at_the_public_path_with_the_secret() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        TELEGRAM_BOT_TOKEN=GOOD_TOKEN,
        NEWSBOT_WEBHOOK_URL="https://bot.example.org/newsbot/hook",
        NEWSBOT_WEBHOOK_LISTEN="127.0.0.1",
        NEWSBOT_WEBHOOK_PORT=8081,
        NEWSBOT_WEBHOOK_SECRET="s3cret_value",
    )
    options = webhook_options(settings)
    assert options["listen"] == "127.0.0.1"
    assert options["port"] == 8081
    assert options["url_path"] == "newsbot/hook"
    assert options["webhook_url"] == "https://bot.example.org/newsbot/hook"
    assert options["secret_token"] == "s3cret_value"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_answers_updates_posted_with_the_secret(tmp_path: Path) -> None:
    pytest.importorskip("tornado")
    port = _free_port()
    async with BotAPIServer(extra_methods=frozenset({"setWebhook", "deleteWebhook"})) as server:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            TELEGRAM_BOT_TOKEN=server.token,
            TELEGRAM_API_BASE_URL=server.base_url,
            NEWSBOT_DATA_DIR=tmp_path / "data",
            NEWSBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
            NEWSBOT_WEBHOOK_LISTEN="127.0.0.1",
            NEWSBOT_WEBHOOK_PORT=port,
            NEWSBOT_WEBHOOK_SECRET="right-secret",
        )
        app = build_application(settings, background=False)
        await app.initialize()
        assert app.post_init is not None and app.updater is not None
        try:
            await app.post_init(app)
            await app.updater.start_webhook(**webhook_options(settings))
            await app.start()
            update = make_update("/start", chat_id=42, user_id=42, update_id=1)
            async with httpx.AsyncClient() as client:
                url = f"http://127.0.0.1:{port}/hook"
                wrong = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
                )
                right = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "right-secret"}
                )
            await server.wait_for_messages(1, chat_id=42)
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
    assert wrong.status_code == 403
    assert right.status_code == 200
    [(_, params)] = [c for c in server.calls if c[0] == "setWebhook"]
    assert params["url"] == f"http://127.0.0.1:{port}/hook"
    assert params["secret_token"] == "right-secret"
    await asyncio.sleep(0)


# -- deployment files ----------------------------------------------------------------------------


def test_dockerfile_runs_as_non_root_with_volumes_and_a_check_healthcheck() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in dockerfile
    assert "\nUSER 10001:10001" in dockerfile  # numeric: runAsNonRoot can verify it
    assert 'CMD ["newsbot", "check"]' in dockerfile.split("HEALTHCHECK", 1)[1].splitlines()[0]
    assert 'VOLUME ["/data", "/inbox"]' in dockerfile
    assert 'CMD ["newsbot", "run"]' in dockerfile


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".env", ".venv", ".git", "data"):
        assert entry in ignored
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    for needed in ("pyproject.toml", "README.md", "bot", "summaries"):
        assert needed not in ignored and needed in dockerfile  # what the build stage copies


def test_compose_and_systemd_examples_run_the_bot() -> None:
    compose = (REPO / "deploy" / "docker-compose.yml").read_text(encoding="utf-8")
    unit = (REPO / "deploy" / "newsbot.service").read_text(encoding="utf-8")
    assert "/inbox" in compose and "/data" in compose
    assert "ExecStartPre=" in unit and "newsbot check" in unit
    assert "ExecStart=" in unit and "newsbot run" in unit


def test_operations_doc_names_every_operations_setting() -> None:
    doc = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    for field in (
        "log_format",
        "metrics_seconds",
        "webhook_url",
        "webhook_listen",
        "webhook_port",
        "webhook_secret",
        "log_level",
    ):
        alias = Settings.model_fields[field].alias
        assert alias and f"`{alias}`" in doc, alias
    for command in ("newsbot check", "newsbot summarize", "docker compose", "systemctl"):
        assert command in doc, command


def test_secret_settings_never_show_in_repr() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        TELEGRAM_BOT_TOKEN=GOOD_TOKEN,
        NEWSBOT_WEBHOOK_SECRET=SecretStr("abc_def"),
    )
    assert GOOD_TOKEN not in repr(settings) and "abc_def" not in repr(settings)
