"""Bot benchmarks: file→post latency, fan-out under flood limits, memory, /status under load.

Latency and /status run the real ``newsbot run`` in a subprocess against the loopback Bot
API stand-in (:mod:`benchmarks._perf_botapi`), so they see everything a user would: the
inbox watcher, settling, the store, the delivery worker, PTB's rate limiter and polling.
Fan-out drives the real :class:`bot.delivery.DeliveryWorker` and the application's bot (with
its ``AIORateLimiter``) against a stand-in that answers 429 like Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._perf_botapi import FloodLimits, LoopbackBotAPI
from ._perf_common import (
    REPO,
    Result,
    Table,
    Target,
    cores,
    fmt,
    load_dev_articles,
    ms,
    percentile,
    split_article,
)

VARIANT_COMMANDS = {
    "threads": ("-m", "bot", "run"),
    "pool": ("-m", "benchmarks._perf_pooled", "--pool", "run"),
    "pool+reads": ("-m", "benchmarks._perf_pooled", "--pool", "--read-sessions", "run"),
}
FAKE_TOKEN = "123456789:AAPerfBenchmarkFakeToken_0123456789abc"
TARGET_LATENCY_P95 = 1.0
TARGET_STATUS = 0.2
TARGET_FANOUT_SHARE = 0.9
READER_CHAT = 4242
STATUS_CHAT = 5151


# ---- process pool throughput --------------------------------------------------------------


def pool_throughput(paths: Sequence[Path], min_time: float = 3.0) -> float:
    """Articles/s through :class:`bot.workers.SummaryPool` on every core (warm-up excluded)."""
    from bot.workers import SummaryPool

    async def go() -> float:
        async with SummaryPool() as pool:
            passes: list[float] = []
            while not passes or (sum(passes) < min_time and len(passes) < 20):
                start = time.perf_counter()
                await asyncio.gather(*(pool.summarize(p) for p in paths), return_exceptions=True)
                passes.append(time.perf_counter() - start)
        return len(paths) / min(passes)

    return asyncio.run(go())


# ---- the bot in a subprocess ----------------------------------------------------------------


class BotProcess:
    """``newsbot run`` with a fake token, pointed at the stand-in; stopped with SIGINT."""

    def __init__(
        self, workdir: Path, api: LoopbackBotAPI, *, variant: str = "threads", **env: str
    ) -> None:
        self.workdir = workdir
        self.command_line = VARIANT_COMMANDS[variant]
        self.inbox = workdir / "inbox"
        self.api = api
        self.extra_env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "newsbot.log"
        self.last_reply = ""

    async def start(self, timeout: float = 30.0) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSBOT_"))}
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": FAKE_TOKEN,
                "TELEGRAM_API_BASE_URL": self.api.base_url,
                "NEWSBOT_DATA_DIR": str(self.workdir / "data"),
                "NEWSBOT_INBOX": str(self.inbox),
                "NEWSBOT_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(REPO),
            }
        )
        env.update(self.extra_env)
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, *self.command_line],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while self.api.calls["getUpdates"] == 0:
            if self.proc.poll() is not None:
                raise RuntimeError(f"newsbot run exited: {self.tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"newsbot run did not start polling: {self.tail()}")
            await asyncio.sleep(0.05)

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident set of the bot process in MiB."""
        if self.proc is None:
            return float("nan"), float("nan")
        values = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024
        return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))

    async def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        for _ in range(300):
            if self.proc.poll() is not None:
                return
            self.api.release_polls()
            await asyncio.sleep(0.05)
        self.proc.kill()
        self.proc.wait()

    async def command(self, text: str, chat_id: int, timeout: float = 15.0) -> float:
        """Send a command, wait for the bot's reply; seconds from hand-out to reply."""
        before = len([m for m in self.api.sent if m.chat_id == chat_id])
        update_id = self.api.push_message(text, chat_id=chat_id)
        replies = await self.api.wait_for_messages(before + 1, chat_id=chat_id, timeout=timeout)
        handed = self.api.handed_out.get(update_id, replies[before].at)
        self.last_reply = replies[before].text
        return replies[before].at - handed


def _write_atomically(folder: Path, name: str, text: str) -> None:
    """Write under a hidden name, then rename: the inbox sees one complete file."""
    tmp = folder / f".{name}.part"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, folder / name)


