"""Russian summaries and quotes, measured like the English ones, on our own small set.

No Russian evaluation data ships with the project, so ``tests/data/russian/`` holds fictional
articles written for newsbot, each with a 3-sentence extractive reference, its statement
quotes with speakers, and quoted names/scare quotes that must not come out. Run::

    .venv/bin/python -m benchmarks.eval_russian [-v] [FOLDER]

Summaries: ROUGE-1/2/L F1 (``rouge-score``, with a Cyrillic-aware tokenizer and NLTK's
Snowball Russian stemmer, which is code, not a download) of 3-sentence summaries from every
algorithm, LEAD-3, and the greedy ORACLE. Quotes: the rules of ``benchmarks.eval_quotes`` in
short: a prediction matches a gold quote at word-set Jaccard >= 0.6 (lower-cased words, ``ё``
read as ``е``); precision, recall, F1; speaker accuracy over matched quotes (exact name, or
the same surname); and how many ``not_quotes`` came out as quotes. Eight articles: read the
numbers as a regression check, not as a benchmark from the wild.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nltk.stem.snowball import RussianStemmer
from rouge_score import rouge_scorer

from summaries import ALGORITHMS, Article, Quote, SummaryOptions, parse_article, summarize
from summaries.quotes import extract_quotes

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "russian"
K = 3
_WORD = re.compile(r"[^\W_]+")


class _Tokenizer:
    """rouge-score's default tokenizer drops every non-Latin letter: this one keeps them."""

    def __init__(self) -> None:
        self._stem = RussianStemmer().stem

    def tokenize(self, text: str) -> list[str]:
        return [self._stem(w) for w in _WORD.findall(text.lower().replace("ё", "е"))]


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    article: Article
    reference: tuple[str, ...]
    quotes: tuple[dict[str, Any], ...]
    not_quotes: tuple[str, ...]


def load_cases(folder: Path = DATA) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        cases.append(
            Case(
                name=path.name,
                article=parse_article(path.read_bytes(), path.name),
                reference=tuple(raw["reference"]),
                quotes=tuple(raw["quotes"]),
                not_quotes=tuple(raw.get("not_quotes", ())),
            )
        )
    return cases


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower().replace("ё", "е")))


def quote_match(pred: str, gold: str) -> float:
    """Best word-set Jaccard of the prediction with the gold quote or one of its pieces."""
    best = 0.0
    p = _words(pred)
    for candidate in (gold, *gold.split(" ... ")):
        g = _words(candidate)
        if p and g:
            best = max(best, len(p & g) / len(p | g))
    return best


def speaker_ok(pred: str | None, gold: str | None) -> bool:
    if not pred or not gold:
        return False
    p, g = pred.lower().replace("ё", "е").split(), gold.lower().replace("ё", "е").split()
    return p == g or p[-1] == g[-1]


@dataclass(slots=True)
class QuoteScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    speakers: int = 0
    leaked: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speakers / self.tp if self.tp else 0.0


def score_quotes(
    cases: list[Case],
    *,
    verbose: bool = False,
    extract: Callable[[Article], Sequence[Quote]] = extract_quotes,
) -> QuoteScore:
    score = QuoteScore()
    for case in cases:
        predicted = list(extract(case.article))
        unmatched = list(case.quotes)
        for quote in predicted:
            best = max(unmatched, key=lambda g: quote_match(quote.text, g["text"]), default=None)
            if best is not None and quote_match(quote.text, best["text"]) >= 0.6:
                unmatched.remove(best)
                score.tp += 1
                ok = speaker_ok(quote.speaker, best["speaker"])
                score.speakers += ok
                if verbose and not ok:
                    print(f"  speaker {case.name}: {quote.speaker!r} != {best['speaker']!r}")
            else:
                score.fp += 1
                if any(quote_match(quote.text, n) >= 0.6 for n in case.not_quotes):
                    score.leaked += 1
                if verbose:
                    print(f"  extra   {case.name}: {quote.text[:60]!r} ({quote.speaker})")
        score.fn += len(unmatched)
        if verbose:
            for gold in unmatched:
                print(f"  missed  {case.name}: {gold['text'][:60]!r}")
    return score


def _oracle(case: Case, scorer: rouge_scorer.RougeScorer) -> tuple[str, ...]:
    """Greedy: add the sentence that raises ROUGE-1 + ROUGE-2 most, K times."""
    from summaries.sentences import split_sentences

    sentences = split_sentences(case.article.body, "russian")
    chosen: list[int] = []
    reference = "\n".join(case.reference)
    for _ in range(min(K, len(sentences))):
        best, best_score = None, -1.0
        for i in range(len(sentences)):
            if i in chosen:
                continue
            text = "\n".join(sentences[j] for j in sorted([*chosen, i]))
            s = scorer.score(reference, text)
            value = s["rouge1"].fmeasure + s["rouge2"].fmeasure
            if value > best_score:
                best, best_score = i, value
        assert best is not None
        chosen.append(best)
    return tuple(sentences[i] for i in sorted(chosen))


def score_summaries(cases: list[Case]) -> dict[str, tuple[float, float, float]]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=_Tokenizer())
    systems: dict[str, Any] = {
        name: (lambda c, n=name: summarize(c.article, SummaryOptions(sentences=K, algorithm=n)))
        for name in sorted(ALGORITHMS)
    }
    systems["ORACLE"] = lambda c: _oracle(c, scorer)
    results = {}
    for name, run in systems.items():
        totals = [0.0, 0.0, 0.0]
        for case in cases:
            scores = scorer.score("\n".join(case.reference), "\n".join(run(case)))
            for i, key in enumerate(("rouge1", "rouge2", "rougeL")):
                totals[i] += scores[key].fmeasure
        n = len(cases)
        results[name] = (totals[0] / n, totals[1] / n, totals[2] / n)
    return results


def main(argv: list[str]) -> int:
    folders = [a for a in argv[1:] if not a.startswith("-")]
    cases = load_cases(Path(folders[0]) if folders else DATA)
    languages = {c.article.language for c in cases}
    print(f"{len(cases)} Russian articles; detected language(s): {', '.join(sorted(languages))}")
    print(f"\nSummaries ({K} sentences), ROUGE F1 x100:")
    print(f"{'system':<10} {'R-1':>6} {'R-2':>6} {'R-L':>6}")
    for name, (r1, r2, rl) in sorted(score_summaries(cases).items(), key=lambda kv: -kv[1][0]):
        print(f"{name:<10} {r1 * 100:6.1f} {r2 * 100:6.1f} {rl * 100:6.1f}")
    print("\nQuotes:")
    q = score_quotes(cases, verbose="-v" in argv)
    print(
        f"precision {q.precision:.2f}  recall {q.recall:.2f}  F1 {q.f1:.2f}  "
        f"speaker accuracy {q.speaker_accuracy:.2f}  (tp={q.tp} fp={q.fp} fn={q.fn}); "
        f"names/scare quotes reported as quotes: {q.leaked}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
