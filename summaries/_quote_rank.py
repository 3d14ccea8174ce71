"""Pick the key quotes: what an editor would put in a "Key quotes" box.

Substance scores: complete statements over fragments, figures, decisions and predictions,
accusations; greetings and bare reactions ("I'm delighted") score low. The pick is greedy
with a penalty for a speaker already picked, so the box shows more than one voice when the
article has them. Order is never changed: only the ``key`` flags are.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ._quote_speakers import wordset
from .models import Quote

__all__ = ["quote_score", "rank_quotes"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_FIGURE = re.compile(r"[\d%$£€¥₽]")
_FIGURE_WORDS = wordset("million millions billion billions bn trillion percent per")
_SUBSTANCE = wordset(
    """will won't would must should need needs plan plans cannot can't never decided decision
    agree agreed refuse refused illegal lie lies lying wrong threat crisis risk cut cuts
    raise rise increase fall expect forecast ready support oppose against because recovery
    growth deficit budget law war strategy policy going"""
)
_REACTION_WORDS = wordset(
    """delighted pleased happy proud thrilled honoured honored excited grateful overjoyed
    saddened shocked disappointed thanks thank congratulations congratulate welcome"""
)


LENGTH_SATURATION = 35
LEAD_BONUS = 0.3
SAME_SPEAKER_PENALTY = 0.6
POSITION_DECAY = 0.03


def quote_score(quote: Quote, index: int = 0) -> float:
    """How much a reader learns from this quote (higher is better)."""
    text = quote.text
    words = _WORD.findall(text.lower())
    n = len(words)
    score = 2.0 * min(n, LENGTH_SATURATION) / LENGTH_SATURATION
    if quote.partial:
        score -= 1.2 if n < 8 else 0.5
    if n < 4:
        score -= 1.0
    if quote.speaker is None:
        score -= 0.8
    if _FIGURE.search(text) or not _FIGURE_WORDS.isdisjoint(words):
        score += 0.5
    score += 0.2 * min(3, sum(1 for w in words if w in _SUBSTANCE))
    if n < 25 and not _REACTION_WORDS.isdisjoint(words[:8]):
        score -= 1.5
    if text.rstrip().endswith("?") and " ... " not in text:
        score -= 0.3
    if words[:2] in (["for", "example"], ["for", "instance"]):
        score -= 0.5  # a supporting detail, not the point
    return score - POSITION_DECAY * index


def rank_quotes(quotes: list[Quote] | tuple[Quote, ...], *, max_key: int = 3) -> tuple[Quote, ...]:
    """The same quotes in the same order, the best ``max_key`` flagged ``key``."""
    base = [quote_score(q, i) for i, q in enumerate(quotes)]
    led: set[str | None] = set()
    for i, quote in enumerate(quotes):
        if not quote.partial and quote.speaker not in led:
            led.add(quote.speaker)
            base[i] += LEAD_BONUS  # a speaker's first full quote usually carries the point
    chosen: set[int] = set()
    picked_by: dict[str | None, int] = {}
    for _ in range(min(max_key, len(quotes))):
        best, best_score = -1, float("-inf")
        for i, score in enumerate(base):
            if i in chosen:
                continue
            adjusted = score - SAME_SPEAKER_PENALTY * picked_by.get(quotes[i].speaker, 0)
            if adjusted > best_score:
                best, best_score = i, adjusted
        if best < 0 or (chosen and base[best] < 0.3):
            break
        chosen.add(best)
        speaker = quotes[best].speaker
        picked_by[speaker] = picked_by.get(speaker, 0) + 1
    return tuple(replace(q, key=i in chosen) for i, q in enumerate(quotes))