def _marked(text: str, marker: str) -> str:
    """The article with a unique marker in its title, so its post can be found."""
    title, paragraphs = split_article(text)
    return f"{marker} {title}\n\n" + "\n\n".join(paragraphs) + "\n"


async def _wait_marker(api: LoopbackBotAPI, marker: str, start_index: int, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    seen = start_index
    while time.monotonic() < deadline:
        for message in api.sent[seen:]:
            if marker in message.text and message.chat_id == READER_CHAT:
                return message
        seen = len(api.sent)
        with contextlib.suppress(TimeoutError):
            api._new_message.clear()
            await asyncio.wait_for(api._new_message.wait(), 0.05)
    return None


VARIANTS = {
    "threads": "the bot as wired (summaries in a worker thread)",
    "pool": "summaries in bot.workers.SummaryPool (patched in by benchmarks/_perf_pooled.py)",
    "pool+reads": "pool, and the store's read-only methods without BEGIN IMMEDIATE (patched in "
    "by benchmarks/_perf_pooled.py)",
}


def run_latency(
    workdir: Path,
    *,
    files: int = 200,
    variants: Sequence[str] = ("threads", "pool"),
    idle_wait: float = 1.0,
) -> Result:
    """File written into the inbox → message accepted by the Bot API, one file at a time."""
    runs = [asyncio.run(_latency(workdir / f"latency-{v}", files, v, idle_wait)) for v in variants]
    rows, targets = [], []
    for run in runs:
        if "error" in run:
            rows.append((run["variant"], str(files), "0", "–", "–", "–", "–", run["error"]))
            continue
        rows.append(
            (
                run["variant"],
                str(files),
                str(run["posted"]),
                ms(run["p50_s"], 0),
                ms(run["p95_s"], 0),
                ms(run["max_s"], 0),
                ms(run["min_s"], 0),
                f"{fmt(run['rss_mb'])} ({fmt(run['peak_rss_mb'])})",
            )
        )
        targets.append(
            Target(
                f"file→post latency p95 ({run['variant']})",
                f"< {TARGET_LATENCY_P95:.0f} s",
                f"{run['p95_s'] * 1000:.0f} ms" + (f", {run['lost']} lost" if run["lost"] else ""),
                run["p95_s"] < TARGET_LATENCY_P95 and run["lost"] == 0,
            )
        )
    table = Table(
        f"Latency: file written → post accepted ({files} files, one at a time, idle bot)",
        ("set-up", "files", "posted", "p50 ms", "p95 ms", "max ms", "min ms", "bot RSS MiB (peak)"),
        tuple(rows),
        (
            "Real `newsbot run` (subprocess, fake token) against the loopback Bot API; "
            "files written under a hidden name and renamed into the inbox.",
            "Includes the inbox settle time (NEWSBOT_SETTLE_SECONDS, default 0.3 s).",
            "Refused = files the engine rejected (moved to .failed), not lost: "
            + ", ".join(f"{r['variant']} {r.get('refused', 0)}" for r in runs)
            + "; lost: "
            + ", ".join(f"{r['variant']} {r.get('lost', 0)}" for r in runs)
            + ".",
            *(f"{v}: {VARIANTS[v]}" for v in variants),
            f"Target: p95 < {TARGET_LATENCY_P95:.0f} s.",
        ),
    )
    first = next((r for r in runs if "error" not in r), runs[0])
    return Result("latency", [table], {"runs": runs, "p95_s": first.get("p95_s")}, targets)


async def _latency(workdir: Path, files: int, variant: str, idle_wait: float) -> dict[str, Any]:
    texts = load_dev_articles()
    async with LoopbackBotAPI() as api:
        bot = BotProcess(workdir, api, variant=variant)
        try:
            await bot.start()
            await bot.command("/subscribe", READER_CHAT)
            await asyncio.sleep(idle_wait)  # an idle bot: start-up work (pool warm-up) is over
            latencies: list[float] = []
            lost = refused = 0
            for n in range(files):
                marker = f"PerfLatency{n:04d}"
                start_index = len(api.sent)
                t0 = time.monotonic()
                text = _marked(texts[n % len(texts)], marker)
                _write_atomically(bot.inbox, f"lat-{n:04d}.txt", text)
                message = await _wait_marker(api, marker, start_index, timeout=10.0)
                if message is None:
                    if any((bot.inbox / ".failed").glob(f"lat-{n:04d}*")):
                        refused += 1  # the engine said no (moved to .failed): not lost
                    else:
                        lost += 1
                    continue
                latencies.append(message.at - t0)
                await asyncio.sleep(0.02)
            rss, peak = bot.rss_mb()
        except (RuntimeError, TimeoutError) as exc:
            return {"variant": variant, "error": str(exc).splitlines()[0][:200]}
        finally:
            await bot.stop()
    if not latencies:
        return {"variant": variant, "error": "no post arrived: " + bot.tail(3)}
    return {
        "variant": variant,
        "files": files,
        "posted": len(latencies),
        "lost": lost,
        "refused": refused,
        "p50_s": percentile(latencies, 50),
        "p95_s": percentile(latencies, 95),
        "max_s": max(latencies),
        "min_s": min(latencies),
        "rss_mb": rss,
        "peak_rss_mb": peak,
    }


# ---- /status during a burst ------------------------------------------------------------------


def _secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def run_status(
    workdir: Path,
    *,
    files: int = 500,
    variants: Sequence[str] = ("threads", "pool", "pool+reads"),
    idle_wait: float = 1.0,
    idle_samples: int = 5,
) -> Result:
    """/status reply time while a burst of files is ingested and posted."""
    runs = [
        asyncio.run(_status(workdir / f"status-{v}", files, v, idle_wait, idle_samples))
        for v in variants
    ]
    rows, notes, targets = [], [], []
    for run in runs:
        v = run["variant"]
        if "error" in run:
            rows.append((v, "–", "–", "–", "–", "–", run["error"]))
            continue
        idle = run["idle_s"]
        rows.append(
            (v, "idle", str(len(idle)), ms(percentile(idle, 50), 0),
             ms(percentile(idle, 95), 0), ms(max(idle), 0), "")
        )  # fmt: skip
        rows.append(
            (
                v,
                "during the burst",
                str(len(run["busy_s"])),
                ms(run["p50_s"], 0),
                ms(run["p95_s"], 0),
                ms(run["max_s"], 0),
                f"all stored after {_secs(run['stored_seconds'])}, "
                f"{run['posted']} posts after {run['burst_seconds']:.1f} s "
                f"({run['posted'] / run['burst_seconds']:.1f}/s); bot RSS {fmt(run['rss_mb'])} MiB",
            )
        )
        targets.append(
            Target(
                f"/status during a {files}-file burst, p95 ({v})",
                f"< {TARGET_STATUS * 1000:.0f} ms",
                f"p95 {run['p95_s'] * 1000:.0f} ms, max {run['max_s'] * 1000:.0f} ms",
                run["p95_s"] < TARGET_STATUS,
            )
        )
    notes += [
        f"{files} files renamed into the inbox at once; /status from a second chat every 0.2 s "
        "until every post was accepted.",
        "Reply time = the stand-in handing out the /status update → accepting the reply "
        "(includes PTB's rate limiter, which the replies share with the article posts).",
        *(f"{v}: {VARIANTS[v]}" for v in variants),
        f"Target: < {TARGET_STATUS * 1000:.0f} ms during the burst.",
    ]
    table = Table(
        f"/status during a burst of {files} files",
        ("set-up", "when", "samples", "p50 ms", "p95 ms", "max ms", "burst"),
        tuple(rows),
        tuple(notes),
    )
    first = next((r for r in runs if "error" not in r), runs[0])
    return Result("status", [table], {"runs": runs, "p95_s": first.get("p95_s")}, targets)


async def _status(
    workdir: Path, files: int, variant: str, idle_wait: float, idle_samples: int
) -> dict[str, Any]:
    texts = load_dev_articles()
    async with LoopbackBotAPI() as api:
        bot = BotProcess(workdir, api, variant=variant)
        try:
            await bot.start()
            await bot.command("/subscribe", READER_CHAT)
            await asyncio.sleep(idle_wait)  # start-up work (pool warm-up) is over
            idle = [await bot.command("/status", STATUS_CHAT) for _ in range(idle_samples)]
            posts_before = len([m for m in api.sent if m.chat_id == READER_CHAT])
            burst_start = time.monotonic()
            for n in range(files):
                text = _marked(texts[n % len(texts)], f"PerfBurst{n:04d}")
                _write_atomically(bot.inbox, f"burst-{n:04d}.txt", text)
            busy: list[float] = []
            deadline = burst_start + 60.0 + files * 0.2
            done_at = stored_at = None
            while time.monotonic() < deadline:
                posted = len([m for m in api.sent if m.chat_id == READER_CHAT]) - posts_before
                if posted >= files:
                    done_at = time.monotonic()
                    stored_at = stored_at or done_at  # every post out: every article stored
                    break
                try:
                    busy.append(await bot.command("/status", STATUS_CHAT, timeout=30.0))
                except TimeoutError:
                    busy.append(float("inf"))
                found = re.search(r"Articles: (\d+)", bot.last_reply)
                if stored_at is None and found and int(found.group(1)) >= files:
                    stored_at = time.monotonic()
                await asyncio.sleep(0.2)
            posted = len([m for m in api.sent if m.chat_id == READER_CHAT]) - posts_before
            rss, peak = bot.rss_mb()
        except (RuntimeError, TimeoutError) as exc:
            return {"variant": variant, "error": str(exc).splitlines()[0][:200]}
        finally:
            await bot.stop()
    if not busy:
        busy = [float("nan")]
    return {
        "variant": variant,
        "files": files,
        "posted": posted,
        "complete": done_at is not None,
        "burst_seconds": (done_at or time.monotonic()) - burst_start,
        "stored_seconds": (stored_at - burst_start) if stored_at else None,
        "idle_s": idle,
        "busy_s": busy,
        "p50_s": percentile(busy, 50),
        "p95_s": percentile(busy, 95),
        "max_s": max(busy),
        "rss_mb": rss,
        "peak_rss_mb": peak,
    }


# ---- fan-out -----------------------------------------------------------------------------


LIMITERS = {
    "app": "the application's AIORateLimiter() (PTB defaults: buckets of 30/s and 20/min/group)",
    "smooth": "AIORateLimiter(overall 1 per 1/30 s, group 1 per 3 s): same rates, no bursts",
    "retry": "AIORateLimiter(max_retries=3): PTB defaults, but a 429 pauses every request "
    "for retry_after and is retried inside the limiter",
}


def run_fanout(
    workdir: Path,
    *,
    chats: Sequence[int] = (300,),
    models: Sequence[str] = ("bucket", "window"),
    limiters: Sequence[str] = ("app", "smooth", "retry"),
    overall_rate: float = 30.0,
    group_share: float = 0.2,
    capacity: bool = True,
) -> Result:
    """One article to N subscribed chats through the real worker and rate limiter.

    ``capacity`` adds one run with no limits anywhere: how fast the worker itself can go.
    """
    rows, data, targets = [], [], []
    runs = [(n, m, lim) for n in chats for m in models for lim in limiters]
    if capacity:
        runs.append((chats[0], "none", "none"))
    for n, model, limiter in runs:
        limits = FloodLimits(None, None)
        if model != "none":
            limits = FloodLimits(overall_rate, 20.0, model)  # type: ignore[arg-type]
        folder = workdir / f"fanout-{n}-{model}-{limiter}"
        row = asyncio.run(_fanout(folder, n, limits, group_share, limiter))
        data.append(row)
        share = row["steady_rate"] / overall_rate
        if model == "none":
            rows.append(
                (
                    str(n),
                    "none",
                    "none",
                    str(row["accepted"]),
                    str(row["lost"]),
                    str(row["duplicates"]),
                    str(row["rejected_429"]),
                    f"{row['seconds']:.1f}",
                    fmt(row["rate"]),
                    fmt(row["steady_rate"]),
                    "(capacity)",
                    f"{row['sent']}/{row['failed']}/{row['pending']}",
                )
            )
            continue
        rows.append(
            (
                str(n),
                model,
                limiter,
                str(row["accepted"]),
                str(row["lost"]),
                str(row["duplicates"]),
                str(row["rejected_429"]),
                f"{row['seconds']:.1f}",
                fmt(row["rate"]),
                fmt(row["steady_rate"]),
                f"{share * 100:.0f} %",
                f"{row['sent']}/{row['failed']}/{row['pending']}",
            )
        )
        targets.append(
            Target(
                f"fan-out {n} chats ({model} limits, {limiter} limiter)",
                f"≥ {TARGET_FANOUT_SHARE:.0%} of {overall_rate:.0f}/s, 0 lost",
                f"{share:.0%}, {row['lost']} lost, {row['rejected_429']}×429",
                share >= TARGET_FANOUT_SHARE and row["lost"] == 0,
            )
        )
    table = Table(
        f"Fan-out: one article to N chats (limit {overall_rate:.0f} msg/s overall, 20/min/group)",
        (
            "chats",
            "server limits",
            "client limiter",
            "accepted",
            "lost",
            "dupes",
            "429s",
            "seconds",
            "msg/s",
            "steady msg/s",
            "of limit",
            "sent/failed/pending",
        ),
        tuple(rows),
        (
            "msg/s = accepted / (last accept − first accept); steady msg/s leaves out the "
            "first second (a bucket's initial burst); 'of limit' uses the steady rate.",
            f"{group_share:.0%} of the chats are groups. Real DeliveryWorker.run_forever.",
            "Server limits — bucket: token buckets (PTB's own model, bursts of 30 allowed); "
            "window: sliding windows (never more than 30 in any second, 20 in any minute/group).",
            *(f"Client limiter {k}: {v}." for k, v in LIMITERS.items() if k in limiters),
            "none/none: no limits on either side, i.e. how fast the delivery worker itself "
            "sends (four chats at a time, the default: HTTP round trip + store writes per "
            "message).",
        ),
    )
    return Result("fanout", [table], {"runs": data}, targets)


async def _fanout(
    workdir: Path, chats: int, limits: FloodLimits, group_share: float, limiter: str = "app"
) -> dict[str, Any]:
    from bot.delivery import DeliveryWorker
    from bot.models import SubscriptionMode
    from bot.store import Store
    from summaries import parse_article, summarize_article

    workdir.mkdir(parents=True, exist_ok=True)
    store = await Store.open(f"sqlite+aiosqlite:///{workdir / 'fanout.sqlite3'}")
    groups = int(chats * group_share)
    ids = [-(1_000_000_000_000 + n) if n < groups else 10_000 + n for n in range(chats)]
    for chat_id in ids:
        await store.upsert_chat(chat_id, type="supergroup" if chat_id < 0 else "private")
        await store.subscribe(chat_id, SubscriptionMode.INSTANT)
    text = load_dev_articles(1)[0]
    summary = summarize_article(parse_article(text.encode(), "fanout.txt"))
    digest = hashlib.sha256(text.encode()).hexdigest()
    stored = await store.add_article(digest, "fanout.txt", summary)
    assert stored is not None
    async with LoopbackBotAPI(limits) as api:
        app, bot = await _application_bot(api, workdir, store, limiter)
        try:
            queued = await store.enqueue_article(stored.id)
            worker = DeliveryWorker(store, bot)
            wake = asyncio.Event()
            task = asyncio.create_task(worker.run_forever(wake))
            wake.set()
            started = time.monotonic()
            deadline = started + chats / 30 * 4 + 30
            while time.monotonic() < deadline:
                stats = await store.queue_stats()
                if stats.pending == 0:
                    break
                await asyncio.sleep(0.2)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            stats = await store.queue_stats()
        finally:
            if app is not None:
                await app.shutdown()
            else:
                await bot.shutdown()
            await store.close()
    sent = api.sent
    distinct = {m.chat_id for m in sent}
    span = sent[-1].at - sent[0].at if len(sent) > 1 else float("nan")
    later = [m for m in sent if m.at >= sent[0].at + 1.0] if sent else []
    steady_span = later[-1].at - (sent[0].at + 1.0) if len(later) > 1 else float("nan")
    return {
        "chats": chats,
        "model": limits.model,
        "limiter": limiter,
        "queued": queued,
        "accepted": len(sent),
        "lost": len(set(ids) - distinct),
        "duplicates": len(sent) - len(distinct),
        "rejected_429": api.rejected,
        "seconds": (sent[-1].at - started) if sent else float("nan"),
        "rate": (len(sent) - 1) / span if span == span and span > 0 else float("nan"),
        "steady_rate": len(later) / steady_span
        if steady_span == steady_span and steady_span > 0
        else float("nan"),
        "sent": stats.sent,
        "failed": stats.failed,
        "pending": stats.pending,
    }


async def _application_bot(
    api: LoopbackBotAPI, workdir: Path, store: Any, limiter: str = "app"
) -> tuple[Any, Any]:
    """The bot as the application builds it; ``smooth`` swaps in a burst-free limiter."""
    from pydantic import SecretStr
    from telegram import LinkPreviewOptions
    from telegram.constants import ParseMode
    from telegram.ext import AIORateLimiter, Defaults, ExtBot

    from bot.config import Settings

    if limiter == "none":
        bot0: Any = ExtBot(FAKE_TOKEN, base_url=api.base_url)
        await bot0.initialize()
        return None, bot0
    if limiter in ("smooth", "retry"):
        rate_limiter = (
            AIORateLimiter(
                overall_max_rate=1,
                overall_time_period=1 / 30,
                group_max_rate=1,
                group_time_period=3,
            )
            if limiter == "smooth"
            else AIORateLimiter(max_retries=3)
        )
        bot: Any = ExtBot(
            FAKE_TOKEN,
            base_url=api.base_url,
            defaults=Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ),
            rate_limiter=rate_limiter,
        )
        await bot.initialize()
        return None, bot
    settings = Settings(
        TELEGRAM_BOT_TOKEN=SecretStr(FAKE_TOKEN),
        TELEGRAM_API_BASE_URL=api.base_url,
        NEWSBOT_DATA_DIR=workdir,
    )
    from bot.app import build_application

    app = build_application(settings, store=store, background=False)
    await app.initialize()
    return app, app.bot


