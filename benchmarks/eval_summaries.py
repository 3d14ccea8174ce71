"""Summary quality on ``summaries-dev`` (BBC News Summary, 250 articles): ROUGE F1 and speed.

Run from the repo root::

    .venv/bin/python -m benchmarks.eval_summaries [DATA_DIR]

Every system is measured in this run on the same articles: our ``news`` default, every sumy
algorithm fed by our tokenizer (``summaries.ALGORITHMS``), LEAD-K, LEAD-3, RANDOM-K (fixed
seed) and the greedy ORACLE. Each system gets K sentences, K being the reference's sentence
count (the references are glued without spaces; we split them at a sentence end running
straight into a capital letter or an opening quote, as the data README says). Scores are
ROUGE-1/2 and ROUGE-Lsum F1 from the ``rouge-score`` package with its Porter stemmer;
for Lsum both sides have one sentence per line. ms/article is CPU time (process time), so
other load on the machine does not inflate it; it includes sentence splitting.

The BBC references keep ~44% of each article, so they reward centrality more than position.
Lead-heavy news with short abstractive highlights (CNN/DailyMail style) is the opposite
case, and we have no such set offline; the second table is a proxy for it: 3-sentence
summaries scored against "title + first sentence" as a stand-in highlight, and how many of
the 3 picks fall in the lead, on all articles and on the long ones (>= 20 sentences, the
length of a typical CNN/DailyMail story). Targets (exit status of ``benchmarks.quality``):

- ``news`` beats the best plain sumy algorithm on R-1, R-2 and R-Lsum, and its R-1 closes at
  least a third of the gap from that algorithm to the ORACLE;
- on long articles, ``news`` with 3 sentences scores at least LEAD-3 against the stand-in
  highlight (so the position prior stays strong where the lead is the summary).
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from nltk.stem import porter
from rouge_score import rouge_scorer, tokenize

from summaries import ALGORITHMS, Article, SummaryOptions, summarize

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "summaries-dev"
SUMY = ("reduction", "textrank", "lexrank", "lsa", "luhn", "kl", "sumbasic", "edmundson")
LONG = 20
_REF_END = re.compile(r"([.!?]+[\"”]?)(?=[A-Z\"“])")


@dataclass(frozen=True, slots=True)
class Pair:
    """One article with its reference, split into sentences."""

    id: str
    article: Article
    reference: str
    ref_sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    r1: float
    r2: float
    rlsum: float
    ms: float


def split_reference(summary: str) -> tuple[str, ...]:
    """Split a glued reference where a sentence end runs into a capital or opening quote.

    A ``"`` straight after the full stop closes the sentence when the sentence has an odd
    number of quotes so far (a quote that opened in it), otherwise it opens the next one.
    """
    out: list[str] = []
    start, i, n = 0, 0, len(summary)
    while i < n:
        if summary[i] not in ".!?":
            i += 1
            continue
        j = i + 1
        while j < n and summary[j] in ".!?":
            j += 1
        if j < n and summary[j] in '"”' and summary[start:j].count('"') % 2 == 1:
            j += 1
        if j < n and (summary[j].isupper() or summary[j] in '"“'):
            piece = summary[start:j].strip()
            if piece.strip('"') or not out:
                out.append(piece)
            else:
                out[-1] += piece
            start = j
        i = j
    if summary[start:].strip():
        out.append(summary[start:].strip())
    return tuple(out)


def load_pairs(data_dir: Path) -> list[Pair]:
    """Articles as ``summaries.load`` reads BBC text: title on the first line, then paragraphs."""
    pairs = []
    path = data_dir / "bbc-dev.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        blocks = [b.strip() for b in record["article"].replace("\r\n", "\n").split("\n\n")]
        blocks = [b for b in blocks if b]
        article = Article(title=blocks[0], paragraphs=tuple(blocks[1:]))
        summary = record["summary"]
        pairs.append(Pair(record["id"], article, summary, split_reference(summary)))
    return pairs


class _StemCache:
    """rouge-score's own tokenization and Porter stemming, memoised per word (same output,
    several times faster: the stemmer dominates the scoring time)."""

    def __init__(self) -> None:
        self._stemmer = porter.PorterStemmer()
        self._stems: dict[str, str] = {}

    def tokenize(self, text: str) -> list[str]:
        out = []
        for token in tokenize.tokenize(text, None):
            stem = self._stems.get(token)
            if stem is None:
                stem = self._stemmer.stem(token) if len(token) > 3 else token
                self._stems[token] = stem
            out.append(stem)
        return out


class Rouge:
    """rouge-score's scorer (with its stemming) plus a fast token path for the greedy oracle."""

    def __init__(self) -> None:
        self._tokenizer = _StemCache()
        self.scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], tokenizer=self._tokenizer)
        self.lsum = rouge_scorer.RougeScorer(["rougeLsum"], tokenizer=self._tokenizer)
        self._tokens: dict[str, list[str]] = {}

    def scores(self, pair: Pair, chosen: Sequence[str]) -> tuple[float, float, float]:
        joined = self.scorer.score(pair.reference, " ".join(chosen))
        lsum = self.lsum.score("\n".join(pair.ref_sentences), "\n".join(chosen))
        return (
            joined["rouge1"].fmeasure,
            joined["rouge2"].fmeasure,
            lsum["rougeLsum"].fmeasure,
        )

    def tokens(self, text: str) -> list[str]:
        if text not in self._tokens:
            self._tokens[text] = self._tokenizer.tokenize(text)
        return self._tokens[text]


