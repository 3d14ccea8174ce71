"""Pipeline throughput, per-stage cost and scaling with article length (needs only summaries/).

The baseline is plain sumy LexRank fed by our own tokenizer (sumy's default tokenizer needs
NLTK's punkt download), measured in the same run on the same files, so ratios survive noisy
machines.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summaries import (
    Article,
    ArticleError,
    SummaryOptions,
    Tokenizer,
    load_article,
    parse_article,
    summarize_article,
)
from summaries.quotes import extract_quotes
from summaries.summarize import summarize

from ._perf_common import (
    Result,
    Table,
    Target,
    fit_exponent,
    fmt,
    ms,
    split_article,
    timed,
    write_articles,
)

TARGET_PER_CORE = 300.0
TARGET_EXPONENT = 1.2
BASELINE_SENTENCES = 5


class SumyLexRank:
    """Plain sumy LexRank with our tokenizer: the library as a user would call it."""

    def __init__(self, sentences: int = BASELINE_SENTENCES) -> None:
        from sumy.nlp.stemmers import Stemmer
        from sumy.parsers.plaintext import PlaintextParser
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.utils import get_stop_words

        self._parser = PlaintextParser
        self._tokenizer = Tokenizer("english")
        self._summarizer = LexRankSummarizer(Stemmer("english"))
        self._summarizer.stop_words = get_stop_words("english")
        self._sentences = sentences

    def __call__(self, path: Path) -> tuple[str, ...]:
        text = path.read_text(encoding="utf-8")
        parser = self._parser.from_string(text, self._tokenizer)
        return tuple(str(s) for s in self._summarizer(parser.document, self._sentences))


def _clean_stage() -> tuple[str, Callable[[str], object]] | None:
    """The plain-text cleaner on its own (it runs inside loading), when summaries has one."""
    try:
        from summaries import clean as clean_mod
    except ImportError:
        return None
    func = getattr(clean_mod, "clean_text", None)
    if not callable(func):
        return None
    return "summaries.clean.clean_text", func


def _pipeline(path: Path, options: SummaryOptions) -> object:
    return summarize_article(load_article(path), options)


def _pipeline_default(path: Path) -> object:
    return summarize_article(load_article(path), SummaryOptions())


def _rejected(paths: Sequence[Path]) -> list[Path]:
    """Files the engine refuses (the cleaner found no article): timed, but reported."""
    bad = []
    for path in paths:
        try:
            load_article(path)
        except ArticleError:
            bad.append(path)
    return bad


def _tolerant(func: Callable[[Path], object]) -> Callable[[Path], object]:
    def call(path: Path) -> object:
        try:
            return func(path)
        except ArticleError:
            return None

    return call


def _pass_seconds(func: Callable[[Path], object], paths: Sequence[Path]) -> tuple[float, float]:
    """(wall-clock, CPU) seconds for one pass over the files."""
    start, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        func(path)
    return time.perf_counter() - start, time.process_time() - cpu


@dataclass(frozen=True, slots=True)
class Rate:
    """Articles per second of wall-clock time and per second of this process's CPU time."""

    wall: float
    cpu: float
    passes: int


def _throughput(func: Callable[[Path], object], paths: Sequence[Path], min_time: float) -> Rate:
    """The fastest whole pass (after a warm-up), by the wall clock and by CPU time.

    On a machine shared with other busy processes the wall clock also counts the time this
    process waited for a core; CPU time does not, so articles per CPU-second is the fairer
    "per core" figure there. On an idle machine the two agree.
    """
    func(paths[0])  # warm caches and lazy imports outside the timing
    passes: list[tuple[float, float]] = []
    while not passes or (sum(p[0] for p in passes) < min_time and len(passes) < 20):
        passes.append(_pass_seconds(func, paths))
    wall = min(p[0] for p in passes)
    cpu = min(p[1] for p in passes)
    return Rate(len(paths) / wall, len(paths) / max(cpu, 1e-9), len(passes))


def _tokenize(tokenizer: Tokenizer, article: Article) -> None:
    """What the summarizer's tokenizing costs: every sentence and its words."""
    for para in article.paragraphs:
        for sentence in tokenizer.to_sentences(para):
            tokenizer.to_words(sentence)


