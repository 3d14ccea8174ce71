"""Extractive summarizers behind one call shape, chosen by name.

Every entry of :data:`ALGORITHMS` is a factory ``language -> summarizer``; a summarizer is
called like sumy's, ``summarizer(document, count)``, and returns sentences in article order.
``news`` (the default) is ours (see :mod:`summaries._news`); the others are sumy's
algorithms, fully configured here with our offline tokenizer, sumy's stemmer and sumy's
stop words; ``lead`` is the first sentences, the baseline every news summarizer must beat.

:func:`summarize` turns an :class:`Article` into a sumy document (title as a heading,
duplicate sentences removed), picks the length and applies ``max_chars``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer, null_stemmer
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from ._news import NewsSummarizer
from ._stopwords import function_words, sumy_stop_words
from .models import Article, SummaryOptions
from .sentences import SentenceTokenizer, Tokenizer

__all__ = [
    "ALGORITHMS",
    "MAX_CANDIDATES",
    "CappedSummarizer",
    "LeadSummarizer",
    "Summarizer",
    "build_document",
    "summarize",
    "summary_length",
]

# sumy's graph methods compare every pair of sentences; past this many sentences they see
# only the first MAX_CANDIDATES (news puts what matters first). ``news`` is linear anyway.
MAX_CANDIDATES = 200


class Summarizer(Protocol):
    """sumy's call shape: ``summarizer(document, count)`` -> sentences in article order."""

    def __call__(self, document: Any, sentences_count: int) -> tuple[Any, ...]: ...


class LeadSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """The first ``count`` sentences: the baseline news summaries are measured against."""

    def __call__(self, document: Any, sentences_count: int) -> tuple[Any, ...]:
        return tuple(document.sentences[: max(sentences_count, 0)])


class CappedSummarizer:
    """Runs a quadratic sumy algorithm on the first ``limit`` sentences only."""

    def __init__(self, inner: Summarizer, limit: int = MAX_CANDIDATES) -> None:
        self.inner = inner
        self.limit = limit

    def __call__(self, document: Any, sentences_count: int) -> tuple[Any, ...]:
        sentences = document.sentences
        if len(sentences) > self.limit:
            document = ObjectDocumentModel(
                [Paragraph([*document.headings, *sentences[: self.limit]])]
            )
        return tuple(self.inner(document, sentences_count))


@lru_cache(maxsize=16)
def _stemmer(language: str) -> Callable[[str], str]:
    """sumy's Snowball stemmer, memoised: it costs ~20 us a word and words repeat a lot."""
    try:
        stem = Stemmer(language)
    except LookupError:
        return null_stemmer  # type: ignore[no-any-return]
    return lru_cache(maxsize=100_000)(stem)


def _sumy(cls: type[Any], **kwargs: Any) -> Callable[[str], Summarizer]:
    """Factory for a plain sumy algorithm, configured completely before it is returned."""

    def factory(language: str) -> Summarizer:
        summarizer = cls(_stemmer(language), **kwargs)
        summarizer.stop_words = sumy_stop_words(language)
        return CappedSummarizer(summarizer)

    factory.__doc__ = f"sumy's {cls.__name__} with our tokenizer, stemmer and stop words."
    return factory


def _edmundson(language: str) -> Summarizer:
    """Edmundson's title and location methods (cue and key need hand-made word lists)."""
    summarizer = EdmundsonSummarizer(
        _stemmer(language), cue_weight=0.0, key_weight=0.0, title_weight=1.0, location_weight=1.0
    )
    summarizer.null_words = sumy_stop_words(language)
    return CappedSummarizer(summarizer)


def _news(language: str) -> Summarizer:
    """Our default. English words are only lower-cased (that beat Snowball stemming by 1
    ROUGE-1 point on the dev set, and saves the stemmer's time); inflected languages such as
    Russian need the stemmer to see one word in its many forms."""
    english = language.lower() in ("english", "en")
    stemmer = null_stemmer if english else _stemmer(language)
    return NewsSummarizer(stemmer, function_words(language))


def _lead(language: str) -> Summarizer:
    return LeadSummarizer()


