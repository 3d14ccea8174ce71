"""Settings, read once from the environment and ``.env``, validated at start-up.

Nothing else in the bot reads ``os.environ``: the entry point builds :class:`Settings` and
passes it down, and tests build ``Settings(...)`` directly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from summaries import SummaryOptions

from .errors import ConfigError

__all__ = ["Settings", "load_settings"]


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _parse_ids(value: object) -> object:
    """Accept "1, 2 3" as well as a list, because operators write ids by hand."""
    if isinstance(value, str):
        return [int(part) for part in value.replace(",", " ").split()]
    return value


class Settings(BaseSettings):
    """Every knob of newsbot. Environment names are part of the external contract."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `NEWSBOT_INBOX=` as in .env.example means "use the default"
        extra="ignore",
        populate_by_name=True,
    )

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL"
    )
    data_dir: Path = Field(default=Path("data"), alias="NEWSBOT_DATA_DIR")
    inbox: Path | None = Field(default=None, alias="NEWSBOT_INBOX")
    database_url: str | None = Field(default=None, alias="NEWSBOT_DATABASE_URL")
    timezone: str = Field(default="UTC", alias="NEWSBOT_TIMEZONE")
    summary_sentences: int | None = Field(default=None, ge=1, le=20, alias="NEWSBOT_SENTENCES")
    algorithm: str = Field(default="news", alias="NEWSBOT_ALGORITHM")
    max_file_bytes: int = Field(default=20_000_000, ge=1, alias="NEWSBOT_MAX_FILE_BYTES")
    rescan_seconds: float = Field(default=30.0, gt=0, alias="NEWSBOT_RESCAN_SECONDS")
    settle_seconds: float = Field(default=0.3, ge=0, alias="NEWSBOT_SETTLE_SECONDS")
    allowed_chats: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="NEWSBOT_ALLOWED_CHATS"
    )
    owner_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="NEWSBOT_OWNER_IDS"
    )
    workers: int | None = Field(default=None, ge=0, le=64, alias="NEWSBOT_WORKERS")
    log_level: str = Field(default="INFO", alias="NEWSBOT_LOG_LEVEL")
    # Operations (issue 7): log format, the periodic metrics line, webhook mode.
    log_format: Literal["text", "json"] = Field(default="text", alias="NEWSBOT_LOG_FORMAT")
    metrics_seconds: float = Field(default=300.0, ge=0, alias="NEWSBOT_METRICS_SECONDS")
    webhook_url: str | None = Field(default=None, alias="NEWSBOT_WEBHOOK_URL")
    webhook_listen: str = Field(default="0.0.0.0", alias="NEWSBOT_WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, ge=1, le=65535, alias="NEWSBOT_WEBHOOK_PORT")
    webhook_secret: SecretStr | None = Field(default=None, alias="NEWSBOT_WEBHOOK_SECRET")
    # Scale (issue 8): several processes on one PostgreSQL database (`newsbot run --role`).
    delivery_lease_seconds: float = Field(
        default=120.0, gt=0, alias="NEWSBOT_DELIVERY_LEASE_SECONDS"
    )
    ingest_lease_seconds: float = Field(default=300.0, gt=0, alias="NEWSBOT_INGEST_LEASE_SECONDS")
    send_rate: float = Field(default=25.0, ge=0, alias="NEWSBOT_SEND_RATE")
    send_concurrency: int = Field(default=4, ge=1, le=64, alias="NEWSBOT_SEND_CONCURRENCY")
    digest_poll_seconds: float = Field(default=30.0, gt=0, alias="NEWSBOT_DIGEST_POLL_SECONDS")

    _ids = field_validator("allowed_chats", "owner_ids", mode="before")(_parse_ids)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"unknown log level {value!r} (use one of {', '.join(_LOG_LEVELS)})")
        return level

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        """Empty means polling; otherwise an absolute http(s) URL Telegram can post to."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            parts = urlsplit(value.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    f"{value!r} is not an absolute URL (e.g. https://bot.example.org/newsbot)"
                )
            return value.strip()
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        """Telegram echoes it in a header: 1-256 characters of A-Z, a-z, 0-9, _ and -."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw is None or (isinstance(raw, str) and not raw):
            return None
        if isinstance(raw, str) and not _SECRET_RE.fullmatch(raw):
            # never echo the value: it is a secret
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, '_' and '-'")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use Area/City, e.g. Europe/Berlin)"
            ) from exc
        return value

    @property
    def webhook_mode(self) -> bool:
        """Telegram pushes updates to NEWSBOT_WEBHOOK_URL instead of being polled."""
        return self.webhook_url is not None and not self.local_mode

    @property
    def summary_options(self) -> SummaryOptions:
        """How the bot summarizes new articles (the CLI takes its own flags instead)."""
        return SummaryOptions(sentences=self.summary_sentences, algorithm=self.algorithm)

    @property
    def local_mode(self) -> bool:
        """No token: run against the in-process Bot API stand-in with a console chat."""
        return self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value()

    @property
    def inbox_dir(self) -> Path:
        """The folder watched for new articles."""
        return self.inbox if self.inbox is not None else self.data_dir / "inbox"

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL; SQLite under the data folder unless one is given."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'newsbot.sqlite3').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from exc