def _stage_costs(
    paths: Sequence[Path], options: SummaryOptions
) -> tuple[dict[str, float], str | None]:
    """Median seconds per article for each stage, timed on its own over the corpus."""
    tokenizer = Tokenizer(options.language)
    cleaner = _clean_stage()
    samples: dict[str, list[float]] = {
        "read": [],
        "load": [],
        "clean": [],
        "tokenize": [],
        "summarize": [],
        "quotes": [],
    }
    for path in paths:
        data = path.read_bytes()
        try:
            article = parse_article(data, path.name)
        except ArticleError:
            continue
        samples["read"].append(timed(path.read_bytes, min_time=0.002, clock=time.perf_counter))
        samples["load"].append(
            timed(functools.partial(parse_article, data, path.name), min_time=0.005)
        )
        if cleaner is not None:
            text = data.decode("utf-8")
            samples["clean"].append(timed(functools.partial(cleaner[1], text), min_time=0.005))
        samples["tokenize"].append(
            timed(functools.partial(_tokenize, tokenizer, article), min_time=0.005)
        )
        samples["summarize"].append(
            timed(functools.partial(summarize, article, options), min_time=0.005)
        )
        samples["quotes"].append(
            timed(
                functools.partial(extract_quotes, article, max_key=options.max_key_quotes),
                min_time=0.005,
            )
        )
    costs = {k: statistics.fmean(v) if v else float("nan") for k, v in samples.items()}
    return costs, cleaner[0] if cleaner else None


def run_throughput(
    texts: Sequence[str],
    workdir: Path,
    *,
    min_time: float = 3.0,
    cores: int = 1,
    pool_throughput: Callable[[Sequence[Path]], float] | None = None,
) -> Result:
    """Articles/s/core for the whole pipeline beside sumy LexRank, and the cost of each stage."""
    paths = write_articles(texts, workdir / "throughput")
    options = SummaryOptions()
    rejected = _rejected(paths)
    pipeline = _tolerant(functools.partial(_pipeline, options=options))
    mine = _throughput(pipeline, paths, min_time)
    sumy = SumyLexRank()
    theirs = _throughput(sumy, paths, min_time)
    ours, base = mine.cpu, theirs.cpu
    rows = [
        (
            "newsbot: load + clean + summarize + quotes",
            fmt(mine.cpu),
            fmt(mine.wall),
            ms(1 / mine.cpu),
            f"{mine.cpu / theirs.cpu:.2f}× ({mine.wall / theirs.wall:.2f}×)",
            str(mine.passes),
        ),
        (
            f"sumy LexRank ({BASELINE_SENTENCES} sentences) + our tokenizer",
            fmt(theirs.cpu),
            fmt(theirs.wall),
            ms(1 / theirs.cpu),
            "1.00×",
            str(theirs.passes),
        ),
    ]
    data: dict[str, Any] = {
        "articles": len(paths),
        "rejected": [p.name for p in rejected],
        "newsbot_per_core": ours,
        "newsbot_per_core_wall": mine.wall,
        "sumy_lexrank_per_core": base,
        "sumy_lexrank_per_core_wall": theirs.wall,
        "ratio": ours / base,
        "ratio_wall": mine.wall / theirs.wall,
    }
    if pool_throughput is not None:
        pooled = pool_throughput(paths)
        rows.append(
            (
                f"newsbot via SummaryPool ({cores} processes), per core",
                "–",
                fmt(pooled / cores),
                ms(cores / pooled),
                f"({pooled / cores / theirs.wall:.2f}×)",
                "1",
            )
        )
        data["pool_total"] = pooled
        data["pool_per_core"] = pooled / cores
    tables = [
        Table(
            f"Pipeline throughput ({len(paths)} articles, files on disk, one core)",
            (
                "pipeline",
                "articles per CPU-second",
                "articles/s (wall clock)",
                "CPU ms/article",
                "vs sumy: CPU (wall)",
                "passes",
            ),
            tuple(rows),
            (
                "One process, articles in sequence; fastest whole pass after a warm-up. "
                "Articles per CPU-second is the per-core rate (waiting for a busy core does "
                "not count); the wall clock also counts that wait.",
                f"{len(rejected)} of {len(paths)} articles refused by the engine (ArticleError)"
                + (f": {', '.join(p.name for p in rejected[:5])}" if rejected else "")
                + "; they count as processed.",
                f"Target: ≥ {TARGET_PER_CORE:.0f} articles/s/core for the full pipeline "
                "(judged on articles per CPU-second).",
            ),
        )
    ]
    costs, clean_name = _stage_costs(paths, options)
    total = costs["load"] + costs["summarize"] + costs["quotes"]
    stage_rows = []
    notes = {
        "read": "Path.read_bytes (part of load)",
        "load": "parse_article: decode, parse"
        + (", clean (boilerplate)" if clean_name else " (cleaning included if load does it)"),
        "clean": f"{clean_name} on the decoded file (part of load)"
        if clean_name
        else "no separate cleaner",
        "tokenize": "Tokenizer.to_sentences + to_words on the body (part of summarize)",
        "summarize": "summaries.summarize (default options)",
        "quotes": "summaries.extract_quotes",
    }
    for stage, cost in costs.items():
        share = f"{cost / total * 100:.0f} %" if stage in {"load", "summarize", "quotes"} else "–"
        stage_rows.append((stage, ms(cost, 3), share, notes[stage]))
    stage_rows.append(("load + summarize + quotes", ms(total, 3), "100 %", "sum of the stages"))
    tables.append(
        Table(
            "Per stage (CPU time; mean over the articles of each stage's fastest run)",
            ("stage", "ms/article", "share", "what"),
            tuple(stage_rows),
        )
    )
    data["stages_ms"] = {k: v * 1000 for k, v in costs.items()}
    return Result(
        "throughput",
        tables,
        data,
        [
            Target(
                "pipeline throughput",
                f"≥ {TARGET_PER_CORE:.0f} articles/s/core",
                f"{ours:.0f} per CPU-second ({mine.wall:.0f}/s wall clock)",
                ours >= TARGET_PER_CORE,
            )
        ],
    )


