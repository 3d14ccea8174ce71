"""Persistent state: articles, chats, subscriptions and the delivery outbox.

SQLAlchemy 2 (async). SQLite via aiosqlite by default; the same statements run on PostgreSQL
(asyncpg), which is why inserts go through the dialect's ``INSERT .. ON CONFLICT``.

Exactly-once delivery rests on unique constraints rather than on care in the callers:

* ``articles.content_hash`` is unique, so the same file dropped twice is one article;
* ``deliveries (kind, dedup_key, chat_id, thread_key)`` is unique, where ``dedup_key`` is the
  article id or ``sub:<id>:<period_end>`` and ``thread_key`` is 0 for "no topic" (NULLs would
  never collide), so enqueueing twice creates nothing;
* a delivery is SENT only after Telegram accepted every part, and each accepted part is
  recorded (``parts_sent``) before the next one goes out, so a crash resumes, never repeats.

On SQLite every write transaction is ``BEGIN IMMEDIATE`` (WAL mode, ``busy_timeout``): writers
queue up instead of failing with "database is locked" when a read transaction tries to upgrade.
Read-only methods use a deferred ``BEGIN`` and read a WAL snapshot without waiting for writers.

The schema is versioned: ``schema_version`` records applied steps; :data:`MIGRATIONS` is the
ordered list. A fresh database gets the current schema and every version stamped; an older one
gets the missing steps, all in one transaction at :meth:`Store.open`.

ORM rows never leave this module: every method returns the values of :mod:`bot.models`.
The store never reads the wall clock when a caller passes ``now``; the timestamps it makes
itself (``created_at``...) come from the ``clock`` given to :meth:`Store.open`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    delete,
    event,
    func,
    inspect,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from summaries import Article, Quote, Summary

from .filters import from_json as filter_set
from .filters import normalize_text
from .models import (
    BadFile,
    Chat,
    Delivery,
    DeliveryKind,
    DeliveryState,
    QueueStats,
    StoredArticle,
    Subscription,
    SubscriptionMode,
)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store"]

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: Newest articles ``latest_article(words)`` searches; bounds the LIKE scan on big stores.
SEARCH_WINDOW = 20_000
#: Characters of title + summary + body kept for search (a 20 MB file need not be searchable whole).
SEARCH_TEXT_CHARS = 200_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: PostgreSQL advisory lock key held while migrating (any constant unique to newsbot).
_MIGRATION_LOCK = 0x6E657773  # "news"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Unset:
    """The type of :data:`UNSET`: "leave this setting as it is" (``None`` is a value)."""


UNSET = _Unset()


# --- schema -------------------------------------------------------------------------------------


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: one meaning on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store only takes aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class SchemaVersionRow(Base):
    __tablename__ = "schema_version"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    description: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(128), unique=True)
    path: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    summary_json: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)


class ChatRow(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # /settings (migration 2): NULL means the default ("normal", quotes shown).
    summary_length: Mapped[str | None] = mapped_column(String(16), default=None)
    show_quotes: Mapped[bool | None] = mapped_column(Boolean, default=None)


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "thread_key", name="uq_subscription_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id"))
    thread_key: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(16), index=True)
    at: Mapped[str | None] = mapped_column(String(8))
    every_hours: Mapped[int | None] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # /filter (migration 2): JSON list of normalized filters; NULL means every story.
    filters: Mapped[str | None] = mapped_column(Text, default=None)


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("kind", "dedup_key", "chat_id", "thread_key", name="uq_delivery_once"),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
        Index("ix_deliveries_chat", "chat_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id"))
    thread_key: Mapped[int] = mapped_column(BigInteger)
    article_ids: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    parts_sent: Mapped[int] = mapped_column(Integer)
    message_ids: Mapped[str] = mapped_column(Text)
    parts: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class BadFileRow(Base):
    __tablename__ = "bad_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class IngestClaimRow(Base):
    """Which ingest process is summarizing a file (by content hash), until when (migration 3)."""

    __tablename__ = "ingest_claims"

    content_hash: Mapped[str] = mapped_column(String(128), primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)


class RateBucketRow(Base):
    """A token bucket shared by every process sending with one bot (migration 3).

    ``updated_at`` is epoch seconds (a float keeps the refill arithmetic one portable
    expression on SQLite and PostgreSQL)."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


def _initial_schema(conn: Connection) -> None:
    Base.metadata.create_all(conn)


Migration = Callable[[Connection], None]


#: Ordered schema steps ``(version, description, step)``. Append; never edit an applied step.
def _chat_settings_and_filters(conn: Connection) -> None:
    """Issue 7 (chat side): per-chat summary length / quotes, per-subscription filters."""
    columns = (
        ("chats", "summary_length", "VARCHAR(16)"),
        ("chats", "show_quotes", "BOOLEAN"),
        ("subscriptions", "filters", "TEXT"),
    )
    inspector = inspect(conn)
    for table, column, kind in columns:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _multi_process_claims(conn: Connection) -> None:
    """Issue 8 (scale): ingest claims by content hash and the shared send-rate bucket."""
    tables = [IngestClaimRow.__table__, RateBucketRow.__table__]
    Base.metadata.create_all(conn, tables=tables)  # type: ignore[arg-type]


