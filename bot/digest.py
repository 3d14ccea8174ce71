"""What a digest lists, and in what order: near-duplicates merged, items grouped, numbered.

Pure: articles in, a :class:`DigestPlan` out; :mod:`bot.render` turns the plan into HTML and
the "more" buttons, so the numbers in the text and on the buttons come from one place.

Near-duplicates (the same event reported by two sources) are found with word shingles: each
story becomes the set of its content words (stop words dropped, words cut to a 5-letter stem so
"ferries"/"ferry" and "паромы"/"паром" meet) plus the pairs of neighbouring content words, taken
from the title and the summary. Two stories are the same event when the Jaccard similarity of
those sets reaches :data:`SAME_EVENT`, or when their titles share most of their content words
and their bodies are somewhat alike too. On 250 distinct BBC articles (summaries-dev, 3-sentence
summaries, each given its own source) this merges 4 pairs, all one story told twice (two
verbatim repeats, a prize and a doping hearing reported twice), and nothing else; at 0.3,
follow-ups of one saga ("X appeals against ban" / "X banned") merged too, and a title-only
rule merged "Profile: David Miliband" with "Profile: David Blunkett".
Only stories from different sources are merged (one source does not repeat itself, but its
template phrases would look alike), and they must share at least :data:`MIN_SHARED` content
words, so two one-line summaries do not merge by chance. Clustering is single-link over all
pairs (a digest holds at most a few dozen articles).

Grouping: stories reported by several sources come first (the day's big news), then one group
per source in the order the sources first appear; numbers run across groups.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from .filters import normalize_text
from .models import StoredArticle

__all__ = [
    "MIN_SHARED",
    "SAME_EVENT",
    "DigestItem",
    "DigestPlan",
    "DigestSection",
    "plan_digest",
    "shingles",
    "similarity",
    "source_name",
]

#: Jaccard similarity of shingle sets at or above which two stories are one event.
SAME_EVENT = 0.35
#: Share of title content words that, shared, makes two stories one event, when their bodies
#: are at least :data:`SAME_TITLE_EVENT` alike ("Profile: David X" / "Profile: David Y" are not).
SAME_TITLE = 0.6
SAME_TITLE_EVENT = 0.15
#: Content words two stories must share at least (short summaries alike by chance stay apart).
MIN_SHARED = 5
_STEM = 5

_STOP_WORDS = frozenset(
    " ".join(
        "a an and are as at be been but by for from had has "
        "have he her his i in is it its new not of on or "
        "our said says she that the their them they this to was we were "
        "which who will with would after before over under than then there also about "
        "into more most can could may up out в во и к с со "
        "на не что это как по из за от до для о об а "
        "но же ли бы то его ее её их он она они мы вы "
        "я так уже при был была были было будет после также который которые которая "
    ).split()
)


def source_name(article: StoredArticle) -> str | None:
    """A short name for where a story came from: the publication, or a URL's host."""
    source = (article.source or article.summary.article.source or "").strip()
    if not source:
        return None
    if source.lower().startswith(("http://", "https://")):
        host = urlsplit(source).netloc.lower()
        return host[4:] if host.startswith("www.") else host or None
    return source


def _words(text: str) -> list[str]:
    return [
        w[:_STEM]
        for w in normalize_text(text).split()
        if w not in _STOP_WORDS and (len(w) > 2 or w.isdigit())
    ]


def shingles(text: str) -> frozenset[str]:
    """Content-word stems and neighbouring pairs of them: what near-duplicates share."""
    words = _words(text)
    pairs = (f"{a} {b}" for a, b in itertools.pairwise(words))
    return frozenset((*words, *pairs))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _story_text(article: StoredArticle) -> str:
    title = article.title or article.summary.article.title
    return title + "\n" + " ".join(article.summary.sentences)


def similarity(a: StoredArticle, b: StoredArticle) -> float:
    """How alike two stories are (0..1), from their titles and summaries."""
    return _jaccard(shingles(_story_text(a)), shingles(_story_text(b)))


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One numbered entry: a story, maybe told by several articles (first one is shown)."""

    number: int
    articles: tuple[StoredArticle, ...]

    @property
    def lead(self) -> StoredArticle:
        return self.articles[0]

    @property
    def sources(self) -> tuple[str, ...]:
        """Distinct source names, in article order."""
        names = (source_name(a) for a in self.articles)
        return tuple(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True, slots=True)
class DigestSection:
    """A group of items; ``source`` is None for "reported by several sources" and for
    stories without a source; ``several`` tells those apart."""

    source: str | None
    several: bool
    items: tuple[DigestItem, ...]


@dataclass(frozen=True, slots=True)
class DigestPlan:
    """The digest's structure; ``article_count`` counts merged duplicates too."""

    sections: tuple[DigestSection, ...]
    article_count: int

    @property
    def items(self) -> tuple[DigestItem, ...]:
        return tuple(item for section in self.sections for item in section.items)


def _clusters(articles: Sequence[StoredArticle]) -> list[list[int]]:
    """Indexes of articles telling the same story, single-link, in article order."""
    count = len(articles)
    parent = list(range(count))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bodies = [shingles(_story_text(a)) for a in articles]
    titles = [frozenset(_words(a.title or a.summary.article.title)) for a in articles]
    sources = [source_name(a) for a in articles]
    for i in range(count):
        for j in range(i + 1, count):
            if sources[i] is not None and sources[i] == sources[j]:
                continue  # one source does not repeat itself; its template lines would merge
            title_overlap = len(titles[i] & titles[j])
            same_title = title_overlap >= 2 and title_overlap >= SAME_TITLE * min(
                len(titles[i]), len(titles[j])
            )
            shared_words = sum(1 for f in bodies[i] & bodies[j] if " " not in f)
            jaccard = _jaccard(bodies[i], bodies[j])
            alike = shared_words >= MIN_SHARED and jaccard >= SAME_EVENT
            if (same_title and jaccard >= SAME_TITLE_EVENT) or alike:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(count):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def plan_digest(articles: Sequence[StoredArticle]) -> DigestPlan:
    """Merge near-duplicates, group by source (multi-source stories first), number the items."""
    stories = [tuple(articles[i] for i in group) for group in _clusters(articles)]
    several = [s for s in stories if len({source_name(a) for a in s} - {None}) > 1]
    by_source: dict[str | None, list[tuple[StoredArticle, ...]]] = {}
    for story in stories:
        if story not in several:
            by_source.setdefault(source_name(story[0]), []).append(story)
    ordered: list[tuple[str | None, bool, list[tuple[StoredArticle, ...]]]] = []
    if several:
        ordered.append((None, True, several))
    named = [(name, False, group) for name, group in by_source.items() if name is not None]
    ordered.extend(named)
    if None in by_source:
        ordered.append((None, False, by_source[None]))
    sections: list[DigestSection] = []
    number = 0
    for source, is_several, group in ordered:
        items = []
        for story in group:
            number += 1
            items.append(DigestItem(number, story))
        sections.append(DigestSection(source, is_several, tuple(items)))
    return DigestPlan(tuple(sections), len(articles))