def _grown_article(
    title: str, paragraphs: Sequence[str], start: int, min_chars: int
) -> tuple[str, int]:
    """An article of at least ``min_chars`` body characters from consecutive paragraphs."""
    body: list[str] = []
    size = 0
    i = start
    while size < min_chars:
        para = paragraphs[i % len(paragraphs)]
        body.append(para)
        size += len(para) + 2
        i += 1
    return title + "\n\n" + "\n\n".join(body), size


def run_scaling(
    texts: Sequence[str],
    workdir: Path,
    *,
    multipliers: Sequence[int] = (1, 2, 4, 8, 16, 32, 64),
    fit_from: int = 8,
    samples: int = 3,
    baseline_max: int = 16,
    min_time: float = 0.3,
    min_reps: int = 3,
) -> Result:
    """Time per article as it grows by concatenating paragraphs of different articles.

    Paragraphs come from many articles (not one repeated), so a cleaner that drops repeated
    lines cannot make big articles look cheap.
    """
    folder = workdir / "scaling"
    folder.mkdir(parents=True, exist_ok=True)
    split = [split_article(t) for t in texts]
    paragraphs = [p for _, paras in split for p in paras]
    unit = int(statistics.median(sum(len(p) + 2 for p in paras) for _, paras in split))
    sumy = SumyLexRank()
    rows = []
    points: list[tuple[int, float, float, float]] = []  # (mult, chars, ours, sumy)
    stride = max(1, len(paragraphs) // max(1, samples))
    for mult in multipliers:
        ours_t, base_t, sizes = [], [], []
        for s in range(samples):
            text, size = _grown_article(split[s][0], paragraphs, s * stride, mult * unit)
            path = folder / f"x{mult:03d}-{s}.txt"
            path.write_text(text, encoding="utf-8")
            sizes.append(size)
            ours_t.append(
                timed(
                    functools.partial(_tolerant(_pipeline_default), path),
                    min_time=min_time,
                    min_reps=min_reps,
                )
            )
            if mult <= baseline_max:
                base_t.append(
                    timed(functools.partial(sumy, path), min_time=min_time, min_reps=min_reps)
                )
        chars = statistics.fmean(sizes)
        ours = statistics.median(ours_t)
        base = statistics.median(base_t) if base_t else float("nan")
        points.append((mult, chars, ours, base))
        rows.append(
            (
                f"{mult}×",
                f"{chars:,.0f}",
                ms(ours),
                ms(ours / chars * 1000, 3),
                ms(base),
            )
        )
    fit = [(c, t) for m, c, t, _ in points if m >= fit_from]
    exponent = fit_exponent([c for c, _ in fit], [t for _, t in fit]) if len(fit) >= 2 else 0.0
    sumy_from = max(1, baseline_max // 2)
    base_fit = [(c, b) for m, c, _, b in points if m >= sumy_from and b == b]
    base_exp = (
        fit_exponent([c for c, _ in base_fit], [b for _, b in base_fit])
        if len(base_fit) >= 2
        else float("nan")
    )
    table = Table(
        f"Scaling with article length (CPU time; unit = {unit:,} body characters; median over "
        f"{samples} articles of the fastest of ≥ {min_reps} runs)",
        ("size", "body chars", "newsbot ms", "newsbot ms per 1k chars", "sumy LexRank ms"),
        tuple(rows),
        (
            f"Fitted exponent (time ∝ chars^k), {fit_from}× to {multipliers[-1]}×: "
            f"newsbot k = {exponent:.2f} (target ≤ {TARGET_EXPONENT}).",
            f"sumy LexRank k = {base_exp:.2f} "
            f"({sumy_from}× to {baseline_max}×; not run above {baseline_max}×).",
        ),
    )
    return Result(
        "scaling",
        [table],
        {
            "unit_chars": unit,
            "points": [
                {"mult": m, "chars": c, "newsbot_s": t, "sumy_s": b if b == b else None}
                for m, c, t, b in points
            ],
            "exponent": exponent,
            "sumy_exponent": base_exp if base_exp == base_exp else None,
        },
        [
            Target(
                f"scaling exponent {fit_from}×→{multipliers[-1]}×",
                f"≤ {TARGET_EXPONENT}",
                f"{exponent:.2f}",
                exponent <= TARGET_EXPONENT,
            )
        ],
    )
