"""Quality report: summaries, quotes and boilerplate removal on ../shared/data.

Run from the repo root::

    python -m benchmarks.quality            # print the tables, exit 1 when a target is missed
    python -m benchmarks.quality --write    # also regenerate docs/quality.md

Every system in a table is measured in the same run, so the numbers compare fairly.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import eval_boilerplate, eval_quotes, eval_summaries

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
DOC = REPO / "docs" / "quality.md"

TASKS: tuple[tuple[str, str, Callable[[Path], tuple[str, bool]]], ...] = (
    ("Summaries", "summaries-dev", eval_summaries.evaluate),
    ("Quotes", "quotes-dev", eval_quotes.evaluate),
    ("Boilerplate", "boilerplate-dev", eval_boilerplate.evaluate),
)

HEADER = """# Quality

Measured on the evaluation sets in `../shared/data` (not shipped with the repo).
Regenerate this page with:

    .venv/bin/python -m benchmarks.quality --write

The command exits non-zero when a target is missed. Each table measures every system in
the same run on this machine.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder with the eval sets")
    parser.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(REPO)}")
    parser.add_argument("--only", choices=[t[1] for t in TASKS], help="run one task")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no evaluation data at {args.data}", file=sys.stderr)
        return 2
    sections, all_ok = [HEADER], True
    for title, folder, evaluate in TASKS:
        if args.only and folder != args.only:
            continue
        started = time.perf_counter()
        table, ok = evaluate(args.data / folder)
        elapsed = time.perf_counter() - started
        verdict = "all targets met" if ok else "TARGET MISSED"
        section = f"## {title} (`{folder}`)\n\n{table.strip()}\n\n_{verdict}; {elapsed:.1f} s_\n"
        print(section, flush=True)
        sections.append(section)
        all_ok &= ok
    if args.write:
        DOC.write_text("\n".join(sections), encoding="utf-8")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
