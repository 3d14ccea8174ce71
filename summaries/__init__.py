"""newsbot's summaries engine: pure text processing, no network, no database, no Telegram.

Text in, :class:`Summary` out::

    from summaries import load_article, summarize_article
    summary = summarize_article(load_article("story.txt"))
"""

from __future__ import annotations

from .clean import CleanedText, LineKind, TemplateMemory, classify_line, clean_text
from .errors import (
    ArticleError,
    ArticleTooLarge,
    EmptyArticle,
    SummariesError,
    UndecodableText,
    UnsupportedFormat,
)
from .language import detect_language
from .load import ARTICLE_SUFFIXES, decode_bytes, load_article, parse_article
from .models import Article, Quote, Summary, SummaryOptions
from .pipeline import summarize_article, summarize_file
from .quotes import extract_quotes, rank_quotes
from .sentences import SentenceTokenizer, Tokenizer, split_sentences
from .summarize import ALGORITHMS, Summarizer, summarize

__all__ = [
    "ALGORITHMS",
    "ARTICLE_SUFFIXES",
    "Article",
    "ArticleError",
    "ArticleTooLarge",
    "CleanedText",
    "EmptyArticle",
    "LineKind",
    "Quote",
    "SentenceTokenizer",
    "SummariesError",
    "Summarizer",
    "Summary",
    "SummaryOptions",
    "TemplateMemory",
    "Tokenizer",
    "UndecodableText",
    "UnsupportedFormat",
    "classify_line",
    "clean_text",
    "decode_bytes",
    "detect_language",
    "extract_quotes",
    "load_article",
    "parse_article",
    "rank_quotes",
    "split_sentences",
    "summarize",
    "summarize_article",
    "summarize_file",
]