# ---- memory ---------------------------------------------------------------------------------

_STORE_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, resource, sys, time
    from datetime import UTC, datetime, timedelta
    from summaries import parse_article, summarize_article

    def rss():
        with open("/proc/self/status") as fh:
            vals = dict(l.split(":", 1) for l in fh if l.startswith(("VmRSS", "VmHWM")))
        return {k: int(v.split()[0]) / 1024 for k, v in vals.items()}

    async def main(url, count, texts):
        from bot.store import Store
        summaries = [summarize_article(parse_article(t.encode(), f"m{i}.txt"))
                     for i, t in enumerate(texts)]
        store = await Store.open(url)
        out = {"imported": rss()}
        start = time.perf_counter()
        for n in range(count):
            s = summaries[n % len(summaries)]
            await store.add_article(f"{n:064x}", f"/inbox/m{n}.txt", s)
        out["add_s"] = time.perf_counter() - start
        out["filled"] = rss()
        t = time.perf_counter(); out["count"] = await store.count_articles()
        out["count_s"] = time.perf_counter() - t
        t = time.perf_counter(); await store.latest_article(None)
        out["latest_s"] = time.perf_counter() - t
        t = time.perf_counter(); hit = await store.latest_article("zzzunmatched words")
        out["search_miss_s"] = time.perf_counter() - t
        now = datetime.now(UTC)
        t = time.perf_counter(); got = await store.articles_between(now - timedelta(days=1), now)
        out["between_s"] = time.perf_counter() - t
        out["between_n"] = len(got)
        del got
        out["queried"] = rss()
        await store.close()
        print(json.dumps(out))

    url, count, data = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    asyncio.run(main(url, count, json.load(open(data))))
    """
)

_BIG_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys, time
    from summaries import extract_quotes, load_article, summarize

    cap = int(float(sys.argv[2]) * 2**30)  # a cap turns the OOM killer into a MemoryError
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    def rss():
        with open("/proc/self/status") as fh:
            vals = dict(l.split(":", 1) for l in fh if l.startswith(("VmRSS", "VmHWM")))
        return {k: int(v.split()[0]) / 1024 for k, v in vals.items()}

    out = {"imported": rss()}
    t = time.perf_counter()
    try:
        article = load_article(sys.argv[1])
        out["load_s"] = time.perf_counter() - t
        out["loaded"] = rss()
        out["paragraphs"] = len(article.paragraphs)
        out["body_chars"] = len(article.body)
        t = time.perf_counter()
        sentences = summarize(article)
        out["summarize_s"] = time.perf_counter() - t
        t = time.perf_counter()
        quotes = extract_quotes(article)
        out["quotes_s"] = time.perf_counter() - t
        out["sentences"] = len(sentences)
        out["quotes"] = len(quotes)
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"[:200]
    out["done"] = rss()
    print(json.dumps(out))
    """
)


