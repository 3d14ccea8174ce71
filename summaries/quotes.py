"""Direct quotations with their speakers, scare quotes and titles left out, key ones ranked.

How it reads an article, in one pass:

1. :mod:`._quote_marks` finds the quoted stretches and groups continued quotations;
   quotes interrupted by their attribution (``"A," he said, "b."``) are joined here.
2. Each paragraph is masked: every quotation becomes a placeholder ``⟦n⟧`` followed by
   its final punctuation, so the reporter's own sentences can be split and read.
3. Sentence by sentence, :mod:`._quote_attribution` attributes each placeholder to the
   subject of the nearest speech verb (after the quote: ``"...," Putin said``, ``said Mr
   Smith``; before it: ``Ms Hewitt said: "..."``, ``insisted the plan was "..."``;
   trailing: ``..., he said.``; or ``according to X``), with the running
   :class:`._quote_speakers.SpeakerMemory` resolving pronouns and role phrases to the most
   recent compatible named person.
4. A quote with no speech cue is a statement only if it stands as its own sentence (it
   continues the last speaker) or is long; short unattributed phrases are scare quotes,
   title-cased ones titles.
5. :mod:`._quote_rank` scores statements and flags the best ``max_key`` as key.
"""

from __future__ import annotations

import re

from ._quote_attribution import SPEECH, Found, Reader, words_of
from ._quote_marks import QuoteGroup, find_quote_groups
from ._quote_rank import rank_quotes
from ._quote_russian import russian_quotes
from ._quote_speakers import wordset
from .models import Article, Quote

__all__ = ["extract_quotes", "rank_quotes"]

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁ⟦“\"«„(‘'—–-])")
_ABBREV = wordset(
    """mr mrs ms dr st prof gen col sen rep gov jr sr inc ltd co corp no vs rev capt lt sgt mt"""
)
_MAX_SENTENCE = 1500
_LAST_WORD = re.compile(r"(\w+)\.$")
_TITLE_SMALL = wordset("a an the of and or in on at to for with from by de la le")


def _join_split_quotes(paragraphs: tuple[str, ...], groups: list[QuoteGroup]) -> list[Found]:
    """Join ``"A," he said, "b."`` into one quotation; the attribution is kept aside."""
    found: list[Found] = []
    for group in groups:
        text = " ... ".join(paragraphs[p.para][p.start : p.end].strip() for p in group.pieces)
        previous = found[-1] if found else None
        if previous is not None:
            last, first = previous.group.pieces[-1], group.pieces[0]
            if last.para == first.para and last.closed:
                para = paragraphs[last.para]
                between = para[last.mark_end : first.mark_start]
                last_text = para[last.start : last.end].rstrip()
                if (
                    re.fullmatch(r"\s*,?\s*[^.!?\"“”«»„:;]{1,80},\s*", between)
                    and not last_text.endswith((".", "!", "?"))
                    and any(w.lower() in SPEECH for w in words_of(between))
                ):
                    previous.group.pieces.extend(group.pieces)
                    previous.text = f"{previous.text} ... {text}"
                    previous.between = between
                    continue
        found.append(Found(group, text))
    return found


def _mask(paragraphs: tuple[str, ...], found: list[Found]) -> list[str]:
    """Each paragraph with its quotations replaced by ``⟦n⟧`` plus their final punctuation."""
    spans: list[list[tuple[int, int, int]]] = [[] for _ in paragraphs]
    for index, item in enumerate(found):
        by_para: dict[int, tuple[int, int]] = {}
        for piece in item.group.pieces:
            start, end = by_para.get(piece.para, (piece.mark_start, piece.mark_end))
            by_para[piece.para] = (min(start, piece.mark_start), max(end, piece.mark_end))
        for para, (start, end) in by_para.items():
            spans[para].append((start, end, index))
            item.paragraphs.add(para)
    masked = []
    for para, text in enumerate(paragraphs):
        out, pos = [], 0
        for start, end, index in sorted(spans[para]):
            if start < pos:
                continue
            out.append(text[pos:start])
            item = found[index]
            pieces = [p for p in item.group.pieces if p.para == para]
            tail = text[pieces[-1].start : pieces[-1].end].rstrip()
            punct = tail[-1] if tail and tail[-1] in ".,!?:;" else ""
            if item.between is not None and len(pieces) > 1:
                inner = item.between.strip().strip(",").strip()
                out.append(f"⟦{index}⟧, {inner}{punct or ','}")
            else:
                out.append(f"⟦{index}⟧{punct}")
            pos = end
        out.append(text[pos:])
        masked.append("".join(out))
    return masked


