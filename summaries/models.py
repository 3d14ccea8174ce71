"""Values that cross module boundaries: immutable, hashable, safe to hand to a worker."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Article", "Quote", "Summary", "SummaryOptions"]


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned news article.

    ``paragraphs`` hold the body only (never the title), boilerplate already removed.
    ``source`` is where it came from (a URL, a publication or the file name); ``date`` is
    kept as the text the article gave, because sources disagree on formats and we only show it.
    """

    title: str
    paragraphs: tuple[str, ...]
    source: str | None = None
    date: str | None = None
    path: str | None = None
    language: str = "english"

    @property
    def body(self) -> str:
        """The body as plain text, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)

    @property
    def text(self) -> str:
        """Title on the first line, then the body: what ``newsbot clean`` prints."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation and who said it.

    ``speaker`` is the resolved name ("Wang Yi", not "he"), or ``None`` when the article does
    not say. ``key`` marks the few quotes worth a reader's attention; ``partial`` marks a
    fragment worked into the reporter's own sentence.
    """

    text: str
    speaker: str | None
    key: bool = False
    partial: bool = False

    @property
    def display_text(self) -> str:
        """The text as a reader should see it on its own.

        ``text`` stays verbatim (it is matched against the article), but a quote cut off by
        its attribution ends in a comma ("...too long," she said): shown alone it reads better
        closed with a full stop.
        """
        text = self.text.rstrip()
        if text.endswith((",", ";", ":")):
            text = text[:-1].rstrip()
            if not self.partial:
                text += "."
        return text


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    """Everything that shapes a summary, in one object (like trafilatura's ``Extractor``).

    ``sentences=None`` lets the summarizer choose a length that fits the article;
    ``max_chars`` caps the summary's total length whatever the sentence count.
    """

    sentences: int | None = None
    max_chars: int | None = None
    algorithm: str = "news"
    max_key_quotes: int = 3
    language: str = "english"


@dataclass(frozen=True, slots=True)
class Summary:
    """What the pipeline makes of an article: summary sentences in article order, and quotes."""

    article: Article
    sentences: tuple[str, ...]
    quotes: tuple[Quote, ...] = field(default=())
    algorithm: str = "news"

    @property
    def key_quotes(self) -> tuple[Quote, ...]:
        """The quotes flagged ``key``, in article order."""
        return tuple(q for q in self.quotes if q.key)
