"""Articles sent to the bot by its admins land in the inbox like any other file.

The file is written under a hidden temporary name (``.upload-*.part``, which the inbox
watcher ignores), flushed to disk, then given its final name in one atomic step: the watcher
never sees half a file, and a crash leaves only a hidden temp file behind. An existing file
is never overwritten: the final name gets ``-2``, ``-3``... when taken.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path, PurePath

from summaries import ARTICLE_SUFFIXES

__all__ = ["MAX_UPLOAD_BYTES", "accepts_name", "safe_name", "save_to_inbox", "text_name"]

#: Telegram lets bots download files up to 20 MB.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_UNSAFE = re.compile(r"[^\w.-]+")


def accepts_name(name: str) -> bool:
    """Whether the file name has a suffix the summarizer reads."""
    return PurePath(name).suffix.lower() in ARTICLE_SUFFIXES


def safe_name(name: str) -> str:
    """A plain file name from a user-given one: no folders, no hidden files, no odd bytes."""
    base = PurePath(name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    stem = _UNSAFE.sub("_", stem).strip("._-")[:80] or "article"
    suffix = suffix.lower() if suffix.lower() in ARTICLE_SUFFIXES else ".txt"
    return stem + suffix


def text_name(when: datetime, message_id: int) -> str:
    """The inbox name for a pasted text."""
    return f"message-{when:%Y%m%d-%H%M%S}-{message_id}.txt"


def save_to_inbox(inbox: Path, name: str, data: bytes) -> Path:
    """Write ``data`` into ``inbox`` atomically under ``safe_name(name)``; returns the path."""
    inbox.mkdir(parents=True, exist_ok=True)
    final_name = safe_name(name)
    fd, temp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=inbox)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        stem, suffix = os.path.splitext(final_name)
        for attempt in range(1, 1000):
            target = inbox / (final_name if attempt == 1 else f"{stem}-{attempt}{suffix}")
            try:
                os.link(temp, target)  # fails when taken: never overwrites
            except FileExistsError:
                continue
            except OSError:  # no hard links here (some network/FAT file systems)
                if target.exists():
                    continue
                os.replace(temp, target)
                return target
            return target
        raise FileExistsError(f"no free name for {final_name} in {inbox}")
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
