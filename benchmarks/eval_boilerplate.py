"""Boilerplate removal: token F1 against hand-made article bodies.

Scores as the source benchmark (scrapinghub/article-extraction-benchmark) does: tokens are
Unicode ``\\w+`` runs; per page, TP is the multiset overlap of output and truth tokens;
precision is averaged over pages with non-empty output, recall over all pages, and F1 is the
harmonic mean of the two averages. The 4-token shingle variant is reported as well.

Run from the repo root::

    python -m benchmarks.eval_boilerplate [DATA_DIR]
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from summaries.errors import ArticleError
from summaries.load import parse_article

__all__ = ["Score", "evaluate", "score_pages"]

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "boilerplate-dev"

TARGET_DUMP_F1 = 0.95
_WORD = re.compile(r"\w+")

System = Callable[[bytes, str], str]


@dataclass(frozen=True, slots=True)
class Score:
    """Averaged precision/recall/F1 for one system, tokens and shingles."""

    precision: float
    recall: float
    f1: float
    shingle_f1: float
    ms_per_page: float


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def _shingles(tokens: list[str], n: int = 4) -> list[tuple[str, ...]]:
    if len(tokens) < n:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def _pr(output: Iterable[object], truth: Iterable[object]) -> tuple[float | None, float]:
    out, ref = Counter(output), Counter(truth)
    tp = sum((out & ref).values())
    n_out, n_ref = sum(out.values()), sum(ref.values())
    precision = tp / n_out if n_out else None
    recall = tp / n_ref if n_ref else 1.0
    return precision, recall


def _f1(precisions: list[float | None], recalls: list[float]) -> tuple[float, float, float]:
    given = [p for p in precisions if p is not None]
    p = sum(given) / len(given) if given else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_pages(outputs: list[str], truths: list[str], seconds: float = 0.0) -> Score:
    """Score one system's outputs against the truths, page by page."""
    tok = [_pr(_tokens(o), _tokens(t)) for o, t in zip(outputs, truths, strict=True)]
    shi = [
        _pr(_shingles(_tokens(o)), _shingles(_tokens(t)))
        for o, t in zip(outputs, truths, strict=True)
    ]
    p, r, f1 = _f1([x[0] for x in tok], [x[1] for x in tok])
    _, _, sf1 = _f1([x[0] for x in shi], [x[1] for x in shi])
    ms = 1000 * seconds / len(outputs) if outputs else 0.0
    return Score(p, r, f1, sf1, ms)


def _ours(data: bytes, name: str) -> str:
    try:
        return parse_article(data, name).text
    except ArticleError:
        return ""


def _ours_body(data: bytes, name: str) -> str:
    try:
        return parse_article(data, name).body
    except ArticleError:
        return ""


def _raw_dump(data: bytes, name: str) -> str:
    return data.decode("utf-8")


def _trafilatura(data: bytes, name: str) -> str:
    import trafilatura

    text = trafilatura.extract(data.decode("utf-8"), include_comments=False)
    return text or ""


def _run(system: System, pages: list[tuple[bytes, str]]) -> tuple[list[str], float]:
    started = time.process_time()
    outputs = [system(data, name) for data, name in pages]
    return outputs, time.process_time() - started


def evaluate(data_dir: Path) -> tuple[str, bool]:
    """Score every system on the same pages; return a markdown table and whether targets hold.

    Targets: on the text dumps, ``article.text`` (headline + body, what ``newsbot clean``
    prints) reaches F1 0.95; on the HTML, our body (without the headline, like the truth and
    like trafilatura's output) scores at least trafilatura's F1.
    """
    ids = sorted(p.name[: -len(".truth.txt")] for p in data_dir.glob("*.truth.txt"))
    truths = [(data_dir / f"{i}.truth.txt").read_text(encoding="utf-8") for i in ids]
    dumps = [((data_dir / f"{i}.txt").read_bytes(), f"{i}.txt") for i in ids]
    htmls = [((data_dir / f"{i}.html").read_bytes(), f"{i}.html") for i in ids]
    systems: list[tuple[str, str, System, list[tuple[bytes, str]]]] = [
        ("no cleaning", "text dump", _raw_dump, dumps),
        ("newsbot cleaner: headline + body", "text dump", _ours, dumps),
        ("newsbot cleaner: body", "text dump", _ours_body, dumps),
        ("trafilatura alone", "HTML", _trafilatura, htmls),
        ("newsbot HTML loader: headline + body", "HTML", _ours, htmls),
        ("newsbot HTML loader: body", "HTML", _ours_body, htmls),
    ]
    scores: dict[str, Score] = {}
    rows = [
        f"{len(ids)} pages. Tokens are `\\w+` runs; F1 of average precision (pages with output)"
        " and average recall (all pages). The truth is the article body without its headline.",
        "CPU ms/page include loading (decoding, format detection) and, for HTML, extraction.",
        "",
        "| system | input | precision | recall | F1 | F1 (4-shingles) | CPU ms/page |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, kind, system, pages in systems:
        outputs, seconds = _run(system, pages)
        s = score_pages(outputs, truths, seconds)
        scores[label] = s
        rows.append(
            f"| {label} | {kind} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.4f} "
            f"| {s.shingle_f1:.4f} | {s.ms_per_page:.2f} |"
        )
    dump = scores["newsbot cleaner: headline + body"]
    html = scores["newsbot HTML loader: body"]
    traf = scores["trafilatura alone"]
    ok = dump.f1 >= TARGET_DUMP_F1 and html.f1 >= traf.f1
    rows += [
        "",
        f"Targets: text-dump F1 (headline + body) ≥ {TARGET_DUMP_F1}: {dump.f1:.4f}; "
        f"HTML body F1 ≥ trafilatura's {traf.f1:.4f}: {html.f1:.4f}.",
    ]
    return "\n".join(rows) + "\n", ok


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else DEFAULT_DATA
    if not data_dir.is_dir():
        print(f"no evaluation data at {data_dir}", file=sys.stderr)
        return 2
    table, ok = evaluate(data_dir)
    print(table)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
