"""Errors raised by :mod:`summaries`, grouped by what a caller does about them.

::

    SummariesError                 anything from this package
    └── ArticleError               this one input cannot be turned into an article
        ├── UnsupportedFormat      unknown file type or broken container (JSON, e-mail)
        ├── UndecodableText        binary data, or bytes no known encoding explains
        ├── ArticleTooLarge        over the configured size limit
        └── EmptyArticle           nothing left after loading and cleaning

Every :class:`ArticleError` carries the name of the file it is about, so a batch can report
the bad file and go on with the rest.
"""

from __future__ import annotations

__all__ = [
    "ArticleError",
    "ArticleTooLarge",
    "EmptyArticle",
    "SummariesError",
    "UndecodableText",
    "UnsupportedFormat",
]


class SummariesError(Exception):
    """Base class: catch this to handle anything the summaries engine raises."""


class ArticleError(SummariesError):
    """An input could not be turned into an article; ``name`` says which one."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class UnsupportedFormat(ArticleError):
    """The file type is not one we read, or its container (JSON, e-mail) is broken."""


class UndecodableText(ArticleError):
    """The bytes are binary or no known text encoding explains them."""


class ArticleTooLarge(ArticleError):
    """The input is over the size limit the caller set."""


class EmptyArticle(ArticleError):
    """Nothing readable is left once markup and boilerplate are removed."""
