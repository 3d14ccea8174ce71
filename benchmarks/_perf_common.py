"""Shared pieces of the performance benchmarks: result tables, timing, test articles, RSS.

Every benchmark returns a :class:`Result`: markdown tables for people and a plain dict for
``--json``. Articles come from ``../shared/data/summaries-dev`` when it is there, else from
:func:`synthetic_articles` (our own text), so the benchmarks still run without the data.
"""

from __future__ import annotations

import json
import math
import os
import random
import resource
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
BBC_DEV = DATA / "summaries-dev" / "bbc-dev.jsonl"


@dataclass(frozen=True, slots=True)
class Table:
    """One markdown table with a title and notes under it."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()

    def to_markdown(self) -> str:
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("|" + "|".join(" --- " for _ in self.headers) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Target:
    """A target from the issue, and whether this run met it (None: not measured)."""

    name: str
    wanted: str
    measured: str
    met: bool | None


@dataclass(slots=True)
class Result:
    """What one benchmark produced."""

    name: str
    tables: list[Table] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    skipped: str | None = None

    def to_markdown(self) -> str:
        if self.skipped:
            return f"### {self.name}\n\n_skipped: {self.skipped}_\n"
        return "\n".join(t.to_markdown() for t in self.tables)


def load_dev_articles(limit: int | None = None) -> list[str]:
    """Article texts (title line, blank line, paragraphs) from the dev set, or synthetic ones."""
    if BBC_DEV.is_file():
        with BBC_DEV.open(encoding="utf-8") as fh:
            texts = [json.loads(line)["article"] for line in fh if line.strip()]
    else:
        texts = synthetic_articles(250)
    return texts[:limit] if limit else texts


_NAMES = ("Maria Olsen", "Tom Baxter", "Ana Ruiz", "Kenji Sato", "Liam Doyle", "Priya Nair")
_ROLES = ("the mayor", "the minister", "a spokeswoman", "the chief executive", "the coach")
_TOPICS = ("harbour", "railway", "budget", "festival", "school", "river", "market", "clinic")
_VERBS = ("approved", "delayed", "expanded", "questioned", "funded", "reviewed", "cancelled")


def synthetic_articles(count: int, *, seed: int = 7, paragraphs: int = 8) -> list[str]:
    """News-shaped articles written from a template: titles, reported speech, quotes.

    Deterministic for a seed; every article differs, so content hashes never collide.
    """
    rng = random.Random(seed)
    out = []
    for n in range(count):
        topic = rng.choice(_TOPICS)
        title = f"Council {rng.choice(_VERBS)} the {topic} plan, report {n}"
        body = []
        for p in range(paragraphs):
            name, role = rng.choice(_NAMES), rng.choice(_ROLES)
            figure = rng.randint(2, 900)
            sentences = [
                f"The {topic} project was {rng.choice(_VERBS)} on Tuesday after {figure} "
                f"residents signed a petition in item {n}.{p}.",
                f"{name}, {role}, said the cost had risen by {figure // 3}% since last year.",
                f'"We will not let the {topic} fall behind again," {name.split()[0]} said.',
                f"Officials expect a final decision by the end of month {1 + p % 12}.",
            ]
            rng.shuffle(sentences)
            body.append(" ".join(sentences))
        out.append(title + "\n\n" + "\n\n".join(body))
    return out


def split_article(text: str) -> tuple[str, list[str]]:
    """Title and body paragraphs of an article text in the dev-set layout."""
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    return blocks[0], blocks[1:]


def write_articles(texts: Iterable[str], folder: Path, *, prefix: str = "a") -> list[Path]:
    """One ``.txt`` file per article, so that loading from disk is part of what we time."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, text in enumerate(texts):
        path = folder / f"{prefix}{n:05d}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def timed(
    func: Callable[[], object],
    *,
    min_time: float = 0.2,
    max_reps: int = 50,
    min_reps: int = 1,
    clock: Callable[[], float] = time.process_time,
) -> float:
    """Fastest seconds per call (the least disturbed by other processes, as timeit advises):
    at least ``min_reps`` calls, more until ``min_time`` has passed.

    The default clock is this process's CPU time: on a machine shared with other busy
    processes, waiting for a core is not the code's cost. Pass ``time.perf_counter`` for
    wall-clock time (anything that waits on I/O or other processes).
    """
    samples: list[float] = []
    spent = 0.0
    while len(samples) < min_reps or (spent < min_time and len(samples) < max_reps):
        start = clock()
        func()
        elapsed = clock() - start
        samples.append(elapsed)
        spent += elapsed
    return min(samples)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation, so p95 of 20 values is a real sample)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def fit_exponent(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) over log(x): cost ~ size**slope."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    num = sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True))
    den = sum((a - mx) ** 2 for a in lx)
    return num / den if den else math.nan


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Resident set size right now, in MiB."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return math.nan


def cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def fmt(value: float, digits: int = 1) -> str:
    """A number for a table cell; NaN shows as a dash."""
    return "–" if math.isnan(value) else f"{value:,.{digits}f}"


def ms(seconds: float, digits: int = 2) -> str:
    """Seconds as milliseconds for a table cell."""
    return fmt(seconds * 1000, digits)
