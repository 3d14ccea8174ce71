"""Scale benchmark: several processes on one PostgreSQL database.

Run from the repo root::

    python -m benchmarks.scale                       # ingest 1/2/4 processes + outbox claims
    python -m benchmarks.scale --articles 200 --processes 1 2
    python -m benchmarks.scale --json scale.json

* **ingest**: N generated articles are dropped (renamed) into a shared inbox watched by 1, 2
  and 4 ``python -m bot.roles ingest`` processes (started and ready before the drop); the time
  until all N are stored gives articles/s and the speed-up over one process.
* **deliver**: messages/s that 1 and 3 ``python -m bot.roles deliver`` processes send from a
  full outbox to the loopback Bot API stand-in, answering at once or after 50 ms (a server
  as far away as Telegram), sending to 1 or ``NEWSBOT_SEND_CONCURRENCY`` chats at once; and
  their CPU time per message.
* **outbox**: 20,000 pending deliveries drained by 1 and 4 concurrent claimers
  (``claim_due(50, lease=..)``: ``FOR UPDATE SKIP LOCKED``), claim-only and claim + the per-post
  ``record_part_sent(done=True)`` write; and the shared send-rate bucket's round trip.

PostgreSQL: ``NEWSBOT_TEST_DATABASE_URL`` when set, else a throw-away cluster (``initdb``
on this machine, as the tests do). Benchmarks measure; they do not pass or fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

_PLACES = ["harbour", "valley", "old town", "river port", "airport", "university", "market"]
_ACTORS = ["council", "ministry", "union", "transport board", "school board", "fire service"]
_THINGS = ["budget", "ferry timetable", "bridge repair", "tram line", "housing plan", "clinic"]
_VERBS = ["approved", "rejected", "delayed", "reviewed", "expanded", "questioned", "funded"]
_NAMES = ["Ana Ruiz", "Tomas Berg", "Lena Okafor", "Mikko Salo", "Priya Nair", "Jon Evans"]


def article_text(index: int, rng: random.Random) -> str:
    """A made-up news article (title line, then paragraphs), unique per ``index``."""
    place, actor, thing = rng.choice(_PLACES), rng.choice(_ACTORS), rng.choice(_THINGS)
    title = f"Story {index:05d}: {actor} {rng.choice(_VERBS)} the {place} {thing}"
    sentences = []
    for n in range(rng.randint(8, 16)):
        sentences.append(
            f"The {rng.choice(_ACTORS)} {rng.choice(_VERBS)} the {rng.choice(_THINGS)} "
            f"for the {rng.choice(_PLACES)} on day {n + 1} of the debate about item {index}."
        )
        if n % 5 == 2:
            sentences.append(
                f"“We will see the {rng.choice(_THINGS)} finished this year,” said "
                f"{rng.choice(_NAMES)}."
            )
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_articles(folder: Path, count: int, *, seed: int = 8, start: int = 0) -> list[Path]:
    """Write ``count`` generated ``.txt`` articles into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + start)
    paths = []
    for i in range(start, start + count):
        path = folder / f"story-{i:05d}.txt"
        path.write_text(article_text(i, rng), encoding="utf-8")
        paths.append(path)
    return paths


def role_env(db_url: str, inbox: Path, **extra: str) -> dict[str, str]:
    """Environment for a ``python -m bot.roles`` child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}
    env.update(
        PYTHONPATH=str(REPO),
        NEWSBOT_DATABASE_URL=db_url,
        NEWSBOT_INBOX=str(inbox),
        NEWSBOT_SETTLE_SECONDS="0.05",
        NEWSBOT_RESCAN_SECONDS="2",
        NEWSBOT_LOG_LEVEL="WARNING",
        PTB_TIMEDELTA="true",
    )
    env.update(extra)
    return env


def start_role(
    role: str, env: dict[str, str], workdir: Path, tag: str, log: Path | None = None
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start ``python -m bot.roles ROLE``; returns the process and its ready file."""
    ready = workdir / f"ready-{tag}"
    ready.unlink(missing_ok=True)
    out = open(log, "ab") if log else None  # noqa: SIM115 - the child gets its own copy
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.roles", role, "--ready-file", str(ready)],
            env=env,
            cwd=workdir,
            stdout=out or subprocess.DEVNULL,
            stderr=out or subprocess.DEVNULL,
        )
    finally:
        if out is not None:
            out.close()
    return proc, ready