def _sentences(text: str) -> list[str]:
    """Reporter sentences of a masked paragraph, none longer than ``_MAX_SENTENCE``."""
    parts: list[str] = []
    for chunk in _SENTENCE_SPLIT.split(text):
        if parts:
            prev_word = _LAST_WORD.search(parts[-1])
            if prev_word and (
                prev_word.group(1).lower() in _ABBREV or len(prev_word.group(1)) == 1
            ):
                parts[-1] = f"{parts[-1]} {chunk}"
                continue
            if parts[-1].endswith(("⟧?", "⟧!")) and _opens_with_attribution(chunk):
                parts[-1] = f"{parts[-1]} {chunk}"  # '"Why?" Ann Lee asked.'
                continue
        parts.append(chunk)
    if any(len(p) > _MAX_SENTENCE for p in parts):
        parts = [piece for p in parts for piece in _cut_long(p)]
    return parts


def _cut_long(sentence: str) -> list[str]:
    """Cut a run-on "sentence" at commas or spaces, so attribution stays linear."""
    pieces: list[str] = []
    while len(sentence) > _MAX_SENTENCE:
        cut = sentence.rfind(", ", 0, _MAX_SENTENCE)
        if cut <= 0:
            cut = sentence.rfind(" ", 0, _MAX_SENTENCE)
        if cut <= 0:
            cut = _MAX_SENTENCE
        pieces.append(sentence[: cut + 1])
        sentence = sentence[cut + 1 :].lstrip()
    pieces.append(sentence)
    return pieces


def _opens_with_attribution(chunk: str) -> bool:
    """'Ann Lee, the judge, asked.': a speech verb before any other quotation."""
    words = chunk.split(maxsplit=16)[:16]
    for word in words:
        if word.startswith("⟦"):
            return False
        if word.rstrip(".,;:").lower() in SPEECH and word[:1].islower():
            return True
    return False


def _trailing_cue(sentence: str) -> bool:
    """Whether a sentence after the last quotation could still attribute it."""
    return sentence.lstrip()[:1].islower()


def _is_title(text: str, words: list[str], *, embedded: bool) -> bool:
    """ "Master Builder Series", "Wild Rose": a name in title case, not speech.

    Inside a reporter's sentence even one capitalised word is a name ("the book
    "Musicophilia"", an episode of "DWTS."); standing alone it may be speech ("Please.").
    """
    content = [w for w in words if w.lower() not in _TITLE_SMALL]
    if not content or len(words) > 8:
        return False
    if not all(w[:1].isupper() or w[:1].isdigit() for w in content):
        return False
    return embedded or (len(words) >= 2 and not text.rstrip().endswith((".", "!", "?", ",")))


def _is_statement(item: Found) -> bool:
    words = words_of(item.text)
    single = len(item.group.pieces) == 1
    if item.scare or not words:
        return False
    if single and _is_title(item.text, words, embedded=not item.standalone):
        return False
    if len(item.group.pieces) > 1:
        return True
    if item.cue:
        return not (item.negated and len(words) <= 4)
    if item.standalone:
        return True
    if len(words) >= 6:
        caps = sum(1 for w in words if w[:1].isupper())
        return caps * 2 < len(words)
    return False


def extract_quotes(article: Article, *, max_key: int = 3) -> tuple[Quote, ...]:
    """All statement quotes in article order, the ``max_key`` best flagged ``key``."""
    if article.language.lower() in ("russian", "ru"):
        return rank_quotes(russian_quotes(article.paragraphs), max_key=max_key)
    paragraphs = tuple(article.paragraphs)
    found = _join_split_quotes(paragraphs, find_quote_groups(paragraphs))
    if not found:
        return ()
    reader = Reader(found)
    masked_paragraphs = _mask(paragraphs, found)
    last = max(para for item in found for para in item.paragraphs)
    # Nothing after the last quotation's paragraph can attribute anything: stop there.
    for para, masked in enumerate(masked_paragraphs[: last + 1]):
        sentences = _sentences(masked)
        if para == last:
            while sentences and "⟦" not in sentences[-1] and len(sentences) > 1:
                if any("⟦" in x for x in sentences[:-1]) and not _trailing_cue(sentences[-1]):
                    sentences.pop()
                else:
                    break
        for sentence in sentences:
            reader.read(para, sentence)
    quotes = [
        Quote(
            text=item.text,
            speaker=item.speaker.name if item.speaker is not None else None,
            partial=item.partial,
        )
        for item in found
        if _is_statement(item)
    ]
    return rank_quotes(quotes, max_key=max_key)
