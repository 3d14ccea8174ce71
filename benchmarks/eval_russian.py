"""Russian summaries and quotes, measured like the English ones, on our own set.

No Russian evaluation data ships with the project, so ``tests/data/russian/`` holds 44
fictional articles written for newsbot (see its README), in two parts:

* **dev** (01-29): 01-14 written with their own 3-sentence references; 15-29 written
  afterwards by another writer, with references by two editors who never saw the code. The
  Russian quote rules and any summary tuning were developed on these.
* **test** (30-44): a third writer, the same two editors; measured, never tuned on.

Run::

    .venv/bin/python -m benchmarks.eval_russian [-v] [FOLDER]

Summaries: ROUGE-1/2/L F1 (``rouge-score``, with a Cyrillic-aware tokenizer and NLTK's
Snowball Russian stemmer, which is code, not a download) of 3-sentence summaries from every
algorithm, LEAD-3, and the greedy ORACLE; with two references an article's score is the mean
over them, and ``EDITORS`` is one editor's choice scored against the other's (how much two
people agree). Quotes: the rules of ``benchmarks.eval_quotes`` in short: a prediction matches
a gold quote at word-set Jaccard >= 0.6 (lower-cased words, ``ё`` read as ``е``); precision,
recall, F1; speaker accuracy over matched quotes (exact name, or the same surname); and how
many ``not_quotes`` came out as quotes.
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
#: Articles numbered up to this one are the development part; the rest are the test part.
LAST_DEV = 29
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
    references: tuple[tuple[str, ...], ...]
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
                references=tuple(tuple(r) for r in raw.get("references") or [raw["reference"]]),
                quotes=tuple(raw["quotes"]),
                not_quotes=tuple(raw.get("not_quotes", ())),
            )
        )
    return cases


def split_cases(cases: list[Case]) -> dict[str, list[Case]]:
    """The dev and test parts (by the number a file name starts with)."""
    parts: dict[str, list[Case]] = {"dev": [], "test": []}
    for case in cases:
        number = int(case.name.split("-", 1)[0])
        parts["dev" if number <= LAST_DEV else "test"].append(case)
    return parts


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


def _rouge(
    scorer: rouge_scorer.RougeScorer, case: Case, summary: Sequence[str]
) -> tuple[float, float, float]:
    """ROUGE-1/2/L F1 of ``summary``, the mean over the article's references."""
    totals = [0.0, 0.0, 0.0]
    for reference in case.references:
        scores = scorer.score("\n".join(reference), "\n".join(summary))
        for i, key in enumerate(("rouge1", "rouge2", "rougeL")):
            totals[i] += scores[key].fmeasure
    n = len(case.references)
    return totals[0] / n, totals[1] / n, totals[2] / n


def _oracle(case: Case, scorer: rouge_scorer.RougeScorer) -> tuple[str, ...]:
    """Greedy: add the sentence that raises ROUGE-1 + ROUGE-2 most, K times."""
    from summaries.sentences import split_sentences

    sentences = split_sentences(case.article.body, "russian")
    chosen: list[int] = []
    for _ in range(min(K, len(sentences))):
        best, best_score = None, -1.0
        for i in range(len(sentences)):
            if i in chosen:
                continue
            r1, r2, _ = _rouge(scorer, case, [sentences[j] for j in sorted([*chosen, i])])
            if r1 + r2 > best_score:
                best, best_score = i, r1 + r2
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
            for i, value in enumerate(_rouge(scorer, case, run(case))):
                totals[i] += value
        n = len(cases)
        results[name] = (totals[0] / n, totals[1] / n, totals[2] / n)
    paired = [c for c in cases if len(c.references) == 2]
    if paired:
        totals = [0.0, 0.0, 0.0]
        for case in paired:
            scores = scorer.score("\n".join(case.references[0]), "\n".join(case.references[1]))
            for i, key in enumerate(("rouge1", "rouge2", "rougeL")):
                totals[i] += scores[key].fmeasure
        n = len(paired)
        results["EDITORS"] = (totals[0] / n, totals[1] / n, totals[2] / n)
    return results


def print_summaries(title: str, cases: list[Case]) -> None:
    print(f"\n{title}: {len(cases)} articles, {K}-sentence summaries, ROUGE F1 x100:")
    print(f"{'system':<10} {'R-1':>6} {'R-2':>6} {'R-L':>6}")
    for name, (r1, r2, rl) in sorted(score_summaries(cases).items(), key=lambda kv: -kv[1][0]):
        print(f"{name:<10} {r1 * 100:6.1f} {r2 * 100:6.1f} {rl * 100:6.1f}")


def print_quotes(title: str, cases: list[Case], *, verbose: bool) -> None:
    q = score_quotes(cases, verbose=verbose)
    print(
        f"{title:<5} precision {q.precision:.2f}  recall {q.recall:.2f}  F1 {q.f1:.2f}  "
        f"speaker accuracy {q.speaker_accuracy:.2f}  (tp={q.tp} fp={q.fp} fn={q.fn}); "
        f"names/scare quotes reported as quotes: {q.leaked}"
    )


def main(argv: list[str]) -> int:
    folders = [a for a in argv[1:] if not a.startswith("-")]
    cases = load_cases(Path(folders[0]) if folders else DATA)
    languages = {c.article.language for c in cases}
    print(f"{len(cases)} Russian articles; detected language(s): {', '.join(sorted(languages))}")
    parts = {name: part for name, part in split_cases(cases).items() if part}
    for name, part in parts.items():
        print_summaries(name, part)
    print("\nQuotes:")
    for name, part in parts.items():
        print_quotes(name, part, verbose="-v" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
