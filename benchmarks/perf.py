"""Performance report: throughput, scaling, latency, fan-out, memory, /status under load.

Run from the repo root::

    python -m benchmarks.perf                   # every benchmark, markdown tables on stdout
    python -m benchmarks.perf --only throughput scaling
    python -m benchmarks.perf --full            # fan-out to 1,000 chats instead of 300
    python -m benchmarks.perf --json perf.json  # also write the numbers as JSON
    python -m benchmarks.perf --write           # also refresh the results in docs/performance.md

Benchmarks measure, they do not pass or fail: the exit code is 0 whatever the numbers are
(2 only for bad arguments). Baselines are measured in the same run, because machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ._perf_common import REPO, Result, Table, cores, load_dev_articles

DOC = REPO / "docs" / "performance.md"
START, END = "<!-- PERF-RESULTS-START -->", "<!-- PERF-RESULTS-END -->"


@dataclass(frozen=True, slots=True)
class Config:
    """How big each benchmark runs; ``quick`` is the smoke-test size."""

    workdir: Path
    quick: bool = False
    full: bool = False

    @property
    def texts(self) -> list[str]:
        return load_dev_articles(6 if self.quick else None)


def _throughput(cfg: Config) -> Result:
    from ._perf_pipeline import run_throughput

    pool = None
    if not cfg.quick:
        from ._perf_bot import pool_throughput

        pool = pool_throughput
    return run_throughput(
        cfg.texts,
        cfg.workdir,
        min_time=0.0 if cfg.quick else 3.0,
        cores=cores(),
        pool_throughput=pool,
    )


def _scaling(cfg: Config) -> Result:
    from ._perf_pipeline import run_scaling

    if cfg.quick:
        return run_scaling(
            cfg.texts, cfg.workdir, multipliers=(1, 2, 4), fit_from=2, samples=1, min_time=0.0
        )
    return run_scaling(cfg.texts, cfg.workdir)


def _latency(cfg: Config) -> Result:
    from ._perf_bot import run_latency

    if cfg.quick:
        return run_latency(cfg.workdir, files=2, variants=("threads",), idle_wait=0.0)
    return run_latency(cfg.workdir)


def _fanout(cfg: Config) -> Result:
    from ._perf_bot import run_fanout

    if cfg.quick:
        return run_fanout(cfg.workdir, chats=(12,), models=("window",), limiters=("app", "smooth"))
    return run_fanout(cfg.workdir, chats=(300, 1000) if cfg.full else (300,))


def _memory(cfg: Config) -> Result:
    from ._perf_bot import run_memory

    if cfg.quick:
        return run_memory(cfg.workdir, articles=20, big_mb=0.2)
    return run_memory(cfg.workdir)


def _status(cfg: Config) -> Result:
    from ._perf_bot import run_status

    if cfg.quick:
        return run_status(cfg.workdir, files=4, variants=("pool",), idle_wait=0.0, idle_samples=1)
    return run_status(cfg.workdir)


BENCHMARKS: dict[str, Callable[[Config], Result]] = {
    "throughput": _throughput,
    "scaling": _scaling,
    "latency": _latency,
    "fanout": _fanout,
    "memory": _memory,
    "status": _status,
}


def run(names: list[str], cfg: Config, *, echo: bool = True) -> list[Result]:
    """Run the named benchmarks in order; one that cannot run is reported as skipped."""
    results = []
    for name in names:
        started = time.perf_counter()
        try:
            result = BENCHMARKS[name](cfg)
        except ImportError as exc:  # a bot piece that has not landed yet
            result = Result(name, skipped=f"cannot import {exc.name or exc}")
        except Exception as exc:  # one broken benchmark must not hide the others' numbers
            traceback.print_exc()
            result = Result(name, skipped=f"failed: {type(exc).__name__}: {exc}")
        result.data["seconds"] = round(time.perf_counter() - started, 2)
        if echo:
            print(result.to_markdown(), flush=True)
        results.append(result)
    return results


def targets_table(results: list[Result]) -> Table:
    """Every target from the issue with this run's verdict."""
    rows = []
    for result in results:
        for t in result.targets:
            verdict = "n/a" if t.met is None else ("met" if t.met else "**missed**")
            rows.append((t.name, t.wanted, t.measured, verdict))
    return Table("Targets", ("target", "wanted", "measured", "verdict"), tuple(rows))


def machine() -> dict[str, object]:
    """Where the numbers come from."""
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "cores": cores(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def render(results: list[Result], info: dict[str, object]) -> str:
    """The markdown results section (what --write puts into docs/performance.md)."""
    head = (
        f"_Measured {info['when']} on {info['cores']} cores, Python {info['python']}, "
        f"{info['platform']}; load average at start {info['load_average']}, "
        f"at end {info.get('load_average_end')}._\n"
    )
    parts = [head, targets_table(results).to_markdown()]
    parts += [r.to_markdown() for r in results]
    return "\n".join(parts)


def write_doc(section: str) -> None:
    """Replace the results between the markers in docs/performance.md, keeping the prose."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOC.write_text(f"{before}{START}\n{section}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    parser.add_argument("--full", action="store_true", help="fan-out to 1,000 chats too")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the numbers as JSON")
    parser.add_argument("--write", action="store_true", help=f"update {DOC.relative_to(REPO)}")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    info = machine()
    with tempfile.TemporaryDirectory(prefix="newsbot-perf-") as tmp:
        cfg = Config(Path(tmp), quick=args.quick, full=args.full)
        results = run(names, cfg)
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(targets_table(results).to_markdown())
    if args.json:
        payload = {
            "machine": info,
            "results": {
                r.name: {
                    "skipped": r.skipped,
                    "data": r.data,
                    "targets": [asdict(t) for t in r.targets],
                }
                for r in results
            },
        }
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    if args.write:
        write_doc(render(results, info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
