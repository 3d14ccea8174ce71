"""The ``news`` summarizer: centrality plus what news writing tells us about importance.

A news sentence is worth keeping when the rest of the story keeps coming back to it
(centrality), when the reporter put it early (the inverted pyramid), when it shares words
with the headline, and when it carries facts (names, numbers). Fragments and run-ons read
badly in a summary whatever their score, and two sentences saying the same thing waste it.

The score of sentence ``i`` is a weighted sum of those signals; selection is greedy MMR
(maximal marginal relevance), so a sentence too similar to one already picked loses.
Everything is computed with numpy on one term-count matrix per article (about 1 ms for
30 sentences). Centrality is PageRank over a word-count cosine graph, computed in blocks of
``block`` consecutive sentences so that cost grows linearly with very long articles.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sumy.summarizers._summarizer import AbstractSummarizer

__all__ = ["NewsSummarizer", "NewsWeights"]

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class NewsWeights:
    """The one default configuration of the ``news`` summarizer.

    ``lead`` weighs the position prior ``1 / (1 + i / lead_scale)``: strong enough that the
    opening sentences win unless the body has clearly more central ones, because on
    lead-heavy news (short highlights) the first sentences are the summary. ``redundancy``
    is the MMR penalty per unit of cosine similarity to the closest sentence already chosen.
    """

    centrality: float = 1.0
    lead: float = 0.6
    lead_scale: float = 2.0
    first: float = 0.3
    title: float = 0.3
    entities: float = 0.08
    numbers: float = 0.04
    quote: float = 0.0
    short: float = 0.6
    long: float = 0.3
    min_words: int = 6
    max_words: int = 45
    redundancy: float = 0.5
    duplicate: float = 0.7
    damping: float = 0.85


class NewsSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """Centrality + lead prior + headline overlap + facts, with MMR redundancy control.

    Called like every sumy summarizer: ``summarizer(document, count)`` returns ``count``
    sentences in article order. The document's headings (our article title) feed the
    headline signal.
    """

    def __init__(
        self,
        stemmer: Callable[[str], str],
        stop_words: frozenset[str],
        weights: NewsWeights | None = None,
        block: int = 120,
    ) -> None:
        super().__init__(stemmer)
        self._stop_words = frozenset(w.lower() for w in stop_words)
        self.weights = weights or NewsWeights()
        self.block = block
        self._terms: dict[str, str | None] = {}

    def __call__(self, document: object, sentences_count: int) -> tuple[object, ...]:
        sentences = tuple(document.sentences)  # type: ignore[attr-defined]
        order = self.select(document, sentences_count)
        return tuple(sentences[i] for i in sorted(order))

    def select(self, document: object, count: int) -> list[int]:
        """Indices of the chosen sentences, best first."""
        sentences = document.sentences  # type: ignore[attr-defined]
        n = len(sentences)
        if n == 0 or count <= 0:
            return []
        words = [tuple(s.words) for s in sentences]
        headings = document.headings  # type: ignore[attr-defined]
        title_words = [w for h in headings for w in h.words]
        scores, unit = self._score(words, title_words)
        return self._mmr(scores, unit, min(count, n))

    # -- features -------------------------------------------------------------------------

    def _term(self, word: str) -> str | None:
        """Normalised content term, or None for a stop word (memoised: stemming is slow)."""
        try:
            return self._terms[word]
        except KeyError:
            low = word.lower()
            term = None if low in self._stop_words else self._stemmer(low)
            if len(self._terms) > 200_000:
                self._terms.clear()
            self._terms[word] = term
            return term

    def _matrix(self, words: Sequence[Sequence[str]], extra: Sequence[str]) -> Vector:
        """Rows: L2-normalised term counts of each sentence, then of ``extra`` (the title)."""
        vocab: dict[str, int] = {}
        rows: list[list[int]] = []
        for ws in [*words, extra]:
            row = []
            for w in ws:
                t = self._term(w)
                if t is not None:
                    row.append(vocab.setdefault(t, len(vocab)))
            rows.append(row)
        m = np.zeros((len(rows), max(len(vocab), 1)))
        for i, row in enumerate(rows):
            for j in row:
                m[i, j] += 1.0
        norms = np.sqrt((m * m).sum(axis=1))
        norms[norms == 0] = 1.0
        result: Vector = m / norms[:, None]
        return result

    def _pagerank(self, unit: Vector) -> Vector:
        """PageRank over the cosine graph, block by block (linear in article length)."""
        n = unit.shape[0]
        out = np.empty(n)
        damping = self.weights.damping
        for start in range(0, n, self.block):
            u = unit[start : start + self.block]
            k = u.shape[0]
            sim = u @ u.T
            np.fill_diagonal(sim, 0.0)
            sums = sim.sum(axis=1, keepdims=True)
            sums[sums == 0] = 1.0
            walk = (sim / sums).T
            p = np.full(k, 1.0 / k)
            for _ in range(50):
                nxt = (1.0 - damping) / k + damping * (walk @ p)
                if np.abs(nxt - p).sum() < 1e-6:
                    p = nxt
                    break
                p = nxt
            out[start : start + k] = p * k  # mean 1 whatever the block size
        return out

    def _score(self, words: Sequence[Sequence[str]], title: Sequence[str]) -> tuple[Vector, Vector]:
        w = self.weights
        n = len(words)
        unit_all = self._matrix(words, title)
        unit, title_vec = unit_all[:n], unit_all[n]
        centrality = self._pagerank(unit)
        position = np.arange(n, dtype=np.float64)
        lengths = np.array([len(ws) for ws in words], dtype=np.float64)
        entities = np.array([_capitalised(ws) for ws in words], dtype=np.float64)
        numbers = np.array([sum(1 for x in ws if x[:1].isdigit()) for ws in words], float)
        scores = (
            w.centrality * centrality
            + w.lead / (1.0 + position / w.lead_scale)
            + w.title * (unit @ title_vec)
            + w.entities * np.log1p(entities)
            + w.numbers * np.log1p(numbers)
            - w.short * np.maximum(0.0, 1.0 - lengths / w.min_words)
            - w.long * np.maximum(0.0, lengths / w.max_words - 1.0)
        )
        scores[0] += w.first
        return scores, unit

    def _mmr(self, scores: Vector, unit: Vector, count: int) -> list[int]:
        w = self.weights
        chosen: list[int] = []
        penalty = np.zeros(len(scores))
        available = np.ones(len(scores), dtype=bool)
        for _ in range(count):
            adjusted = np.where(available, scores - penalty, -math.inf)
            best = int(np.argmax(adjusted))
            chosen.append(best)
            available[best] = False
            sim = unit @ unit[best]
            # near-copies (a quote repeated in the text) are pushed out hard
            sim_penalty = w.redundancy * sim + w.duplicate * np.maximum(0.0, sim - 0.8) * 5
            penalty = np.maximum(penalty, sim_penalty)
        return chosen


def _capitalised(words: Sequence[str]) -> int:
    """Capitalised words after the first: a cheap stand-in for named entities."""
    return sum(1 for x in words[1:] if x[:1].isupper())
