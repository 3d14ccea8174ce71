"""The inbox: notice new article files, wait until they are complete, ingest each once.

Events from watchfiles are fast but can be lost (overflow, network file systems, a folder
recreated), so a scan at start and a periodic rescan back them up. A file is taken only when
its size and mtime have not changed for ``settle_seconds``: a file written in chunks is not
read half-way. Temporary names (dotfiles, ``*.part``, ``*.tmp``, ``*~``, ...) are ignored, so
"write to a temp name, then rename" is picked up once, at the final name.

Ingesting dedups by the SHA-256 of the bytes, summarizes in a worker thread, then stores the
article and queues it for every instant subscriber in one transaction (killed in between, the
file would later look like a known duplicate and never be posted). A file that cannot be read
as an article is recorded with its reason and moved to ``<inbox>/.failed/`` next to a
``.reason.txt``; user files are never deleted, and one bad file never blocks the rest.

Hostile files: the size limit is checked before reading (and the read stops at the limit);
a path that resolves outside the inbox (symlink) or is not a regular file (FIFO, device) is
refused when it is opened, not only when it was listed; a file that changes while it is read
is left for the next settle round; names that are not valid UTF-8 or hold control characters
are shown (logs, store, posts) with those replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import stat
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from watchfiles import Change, awatch

from summaries import (
    ARTICLE_SUFFIXES,
    ArticleError,
    ArticleTooLarge,
    Summary,
    SummaryOptions,
    parse_article,
    summarize_article,
)

if TYPE_CHECKING:
    from .store import Store

__all__ = [
    "FAILED_DIR",
    "InboxWatcher",
    "IngestResult",
    "Ingestor",
    "display_name",
    "is_article_name",
    "summarize_in_thread",
]

logger = logging.getLogger(__name__)

FAILED_DIR = ".failed"
_TEMP_SUFFIXES = frozenset(
    {".part", ".partial", ".tmp", ".temp", ".crdownload", ".swp", ".download"}
)

Signature = tuple[int, int]  # (size, mtime_ns)


def is_article_name(name: str) -> bool:
    """Whether a file name is an article we should read (not a temp or hidden file)."""
    if not name or name.startswith((".", "~$", "#")) or name.endswith(("~", "#")):
        return False
    suffix = Path(name).suffix.lower()
    return suffix not in _TEMP_SUFFIXES and suffix in ARTICLE_SUFFIXES


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What became of one inbox file."""

    path: Path
    outcome: Literal["new", "duplicate", "bad", "gone", "changed", "claimed"]
    article_id: int | None = None
    deliveries: int = 0
    reason: str | None = None


Summarizer = Callable[[bytes, str, SummaryOptions], Awaitable[Summary]]


def _summarize(data: bytes, name: str, options: SummaryOptions) -> Summary:
    return summarize_article(parse_article(data, name), options)


async def summarize_in_thread(data: bytes, name: str, options: SummaryOptions) -> Summary:
    """Parse and summarize in a worker thread, off the event loop (the default summarizer;
    a process pool such as :class:`bot.workers.SummaryPool` fits the same shape)."""
    return await asyncio.to_thread(_summarize, data, name, options)


class _Refused(Exception):
    """The path must not be read at all (outside the inbox, not a regular file)."""


