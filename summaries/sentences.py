"""Offline sentence and word tokenizer that plugs into sumy.

sumy's default tokenizer wraps NLTK's punkt model, which has to be downloaded; newsbot must
run offline, so this module splits text with rules instead. The rules are tuned for news:

- a full stop after a known abbreviation (``Mr.``, ``Jan.``, ``No. 5``), an initial
  (``George W. Bush``) or a dotted acronym (``U.S.``, ``e.g.``) does not end a sentence, unless
  the next word is one that usually starts a sentence (``...in the U.S. The firm...``);
- full stops inside numbers (``$10.9bn``, ``3.5%``) and domains (``bbc.co.uk``) never do;
- closing quotes and brackets stay with the sentence they close (``"It is over." She left.``),
  and ``?``/``!``/``...`` followed by a lower-case word do not split (``"Why?" he asked.``);
- sentences glued without a space (``rose 5%.For the year``) are split when a lower-case
  letter, digit or ``%`` and a full stop run straight into a capitalised word.

Letter case is read with ``str`` methods, so Cyrillic text (and ``«»`` quotes) works the same.
"""

from __future__ import annotations

import re
from typing import Protocol

__all__ = ["SentenceTokenizer", "Tokenizer", "split_sentences"]


class SentenceTokenizer(Protocol):
    """sumy's tokenizer seam: anything with these two methods."""

    def to_sentences(self, paragraph: str) -> tuple[str, ...]: ...

    def to_words(self, sentence: str) -> tuple[str, ...]: ...


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Never end a sentence: titles and words that are almost always followed by more of it.
_TITLES = _set(
    """mr mrs ms dr prof st mt ft sr jr gen col lt sgt capt cpt cmdr adm maj gov sen rep rev
    hon pres supt insp det messrs mme mlle vs v cf approx dept est fig figs vol vols pp
    ca al op ed eds gov't univ assn bros"""
)
# End a sentence only before a typical sentence starter ("...Apple Inc. The firm...").
_AMBIGUOUS = _set(
    """inc corp ltd co plc llc etc jan feb mar apr jun jul aug sep sept oct nov dec no
    nos"""
)
_RUSSIAN_TITLES = _set(
    """им ул пр просп пл обл ст стр гл рис табл проф акад доц тов гр кв корп св см ср дж"""
)
# Quantities ("3 млрд руб.") and "и др." often end a sentence: the default rule applies to them.
_RUSSIAN_AMBIGUOUS = _set("""г гг вв д""")
# Words that open sentences; after an ambiguous abbreviation they signal a boundary.
_STARTERS = _set(
    """the a an it its he she they we i you his her their our this that these those there
    but and or so yet however meanwhile in on at for from with after before when while if
    as by to of last next during since although though despite mr mrs ms dr what who why
    how where one some many most all both each no not now then also still other such
    он она они мы я это в на но и а по после однако при как так что его ее её их"""
)
_NEVER_FINAL_DOTTED = frozenset({"e.g", "i.e", "т.е", "т.к", "т.н"})
_USUALLY_FINAL_DOTTED = frozenset({"т.д", "т.п"})

_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'“‘«([{"
# A candidate sentence end: terminal punctuation, then any closing quotes or brackets.
_END = re.compile(r"(?:\.{2,}|…|[.!?]+)[\"'”’»)\]}]*")
_DASH_THEN_LOWER = re.compile(r"[—–-]\s+[a-zа-яё]")
_DECIMAL = re.compile(r"\d[.,]\d")
_WORD = re.compile(r"\d+(?:[.,]\d+)+[^\W_]*|[^\W_]+(?:['’\-][^\W_]+)*")


def _is_upper_start(text: str, i: int) -> bool:
    """True when a sentence could start at ``text[i]`` (after any opening quotes)."""
    n = len(text)
    while i < n and text[i] in _OPENERS:
        i += 1
    if i >= n:
        return False
    ch = text[i]
    return ch.isupper() or ch.isdigit() or ch in "$£€¥#@—–-•"


def _word_before(text: str, i: int) -> str:
    """The whitespace-delimited token ending at ``i`` (text has single spaces only)."""
    return text[text.rfind(" ", 0, i) + 1 : i]