def wait_ready(items: Sequence[tuple[subprocess.Popen[bytes], Path]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not all(ready.exists() for _, ready in items):
        for proc, _ in items:
            if proc.poll() is not None:
                raise RuntimeError(f"role process exited early with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError("role processes did not become ready")
        time.sleep(0.05)


def stop_all(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _count_articles(url: str) -> int:
    from bot.store import Store

    store = await Store.open(url)
    try:
        return await store.count_articles()
    finally:
        await store.close()


def bench_ingest(server: str, processes: int, articles: int, workdir: Path) -> dict[str, Any]:
    """Articles/s with ``processes`` ingest processes sharing one inbox."""
    from tests.pgserver import create_database, drop_database

    url = asyncio.run(create_database(server, "newsbot_bench"))
    run_dir = workdir / f"ingest-{processes}"
    inbox, staging = run_dir / "inbox", run_dir / "staging"
    inbox.mkdir(parents=True)
    files = write_articles(staging, articles)
    asyncio.run(_count_articles(url))  # migrate once, before the processes race to
    env = role_env(url, inbox)
    started = [
        start_role("ingest", env, run_dir, f"i{n}", run_dir / f"ingest-{n}.log")
        for n in range(processes)
    ]
    try:
        wait_ready(started)
        t0 = time.perf_counter()
        for path in files:
            path.rename(inbox / path.name)
        stored = 0
        while stored < articles:
            time.sleep(0.1)
            stored = asyncio.run(_count_articles(url))
            if time.perf_counter() - t0 > 600:
                break
        elapsed = time.perf_counter() - t0
    finally:
        stop_all([p for p, _ in started])
        asyncio.run(drop_database(server, url))
    return {
        "processes": processes,
        "articles": stored,
        "seconds": round(elapsed, 2),
        "articles_per_s": round(stored / elapsed, 1),
    }


async def bench_outbox(server: str, chats: int = 100, articles: int = 200) -> dict[str, Any]:
    """Claim rate of the outbox with 1 and 4 concurrent claimers, and the rate bucket."""
    from bot.models import SubscriptionMode
    from bot.store import Store
    from summaries import Article, Summary
    from tests.pgserver import create_database, drop_database

    url = await create_database(server, "newsbot_bench")
    results: dict[str, Any] = {"deliveries": chats * articles}
    try:
        setup = await Store.open(url)
        for chat in range(1, chats + 1):
            await setup.subscribe(chat, SubscriptionMode.INSTANT)
        article_ids = []
        for i in range(articles):
            art = Article(title=f"Item {i}", paragraphs=(f"Body of item {i}.",))
            stored = await setup.add_article(f"h{i}", f"/in/{i}.txt", Summary(art, ("x",), ()))
            assert stored is not None
            article_ids.append(stored.id)
        await setup.close()
        lease = timedelta(minutes=5)

        async def reset() -> None:
            store = await Store.open(url)
            async with store._sessions.begin() as session:
                from sqlalchemy import text

                await session.execute(text("DELETE FROM deliveries"))
            for aid in article_ids:
                await store.enqueue_article(aid)
            await store.close()

        async def drain(store: Store, write: bool) -> int:
            done = 0
            while batch := await store.claim_due(50, datetime.now(UTC), lease=lease):
                done += len(batch)
                if write:
                    for row in batch:
                        await store.record_part_sent(row.id, 1, parts=("x",), done=True)
            return done

        for claimers in (1, 4):
            for write in (False, True):
                await reset()
                stores = [await Store.open(url) for _ in range(claimers)]
                t0 = time.perf_counter()
                counts = await asyncio.gather(*(drain(s, write) for s in stores))
                elapsed = time.perf_counter() - t0
                for s in stores:
                    await s.close()
                key = f"{'claim+send_write' if write else 'claim'}_{claimers}_per_s"
                results[key] = round(sum(counts) / elapsed)
                results[f"{key}_unique"] = sum(counts) == chats * articles

        stores = [await Store.open(url) for _ in range(4)]
        t0 = time.perf_counter()
        n = 500
        await asyncio.gather(
            *(s.take_rate_token("bot:1", rate=1e9, burst=1e9) for s in stores for _ in range(n))
        )
        results["rate_bucket_4_per_s"] = round(4 * n / (time.perf_counter() - t0))
        for s in stores:
            await s.close()
    finally:
        await drop_database(server, url)
    return results


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench_deliver(
    server: str,
    processes: int,
    workdir: Path,
    *,
    chats: int = 50,
    articles: int = 40,
    latency: float = 0.0,
    concurrency: int = 4,
) -> dict[str, Any]:
    """Messages/s that ``processes`` deliver processes send from a full outbox.

    The loopback Bot API stand-in answers each ``sendMessage`` after ``latency`` seconds (0:
    the machine's own cost is the limit; 0.05: a server 50 ms away, like Telegram's). The
    shared send rate is set out of reach, so the numbers are what the processes can do.
    """
    from bot.models import SubscriptionMode
    from bot.store import Store
    from summaries import Article, Summary
    from tests.botapi_server import BotAPIServer
    from tests.pgserver import create_database, drop_database

    url = await create_database(server, "newsbot_bench")
    run_dir = workdir / f"deliver-{processes}-{int(latency * 1000)}-{concurrency}"
    run_dir.mkdir(parents=True)
    expected = chats * articles
    try:
        store = await Store.open(url)
        for chat in range(1, chats + 1):
            await store.subscribe(chat, SubscriptionMode.INSTANT)
        for i in range(articles):
            art = Article(title=f"Item {i}", paragraphs=(f"Body of item {i}, one sentence.",))
            stored = await store.add_article(f"h{i}", f"/in/{i}.txt", Summary(art, ("x",), ()))
            assert stored is not None
            await store.enqueue_article(stored.id)
        async with BotAPIServer(latency=latency) as api:
            env = role_env(
                url,
                run_dir,
                TELEGRAM_BOT_TOKEN=api.token,
                TELEGRAM_API_BASE_URL=api.base_url,
                NEWSBOT_SEND_RATE="1000000",
                NEWSBOT_SEND_CONCURRENCY=str(concurrency),
            )
            started = [
                start_role("deliver", env, run_dir, f"d{n}", run_dir / f"deliver-{n}.log")
                for n in range(processes)
            ]
            try:
                await asyncio.to_thread(wait_ready, started)
                cpu0 = sum(_cpu_seconds(p.pid) for p, _ in started)
                t0 = time.perf_counter()
                while len(api.sent) < expected and time.perf_counter() - t0 < 600:
                    await asyncio.sleep(0.05)
                elapsed = time.perf_counter() - t0
                cpu = sum(_cpu_seconds(p.pid) for p, _ in started) - cpu0
            finally:
                await asyncio.to_thread(stop_all, [p for p, _ in started])
        await store.close()
    finally:
        await drop_database(server, url)
    sent = len(api.sent)
    return {
        "processes": processes,
        "concurrency": concurrency,
        "latency_ms": round(latency * 1000),
        "messages": sent,
        "seconds": round(elapsed, 2),
        "messages_per_s": round(sent / elapsed, 1),
        "cpu_ms_per_message": round(1000 * cpu / max(sent, 1), 2),
    }


def deliver_table(server: str, workdir: Path) -> list[dict[str, Any]]:
    """Deliver processes' send rate: the Bot API on loopback (the machine's own cost is the
    limit) and 50 ms away (like Telegram), one chat at a time versus four."""
    runs = [
        asyncio.run(bench_deliver(server, 1, workdir, concurrency=1)),
        asyncio.run(bench_deliver(server, 1, workdir)),
        asyncio.run(bench_deliver(server, 3, workdir)),
        asyncio.run(bench_deliver(server, 1, workdir, latency=0.05, concurrency=1, chats=20)),
        asyncio.run(bench_deliver(server, 1, workdir, latency=0.05, chats=20)),
    ]
    print("\ndeliver processes | chats at once | Bot API latency | messages/s | CPU ms/message")
    for run in runs:
        print(
            f"{run['processes']:>17} | {run['concurrency']:>13} | {run['latency_ms']:>12} ms | "
            f"{run['messages_per_s']:>10} | {run['cpu_ms_per_message']:>14}"
        )
    print(
        f"4 chats at once vs 1, 50 ms away: "
        f"{runs[4]['messages_per_s'] / runs[3]['messages_per_s']:.2f}x"
    )
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--articles", type=int, default=600, help="articles per ingest run")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-outbox", action="store_true")
    parser.add_argument("--skip-deliver", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from tests.pgserver import PostgresUnavailable, server_url

    report: dict[str, Any] = {"cores": os.cpu_count()}
    try:
        with server_url() as server, tempfile.TemporaryDirectory() as tmp:
            if not args.skip_ingest:
                runs = [bench_ingest(server, k, args.articles, Path(tmp)) for k in args.processes]
                base = runs[0]["articles_per_s"] or 1
                for run in runs:
                    run["speedup"] = round(run["articles_per_s"] / base, 2)
                report["ingest"] = runs
                print("ingest processes | articles | seconds | articles/s | speed-up")
                for run in runs:
                    print(
                        f"{run['processes']:>16} | {run['articles']:>8} | {run['seconds']:>7} | "
                        f"{run['articles_per_s']:>10} | {run['speedup']:>7}x"
                    )
            if not args.skip_deliver:
                report["deliver"] = deliver_table(server, Path(tmp))
            if not args.skip_outbox:
                outbox = asyncio.run(bench_outbox(server))
                report["outbox"] = outbox
                print()
                for key, value in outbox.items():
                    print(f"{key}: {value}")
    except PostgresUnavailable as exc:
        print(f"no PostgreSQL server: {exc}", file=sys.stderr)
        return 0
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
