"""Find quoted stretches in paragraphs: which marks open, which close, what belongs together.

Straight ``"`` marks are ambiguous, and news copy breaks the rules a parser would like:
a quotation running over several paragraphs leaves each paragraph open and reopens the next
one (in flattened text even inside one paragraph: ``...one. "Two...``), and closing marks go
missing. So each mark is read from its neighbours (space before and text after opens, text
before and space or punctuation after closes), a second opening mark inside an open quote
after a full stop continues the quotation while one after a word is a nested quote, and an
open quote ends at the paragraph's end unless the next paragraph opens with a quote mark.

Single quotes never count: they are apostrophes as often as quotation marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Piece", "QuoteGroup", "find_quote_groups"]

_TAIL_WINDOW = 400
_MARKS = re.compile(r"[\"“”„«»]")
_CLOSER_FOR = {"“": "”", "„": "“", "«": "»", "»": "«", '"': '"', "”": "”"}
_OPENING_PUNCT = frozenset("([{—–-/")
_SENTENCE_END = re.compile(r"[.!?…][’'\)]?$|\.\.\.$")
# A reporter's sentence left inside an unclosed quote: "..., it said." / "he added."
_REPORTER_TAIL = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<sent>[^.!?]*?,\s*(?:he|she|it|they|[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+){0,3}"
    r"|the\s[\w'’-]+(?:\s[\w'’-]+)?)\s(?:said|says|added|adds|explained|continued|noted)"
    r"(?:\s[\w'’-]+){0,3}\.)\s*$"
)


_LAST_BOUNDARY = re.compile(r"[.!?…][’'\)]?\s+(?=[^.!?…]*:$)")


@dataclass(slots=True)
class Piece:
    """One stretch between marks: ``start``/``end`` index the text inside the marks."""

    para: int
    start: int
    end: int
    mark_start: int
    mark_end: int
    closed: bool = True


@dataclass(slots=True)
class QuoteGroup:
    """Pieces that form one quotation (continued over sentences or paragraphs)."""

    pieces: list[Piece] = field(default_factory=list)


def _role(text: str, i: int, mark: str, open_mark: str | None) -> str:
    """'open', 'close' or 'either' for the mark at ``i``, from its neighbours."""
    if mark in "“„«" and not (open_mark is not None and _CLOSER_FOR[open_mark] == mark):
        return "open"
    if mark in "”»" and open_mark is None:
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        return "open" if prev.isspace() and not nxt.isspace() else "close"
    if mark != '"':
        return "close"
    prev = text[i - 1] if i else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    left_open = prev.isspace() or prev in _OPENING_PUNCT
    if left_open and not nxt.isspace():
        return "open"
    if not prev.isspace() and (nxt.isspace() or not nxt.isalnum()):
        return "close"
    return "either"


def _trim_end(text: str, start: int, end: int) -> int:
    """Move ``end`` left over trailing spaces."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _split_reporter_tail(text: str, piece: Piece) -> None:
    """End an unclosed piece before a trailing reporter sentence ("..., it said.")."""
    # Only the last few hundred characters can hold that sentence: keeps the cost linear.
    offset = max(piece.start, piece.end - _TAIL_WINDOW)
    body = text[offset : piece.end]
    match = _REPORTER_TAIL.search(body)
    if match and offset + match.start("sent") > piece.start:
        piece.end = _trim_end(text, piece.start, offset + match.start("sent"))
        piece.mark_end = piece.end


def find_quote_groups(paragraphs: tuple[str, ...] | list[str]) -> list[QuoteGroup]:
    """All quotation groups in reading order; pieces never include their marks."""
    groups: list[QuoteGroup] = []
    carry: QuoteGroup | None = None  # a quote left open at the end of the previous paragraph
    for p_index, text in enumerate(paragraphs):
        stack: list[str] = []
        group: QuoteGroup | None = None
        piece: Piece | None = None
        first_mark = _MARKS.search(text)
        reopens = first_mark is not None and not text[: first_mark.start()].strip()
        if carry is not None and not reopens:
            carry = None
        for match in _MARKS.finditer(text):
            i, mark = match.start(), match.group()
            role = _role(text, i, mark, stack[0] if stack else None)
            if not stack:
                if role == "close":
                    continue  # a stray closing mark
                if carry is not None and first_mark is not None and i == first_mark.start():
                    group = carry
                else:
                    group = QuoteGroup()
                    groups.append(group)
                carry = None
                piece = Piece(p_index, i + 1, len(text), i, len(text), closed=False)
                stack.append(mark)
                continue
            assert piece is not None and group is not None
            closes = mark == _CLOSER_FOR[stack[-1]] and role != "open"
            if closes or (role == "close" and len(stack) == 1):
                if len(stack) > 1:
                    stack.pop()
                    continue
                piece.end, piece.mark_end, piece.closed = i, i + 1, True
                group.pieces.append(piece)
                stack.clear()
                piece = None
                continue
            # An opening mark inside an open quote: a continuation or a nested quote.
            window = max(piece.start, i - _TAIL_WINDOW)
            before = text[window:i].rstrip()
            if len(stack) == 1 and (text[i - 1].isspace() and _SENTENCE_END.search(before)):
                piece.end = _trim_end(text, piece.start, i)
                piece.mark_end = piece.end
                _split_reporter_tail(text, piece)
                group.pieces.append(piece)
                if piece.end < _trim_end(text, piece.start, i):
                    group = QuoteGroup()  # the reporter spoke in between: a new quotation
                    groups.append(group)
                piece = Piece(p_index, i + 1, len(text), i, len(text), closed=False)
            elif len(stack) == 1 and before.endswith(":") and _LAST_BOUNDARY.search(before):
                # 'Smith said: "We will win. Jones replied: "No."': the first quote was never
                # closed; the reporter's sentence before the colon ends it.
                boundary = _LAST_BOUNDARY.search(before)
                assert boundary is not None
                piece.end = _trim_end(text, piece.start, window + boundary.start() + 1)
                piece.mark_end = piece.end
                group.pieces.append(piece)
                group = QuoteGroup()
                groups.append(group)
                piece = Piece(p_index, i + 1, len(text), i, len(text), closed=False)
            else:
                stack.append(mark)
        if piece is not None and group is not None:
            piece.end = _trim_end(text, piece.start, len(text))
            piece.mark_end = piece.end
            _split_reporter_tail(text, piece)
            group.pieces.append(piece)
            carry = group if piece.end == _trim_end(text, piece.start, len(text)) else None
        else:
            carry = None
    for g in groups:
        g.pieces = [p for p in g.pieces if p.end > p.start]
    return [g for g in groups if g.pieces]