def _next_word(text: str, i: int) -> str:
    j = i
    n = len(text)
    while j < n and text[j] in _OPENERS:
        j += 1
    k = j
    while k < n and (text[k].isalpha() or text[k] in "'’"):
        k += 1
    return text[j:k]


class Tokenizer:
    """Rule-based tokenizer with sumy's interface; needs no downloaded model.

    ``language`` only selects extra abbreviations (Russian ones for ``"russian"``); case and
    punctuation rules are the same for every alphabet.
    """

    def __init__(self, language: str = "english") -> None:
        self.language = language.lower()
        russian = self.language in ("russian", "ru")
        self._abbreviations = _TITLES | (_RUSSIAN_TITLES if russian else frozenset())
        self._ambiguous = _AMBIGUOUS | (_RUSSIAN_AMBIGUOUS if russian else frozenset())

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        text = " ".join(paragraph.split())
        if not text:
            return ()
        cuts: list[int] = []
        for m in _END.finditer(text):
            end = m.end()
            if end >= len(text):
                break
            if self._is_boundary(text, m.start(), end):
                cuts.append(end)
        sentences: list[str] = []
        start = 0
        for cut in cuts:
            piece = text[start:cut].strip()
            if piece:
                sentences.append(piece)
            start = cut
        tail = text[start:].strip()
        if tail:
            sentences.append(tail)
        return tuple(sentences)

    def _is_boundary(self, text: str, start: int, end: int) -> bool:
        punct = text[start:end].rstrip(_CLOSERS)
        if text[end].isspace():
            nxt = end + 1
            if _DASH_THEN_LOWER.match(text, nxt):
                return False  # «Зачем?» — спросил он. / "Why?" - he asked.
            if not _is_upper_start(text, nxt):
                return False
            if "?" in punct or "!" in punct or len(punct) > 1 or punct == "…":
                return True
            return not self._is_abbreviation(text, start, nxt)
        # Glued: "5%.For", "said.The", "happen?Why" (but not "U.S.Army", "e.g.The").
        if end - start != 1 or start == 0:
            return False
        before, after = text[start - 1], text[end : end + 2]
        if not (before.islower() or before.isdigit() or before == "%"):
            return False
        if len(after) < 2 or not (after[0].isupper() and after[1].islower()):
            return False
        word = _word_before(text, start)
        if "." in _DECIMAL.sub("", word.strip(_OPENERS)) or "@" in word or "/" in word:
            return False  # e.g.The, www.bbc.News, a URL or an address
        low = word.strip(_OPENERS).lower()
        return low not in self._abbreviations and low not in self._ambiguous

    def _is_abbreviation(self, text: str, dot: int, nxt: int) -> bool:
        """Whether the full stop at ``dot`` belongs to the word before it."""
        word = _word_before(text, dot).lstrip(_OPENERS)
        if not word:
            return False
        low = word.lower()
        following = _next_word(text, nxt)
        if len(word) > 1 and word.isupper() and "." not in word:
            return False  # "...the FT. But..." (an acronym, not "Ft.")
        if low in self._abbreviations:
            return True
        starter = len(following) > 1 and following.lower() in _STARTERS
        if len(word) == 1 and word.isupper():
            # an initial ("George W. Bush", "J. R. R. Tolkien"), unless "...Plan B. The..."
            return not starter
        if "." in word and all(len(part) <= 2 for part in word.split(".")) and word[-1].isalpha():
            # a dotted acronym: "U.S."/"a.m." end a sentence only before a typical sentence
            # starter, "e.g." never, "т.д." before any capitalised word (checked by the caller)
            if low in _NEVER_FINAL_DOTTED:
                return True
            return False if low in _USUALLY_FINAL_DOTTED else not starter
        if low in self._ambiguous:
            if text[nxt : nxt + 1].isdigit():
                return True  # "Jan. 5", "No. 10"
            return not starter
        return False

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(sentence))


def split_sentences(text: str, language: str = "english") -> list[str]:
    """Split a text (paragraphs separated by blank lines) into sentences."""
    tok = Tokenizer(language)
    return [s for para in re.split(r"\n\s*\n", text) for s in tok.to_sentences(para)]
