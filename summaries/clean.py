"""Boilerplate removal for plain-text dumps of web pages.

A page copied as text holds the article plus everything around it: menus, bylines, photo
credits, share buttons, newsletter sign-ups, donation appeals, related-story teasers,
cookie notices and footers. We find the article the way a reader does:

1. each line (or paragraph) gets language-light features: length in words, whether it ends
   like a sentence, and whether it talks like chrome (subscribe, share, cookie, ©, credits);
2. donation and sign-up appeals are found as *blocks* (an opener such as a salutation, then
   lines that ask the reader for support), because their long paragraphs look like prose;
3. each line gets a weight (long prose positive, chrome negative) and the article body is the
   contiguous region with the largest total weight (one linear pass, Kadane's algorithm), so
   short lines inside the body survive while islands of prose in the chrome do not;
4. the headline is the title-like line just before the body.

A :class:`TemplateMemory` carries what one article cannot know alone: lines that repeat
across several articles of one source are template. Everything here is linear in the
number of lines.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CleanedText", "LineKind", "TemplateMemory", "classify_line", "clean_text"]

_WORD = re.compile(r"\w+")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Sentence-final punctuation in the scripts we meet, possibly followed by closing quotes.
_SENTENCE_END = re.compile(r"[.!?…。！？:;][\"'”’»)\]]*[^\w\s]{0,3}$|[\"”»]$")
_TITLE_BAD_END = re.compile(r"[.,:;][\"'”’»)\]]*$")

# Words that mark page chrome when they make up most of a short line. Multilingual on
# purpose: the label vocabulary of news sites is small and shared across sites.
_CHROME_TOKENS = _wordset(
    """
    share shares shared tweet email e mail print comment comments reply follow like pin
    whatsapp facebook twitter instagram linkedin youtube telegram pinterest reddit tiktok
    rss subscribe subscribers subscriber subscription signin signup sign login logout log
    register account newsletter newsletters cookie cookies privacy terms advertisement
    advertising advertise advert ad ads sponsored promoted more read view all related
    recommended trending popular latest menu search home homepage skip contact careers jobs
    help faq download app apps podcast podcasts watch listen video videos gallery photo
    photos image images credit credits getty shutterstock reuters afp epa continue cancel
    close next previous prev back submit send ok accept agree remind later once monthly
    annual yearly donate support membership premium upgrade copyright disclaimer sitemap
    imprint impressum top teilen anmelden abonnieren werbung anzeige compartir publicidad
    suscríbete partager connexion abonnez publicité condividi pubblicità delen inloggen
    поделиться подписаться подписка реклама читать также войти комментарии
    공유 구독 로그인 광고 댓글 무단 전재 배포 금지
    """
)
# Phrases that give a line away as chrome even when it is a long, well-formed sentence.
# Phrases that give a line away as chrome even when it is a long, well-formed sentence. Each
# runs only on lines holding one of its trigger words, so long prose costs a set lookup.
_PHRASE_TABLE: tuple[tuple[str, str], ...] = (
    ("cookie cookies", r"we use cookies|cookie (?:policy|settings|preferences)"),
    (
        "site website uses",
        r"this (?:web)?site uses|by (?:continuing|using)\b.{0,40}\b(?:site|service)",
    ),
    ("rights reserved", r"all rights reserved"),
    ("privacy", r"privacy (?:policy|notice|statement)"),
    ("terms", r"terms of (?:use|service)"),
    ("sign", r"sign up (?:for|to)\b"),
    ("subscribe", r"subscribe (?:to|for|now|today)\b"),
    ("newsletter newsletters unsubscribe spam", r"newsletters?\b|unsubscribe|no spam\b"),
    ("click tap clicking tapping", r"(?:click|tap)(?:ing)? here\b"),
    (
        "related also see read watch listen",
        r"^(?:related|also (?:on|in|read|see)|see also"
        r"|read (?:more|also|next)|watch|listen)\s*:"
        r"|related (?:articles?|stories|coverage|content)",
    ),
    (
        "share",
        r"share (?:to \w+|this (?:article|story|page|post)|on (?:facebook|twitter|x|linkedin"
        r"|whatsapp)\b|via\b)",
    ),
    ("download", r"download (?:the|our) app"),
    ("follow", r"follow (?:us|him|her|them|me) on\b|follow us\b"),
    ("read reading continue", r"read (?:more\b|the full (?:story|article))|continue reading"),
    ("like", r"you (?:may|might) also like"),
    ("popular viewed shared", r"most (?:popular|read|viewed|shared)\b"),
    ("advertisement sponsored", r"advertisement\b|sponsored content"),
    ("copyright", r"copyright\s*(?:©\s*)?\d{4}|copyright ©"),
    (
        "published updated originally",
        r"this (?:article|story) (?:was|is|has been) "
        r"(?:originally )?(?:published|updated)",
    ),
    ("typo correction", r"report (?:a )?(?:typo|error|correction)"),
    (
        "inbox mailbox",
        r"in your (?:inbox|mailbox)\b|meet your inbox|get (?:the )?(?:latest|best)"
        r"\b.{0,30}\b(?:inbox|email)",
    ),
    ("delivered", r"delivered (?:to your|daily|weekly|every|weekday)"),
    ("alerts", r"breaking news alerts?"),
    ("join", r"join our \w+"),
    ("reached", r"(?:may|can) be reached at"),
    ("contributed", r"contributed (?:to )?(?:this )?report"),
    ("caption", r"image caption\b"),
    ("visit", r"visit our\b"),
    ("information", r"for more information,? (?:go|see|visit|read)\b"),
    (
        "commission affiliate",
        r"(?:receive|earn) a (?:small )?commission|affiliate (?:links?"
        r"|commission|partnerships?)",
    ),
    ("commenters comments", r"other commenters\b|comments? (?:policy|section)"),
    ("무단 전재 재배포", r"무단\s*전재|재배포\s*금지"),
    ("права", r"все права защищены"),
    ("rechte", r"alle rechte vorbehalten"),
    ("droits", r"tous droits r[ée]serv[ée]s"),
    ("derechos", r"todos los derechos reservados"),
)
_PHRASE_INDEX: dict[str, tuple[re.Pattern[str], ...]] = {}
for _words, _pattern in _PHRASE_TABLE:
    for _word in _words.split():
        _PHRASE_INDEX[_word] = (*_PHRASE_INDEX.get(_word, ()), re.compile(_pattern))
_PHRASE_TRIGGERS = frozenset(_PHRASE_INDEX)


def _phrase_hits(line: str, tokens: frozenset[str]) -> int:
    """How many chrome phrases a line holds (line in lower case)."""
    hits = line.count("©") + line.count("(c) 2")
    found = tokens & _PHRASE_TRIGGERS
    if found:
        patterns = {p for word in found for p in _PHRASE_INDEX[word]}
        hits += sum(len(p.findall(line)) for p in patterns)
    return hits


# A reader being asked for money or a sign-up: the core vocabulary of appeals ...
_APPEAL_CORE = re.compile(
    r"""\b(?:
        donat\w*|contributions?|contribute|support\s+(?:us|our|independent|\w+\s+journalism)
        |membership|become\s+a\s+(?:member|supporter|subscriber|patron)|paypal|patreon
        |subscribe\s+(?:to|now|today|for)|sign\s+up|newsletter|journalism|reader-funded
        |paywall|free\s+to\s+read|make\s+a\s+(?:gift|difference)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# ... the words around it, which news uses too ...
_APPEAL_WORDS = re.compile(
    r"""\b(?:
        donat\w*|contribut\w*|support(?:ing|ers?)?|membership|members?|patrons?|paypal|patreon
        |subscri\w*|sign\s+up|newsletter|journalism|independent|reader-funded|funded|funding
        |paywall|free\s+to\s+read|make\s+a\s+(?:gift|difference)|every\s+(?:contribution|donation)
        |(?:a|per)\s+month|monthly|one-?time|annual|\$\s?\d+|€\s?\d+|£\s?\d+
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# ... addressed to the reader: a publication saying "we" to "you".
_WE = _wordset("we us our ours")
_YOU = _wordset("you your yours reader readers")
# Openers of an appeal block: a salutation, or a heading that announces a message.
_APPEAL_OPENER = re.compile(
    r"""^(?:
        (?:dear|hello|hi)\s+(?:\w+\s+){0,2}(?:readers?|friends?|subscribers?|visitors?)\b.{0,20}$
        |(?:a\s+)?(?:message|note|letter)\s+from\s+.{1,60}$
        |.{0,40}\b(?:support|donate\s+to|become\s+a\s+(?:member|supporter|subscriber))\b.{0,40}[!:]?$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Bylines, datelines, photo credits and addresses: metadata, not body.
_BYLINE = re.compile(
    r"^(?:by|from|von|par|por|di|door|av|af|автор|written\s+by|reporting\s+by|posted\s+by)"
    r"\s+\S+(?:\s+\S+){0,5}$|^\S+\s+\S+\s*(?:\||•|·)\s*\S+"
    r"|^\(?(?:additional\s+)?(?:reporting|writing|editing|edited|compiled)\s+by\b",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(r"^\(?(?:additional\s+)?(?:reporting|writing|editing|edited)\b", re.I)
# Photo credits: "Name / Agency / Site" at the end of a caption, or credit words.
_SLASH_CREDIT = re.compile(
    r"[\w.'-]+(?: [\w.'-]+)? / [\w.'-]+(?: [\w.'-]+)?(?: / [\w.'-]+)*\s*\.?$"
)
_CREDIT_WORDS = re.compile(
    r"(?:photo(?:graph)?|image|picture|foto|фото|credit|illustration|source)s?\s*(?:by)?\s*[:©]"
    r"|\((?:photo|image|picture|credit)s?\b[^)]*\)\s*$|getty images|ap photo|shutterstock"
    r"|istock|courtesy of|via getty"
)
_AGENCIES = _wordset("afp reuters epa ap tass xinhua anadolu")


def _is_credit(line: str, tokens: frozenset[str], last: str) -> bool:
    """Whether a line is (or ends with) a photo credit; ``last`` is its last word."""
    if " / " in line and _SLASH_CREDIT.search(line):
        return True
    if last in _AGENCIES and len(tokens) <= 12 and line.rstrip(" .)")[-len(last) :].lower() == last:
        return True  # "... at the summit. REUTERS", not "..., he told Reuters."
    return not tokens.isdisjoint(_CREDIT_TRIGGERS) and bool(_CREDIT_WORDS.search(line.lower()))


_DATE = re.compile(
    r"""(?:
        \b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b
        |\b\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}
        |\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b
        |\b\d{1,2}:\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?\b|\b(?:updated|published|posted)\b
        |\b\d+\s?(?:min(?:ute)?s?|hours?|days?|weeks?|[smhd])\s+(?:ago|read)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_END_WALL = re.compile(
    r"comment|repl(?:y|ies)|discussion|conversation|коммент|댓글|kommentar|comentario|commenti"
    r"|^\W*(?:about|sobre|über|à\s+propos|об\s+авторе)\b",
    re.IGNORECASE,
)
# Headings that open what follows an article: comments, related stories, popular lists.
_SECTION_WALL = re.compile(
    r"""^\W*(?:\d+\s+)?(?:
        (?:top\s+rated\s+|latest\s+|recent\s+|show\s+|view\s+)?(?:comments?|replies|discussion)
        |leave\s+a\s+(?:comment|reply)|join\s+the\s+(?:conversation|discussion)
        |related(?:\s+\w+)?(?::.*)?|recommended(?:\s+\w+)?|you\s+(?:may|might)\s+also\s+like
        |(?:\w+\s+){0,2}more\s+(?:stories|news|articles|from|on|in|to\s+read)\b.*|read\s+(?:next|also)
        |see\s+also|most\s+(?:popular|read|viewed|shared)(?:\s+\w+)?|trending(?:\s+\w+)?
        |popular(?:\s+\w+)?|top\s+stories|latest\s+(?:news|stories|articles)|tags?|topics
        |about\s+the\s+authors?|about\s+\w+(?:\s+\w+)?|share\s+this(?:\s+\w+)?|in\s+other\s+news
        |sobre\s+(?:o\s+|a\s+|el\s+|la\s+)?\w+(?:\s+\w+)?|über\s+(?:den\s+|die\s+)?\w+(?:\s+\w+)?
        |à\s+propos(?:\s+\w+){0,3}|об\s+авторе
        |комментари\w*|читайте\s+также|похожие\s+\w+|관련\s*기사|댓글
        |kommentare|ähnliche\s+\w+|commentaires|comentarios|commenti|lees\s+ook
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
_LETTERS = re.compile(r"[^\W\d_]+")
_BULLET = re.compile(r"^[-*•–·▪]\s+\S")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+\S")
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_MONEY = re.compile(r"[$€£]\s?\d")
_SPACES = re.compile(r"[^\S\t]+")  # whitespace runs, but table cells keep their tabs
_TRUNCATED = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
_ADDRESS = re.compile(r"^(?:@\w+|\S+@\S+\.\w+|(?:https?://|www\.)\S+)$", re.IGNORECASE)


class LineKind(StrEnum):
    """What a line of a page dump looks like on its own."""

    BODY = "body"  # long, sentence-like prose
    TEXT = "text"  # a short sentence: body if its neighbours are
    SHORT = "short"  # a label, heading or fragment
    META = "meta"  # byline, date, photo credit, address
    BOILERPLATE = "boilerplate"  # chrome vocabulary: share, subscribe, cookies, ©, read more


@dataclass(frozen=True, slots=True)
class CleanedText:
    """A page dump reduced to its headline and body paragraphs."""

    title: str
    paragraphs: tuple[str, ...]


def _size_of(line: str, words: int) -> int:
    """Length in words; scripts without spaces count about three characters a word."""
    if words and len(line) > 24 * words:
        return len(line) // 3
    return words


def _size(line: str) -> int:
    return _size_of(line, len(_WORD.findall(line)))


# Cheap gates: the costly patterns run only on lines that contain one of these words.
_OPENER_TRIGGERS = _wordset(
    """
    dear hello hi message note letter support donate become
    """
)
_CREDIT_TRIGGERS = _wordset(
    """
    photo photos photograph image images picture foto фото credit credits illustration
    source getty ap shutterstock istock courtesy
    """
)
_APPEAL_TRIGGERS = _wordset(
    """
    donate donation donations donating contribute contribution contributions supporting
    support supporters supporter membership member members patron patrons paypal patreon
    subscribe subscribed subscriber subscribers subscription subscriptions sign newsletter
    journalism independent funded funding paywall monthly annual
    """
)


def _chrome_share(tokens: Sequence[str]) -> float:
    """Share of a line's words that are chrome vocabulary."""
    return sum(t in _CHROME_TOKENS for t in tokens) / len(tokens) if tokens else 0.0


def classify_line(line: str) -> LineKind:
    """Classify one line by its own features (no context)."""
    line = " ".join(line.split())
    tokens = _WORD.findall(line.lower())
    return _classify(line, _size_of(line, len(tokens)), tokens, frozenset(tokens))


def _classify(line: str, words: int, toks: list[str], tokens: frozenset[str]) -> LineKind:
    if words == 0:
        return LineKind.BOILERPLATE
    sentence = bool(_SENTENCE_END.search(line[-8:]))
    low = line.lower()
    phrases = _phrase_hits(low, tokens)
    if phrases and (words < 25 or phrases >= 2 or low.count("cookie") >= 2):
        return LineKind.BOILERPLATE
    if words <= 30 and (_is_credit(line, tokens, toks[-1] if toks else "") or _ADDRESS.match(line)):
        return LineKind.META
    if (words <= 8 or (words <= 40 and _CREDIT_LINE.match(line))) and (
        (_BYLINE.match(line) and not _table_row(line)) or (_DATE.search(line) and not sentence)
    ):
        return LineKind.META
    if words <= 10 and _chrome_share(toks) >= 0.34:
        return LineKind.BOILERPLATE
    if line.count("\t") >= 2:
        return LineKind.TEXT  # a table row: data, when it sits among prose
    if words >= 3 and _NUMBERED.match(line):
        return LineKind.TEXT  # a numbered list item
    if words <= 3:
        return LineKind.SHORT
    if _TRUNCATED.search(line[-8:]):
        return LineKind.SHORT  # a teaser cut short: "... may soon..."
    if words >= 15 and sentence:
        return LineKind.BODY
    if sentence and words >= 4:
        return LineKind.TEXT
    return LineKind.SHORT


def _norm(line: str) -> str:
    """Key for comparing lines across pages: case, digits and spacing do not matter."""
    line = unicodedata.normalize("NFKC", line).casefold()
    return " ".join(re.sub(r"\d+", "0", line).split())


class TemplateMemory:
    """Lines seen in several articles of one source: the site's template, not news.

    Feed it every article of an inbox (:meth:`learn`); a line is template once it has been
    seen in ``min_articles`` different articles of the same ``source`` (``None`` pools
    articles of unknown origin). Pure and in memory; safe to share between worker threads.
    Memory is bounded: past ``max_lines`` keys, lines seen only once are forgotten.
    """

    def __init__(self, min_articles: int = 3, max_lines: int = 200_000) -> None:
        if min_articles < 2:
            raise ValueError("min_articles must be at least 2")
        self.min_articles = min_articles
        self.max_lines = max_lines
        self._counts: dict[tuple[str | None, str], int] = {}
        self._seen_docs: set[int] = set()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._counts)

    def learn(self, lines: Iterable[str], source: str | None = None) -> None:
        """Count each distinct line of one article once; the same article twice counts once."""
        lines = [line for line in lines if line.strip()]
        keys = {_norm(line) for line in lines}
        keys.discard("")
        doc = hash((source, tuple(sorted(lines))))
        with self._lock:
            if doc in self._seen_docs:
                return
            self._seen_docs.add(doc)
            for key in keys:
                k = (source, key)
                self._counts[k] = self._counts.get(k, 0) + 1
            if len(self._counts) > self.max_lines:
                self._counts = {k: n for k, n in self._counts.items() if n > 1}
            if len(self._seen_docs) > self.max_lines:
                self._seen_docs.clear()

    def is_template(self, line: str, source: str | None = None) -> bool:
        """Whether ``line`` repeats across enough articles of ``source``."""
        return self._counts.get((source, _norm(line)), 0) >= self.min_articles


def _looks_wrapped(lines: Sequence[str]) -> bool:
    """Whether a block is one paragraph hard-wrapped at a fixed width (e-mail, saved text)."""
    if len(lines) < 2:
        return False
    widest = max(len(x) for x in lines)
    if not 30 <= widest <= 100:
        return False
    if not all(len(x) >= 0.5 * widest for x in lines[:-1]):
        return False
    if any(_BULLET.match(x) or _NUMBERED.match(x) for x in lines[1:]):
        return False
    # Wrapped lines break mid-sentence; a list of similar short lines does not.
    ends = sum(1 for x in lines[:-1] if _SENTENCE_END.search(x[-8:]))
    return ends <= 0.5 * (len(lines) - 1)


def split_units(text: str) -> list[str]:
    """Lines of a dump, with hard-wrapped paragraphs joined back into one unit."""
    blocks = re.split(r"\n\s*\n", text)
    units: list[str] = []
    for block in blocks:
        lines = [
            _SPACES.sub(" ", x).strip() if "\t" in x else " ".join(x.split())
            for x in block.split("\n")
        ]
        lines = [x for x in lines if x]
        if _looks_wrapped(lines):
            units.append(" ".join(lines))
        else:
            units.extend(lines)
    return units


_WEIGHT_SHORT = -2.0
_WEIGHT_META = -4.0
_WEIGHT_BOILERPLATE = -8.0
_NEAR = 3  # lines either side that count as context
_BREAK = -60.0  # a fall this deep from the running total ends a chunk of the page
_WALL = -25.0  # a section heading such as "Related stories"
_COMMENT_FACTOR = 0.25  # weight of prose after a comments or about-the-author heading
_PROSE_BEFORE_END = 80  # words of prose before such a heading can end the article
_EARLY_SHARE = 0.5  # the first chunk this strong (vs. the strongest) is the article


def _appeal_blocks(
    units: Sequence[str],
    kinds: list[LineKind],
    tokens: Sequence[frozenset[str]],
    *,
    need_opener: bool = False,
) -> list[bool]:
    """Mark donation and sign-up appeals as blocks, long plain paragraphs included.

    An appeal line uses appeal vocabulary (support, contribution, membership, $5 a month)
    *and* addresses the reader (you, we, us) or is a short label. Appeal lines at most three
    lines apart form a group, extended back to an opener (a salutation such as "Dear
    readers," or a "Message from ..." heading) just before it. A group is an appeal when it
    has an opener, or when it asks: core appeal words (donate, contribution, support us,
    become a member) and the publication's "we" speaking to "you" (or a short button-like
    label). News about subscriptions or annual budgets is not an appeal.
    """
    n = len(units)
    hits: list[int] = []
    core = [False] * n
    dialogue = [False] * n
    opener = [False] * n
    for i, u in enumerate(units):
        if (
            len(u) < 160
            and not tokens[i].isdisjoint(_OPENER_TRIGGERS)
            and kinds[i] is not LineKind.BODY
            and _APPEAL_OPENER.match(u)
        ):
            opener[i] = True
        if tokens[i].isdisjoint(_APPEAL_TRIGGERS) and not (
            ("$" in u or "€" in u or "£" in u) and _MONEY.search(u)
        ):
            continue
        we = not tokens[i].isdisjoint(_WE)
        you = not tokens[i].isdisjoint(_YOU)
        short = len(tokens[i]) <= 12
        if _APPEAL_WORDS.search(u) and (short or we or you):
            hits.append(i)
            core[i] = bool(_APPEAL_CORE.search(u))
            dialogue[i] = (we and you) or (short and kinds[i] is not LineKind.BODY)
    marked = [False] * n
    g = 0
    while g < len(hits):
        h = g
        while h + 1 < len(hits) and hits[h + 1] - hits[h] <= 3:
            h += 1
        first, last = hits[g], hits[h]
        start = next((j for j in range(first, max(-1, first - 5), -1) if opener[j]), first)
        group = hits[g : h + 1]
        has_opener = start < first or opener[first]
        asks = any(core[j] for j in group) and any(dialogue[j] for j in group)
        if has_opener or (not need_opener and asks):
            for j in range(start, last + 1):
                marked[j] = True
        g = h + 1
    return marked


def _weights(kinds: Sequence[LineKind], sizes: Sequence[int]) -> list[float]:
    """Per-line weights, smoothed by context: a short line among prose costs little, one
    in a run of labels (a menu, a link list) costs more."""
    n = len(kinds)
    prose = [0] * (n + 1)
    for i, kind in enumerate(kinds):
        prose[i + 1] = prose[i] + (kind in (LineKind.BODY, LineKind.TEXT))
    out = []
    for i, (kind, size) in enumerate(zip(kinds, sizes, strict=True)):
        near = prose[min(n, i + _NEAR + 1)] - prose[max(0, i - _NEAR)]
        if kind is LineKind.BODY:
            out.append(float(size))
        elif kind is LineKind.TEXT:
            out.append(size * 0.5)
        elif kind is LineKind.SHORT:
            out.append(_WEIGHT_SHORT / (1 + near))
        elif kind is LineKind.META:
            out.append(_WEIGHT_META / (1 + near / 2))
        else:
            out.append(_WEIGHT_BOILERPLATE - 0.5 * size)
    return out


def _kadane(weights: Sequence[float], lo: int, hi: int) -> tuple[float, int, int]:
    """The run in ``[lo, hi)`` with the largest total weight, as ``(total, start, end)``."""
    best, span = float("-inf"), (lo, lo)
    run, start = 0.0, lo
    for i in range(lo, hi):
        w = weights[i]
        if run <= 0:
            run, start = w, i
        else:
            run += w
        if run > best:
            best, span = run, (start, i + 1)
    return best, span[0], span[1]


def _best_region(weights: Sequence[float], walls: Sequence[bool]) -> tuple[int, int]:
    """The article body: the first strong dense region, as ``[start, end)``.

    The page is cut into chunks at section walls ("Comments", "Related stories") and at long
    runs of chrome; each chunk's best run is found with Kadane's algorithm. Pages put the
    article before comments and teasers, so the earliest chunk that is nearly as strong as
    the strongest wins, not simply the strongest (comment threads can outweigh the story).
    """
    n = len(weights)
    chunks: list[tuple[float, int, int]] = []
    lo, gap = 0, 0.0
    for i, w in enumerate(weights):
        if min(0.0, gap + w) <= _BREAK:
            if i > lo:
                chunks.append(_kadane(weights, lo, i))
            lo, gap = i + 1, 0.0
            continue
        gap = min(0.0, gap + w)
    if lo < n:
        chunks.append(_kadane(weights, lo, n))
    if not chunks:
        return 0, 0
    strongest = max(c[0] for c in chunks)
    strongest = max(strongest, 1e-9)
    for score, start, end in chunks:
        if score >= _EARLY_SHARE * strongest:
            return start, end
    return 0, 0


def _pick_title(page: _Page, start: int) -> int:
    """Index of the headline: the best title-like line shortly before the body, or -1."""
    units, kinds, dup = page.units, page.kinds, page.dup
    best, best_score = -1, 0.0
    for i in range(start - 1, max(-1, start - 16), -1):
        u = units[i]
        words = page.sizes[i]
        if kinds[i] in (LineKind.BOILERPLATE, LineKind.META) or not 3 <= words <= 30:
            continue
        if _TITLE_BAD_END.search(u) or u.casefold() in dup or _APPEAL_OPENER.match(u):
            continue
        score = min(words, 14) - 0.4 * (start - 1 - i)
        if score > best_score:
            best, best_score = i, score
    return best


@dataclass(slots=True)
class _Page:
    """Working state of one dump: its units and what we think of each."""

    units: list[str]
    sizes: list[int]
    kinds: list[LineKind]
    dup: set[str]
    walls: list[bool]
    discount: list[bool]


def _analyse(
    units: list[str], template: TemplateMemory | None, source: str | None, light: bool = False
) -> _Page:
    if template is not None:
        template.learn(units, source)
    tokens = [_WORD.findall(u.lower()) for u in units]
    sizes = [_size_of(u, len(t)) for u, t in zip(units, tokens, strict=True)]
    sets = [frozenset(t) for t in tokens]
    kinds = [_classify(u, n, t, st) for u, n, t, st in zip(units, sizes, tokens, sets, strict=True)]
    keys = [u.casefold() for u in units]
    seen: dict[str, int] = {}
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
    dup = {k for k, n in seen.items() if n > 1}
    for i, u in enumerate(units):
        if template is not None and template.is_template(u, source):
            kinds[i] = LineKind.BOILERPLATE
    for i, appeal in enumerate(_appeal_blocks(units, kinds, sets, need_opener=light)):
        if appeal:
            kinds[i] = LineKind.BOILERPLATE
    if not light:
        _demote_teasers(units, kinds)
    walls = [n <= 6 and bool(_SECTION_WALL.match(u)) for u, n in zip(units, sizes, strict=True)]
    chrome = [k is LineKind.BOILERPLATE for k in kinds]
    for i in range(len(units)):
        # A "Comments" or "Share" label inside a bar of buttons is a button, not a heading.
        if walls[i] and 0 < i < len(units) - 1 and chrome[i - 1] and chrome[i + 1]:
            walls[i] = False
    # Past a comments or about-the-author heading that follows some prose, the prose is
    # readers' comments or a biography: it counts for little. (In a menu, before any prose,
    # "Comments" and "About" are only links.)
    discount = [False] * len(units)
    ended = False
    prose = 0
    for i, u in enumerate(units):
        discount[i] = ended
        if kinds[i] is LineKind.BODY:
            prose += sizes[i]
        if walls[i] and prose >= _PROSE_BEFORE_END and _END_WALL.search(u):
            ended = True
    return _Page(units, sizes, kinds, dup, walls, discount)


def _demote_teasers(units: Sequence[str], kinds: list[LineKind]) -> None:
    """Headline, blurb, headline, blurb: a list of teasers, not an article with subheadings.

    Runs of at least two Title-Case headlines each followed by one short paragraph (bylines
    and dates in between allowed) are demoted, so the body region does not grow into them.
    """
    n = len(kinds)
    pairs: list[int] = []  # indices of blurbs in the current run
    i = 0
    while i < n:
        if kinds[i] is LineKind.SHORT and _headline_case(units[i]):
            j = i + 1
            while j < n and kinds[j] is LineKind.META:
                j += 1
            if j < n and kinds[j] in (LineKind.BODY, LineKind.TEXT) and len(units[j]) < 400:
                k = j + 1
                while k < n and kinds[k] is LineKind.META:
                    k += 1
                pairs.append(j)
                if k < n and kinds[k] is LineKind.SHORT and _headline_case(units[k]):
                    i = k
                    continue
        if len(pairs) >= 2:
            for j in pairs:
                kinds[j] = LineKind.SHORT
        pairs = []
        i += 1
    if len(pairs) >= 2:
        for j in pairs:
            kinds[j] = LineKind.SHORT


def clean_text(
    text: str,
    *,
    template: TemplateMemory | None = None,
    source: str | None = None,
    find_title: bool = True,
    light: bool = False,
) -> CleanedText:
    """Reduce a page dump to headline and body.

    With ``template``, the article is first learned (its lines counted for ``source``) and
    lines the memory knows as template are dropped. ``find_title=False`` keeps every line
    for the body (the caller knows the title from metadata). ``light=True`` is for text an
    extractor already reduced to the article (HTML via trafilatura, JSON): only lines that
    are chrome by themselves go, with no search for the body region.
    """
    units = split_units(text)
    if not units:
        return CleanedText("", ())
    page = _analyse(units, template, source, light)
    chrome = (LineKind.BOILERPLATE, LineKind.META)
    if light or not (any(k in chrome for k in page.kinds) or any(page.walls)):
        # Nothing on the page looks like chrome: it is the article, short lines and all.
        return _light(page, find_title)
    kinds = page.kinds
    weights = _weights(kinds, page.sizes)
    weights = [
        _WALL if wall else w * _COMMENT_FACTOR if d and w > 0 else w
        for w, d, wall in zip(weights, page.discount, page.walls, strict=True)
    ]
    start, end = _best_region(weights, page.walls)
    if start >= len(weights) or weights[start] <= 0:
        return _light(page, find_title)  # no dense region: keep what is not chrome
    # Grow over adjacent short sentences: a short first or last paragraph is still body.
    while start > 0 and kinds[start - 1] is LineKind.TEXT:
        start -= 1
    while end < len(units) and kinds[end] is LineKind.TEXT:
        end += 1
    title_at = _pick_title(page, start) if find_title else -1
    body = [
        units[i]
        for i in range(start, end)
        if kinds[i] in (LineKind.BODY, LineKind.TEXT) or _keep_short(page, i, start, end)
    ]
    if title_at < 0 and find_title and start > 0 and _headed(text, page):
        title_at = 0
    title = units[title_at] if title_at >= 0 else ""
    return CleanedText(title, tuple(body))


def _headed(text: str, page: _Page) -> bool:
    """Whether the text opens with a headline line and a blank line (saved-article style)."""
    head = text.lstrip().split("\n", 2)
    return (
        len(head) >= 2
        and not head[1].strip()
        and page.kinds[0] in (LineKind.SHORT, LineKind.TEXT)
        and not _TITLE_BAD_END.search(page.units[0])
    )


def _keep_short(page: _Page, i: int, start: int, end: int) -> bool:
    """A short line inside the body stays when it touches prose (a subheading, the end of a
    list) or is marked as a list item."""
    kinds = page.kinds
    if kinds[i] is not LineKind.SHORT or i <= start:
        return False
    prose = (LineKind.BODY, LineKind.TEXT)
    headline = _headline_case(page.units[i])
    if headline and page.units[i].isupper():
        return False  # an ALL CAPS label: "DON'T MISS", a shouted teaser
    if i + 1 < end and kinds[i + 1] in prose:
        return True
    if headline:
        return False  # a headline not followed by its text is a teaser
    return kinds[i - 1] in prose or bool(_BULLET.match(page.units[i]))


def _table_row(line: str) -> bool:
    return line.count("|") >= 3 or (line.startswith("|") and line.endswith("|"))


def _headline_case(line: str) -> bool:
    """Title Case or ALL CAPS: how headlines and link labels are written."""
    words: list[str] = [w for w in _LETTERS.findall(line) if len(w) > 3]
    if len(words) < 3:
        return False
    upper = sum(1 for w in words if w[0].isupper())
    return bool(upper >= 0.7 * len(words))


def _credit_line(line: str) -> bool:
    tokens = _WORD.findall(line.lower())
    return _is_credit(line, frozenset(tokens), tokens[-1] if tokens else "")


def _light(page: _Page, find_title: bool) -> CleanedText:
    """Text an extractor already chose: drop chrome lines and credits, keep the rest."""
    keep = [
        u
        for u, k in zip(page.units, page.kinds, strict=True)
        if k is not LineKind.BOILERPLATE
        and (k is not LineKind.META or _BYLINE.match(u) or _credit_line(u))
    ]
    title = ""
    if (
        find_title
        and keep
        and _size(keep[0]) <= 30
        and not _TITLE_BAD_END.search(keep[0])
        and not _BULLET.match(keep[0])
    ):
        title, keep = keep[0], keep[1:]
    return CleanedText(title, tuple(keep))