class _Changed(Exception):
    """The file changed while it was read: try again once it has settled."""


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_and_hash(path: Path, root: Path, max_bytes: int) -> tuple[bytes, str]:
    """Read a regular file inside ``root``: at most ``max_bytes`` (+1 to tell it is over).

    The checks happen on the opened descriptor, so swapping the file for a symlink or a FIFO
    after it was listed gains nothing. Raises :class:`ArticleTooLarge` without reading a
    file that is over the limit.
    """
    try:
        real = path.resolve(strict=True)
    except RuntimeError as exc:  # a symlink loop (Python < 3.13)
        raise _Refused("the file is a symlink loop") from exc
    if not real.is_relative_to(root):
        raise _Refused("the file is a link to a place outside the inbox")
    fd = os.open(real, _OPEN_FLAGS | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        before = os.fstat(handle.fileno())
        if not stat.S_ISREG(before.st_mode):
            raise _Refused("not a regular file")
        if before.st_size > max_bytes:
            raise ArticleTooLarge(path.name, _too_large(before.st_size, max_bytes))
        data = handle.read(max_bytes + 1)
        after = os.fstat(handle.fileno())
    if len(data) > max_bytes:
        raise ArticleTooLarge(path.name, _too_large(len(data), max_bytes))
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise _Changed
    return data, hashlib.sha256(data).hexdigest()


def _too_large(size: int, limit: int) -> str:
    return f"the file is too large ({size:,} bytes; the limit is {limit:,}, NEWSBOT_MAX_FILE_BYTES)"


def display_name(name: str) -> str:
    """A file name safe to log, store and post: undecodable bytes and control characters
    (newlines could forge log lines) become U+FFFD."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in text)


def _unique(path: Path) -> Path:
    """``path``, or ``name-1.ext``, ``name-2.ext``... if taken: quarantine never overwrites."""
    candidate, n = path, 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _quarantine(path: Path, inbox: Path, reason: str) -> Path | None:
    """Move a bad file to ``.failed/`` with its reason beside it; None if it cannot be moved."""
    failed = inbox / FAILED_DIR
    try:
        failed.mkdir(exist_ok=True)
        target = _unique(failed / path.name)
        path.rename(target)
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    except OSError as exc:
        logger.warning("could not move bad file path=%s error=%s", path, exc)
        return None
    return target


class Ingestor:
    """Turns one complete inbox file into a stored, queued article (or a recorded bad file)."""

    def __init__(
        self,
        store: Store,
        inbox: Path,
        *,
        options: SummaryOptions | None = None,
        max_file_bytes: int = 20_000_000,
        on_new: Callable[[], None] | None = None,
        summarize: Summarizer = summarize_in_thread,
        claim_owner: str | None = None,
        claim_lease: timedelta = timedelta(minutes=5),
    ) -> None:
        """``claim_owner`` names this process when several ingest from one shared inbox: a
        file is summarized by whoever claims its content hash first (``Store.claim_ingest``)."""
        self._store = store
        self._claim_owner = claim_owner
        self._claim_lease = claim_lease
        self._summarize = summarize
        self._inbox = inbox
        self._root = inbox.resolve()
        self._options = options or SummaryOptions()
        self._max_bytes = max_file_bytes
        self._on_new = on_new

    async def __call__(self, path: Path) -> IngestResult:
        name = display_name(path.name)
        try:
            data, digest = await asyncio.to_thread(
                _read_and_hash, path, self._root, self._max_bytes
            )
        except FileNotFoundError:
            return IngestResult(path, "gone")
        except _Changed:
            logger.info("inbox file changed while read, waiting path=%s", name)
            return IngestResult(path, "changed")
        except _Refused as exc:
            return await self._bad(path, str(exc), move=False)
        except ArticleTooLarge as exc:
            return await self._bad(path, exc.reason, move=True)
        except OSError as exc:
            return await self._bad(path, f"cannot read the file: {exc.strerror or exc}", move=False)
        if await self._store.has_article(digest):
            logger.info("inbox duplicate path=%s sha256=%s", name, digest[:12])
            return IngestResult(path, "duplicate")
        owner = self._claim_owner
        if owner is None:
            return await self._ingest_new(path, name, data, digest)
        if not await self._store.claim_ingest(digest, owner, lease=self._claim_lease):
            logger.info("inbox file taken by another process path=%s", name)
            return IngestResult(path, "claimed")
        try:
            return await self._ingest_new(path, name, data, digest)
        finally:
            await self._store.release_ingest(digest, owner)

    async def _ingest_new(self, path: Path, name: str, data: bytes, digest: str) -> IngestResult:
        try:
            summary = await self._summarize(data, name, self._options)
        except ArticleError as exc:
            return await self._bad(path, exc.reason, move=True)
        except Exception as exc:  # an engine bug (deep recursion...) must not kill the inbox
            logger.exception("inbox could not summarize path=%s", name)
            reason = f"could not be processed (internal error: {type(exc).__name__})"
            return await self._bad(path, reason, move=True)
        added = await self._store.add_and_enqueue_article(digest, str(path.parent / name), summary)
        if added is None:
            return IngestResult(path, "duplicate")
        stored, queued = added
        logger.info(
            "inbox new article=%s path=%s title=%r deliveries=%s",
            stored.id,
            name,
            stored.title,
            queued,
        )
        if queued and self._on_new is not None:
            self._on_new()
        return IngestResult(path, "new", article_id=stored.id, deliveries=queued)

    async def _bad(self, path: Path, reason: str, *, move: bool) -> IngestResult:
        logger.warning("inbox bad file path=%s reason=%s", display_name(path.name), reason)
        await self._store.record_bad_file(str(path.parent / display_name(path.name)), reason)
        if move:
            await asyncio.to_thread(_quarantine, path, self._inbox, reason)
        return IngestResult(path, "bad", reason=reason)


class InboxWatcher:
    """Finds complete article files in one folder and hands each to ``ingest`` once.

    ``clock`` is monotonic seconds; tests pass their own to drive settling step by step via
    :meth:`scan` and :meth:`poll` without sleeping.
    """

    def __init__(
        self,
        folder: Path,
        ingest: Callable[[Path], Awaitable[IngestResult]],
        *,
        settle_seconds: float = 0.3,
        rescan_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        use_events: bool = True,
    ) -> None:
        self.folder = folder
        self._root = folder.resolve()
        self._ingest = ingest
        self._settle = settle_seconds
        self._rescan = rescan_seconds
        self._clock = clock
        self._use_events = use_events
        self._pending: dict[Path, tuple[Signature, float]] = {}
        self._done: dict[Path, Signature] = {}
        self._changed = asyncio.Event()
        self.results: list[IngestResult] = []  # recent outcomes, newest last (for /status)

    @property
    def pending(self) -> int:
        """Files seen but not yet complete."""
        return len(self._pending)

    def _signature(self, path: Path) -> Signature | None:
        """Size and mtime of a regular article file inside the inbox, else None."""
        if not is_article_name(path.name):
            return None
        try:
            if path.is_symlink() and not path.resolve().is_relative_to(self._root):
                logger.warning(
                    "inbox ignores symlink pointing outside path=%s", display_name(path.name)
                )
                return None
            stat = path.stat()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop
            return None
        if not path.is_file():
            return None
        return (stat.st_size, stat.st_mtime_ns)

    def notice(self, path: Path) -> None:
        """Consider a path (from an event or a scan); cheap when it was already ingested."""
        path = self.folder / path.name  # one key per file, whatever spelling the event used
        signature = self._signature(path)
        if signature is None:
            self._pending.pop(path, None)
            return
        if self._done.get(path) == signature or path in self._pending:
            return
        self._pending[path] = (signature, self._clock())
        self._changed.set()

    def scan(self) -> None:
        """Look at every file in the folder (backs up lost events)."""
        try:
            entries = sorted(self.folder.iterdir())
        except OSError as exc:
            logger.warning("inbox scan failed folder=%s error=%s", self.folder, exc)
            return
        for path in entries:
            self.notice(path)

    def ready(self) -> list[Path]:
        """Pending files whose size and mtime held still for ``settle_seconds``, oldest first."""
        now, ready = self._clock(), []
        for path, (signature, since) in list(self._pending.items()):
            current = self._signature(path)
            if current is None:
                del self._pending[path]
            elif current != signature:
                self._pending[path] = (current, now)  # still being written: start over
            elif now - since >= self._settle:
                ready.append(path)
        return ready

    async def poll(self) -> list[IngestResult]:
        """Ingest every file that is complete now; one failure never stops the others."""
        results = []
        for path in self.ready():
            signature, _ = self._pending.pop(path)
            self._done[path] = signature
            try:
                result = await self._ingest(path)
            except Exception as exc:
                logger.exception("inbox failed to ingest path=%s", display_name(path.name))
                result = IngestResult(path, "bad", reason=f"internal error: {exc!r}")
            if result.outcome == "changed":  # still being written: settle again
                self._done.pop(path, None)
                self.notice(path)
            elif result.outcome == "claimed":  # another process has it: look again at rescan
                self._done.pop(path, None)
            results.append(result)
        if results:
            self.results = (self.results + results)[-20:]
        return results

    async def run(self) -> None:
        """Watch forever: initial scan, events, settling, periodic rescans."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.scan()
        events = asyncio.create_task(self._watch()) if self._use_events else None
        next_rescan = self._clock() + self._rescan
        step = max(min(self._settle / 3, 0.1), 0.02)
        try:
            while True:
                try:
                    if self._clock() >= next_rescan:
                        self.scan()
                        next_rescan = self._clock() + self._rescan
                    await self.poll()
                except Exception:
                    logger.exception("inbox loop error (continuing)")
                self._changed.clear()
                timeout = step if self._pending else max(next_rescan - self._clock(), step)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
        finally:
            if events is not None:
                events.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await events

    async def _watch(self) -> None:
        """Feed file-system events into :meth:`notice`; restart after errors."""
        while True:
            try:
                async for changes in awatch(
                    self.folder, watch_filter=None, debounce=50, step=20, recursive=False
                ):
                    for change, raw in changes:
                        path = Path(raw)
                        if change == Change.deleted:
                            self._pending.pop(path, None)
                            self._done.pop(path, None)
                        else:
                            self.notice(path)
            except Exception:
                logger.exception("inbox watcher error; relying on rescans for a while")
            await asyncio.sleep(self._rescan)