def _gain_f1(
    current: Counter[object], overlap: int, size: int, add: Counter[object], ref: Counter[object]
) -> tuple[float, int, int]:
    """F1 against ``ref`` after adding ``add`` to ``current`` (overlap updated incrementally)."""
    for gram, count in add.items():
        have, cap = current[gram], ref[gram]
        overlap += min(have + count, cap) - min(have, cap)
    size += sum(add.values())
    total = sum(ref.values())
    if overlap == 0 or size == 0:
        return 0.0, overlap, size
    p, r = overlap / size, overlap / total
    return 2 * p * r / (p + r), overlap, size


def _grams(tokens: Sequence[str]) -> tuple[Counter[object], Counter[object]]:
    return Counter(tokens), Counter(pairwise(tokens))


def oracle(rouge: Rouge, pair: Pair, sentences: Sequence[str], k: int) -> tuple[str, ...]:
    """Greedy: add the sentence that raises ROUGE-1 + ROUGE-2 F1 most, up to ``k``."""
    ref_uni, ref_bi = _grams(rouge.tokens(pair.reference))
    grams = [_grams(rouge.tokens(s)) for s in sentences]
    chosen: list[int] = []
    uni: Counter[object] = Counter()
    bi: Counter[object] = Counter()
    state = (0, 0, 0, 0)  # unigram overlap, unigram size, bigram overlap, bigram size
    best_score = 0.0
    while len(chosen) < k:
        best, best_state = None, state
        for i, (u, b) in enumerate(grams):
            if i in chosen:
                continue
            f1, o1, s1 = _gain_f1(uni, state[0], state[1], u, ref_uni)
            f2, o2, s2 = _gain_f1(bi, state[2], state[3], b, ref_bi)
            if f1 + f2 > best_score:
                best, best_score, best_state = i, f1 + f2, (o1, s1, o2, s2)
        if best is None:
            break
        chosen.append(best)
        uni.update(grams[best][0])
        bi.update(grams[best][1])
        state = best_state
    return tuple(sentences[i] for i in sorted(chosen))


@contextmanager
def _memoised_lcs() -> Iterator[None]:
    """Memoise rouge-score's sentence-pair LCS for this run (same results, much faster).

    ROUGE-Lsum compares every reference sentence with every summary sentence, and the
    systems pick many of the same sentences, so the pure-Python LCS tables repeat.
    """
    original = rouge_scorer.lcs_ind
    memo: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = {}

    def lcs_ind(ref: list[str], can: list[str]) -> list[int]:
        key = (tuple(ref), tuple(can))
        if key not in memo:
            memo[key] = original(ref, can) if set(ref) & set(can) else []
        return memo[key]

    rouge_scorer.lcs_ind = lcs_ind
    try:
        yield
    finally:
        rouge_scorer.lcs_ind = original


def _document_sentences(article: Article) -> tuple[str, ...]:
    """The candidate sentences every system chooses from (our tokenizer, duplicates removed)."""
    return summarize(article, SummaryOptions(sentences=10_000, algorithm="lead"))


def _measure(
    name: str, pairs: Sequence[Pair], rouge: Rouge, pick: Callable[[Pair], tuple[str, ...]]
) -> Row:
    pick(pairs[0])  # one-time setup (stop words, stemmer) is not per-article cost
    picked, elapsed = [], 0.0
    for pair in pairs:
        started = time.process_time()
        picked.append(pick(pair))
        elapsed += time.process_time() - started
    totals = [0.0, 0.0, 0.0]
    for pair, chosen in zip(pairs, picked, strict=True):
        for i, value in enumerate(rouge.scores(pair, chosen)):
            totals[i] += value
    n = len(pairs)
    return Row(name, *(100 * t / n for t in totals), ms=1000 * elapsed / n)