ALGORITHMS: dict[str, Callable[[str], Summarizer]] = {
    "news": _news,
    "lexrank": _sumy(LexRankSummarizer),
    "textrank": _sumy(TextRankSummarizer),
    "lsa": _sumy(LsaSummarizer),
    "luhn": _sumy(LuhnSummarizer),
    "kl": _sumy(KLSummarizer),
    "sumbasic": _sumy(SumBasicSummarizer),
    "reduction": _sumy(ReductionSummarizer),
    "edmundson": _edmundson,
    "lead": _lead,
}


@lru_cache(maxsize=64)
def _summarizer(algorithm: str, language: str) -> Summarizer:
    """One configured instance per (algorithm, language): stop words and stems load once."""
    try:
        factory = ALGORITHMS[algorithm]
    except KeyError:
        known = ", ".join(sorted(ALGORITHMS))
        raise ValueError(f"unknown algorithm {algorithm!r}; choose one of: {known}") from None
    return factory(language)


@lru_cache(maxsize=16)
def _tokenizer(language: str) -> Tokenizer:
    return Tokenizer(language)


def build_document(
    title: str, paragraphs: Sequence[str], tokenizer: SentenceTokenizer
) -> ObjectDocumentModel:
    """sumy document with the title as a heading and each sentence text only once.

    sumy hashes sentences by their text, so a repeated sentence (a pull quote, a repeated
    caption) would share one rating and come back twice; a body sentence equal to the title
    is dropped too, since the reader sees the title anyway.
    """
    seen = {" ".join(title.split())}
    built: list[Paragraph] = []
    heading = [Sentence(title, tokenizer, is_heading=True)] if title.strip() else []
    for text in paragraphs:
        sentences = []
        for sentence in tokenizer.to_sentences(text):
            if sentence not in seen:
                seen.add(sentence)
                sentences.append(Sentence(sentence, tokenizer))
        if sentences:
            built.append(Paragraph([*heading, *sentences]))
            heading = []
    if heading:
        built.append(Paragraph(heading))
    return ObjectDocumentModel(built)


def summary_length(sentence_count: int) -> int:
    """Adaptive length: 3 sentences up to ~12, then one more each time the article doubles.

    A reader of a short piece wants its gist (three sentences, the usual news highlight);
    a long feature has more distinct facts, but a summary that grows in proportion stops
    being a summary, so the length grows with the logarithm of the article (5 for 50
    sentences, 7 for 200) and never passes 8.
    """
    if sentence_count <= 0:
        return 0
    extra = max(0.0, math.log2(sentence_count / 12.0))
    return min(sentence_count, 3 + int(extra), 8)


def _text(sentence: Any) -> str:
    return str(sentence)


def _cap_chars(
    run: Callable[[int], tuple[str, ...]], count: int, max_chars: int
) -> tuple[str, ...]:
    """Fewer sentences until they fit; a lone sentence too long is cut at a word."""
    while True:
        chosen = run(count)
        total = sum(len(s) for s in chosen) + max(len(chosen) - 1, 0)
        if total <= max_chars or count <= 1:
            break
        count -= 1
    if chosen and len(chosen[0]) > max_chars and len(chosen) == 1:
        cut = chosen[0][: max(max_chars - 1, 0)].rsplit(" ", 1)[0]
        chosen = (cut.rstrip(" ,;:") + "…",) if max_chars > 1 else ()
    return chosen


def summarize(article: Article, options: SummaryOptions | None = None) -> tuple[str, ...]:
    """Pick summary sentences from the article body, returned in article order."""
    options = options or SummaryOptions()
    # the article's own language (set by the loader) wins over the options' default
    language = article.language if article.language != "english" else options.language
    summarizer = _summarizer(options.algorithm, language)
    document = build_document(article.title, article.paragraphs, _tokenizer(language))
    total = len(document.sentences)
    count = options.sentences if options.sentences is not None else summary_length(total)
    count = min(max(count, 0), total)
    if count == 0:
        return ()

    def run(n: int) -> tuple[str, ...]:
        return tuple(_text(s) for s in summarizer(document, n))

    if options.max_chars is None:
        return run(count)
    return _cap_chars(run, count, options.max_chars)