def _python(script: str, *args: str, timeout: float) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["exit " + str(done.returncode)])[-1]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _big_article(path: Path, megabytes: float) -> int:
    """A news-like text file of about ``megabytes`` MB (distinct paragraphs, under 20 MB)."""
    texts = load_dev_articles()
    paragraphs = [p for t in texts for p in split_article(t)[1]]
    limit = int(megabytes * 1_000_000)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("A very long file for the memory benchmark\n\n")
        size, n = 0, 0
        while True:
            para = f"{paragraphs[n % len(paragraphs)]} Filed as note {n}.\n\n"
            if size + len(para.encode()) > limit:
                break
            fh.write(para)
            size += len(para.encode())
            n += 1
    return path.stat().st_size


def run_memory(
    workdir: Path,
    *,
    articles: int = 10_000,
    big_mb: float = 19.9,
    timeout: float = 600.0,
    memory_cap_gb: float = 4.0,
) -> Result:
    """Peak RSS with a store of ``articles`` articles, and while summarizing a huge file."""
    workdir = workdir / "memory"
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "texts.json"
    data.write_text(json.dumps(load_dev_articles(50)), encoding="utf-8")
    url = f"sqlite+aiosqlite:///{workdir / 'memory.sqlite3'}"
    fill = _python(_STORE_SCRIPT, url, str(articles), str(data), timeout=timeout)
    big_path = workdir / "big.txt"
    size = _big_article(big_path, big_mb)
    big = _python(_BIG_SCRIPT, str(big_path), str(memory_cap_gb), timeout=timeout)
    rows = []
    if "error" in fill:
        rows.append((f"store with {articles:,} articles", "–", "–", fill["error"]))
    else:
        db_mb = (workdir / "memory.sqlite3").stat().st_size / 2**20
        rows.append(
            (
                f"store filled with {articles:,} articles",
                fmt(fill["filled"]["VmRSS"]),
                fmt(fill["queried"]["VmHWM"]),
                f"add_article {fill['add_s'] / articles * 1000:.2f} ms each; "
                f"count {fill['count_s'] * 1000:.1f} ms; latest {fill['latest_s'] * 1000:.1f} ms; "
                f"word search (no match) {fill['search_miss_s'] * 1000:.0f} ms; "
                f"articles_between(1 day) {fill['between_s'] * 1000:.0f} ms for "
                f"{fill['between_n']:,}; DB {db_mb:.0f} MiB; after imports "
                f"{fill['imported']['VmRSS']:.0f} MiB",
            )
        )
    if "error" in big and "load_s" not in big:
        rows.append(
            (
                f"summarize a {size / 1e6:.1f} MB file",
                "–",
                "–",
                f"{big['error']} (address space capped at {memory_cap_gb:g} GiB)",
            )
        )
    else:
        extra = f"; {big['error']}" if "error" in big else ""
        rows.append(
            (
                f"summarize a {size / 1e6:.1f} MB file",
                fmt(big["done"]["VmRSS"]),
                fmt(big["done"]["VmHWM"]),
                f"load {big['load_s']:.1f} s ({big['paragraphs']:,} paragraphs, "
                f"{big['body_chars'] / 1e6:.2f} M chars kept), summarize "
                f"{big.get('summarize_s', float('nan')):.1f} s, quotes "
                f"{big.get('quotes_s', float('nan')):.1f} s; after imports "
                f"{big['imported']['VmRSS']:.0f} MiB{extra} "
                f"(address space capped at {memory_cap_gb:g} GiB)",
            )
        )
    table = Table(
        "Memory (each case in a fresh process)",
        ("case", "RSS MiB after", "peak RSS MiB", "details"),
        tuple(rows),
    )
    return Result("memory", [table], {"store": fill, "big_file": big, "big_file_bytes": size})


__all__ = [
    "BotProcess",
    "cores",
    "pool_throughput",
    "run_fanout",
    "run_latency",
    "run_memory",
    "run_status",
]