MIGRATIONS: tuple[tuple[int, str, Migration], ...] = (
    (1, "initial schema", _initial_schema),
    (2, "chat settings and subscription filters", _chat_settings_and_filters),
    (3, "multi-process claims", _multi_process_claims),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def _apply_migrations(conn: Connection, now: datetime) -> list[int]:
    """Bring the schema up to date; returns the versions applied (empty when current).

    On PostgreSQL a transaction-scoped advisory lock serializes processes starting together
    (SQLite's BEGIN IMMEDIATE already does); the second one then finds the schema current.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
    fresh = not inspect(conn).has_table("articles")
    SchemaVersionRow.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]
    done = set(conn.execute(select(SchemaVersionRow.version)).scalars())
    applied: list[int] = []
    if fresh and not done:
        # A new database gets today's schema in one go, with every step stamped as applied.
        Base.metadata.create_all(conn)
        steps: Iterable[tuple[int, str, Migration | None]] = (
            (v, d, None) for v, d, _ in MIGRATIONS
        )
    else:
        steps = ((v, d, s) for v, d, s in MIGRATIONS if v not in done)
    for version, description, step in steps:
        if step is not None:
            step(conn)
        conn.execute(
            SchemaVersionRow.__table__.insert().values(  # type: ignore[attr-defined]
                version=version, description=description, applied_at=now
            )
        )
        applied.append(version)
    return applied


# --- conversions --------------------------------------------------------------------------------


def summary_to_json(summary: Summary) -> str:
    """Serialize a summary with its article, so the post can be rebuilt without the file."""
    article = summary.article
    return json.dumps(
        {
            "article": {
                "title": article.title,
                "paragraphs": list(article.paragraphs),
                "source": article.source,
                "date": article.date,
                "path": article.path,
                "language": article.language,
            },
            "sentences": list(summary.sentences),
            "quotes": [
                {"text": q.text, "speaker": q.speaker, "key": q.key, "partial": q.partial}
                for q in summary.quotes
            ],
            "algorithm": summary.algorithm,
        },
        ensure_ascii=False,
    )


def summary_from_json(text: str) -> Summary:
    """Rebuild the :class:`Summary` stored by :func:`summary_to_json`."""
    data = json.loads(text)
    art = data["article"]
    article = Article(
        title=art["title"],
        paragraphs=tuple(art["paragraphs"]),
        source=art.get("source"),
        date=art.get("date"),
        path=art.get("path"),
        language=art.get("language", "english"),
    )
    quotes = tuple(
        Quote(q["text"], q.get("speaker"), bool(q.get("key")), bool(q.get("partial")))
        for q in data.get("quotes", ())
    )
    return Summary(
        article=article,
        sentences=tuple(data.get("sentences", ())),
        quotes=quotes,
        algorithm=data.get("algorithm", "news"),
    )


def _search_text(summary: Summary) -> str:
    article = summary.article
    text = "\n".join([article.title, " ".join(summary.sentences), article.body])
    return text[:SEARCH_TEXT_CHARS].casefold()


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _article(row: ArticleRow) -> StoredArticle:
    return StoredArticle(
        id=row.id,
        content_hash=row.content_hash,
        path=row.path,
        title=row.title,
        source=row.source,
        date=row.date,
        created_at=row.created_at,
        summary=summary_from_json(row.summary_json),
    )


def _chat(row: ChatRow) -> Chat:
    return Chat(
        id=row.id,
        type=row.type,
        title=row.title,
        timezone=row.timezone,
        language=row.language,
        active=row.active,
        summary_length=row.summary_length or "normal",
        show_quotes=row.show_quotes is not False,
    )


def _time_to_text(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        chat_id=row.chat_id,
        thread_id=row.thread_key or None,
        mode=SubscriptionMode(row.mode),
        at=time.fromisoformat(row.at) if row.at else None,
        every_hours=row.every_hours,
        paused=row.paused,
        created_at=row.created_at,
        last_digest_at=row.last_digest_at,
        paused_reason=row.paused_reason,
        filters=tuple(json.loads(row.filters)) if row.filters else (),
    )


def _delivery(row: DeliveryRow) -> Delivery:
    kind: DeliveryKind = "digest" if row.kind == "digest" else "article"
    return Delivery(
        id=row.id,
        kind=kind,
        chat_id=row.chat_id,
        thread_id=row.thread_key or None,
        article_ids=tuple(json.loads(row.article_ids)),
        state=DeliveryState(row.state),
        attempts=row.attempts,
        parts_sent=row.parts_sent,
        message_ids=tuple(json.loads(row.message_ids)),
        last_error=row.last_error,
        created_at=row.created_at,
        parts=tuple(json.loads(row.parts)) if row.parts else (),
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
    )


def _guess_chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _check_timezone(tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc


# --- the store ----------------------------------------------------------------------------------


class Store:
    """The bot's persistent state behind a few typed verbs. Open with :meth:`open`."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock = _utc_now,
        default_timezone: str = "UTC",
        search_window: int = SEARCH_WINDOW,
    ) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        # Reads start a deferred transaction: in WAL mode they see a snapshot without queueing
        # for the write lock behind the inbox and the delivery worker (``/status`` stays fast).
        self._reads = async_sessionmaker(
            engine.execution_options(newsbot_read_only=True), expire_on_commit=False
        )
        self._clock = clock
        self._dialect = engine.dialect.name
        self.default_timezone = default_timezone
        self.search_window = search_window
        #: Lease for :meth:`claim_due` when the caller gives none: set by ``deliver`` processes
        #: sharing one database, so the unchanged delivery worker claims instead of reading.
        self.claim_lease: timedelta | None = None

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        clock: Clock | None = None,
        default_timezone: str = "UTC",
        search_window: int = SEARCH_WINDOW,
        echo: bool = False,
    ) -> Store:
        """Connect and migrate. ``clock`` stamps ``created_at`` (tests pass a fake one)."""
        engine = create_async_engine(url, echo=echo)
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
        store = cls(
            engine,
            clock=clock or _utc_now,
            default_timezone=default_timezone,
            search_window=search_window,
        )
        try:
            async with engine.begin() as conn:
                applied = await conn.run_sync(_apply_migrations, store._clock())
        except BaseException:
            await engine.dispose()
            raise
        if applied:
            logger.info("schema migrated versions=%s", ",".join(map(str, applied)))
        return store

    async def close(self) -> None:
        """Release the connections (the WAL is checkpointed by SQLite on the last close)."""
        await self._engine.dispose()

    async def schema_version(self) -> int:
        """The highest applied schema version."""
        async with self._reads() as session:
            value = await session.scalar(select(func.max(SchemaVersionRow.version)))
        return int(value or 0)

    @property
    def is_postgres(self) -> bool:
        """Whether several processes (and machines) can share this store."""
        return self._dialect == "postgresql"

    # -- multi-process coordination --------------------------------------------------------------

    async def claim_ingest(
        self, content_hash: str, owner: str, *, lease: timedelta = timedelta(minutes=5)
    ) -> bool:
        """Claim the right to summarize the file with this content hash; False when another
        live process holds it. A claim whose lease ran out (its process died) is taken over;
        the owner may claim again (renew). One atomic ``INSERT .. ON CONFLICT DO UPDATE
        .. WHERE`` on both backends, so two processes never both win. An article already
        stored under the hash also means False (checked after winning, in the same
        transaction: a claimer that stored it and released its claim is not redone)."""
        now = self._clock()
        insert = self._insert(IngestClaimRow).values(
            content_hash=content_hash, claimed_by=owner, claimed_at=now, lease_until=now + lease
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["content_hash"],
            set_={
                "claimed_by": insert.excluded.claimed_by,
                "claimed_at": insert.excluded.claimed_at,
                "lease_until": insert.excluded.lease_until,
            },
            where=(IngestClaimRow.lease_until < now) | (IngestClaimRow.claimed_by == owner),
        ).returning(IngestClaimRow.content_hash)
        async with self._sessions.begin() as session:
            won = (await session.execute(stmt)).scalar_one_or_none()
            if won is None:
                return False
            stored = await session.scalar(
                select(ArticleRow.id).where(ArticleRow.content_hash == content_hash)
            )
            if stored is not None:
                await session.execute(
                    delete(IngestClaimRow).where(IngestClaimRow.content_hash == content_hash)
                )
                return False
        return True

    async def release_ingest(self, content_hash: str, owner: str) -> None:
        """Drop our claim (the article is stored, or the file was bad and moved away)."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(IngestClaimRow).where(
                    IngestClaimRow.content_hash == content_hash,
                    IngestClaimRow.claimed_by == owner,
                )
            )

    async def take_rate_token(
        self, key: str, *, rate: float, burst: float = 1.0, count: int = 1
    ) -> float:
        """Reserve ``count`` sends from the token bucket ``key`` shared by all processes;
        returns the seconds to wait before sending them (0 when the tokens were free).

        The bucket refills at ``rate`` per second up to ``burst``. A reservation may drive it
        negative: each caller then waits its turn, so N processes together never exceed
        ``rate``. One ``UPDATE .. RETURNING`` (a row lock on PostgreSQL) per reservation.
        """
        if rate <= 0:
            raise ValueError("rate must be positive")
        if count < 1:
            raise ValueError("count must be at least 1")
        now = self._clock().timestamp()
        col = RateBucketRow
        at = literal(now, Float())
        elapsed = case((col.updated_at < at, at - col.updated_at), else_=literal(0.0, Float()))
        refill = col.tokens + elapsed * rate
        capped = case((refill > burst, literal(float(burst), Float())), else_=refill)
        stmt = (
            update(RateBucketRow)
            .where(col.key == key)
            .values(
                tokens=capped - float(count),
                updated_at=case((col.updated_at < at, at), else_=col.updated_at),
            )
            .returning(col.tokens)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions.begin() as session:
            left = (await session.execute(stmt)).scalar_one_or_none()
            if left is None:
                await session.execute(
                    self._insert(RateBucketRow)
                    .values(key=key, tokens=float(burst), updated_at=now)
                    .on_conflict_do_nothing(index_elements=["key"])
                )
                left = (await session.execute(stmt)).scalar_one()
        return 0.0 if left >= 0 else -float(left) / rate

    async def digest_targets(self) -> list[tuple[Subscription, str]]:
        """Active digest subscriptions with their chat's time zone (for the digest poller)."""
        stmt = (
            select(SubscriptionRow, ChatRow.timezone)
            .join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
            .where(
                SubscriptionRow.mode != SubscriptionMode.INSTANT.value,
                SubscriptionRow.paused.is_(False),
                ChatRow.active.is_(True),
            )
            .order_by(SubscriptionRow.id)
        )
        async with self._reads() as session:
            rows = (await session.execute(stmt)).all()
        return [(_subscription(row), tz) for row, tz in rows]

    def _insert(self, table: type[Base]) -> Any:
        """The dialect's INSERT, which has ``on_conflict_do_nothing`` (sqlite, postgresql)."""
        if self._dialect == "postgresql":
            return pg_insert(table)
        return sqlite_insert(table)

    # -- articles ------------------------------------------------------------------------------

    def _article_insert(self, content_hash: str, path: str, summary: Summary) -> Any:
        article = summary.article
        return (
            self._insert(ArticleRow)
            .values(
                content_hash=content_hash,
                path=path,
                title=article.title,
                source=article.source,
                date=article.date,
                created_at=self._clock(),
                summary_json=summary_to_json(summary),
                search_text=_search_text(summary),
            )
            .on_conflict_do_nothing(index_elements=["content_hash"])
            .returning(ArticleRow.id)
        )

    async def add_article(
        self, content_hash: str, path: str, summary: Summary
    ) -> StoredArticle | None:
        """Store an article; ``None`` when one with the same content hash exists already."""
        stmt = self._article_insert(content_hash, path, summary)
        async with self._sessions.begin() as session:
            new_id = (await session.execute(stmt)).scalar_one_or_none()
            if new_id is None:
                return None
            row = await session.get_one(ArticleRow, new_id)
            return _article(row)

    async def add_and_enqueue_article(
        self, content_hash: str, path: str, summary: Summary
    ) -> tuple[StoredArticle, int] | None:
        """``add_article`` and ``enqueue_article`` in ONE transaction; None for a duplicate.

        Two transactions leave a window: killed between them, the article is stored but never
        queued, and after a restart the inbox skips the file as a duplicate, so it is lost.
        """
        stmt = self._article_insert(content_hash, path, summary)
        async with self._sessions.begin() as session:
            new_id = (await session.execute(stmt)).scalar_one_or_none()
            if new_id is None:
                return None
            result = await session.execute(self._enqueue_article_stmt(new_id))
            filtered = await self._enqueue_filtered(session, new_id)
            row = await session.get_one(ArticleRow, new_id)
            stored = _article(row)
        created = int(getattr(result, "rowcount", 0) or 0) + filtered
        if created:
            logger.info("enqueued article=%s deliveries=%s", new_id, created)
        return stored, created

    async def has_article(self, content_hash: str) -> bool:
        async with self._reads() as session:
            found = await session.scalar(
                select(ArticleRow.id).where(ArticleRow.content_hash == content_hash)
            )
        return found is not None

    async def get_article(self, article_id: int) -> StoredArticle | None:
        async with self._reads() as session:
            row = await session.get(ArticleRow, article_id)
            return None if row is None else _article(row)

    async def get_articles(self, article_ids: Sequence[int]) -> list[StoredArticle]:
        """The articles with these ids, in the order given (missing ones skipped)."""
        if not article_ids:
            return []
        async with self._reads() as session:
            rows = (
                await session.scalars(select(ArticleRow).where(ArticleRow.id.in_(article_ids)))
            ).all()
        by_id = {row.id: row for row in rows}
        return [_article(by_id[i]) for i in article_ids if i in by_id]

    async def latest_article(self, words: str | None = None) -> StoredArticle | None:
        """Newest article containing every word (case-insensitive substring of title, summary
        or body); newest overall without words. Only the newest ``search_window`` articles are
        searched, which keeps the LIKE scan bounded however big the store grows."""
        terms = [w for w in (words or "").casefold().split() if w]
        newest = (ArticleRow.created_at.desc(), ArticleRow.id.desc())
        stmt = select(ArticleRow)
        if terms:
            # Bound the scan by a created_at cutoff (not "id IN (window)"), so SQLite walks the
            # created_at index newest first and stops at the first match.
            cutoff = (
                select(ArticleRow.created_at)
                .order_by(*newest)
                .offset(self.search_window - 1)
                .limit(1)
                .scalar_subquery()
            )
            stmt = stmt.where(ArticleRow.created_at >= func.coalesce(cutoff, _EPOCH))
            for term in terms:
                stmt = stmt.where(ArticleRow.search_text.like(_like_pattern(term), escape="\\"))
        stmt = stmt.order_by(*newest).limit(1)
        async with self._reads() as session:
            row = await session.scalar(stmt)
            return None if row is None else _article(row)

    async def articles_between(self, start: datetime, end: datetime) -> list[StoredArticle]:
        """Articles with ``start < created_at <= end``, oldest first."""
        async with self._reads() as session:
            rows = (
                await session.scalars(
                    select(ArticleRow)
                    .where(ArticleRow.created_at > start, ArticleRow.created_at <= end)
                    .order_by(ArticleRow.created_at, ArticleRow.id)
                )
            ).all()
        return [_article(row) for row in rows]

    async def count_articles(self) -> int:
        async with self._reads() as session:
            return int(await session.scalar(select(func.count(ArticleRow.id))) or 0)

    # -- chats ---------------------------------------------------------------------------------

    async def upsert_chat(
        self,
        chat_id: int,
        *,
        type: str,
        title: str | None = None,
        language: str | None = None,
        default_timezone: str | None = None,
    ) -> Chat:
        """Create or refresh a chat. New chats get ``default_timezone``; existing ones keep
        theirs. A chat that was inactive (bot removed or blocked) becomes active again and its
        paused subscriptions resume: the chat talking to us means we may post again."""
        async with self._sessions.begin() as session:
            row = await self._ensure_chat(session, chat_id, type, default_timezone)
            row.type = type
            if title is not None:
                row.title = title
            if language is not None:
                row.language = language
            if not row.active:
                await self._set_active(session, row, True, "")
            return _chat(row)

    async def _ensure_chat(
        self, session: AsyncSession, chat_id: int, type: str | None, tz: str | None
    ) -> ChatRow:
        await session.execute(
            self._insert(ChatRow)
            .values(
                id=chat_id,
                type=type or _guess_chat_type(chat_id),
                title=None,
                timezone=tz or self.default_timezone,
                language=None,
                active=True,
                created_at=self._clock(),
            )
            .on_conflict_do_nothing(index_elements=["id"])
        )
        return await session.get_one(ChatRow, chat_id, populate_existing=True)

    async def get_chat(self, chat_id: int) -> Chat | None:
        async with self._reads() as session:
            row = await session.get(ChatRow, chat_id)
            return None if row is None else _chat(row)

    async def set_timezone(self, chat_id: int, tz: str) -> Chat:
        """Set the chat's time zone (an IANA name; ``ValueError`` when unknown)."""
        _check_timezone(tz)
        async with self._sessions.begin() as session:
            row = await self._ensure_chat(session, chat_id, None, None)
            row.timezone = tz
            return _chat(row)

    async def set_chat_active(self, chat_id: int, active: bool) -> None:
        """Bot removed (False): pause the chat's subscriptions and drop its pending posts.
        Bot re-added (True): resume them. Unknown chats are ignored."""
        async with self._sessions.begin() as session:
            row = await session.get(ChatRow, chat_id)
            if row is None:
                logger.info("set_chat_active unknown chat=%s active=%s", chat_id, active)
                return
            await self._set_active(session, row, active, "bot removed from chat")

    async def _set_active(
        self, session: AsyncSession, row: ChatRow, active: bool, reason: str
    ) -> None:
        row.active = active
        if active:
            await session.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.chat_id == row.id, SubscriptionRow.paused.is_(True))
                .values(paused=False, paused_reason=None)
            )
            return
        await session.execute(
            update(SubscriptionRow)
            .where(SubscriptionRow.chat_id == row.id)
            .values(paused=True, paused_reason=reason)
        )
        await self._fail_pending(session, row.id, None, reason)

    async def _fail_pending(
        self, session: AsyncSession, chat_id: int, thread_key: int | None, reason: str
    ) -> None:
        stmt = update(DeliveryRow).where(
            DeliveryRow.chat_id == chat_id, DeliveryRow.state == DeliveryState.PENDING.value
        )
        if thread_key is not None:
            stmt = stmt.where(DeliveryRow.thread_key == thread_key)
        await session.execute(stmt.values(state=DeliveryState.FAILED.value, last_error=reason))

    async def pause_chat(self, chat_id: int, reason: str) -> None:
        """Telegram refused the chat for good (403 blocked/kicked): the chat goes inactive, its
        subscriptions pause with ``reason`` and its pending posts fail. Other chats are
        untouched. It resumes when the chat reappears (``upsert_chat``/``set_chat_active``)."""
        async with self._sessions.begin() as session:
            row = await session.get(ChatRow, chat_id)
            if row is None:
                return
            await self._set_active(session, row, False, reason)
        logger.info("chat paused chat=%s reason=%s", chat_id, reason)

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: the chat's settings, subscriptions and pending posts
        move to ``new_id``; the old chat stays (inactive) with its sent history."""
        async with self._sessions.begin() as session:
            old = await session.get(ChatRow, old_id)
            new = await self._ensure_chat(
                session, new_id, "supergroup", old.timezone if old else None
            )
            new.type = "supergroup"
            new.active = True
            if old is None:
                return
            new.title = new.title or old.title
            new.language = new.language or old.language
            new.summary_length = new.summary_length or old.summary_length  # /settings move too
            if new.show_quotes is None:
                new.show_quotes = old.show_quotes
            if new.timezone == self.default_timezone:
                new.timezone = old.timezone
            old.active = False
            taken = set(
                (
                    await session.scalars(
                        select(SubscriptionRow.thread_key).where(SubscriptionRow.chat_id == new_id)
                    )
                ).all()
            )
            for sub in (
                await session.scalars(
                    select(SubscriptionRow).where(SubscriptionRow.chat_id == old_id)
                )
            ).all():
                if sub.thread_key in taken:
                    await session.delete(sub)
                else:
                    sub.chat_id = new_id
            await session.flush()
            existing = {
                tuple(key)
                for key in (
                    await session.execute(
                        select(
                            DeliveryRow.kind, DeliveryRow.dedup_key, DeliveryRow.thread_key
                        ).where(DeliveryRow.chat_id == new_id)
                    )
                ).all()
            }
            for row in (
                await session.scalars(
                    select(DeliveryRow).where(
                        DeliveryRow.chat_id == old_id,
                        DeliveryRow.state == DeliveryState.PENDING.value,
                    )
                )
            ).all():
                if (row.kind, row.dedup_key, row.thread_key) in existing:
                    row.state = DeliveryState.FAILED.value
                    row.last_error = f"duplicate after migration to chat {new_id}"
                else:
                    row.chat_id = new_id
        logger.info("chat migrated old=%s new=%s", old_id, new_id)

    # -- subscriptions -------------------------------------------------------------------------

    async def subscribe(
        self,
        chat_id: int,
        mode: SubscriptionMode,
        *,
        thread_id: int | None = None,
        at: time | None = None,
        every_hours: int | None = None,
    ) -> Subscription:
        """Subscribe a chat (or forum topic); subscribing again replaces the mode and keeps the
        id. A chat not seen before is created with the store's default time zone."""
        mode = SubscriptionMode(mode)
        if mode is SubscriptionMode.DAILY and at is None:
            raise ValueError("a daily subscription needs a time (at=)")
        if mode is SubscriptionMode.EVERY and (every_hours is None or every_hours < 1):
            raise ValueError("an every-N-hours subscription needs every_hours >= 1")
        if mode is not SubscriptionMode.DAILY:
            at = None
        if mode is not SubscriptionMode.EVERY:
            every_hours = None
        thread_key = thread_id or 0
        now = self._clock()
        async with self._sessions.begin() as session:
            await self._ensure_chat(session, chat_id, None, None)
            row = await session.scalar(
                select(SubscriptionRow).where(
                    SubscriptionRow.chat_id == chat_id, SubscriptionRow.thread_key == thread_key
                )
            )
            if row is None:
                row = SubscriptionRow(
                    chat_id=chat_id,
                    thread_key=thread_key,
                    created_at=now,
                    last_digest_at=None,
                )
                session.add(row)
            elif row.mode == SubscriptionMode.INSTANT.value:
                # Instant posts already covered everything so far: digests start from now.
                row.last_digest_at = now
            row.mode = mode.value
            row.at = _time_to_text(at)
            row.every_hours = every_hours
            row.paused = False
            row.paused_reason = None
            await session.flush()
            return _subscription(row)

    async def unsubscribe(self, chat_id: int, thread_id: int | None = None) -> list[Subscription]:
        """Remove the chat's (or topic's) subscription and drop its pending posts."""
        thread_key = thread_id or 0
        async with self._sessions.begin() as session:
            rows = (
                await session.scalars(
                    select(SubscriptionRow).where(
                        SubscriptionRow.chat_id == chat_id,
                        SubscriptionRow.thread_key == thread_key,
                    )
                )
            ).all()
            removed = [_subscription(row) for row in rows]
            for row in rows:
                await session.delete(row)
            if removed:
                await self._fail_pending(session, chat_id, thread_key, "unsubscribed")
        return removed

    async def get_subscription(self, sub_id: int) -> Subscription | None:
        async with self._reads() as session:
            row = await session.get(SubscriptionRow, sub_id)
            return None if row is None else _subscription(row)

    async def list_subscriptions(
        self,
        *,
        chat_id: int | None = None,
        mode: SubscriptionMode | None = None,
        include_paused: bool = False,
    ) -> list[Subscription]:
        """Subscriptions by id; without ``include_paused`` only those that receive posts."""
        stmt = select(SubscriptionRow).join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
        if chat_id is not None:
            stmt = stmt.where(SubscriptionRow.chat_id == chat_id)
        if mode is not None:
            stmt = stmt.where(SubscriptionRow.mode == SubscriptionMode(mode).value)
        if not include_paused:
            stmt = stmt.where(SubscriptionRow.paused.is_(False), ChatRow.active.is_(True))
        async with self._reads() as session:
            rows = (await session.scalars(stmt.order_by(SubscriptionRow.id))).all()
        return [_subscription(row) for row in rows]

    async def count_subscriptions(self) -> int:
        async with self._reads() as session:
            return int(await session.scalar(select(func.count(SubscriptionRow.id))) or 0)

    async def set_filters(
        self, chat_id: int, filters: Sequence[str], *, thread_id: int | None = None
    ) -> Subscription | None:
        """Replace the ``/filter`` list of the chat's (topic's) subscription (normalized by
        :mod:`bot.filters`; empty = every story). ``None`` when there is no subscription."""
        async with self._sessions.begin() as session:
            row = await session.scalar(
                select(SubscriptionRow).where(
                    SubscriptionRow.chat_id == chat_id,
                    SubscriptionRow.thread_key == (thread_id or 0),
                )
            )
            if row is None:
                return None
            row.filters = json.dumps(list(filters), ensure_ascii=False) if filters else None
            await session.flush()
            return _subscription(row)

    async def update_chat_settings(
        self,
        chat_id: int,
        *,
        language: str | _Unset | None = UNSET,
        summary_length: str | _Unset = UNSET,
        show_quotes: bool | _Unset = UNSET,
    ) -> Chat:
        """Change ``/settings`` of a chat (creating it when new); omitted ones stay.
        ``language=None`` means "follow each user's Telegram language"."""
        async with self._sessions.begin() as session:
            row = await self._ensure_chat(session, chat_id, None, None)
            if not isinstance(language, _Unset):
                row.language = language
            if not isinstance(summary_length, _Unset):
                row.summary_length = summary_length
            if not isinstance(show_quotes, _Unset):
                row.show_quotes = show_quotes
            return _chat(row)

    # -- outbox --------------------------------------------------------------------------------

    def _enqueue_article_stmt(
        self, article_id: int, *, subscription_ids: Sequence[int] | None = None
    ) -> Any:
        """The fan-out INSERT .. SELECT: every unfiltered instant subscription, or exactly
        ``subscription_ids`` (filtered ones whose /filter the article passed)."""
        now = self._clock()
        chosen = (
            SubscriptionRow.filters.is_(None)
            if subscription_ids is None
            else SubscriptionRow.id.in_(list(subscription_ids))
        )
        targets = (
            select(
                literal("article"),
                literal(str(article_id)),
                SubscriptionRow.chat_id,
                SubscriptionRow.thread_key,
                literal(json.dumps([article_id])),
                literal(DeliveryState.PENDING.value),
                literal(0),
                literal(0),
                literal("[]"),
                literal(now, UTCDateTime()),
                literal(now, UTCDateTime()),
            )
            .join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
            .where(
                SubscriptionRow.mode == SubscriptionMode.INSTANT.value,
                SubscriptionRow.paused.is_(False),
                chosen,  # filtered subscriptions: see _enqueue_filtered
                ChatRow.active.is_(True),
            )
            .order_by(SubscriptionRow.id)
        )
        columns = [
            "kind", "dedup_key", "chat_id", "thread_key", "article_ids", "state", "attempts",
            "parts_sent", "message_ids", "created_at", "next_attempt_at",
        ]  # fmt: skip
        stmt = (
            self._insert(DeliveryRow)
            .from_select(columns, targets)
            .on_conflict_do_nothing(index_elements=["kind", "dedup_key", "chat_id", "thread_key"])
        )
        return stmt

    async def enqueue_article(self, article_id: int) -> int:
        """One pending post per active instant subscription; returns how many rows were new
        (0 when called again for the same article). One INSERT .. SELECT: the fan-out to
        thousands of chats costs one statement, and the unique key drops repeats."""
        stmt = self._enqueue_article_stmt(article_id)
        async with self._sessions.begin() as session:
            result = await session.execute(stmt)
            filtered = await self._enqueue_filtered(session, article_id)
        created = int(getattr(result, "rowcount", 0) or 0) + filtered
        if created:
            logger.info("enqueued article=%s deliveries=%s", article_id, created)
        return created

    async def _enqueue_filtered(self, session: AsyncSession, article_id: int) -> int:
        """Posts for instant subscriptions with ``/filter``s whose filters the article passes
        (matched in Python by :mod:`bot.filters`: words and phrases, not SQL patterns)."""
        subs = (
            await session.execute(
                select(SubscriptionRow.id, SubscriptionRow.filters)
                .join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
                .where(
                    SubscriptionRow.mode == SubscriptionMode.INSTANT.value,
                    SubscriptionRow.paused.is_(False),
                    SubscriptionRow.filters.is_not(None),
                    ChatRow.active.is_(True),
                )
                .order_by(SubscriptionRow.id)
            )
        ).all()
        if not subs:
            return 0
        text = await session.scalar(
            select(ArticleRow.search_text).where(ArticleRow.id == article_id)
        )
        if text is None:
            return 0
        normalized = normalize_text(text)
        wanted = [
            sub_id
            for sub_id, filters in subs
            if filter_set(filters or "[]").accepts_normalized(normalized)
        ]
        created = 0
        for start in range(0, len(wanted), 5000):  # bounded IN lists (SQLite's variable limit)
            chunk = wanted[start : start + 5000]
            stmt = self._enqueue_article_stmt(article_id, subscription_ids=chunk)
            result = await session.execute(stmt)
            created += int(getattr(result, "rowcount", 0) or 0)
        return created

    @staticmethod
    def _new_delivery(
        kind: DeliveryKind,
        key: str,
        chat_id: int,
        thread_key: int,
        article_ids: list[int],
        now: datetime,
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "dedup_key": key,
            "chat_id": chat_id,
            "thread_key": thread_key,
            "article_ids": json.dumps(article_ids),
            "state": DeliveryState.PENDING.value,
            "attempts": 0,
            "parts_sent": 0,
            "message_ids": "[]",
            "parts": None,
            "last_error": None,
            "created_at": now,
            "next_attempt_at": now,
            "sent_at": None,
        }

    async def _insert_deliveries(
        self, session: AsyncSession, rows: list[dict[str, Any]]
    ) -> list[int]:
        if not rows:
            return []
        stmt = (
            self._insert(DeliveryRow)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["kind", "dedup_key", "chat_id", "thread_key"])
            .returning(DeliveryRow.id)
        )
        return list((await session.execute(stmt)).scalars())

    async def enqueue_digest(
        self, subscription_id: int, period_end: datetime, *, max_articles: int = 50
    ) -> Delivery | None:
        """Queue one digest of the articles that arrived since the subscription's last digest
        (or since it was made) up to ``period_end``, and advance ``last_digest_at``, in one
        transaction. ``None`` when there is nothing new, the period was done already, or the
        subscription is paused/gone/instant. At most the newest ``max_articles`` are listed."""
        async with self._sessions.begin() as session:
            # Locked (PostgreSQL; SQLite's BEGIN IMMEDIATE serializes anyway): a digest job
            # firing in several processes at once queues one digest, the others see it done.
            sub = await session.get(SubscriptionRow, subscription_id, with_for_update=True)
            if sub is None or sub.paused or sub.mode == SubscriptionMode.INSTANT.value:
                return None
            chat = await session.get(ChatRow, sub.chat_id)
            if chat is None or not chat.active:
                return None
            start = sub.last_digest_at or sub.created_at
            if period_end <= start:
                return None
            in_period = (ArticleRow.created_at > start, ArticleRow.created_at <= period_end)
            newest = (ArticleRow.created_at.desc(), ArticleRow.id.desc())
            if sub.filters:  # /filter: only the stories this chat wants
                wanted = filter_set(sub.filters)
                found = await session.execute(
                    select(ArticleRow.id, ArticleRow.search_text)
                    .where(*in_period)
                    .order_by(*newest)
                )
                ids = [i for i, text in found if wanted.accepts(text)][:max_articles]
            else:
                ids = list(
                    (
                        await session.scalars(
                            select(ArticleRow.id)
                            .where(*in_period)
                            .order_by(*newest)
                            .limit(max_articles)
                        )
                    ).all()
                )
            sub.last_digest_at = period_end
            if not ids:
                return None
            ids.reverse()
            key = f"sub:{sub.id}:{period_end.astimezone(UTC).isoformat()}"
            row = self._new_delivery("digest", key, sub.chat_id, sub.thread_key, ids, self._clock())
            new_ids = await self._insert_deliveries(session, [row])
            if not new_ids:
                return None
            delivery = await session.get_one(DeliveryRow, new_ids[0])
            logger.info("enqueued digest sub=%s chat=%s articles=%s", sub.id, sub.chat_id, len(ids))
            return _delivery(delivery)

    async def claim_due(
        self, limit: int, now: datetime, *, lease: timedelta | None = None
    ) -> list[Delivery]:
        """Pending rows due by ``now``, oldest first.

        With ``lease`` the rows are claimed: one ``UPDATE .. WHERE id IN (SELECT .. FOR UPDATE
        SKIP LOCKED) RETURNING`` pushes their ``next_attempt_at`` to ``now + lease``, so other
        workers (other processes, other machines) skip them, and a worker killed mid-batch
        gives its rows back when the lease runs out. One worker per database needs no lease.
        The lease must outlast a batch: a row whose lease expires mid-send could go twice.
        """
        lease = lease if lease is not None else self.claim_lease
        due = (
            select(DeliveryRow.id)
            .where(
                DeliveryRow.state == DeliveryState.PENDING.value,
                DeliveryRow.next_attempt_at <= now,
            )
            .order_by(DeliveryRow.id)
            .limit(limit)
        )
        if lease is None:
            stmt = select(DeliveryRow).where(DeliveryRow.id.in_(due.scalar_subquery()))
            async with self._sessions() as session:
                rows = (await session.scalars(stmt.order_by(DeliveryRow.id))).all()
            return [_delivery(row) for row in rows]
        if self._dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        claim = (
            update(DeliveryRow)
            .where(DeliveryRow.id.in_(due.scalar_subquery()))
            .values(next_attempt_at=now + lease)
            .returning(DeliveryRow)
            .execution_options(synchronize_session=False)
        )
        async with self._sessions.begin() as session:
            rows = (await session.scalars(claim)).all()
            return sorted((_delivery(row) for row in rows), key=lambda d: d.id)

    async def get_delivery(self, delivery_id: int) -> Delivery | None:
        async with self._reads() as session:
            row = await session.get(DeliveryRow, delivery_id)
            return None if row is None else _delivery(row)

    async def list_deliveries(
        self, *, chat_id: int | None = None, state: DeliveryState | None = None
    ) -> list[Delivery]:
        """Outbox rows by id (for ``/status``, tests and operators)."""
        stmt = select(DeliveryRow).order_by(DeliveryRow.id)
        if chat_id is not None:
            stmt = stmt.where(DeliveryRow.chat_id == chat_id)
        if state is not None:
            stmt = stmt.where(DeliveryRow.state == DeliveryState(state).value)
        async with self._reads() as session:
            rows = (await session.scalars(stmt)).all()
        return [_delivery(row) for row in rows]

    async def save_parts(self, delivery_id: int, parts: Sequence[str]) -> tuple[str, ...]:
        """Pin the rendered messages on first send; returns the pinned parts (the earlier ones
        when already pinned, so a resumed delivery continues the very same text)."""
        async with self._sessions.begin() as session:
            row = await session.get_one(DeliveryRow, delivery_id)
            if row.parts:
                return tuple(json.loads(row.parts))
            row.parts = json.dumps(list(parts), ensure_ascii=False)
            return tuple(parts)

    async def record_part_sent(
        self,
        delivery_id: int,
        message_id: int,
        *,
        parts: Sequence[str] | None = None,
        done: bool = False,
    ) -> None:
        """Telegram accepted the next part: count it, so a restart resumes after it.

        ``parts`` pins the rendered messages (when not pinned yet) and ``done`` marks the row
        SENT, in the same statement: a one-part post costs one ``UPDATE`` (the id is appended
        to the JSON list in SQL, so there is no read first; this is the hot path of fan-out).
        """
        ids = DeliveryRow.message_ids
        mid = str(int(message_id))
        values: dict[str, Any] = {
            "parts_sent": DeliveryRow.parts_sent + 1,
            "message_ids": case(
                (ids == "[]", literal(f"[{mid}]")),
                else_=func.substr(ids, 1, func.length(ids) - 1, type_=Text) + literal(f",{mid}]"),
            ),
        }
        if parts is not None:
            pinned = json.dumps(list(parts), ensure_ascii=False)
            values["parts"] = func.coalesce(DeliveryRow.parts, literal(pinned))
        if done:
            values["state"] = DeliveryState.SENT.value
            values["sent_at"] = self._clock()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values)
            )
            if not getattr(result, "rowcount", 1):
                raise LookupError(f"no delivery {delivery_id}")

    async def mark_sent(self, delivery_id: int) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(state=DeliveryState.SENT.value, sent_at=self._clock())
            )

    async def mark_retry(
        self,
        delivery_id: int,
        error: str,
        next_attempt_at: datetime,
        *,
        count_attempt: bool = True,
    ) -> None:
        """Try again at ``next_attempt_at``; flood waits (429) pass ``count_attempt=False``."""
        values: dict[str, Any] = {"last_error": error, "next_attempt_at": next_attempt_at}
        if count_attempt:
            values["attempts"] = DeliveryRow.attempts + 1
        async with self._sessions.begin() as session:
            await session.execute(
                update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values)
            )

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(
                    state=DeliveryState.FAILED.value,
                    last_error=error,
                    attempts=DeliveryRow.attempts + 1,
                )
            )

    async def queue_stats(self) -> QueueStats:
        async with self._reads() as session:
            counts = dict(
                (
                    await session.execute(
                        select(DeliveryRow.state, func.count(DeliveryRow.id)).group_by(
                            DeliveryRow.state
                        )
                    )
                ).all()
            )
            last = await session.scalar(select(func.max(DeliveryRow.sent_at)))
        if isinstance(last, str):  # SQLite's max() returns the stored text
            last = datetime.fromisoformat(last)
        if isinstance(last, datetime) and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        return QueueStats(
            pending=counts.get(DeliveryState.PENDING.value, 0),
            sent=counts.get(DeliveryState.SENT.value, 0),
            failed=counts.get(DeliveryState.FAILED.value, 0),
            last_sent_at=last,
        )

    # -- inbox bookkeeping ---------------------------------------------------------------------

    async def record_bad_file(self, path: str, reason: str) -> None:
        async with self._sessions.begin() as session:
            session.add(BadFileRow(path=path, reason=reason, at=self._clock()))

    async def recent_bad_files(self, limit: int = 5) -> list[BadFile]:
        """Newest first."""
        async with self._reads() as session:
            rows = (
                await session.scalars(
                    select(BadFileRow)
                    .order_by(BadFileRow.at.desc(), BadFileRow.id.desc())
                    .limit(limit)
                )
            ).all()
        return [BadFile(path=row.path, reason=row.reason, at=row.at) for row in rows]

    # -- maintenance ---------------------------------------------------------------------------

    async def delete_sent_before(self, cutoff: datetime) -> int:
        """Forget SENT rows older than ``cutoff`` (the outbox is not an archive)."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(DeliveryRow).where(
                    DeliveryRow.state == DeliveryState.SENT.value, DeliveryRow.sent_at < cutoff
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE for every transaction."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite driver's implicit
        # BEGIN is deferred, which fails instead of waiting when a reader needs to write).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA busy_timeout=5000",
            "PRAGMA foreign_keys=ON",
            "PRAGMA synchronous=NORMAL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get("newsbot_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