def _proxy(pairs: Sequence[Pair], rouge: Rouge) -> tuple[list[str], bool]:
    """3-sentence summaries against "title + first sentence" (a stand-in news highlight)."""
    lines = [
        "| Articles | LEAD-3 R-1 | news@3 R-1 | LEAD-3 R-2 | news@3 R-2 | picks in lead-3 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    ok = True
    for label, subset in (
        ("all", list(pairs)),
        (f">= {LONG} sentences", [p for p in pairs if len(_document_sentences(p.article)) >= LONG]),
    ):
        sums = {"lead": [0.0, 0.0], "news": [0.0, 0.0]}
        agree = 0.0
        for pair in subset:
            sentences = _document_sentences(pair.article)
            highlight = f"{pair.article.title}\n{sentences[0]}" if sentences else pair.article.title
            ours = summarize(pair.article, SummaryOptions(sentences=3))
            for key, chosen in (("lead", sentences[:3]), ("news", ours)):
                s = rouge.scorer.score(highlight, " ".join(chosen))
                sums[key][0] += s["rouge1"].fmeasure
                sums[key][1] += s["rouge2"].fmeasure
            agree += len(set(ours) & set(sentences[:3])) / max(min(3, len(sentences)), 1)
        n = max(len(subset), 1)
        lead1, lead2 = (100 * v / n for v in sums["lead"])
        news1, news2 = (100 * v / n for v in sums["news"])
        lines.append(
            f"| {label} ({len(subset)}) | {lead1:.1f} | {news1:.1f} | {lead2:.1f} | {news2:.1f} "
            f"| {100 * agree / n:.0f}% |"
        )
        if label != "all":
            ok = news1 >= lead1
    return lines, ok


def evaluate(data_dir: Path) -> tuple[str, bool]:
    """Markdown tables and whether the targets are met."""
    with _memoised_lcs():
        return _evaluate(data_dir)


def _evaluate(data_dir: Path) -> tuple[str, bool]:
    pairs = load_pairs(data_dir)
    rouge = Rouge()
    rng = random.Random(2005)
    k = {p.id: len(p.ref_sentences) for p in pairs}

    def algorithm(name: str) -> Callable[[Pair], tuple[str, ...]]:
        def pick(pair: Pair) -> tuple[str, ...]:
            return summarize(pair.article, SummaryOptions(sentences=k[pair.id], algorithm=name))

        return pick

    def random_k(pair: Pair) -> tuple[str, ...]:
        sentences = _document_sentences(pair.article)
        idx = sorted(rng.sample(range(len(sentences)), min(k[pair.id], len(sentences))))
        return tuple(sentences[i] for i in idx)

    def lead(count: int | None) -> Callable[[Pair], tuple[str, ...]]:
        def pick(pair: Pair) -> tuple[str, ...]:
            n = k[pair.id] if count is None else count
            return summarize(pair.article, SummaryOptions(sentences=n, algorithm="lead"))

        return pick

    def best(pair: Pair) -> tuple[str, ...]:
        return oracle(rouge, pair, _document_sentences(pair.article), k[pair.id])

    news = _measure("**news** (default)", pairs, rouge, algorithm("news"))
    plain = [_measure(f"sumy {n}", pairs, rouge, algorithm(n)) for n in SUMY if n in ALGORITHMS]
    rows = [
        news,
        *plain,
        _measure("LEAD-K", pairs, rouge, lead(None)),
        _measure("LEAD-3", pairs, rouge, lead(3)),
        _measure("RANDOM-K (seed 2005)", pairs, rouge, random_k),
        _measure("ORACLE (greedy R-1+R-2)", pairs, rouge, best),
    ]
    top = max(plain, key=lambda r: r.r1)
    gap_target = top.r1 + (rows[-1].r1 - top.r1) / 3
    beats = news.r1 > top.r1 and news.r2 > top.r2 and news.rlsum > top.rlsum
    lines = [
        f"{len(pairs)} articles, K = reference sentence count "
        f"(mean {sum(k.values()) / len(k):.1f}); ROUGE F1 x 100, rouge-score with stemming.",
        "",
        "| System | R-1 | R-2 | R-Lsum | ms/article |",
        "|---|---:|---:|---:|---:|",
        *(f"| {r.name} | {r.r1:.1f} | {r.r2:.1f} | {r.rlsum:.1f} | {r.ms:.2f} |" for r in rows),
        "",
        f"Targets: news above the best plain sumy algorithm ({top.name}) on all three scores: "
        f"{'yes' if beats else 'NO'}; news R-1 >= {gap_target:.1f} (a third of the way to "
        f"the oracle): {'yes' if news.r1 >= gap_target else 'NO'}.",
        "",
        "Lead-heavy proxy: 3-sentence summaries vs. title + first sentence (stand-in highlight):",
        "",
    ]
    proxy_lines, proxy_ok = _proxy(pairs, rouge)
    lines += proxy_lines
    lines += [
        "",
        f"Target: on long articles news@3 >= LEAD-3: {'yes' if proxy_ok else 'NO'}.",
    ]
    ok = beats and news.r1 >= gap_target and proxy_ok
    return "\n".join(lines) + "\n", ok


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    data_dir = Path(args[0]) if args else DATA
    if not (data_dir / "bbc-dev.jsonl").is_file():
        print(f"no evaluation data at {data_dir}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    table, ok = evaluate(data_dir)
    print(table)
    print(f"{'all targets met' if ok else 'TARGET MISSED'} ({time.perf_counter() - started:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
