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
# Sentence-final punctuation in the scripts we meet, possibly followed by closing quotes.
_SENTENCE_END = re.compile(r"[.!?…。！？:;][\"'”’»)\]]*$|[\"”»]$")
_TITLE_BAD_END = re.compile(r"[.,:;][\"'”’»)\]]*$")

# Words that mark page chrome when they make up most of a short line. Multilingual on
# purpose: the label vocabulary of news sites is small and shared across sites.
_CHROME_WORDS = re.compile(
    r"""\b(?:
        share|shares|shared|tweet|e-?mail|print|comments?|reply|follow|like|pin|whatsapp
        |facebook|twitter|instagram|linkedin|youtube|telegram|pinterest|reddit|tiktok|rss
        |subscribe|subscribers?|subscription|sign\s?in|sign\s?up|log\s?in|log\s?out|login
        |register|account|newsletters?|cookies?|privacy|terms|advertis\w*|sponsored|promoted
        |read\s+more|see\s+more|show\s+more|load\s+more|more\s+from|related|recommended
        |trending|popular|most\s+read|top\s+stories|latest|menu|search|home|homepage
        |skip\s+to|back\s+to\s+top|contact(\s+us)?|about\s+us|careers|jobs|help|faq
        |download|app|apps|app\s+store|google\s+play|podcasts?|watch|listen|video|gallery
        |photos?|images?|credits?|getty|shutterstock|reuters|afp|ap\s+photo|epa
        |continue|cancel|close|next|previous|prev|back|submit|send|ok|accept|agree|remind
        |once|monthly|annual|yearly|donate|support|membership|premium|upgrade|free\s+trial
        |copyright|rights\s+reserved|all\s+rights|disclaimer|sitemap|imprint|impressum
        |teilen|anmelden|abonnieren|werbung|anzeige|compartir|publicidad|suscr[ií]bete
        |partager|connexion|abonnez|publicit[ée]|condividi|pubblicit[àa]|delen|inloggen
        |поделиться|подписаться|подписка|реклама|читать|также|войти|комментари\w*
        |공유|구독|로그인|광고|기사|댓글|무단|전재|배포|금지|기자
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# Phrases that give a line away as chrome even when it is a long, well-formed sentence.
_CHROME_PHRASES = re.compile(
    r"""(?:
        \bwe\s+use\s+cookies|\bcookie\s+(?:policy|settings|preferences)|\bthis\s+(?:web)?site\s+uses
        |\bby\s+(?:continuing|using)\b.{0,40}\b(?:site|website|service)
        |\ball\s+rights\s+reserved|\bprivacy\s+(?:policy|notice|statement)|\bterms\s+of\s+(?:use|service)
        |\bsign\s+up\s+(?:for|to)\b|\bsubscribe\s+(?:to|for|now|today)\b|\bnewsletters?\b
        |\b(?:click|tap)\s+here\b|\bdownload\s+(?:the|our)\s+app|\bfollow\s+us\b
        |\bread\s+(?:more|the\s+full\s+(?:story|article))\b|\bcontinue\s+reading\b
        |\byou\s+(?:may|might)\s+also\s+like|\brelated\s+(?:articles?|stories|coverage|content)
        |\bmost\s+(?:popular|read|viewed|shared)\b|\badvertisement\b|\bsponsored\s+content
        |\bshare\s+(?:this|on|via)\b|\b(?:copyright|©)\s*\d{4}|©|\(c\)\s*\d{4}
        |\bthis\s+(?:article|story)\s+(?:was|is|has\s+been)\s+(?:originally\s+)?(?:published|updated)
        |\breport\s+(?:a\s+)?(?:typo|error|correction)|\bget\s+(?:the\s+)?(?:latest|best)\b.{0,30}\b(?:inbox|email)
        |\bin\s+your\s+(?:inbox|mailbox)\b|\bdelivered\s+to\s+your\b
        |무단\s*전재|재배포\s*금지|все\s+права\s+защищены|alle\s+rechte\s+vorbehalten
        |tous\s+droits\s+r[ée]serv[ée]s|todos\s+los\s+derechos\s+reservados
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# A reader being asked for money or a sign-up: the vocabulary of appeals ...
_APPEAL_WORDS = re.compile(
    r"""\b(?:
        donat\w*|contribut\w*|support(?:ing|ers?)?|membership|members?|patrons?|paypal|patreon
        |subscri\w*|sign\s+up|newsletter|journalism|independent|reader-funded|funded|funding
        |paywall|free\s+to\s+read|make\s+a\s+(?:gift|difference)|every\s+(?:contribution|donation)
        |(?:a|per)\s+month|monthly|one-?time|annual|\$\s?\d+|€\s?\d+|£\s?\d+
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# ... addressed to the reader (second person, or "we/us" asking).
_APPEAL_ADDRESS = re.compile(
    r"\b(?:you|your|you're|yours|us|our|we|we're|readers?)\b", re.IGNORECASE
)
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
    r"\s+\S+(?:\s+\S+){0,5}$|^\S+\s+\S+\s*(?:\||•|·)\s*\S+",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"""(?:
        \b[\w.'-]+(?:\s[\w.'-]+)?\s/\s[\w.'-]+(?:\s[\w.'-]+)?(?:\s/\s[\w.'-]+)*\s*\.?$
        |\b(?:photo(?:graph)?|image|picture|foto|фото|credit|illustration|source)s?\s*(?:by)?\s*[:©]
        |\((?:photo|image|picture|credit)s?\b[^)]*\)\s*$|\bgetty\s+images\b|\bap\s+photo\b
        |\b(?:afp|reuters|epa|ap|tass|xinhua|anadolu)\s*(?:via\s+getty\s+images)?\s*\)?$
        |\bshutterstock\b|\bistock\b|\bcourtesy\s+of\b|\bvia\s+getty\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
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


def _size(line: str) -> int:
    """Length in words; scripts without spaces count about three characters a word."""
    words = len(_WORD.findall(line))
    if words and len(line) > 24 * words:
        return len(line) // 3
    return words


def _chrome_share(line: str, words: int) -> float:
    """Share of a line's words that are chrome vocabulary."""
    hits = sum(len(_WORD.findall(m.group(0))) for m in _CHROME_WORDS.finditer(line))
    return hits / words if words else 0.0


def classify_line(line: str) -> LineKind:
    """Classify one line by its own features (no context)."""
    line = " ".join(line.split())
    return _classify(line, _size(line))


def _classify(line: str, words: int) -> LineKind:
    if words == 0:
        return LineKind.BOILERPLATE
    sentence = bool(_SENTENCE_END.search(line))
    if _CHROME_PHRASES.search(line) and words < 60:
        return LineKind.BOILERPLATE
    if words <= 30 and (_CREDIT.search(line) or _ADDRESS.match(line)):
        return LineKind.META
    if words <= 8 and (_BYLINE.match(line) or (_DATE.search(line) and not sentence)):
        return LineKind.META
    if words <= 10 and _chrome_share(line, words) >= 0.34:
        return LineKind.BOILERPLATE
    if line.count("\t") >= 2:
        return LineKind.TEXT  # a table row: data, when it sits among prose
    if words <= 3:
        return LineKind.SHORT
    if _TRUNCATED.search(line):
        return LineKind.SHORT  # a teaser cut short: "... may soon..."
    if words >= 15 and sentence:
        return LineKind.BODY
    if sentence and words >= 5:
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
        keys = {_norm(line) for line in lines if line.strip()}
        keys.discard("")
        doc = hash((source, frozenset(keys)))
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
    if any(re.match(r"\s*(?:[-*+•]|\d+[.)])\s", x) for x in lines[1:]):
        return False
    return all(len(x) >= 0.5 * widest for x in lines[:-1])


def split_units(text: str) -> list[str]:
    """Lines of a dump, with hard-wrapped paragraphs joined back into one unit."""
    blocks = re.split(r"\n\s*\n", text)
    units: list[str] = []
    for block in blocks:
        lines = [_SPACES.sub(" ", x).strip() for x in block.split("\n")]
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


def _appeal_blocks(units: Sequence[str], kinds: list[LineKind]) -> list[bool]:
    """Mark donation/sign-up appeals as blocks: an opener or appeal lines, and what they enclose.

    A line is an appeal line when it uses appeal vocabulary *and* addresses the reader; lines
    within two units of appeal lines (and everything after an opener up to the next appeal
    line) belong to the block, so the appeal's plain paragraphs go with it.
    """
    n = len(units)
    hit = [False] * n
    opener = [False] * n
    for i, u in enumerate(units):
        if len(u) < 160 and _APPEAL_OPENER.match(u) and kinds[i] != LineKind.BODY:
            opener[i] = True
        found = _APPEAL_WORDS.findall(u)
        if found and (_APPEAL_ADDRESS.search(u) or _size(u) <= 8):
            hit[i] = True
    marked = [False] * n
    last_hit = -10
    pending_open = -1
    for i in range(n):
        if opener[i]:
            pending_open = i
        if hit[i]:
            start = pending_open if 0 <= pending_open and i - pending_open <= 4 else i
            if i - last_hit <= 3 and last_hit >= 0:
                start = min(start, last_hit)
            if start < i or opener[i] or _is_appeal_strong(units[i]):
                for j in range(start, i + 1):
                    marked[j] = True
            last_hit = i
            pending_open = -1
    # An appeal line that stands alone is only an appeal if it is clearly one.
    return marked


def _is_appeal_strong(unit: str) -> bool:
    return len(_APPEAL_WORDS.findall(unit)) >= 2 and bool(_APPEAL_ADDRESS.search(unit))


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


def _best_region(weights: Sequence[float]) -> tuple[int, int]:
    """The contiguous run with the largest total weight (Kadane), as ``[start, end)``."""
    best, best_span = float("-inf"), (0, 0)
    run, start = 0.0, 0
    for i, w in enumerate(weights):
        if run <= 0:
            run, start = w, i
        else:
            run += w
        if run > best:
            best, best_span = run, (start, i + 1)
    return best_span


def _pick_title(page: _Page, start: int) -> int:
    """Index of the headline: the best title-like line shortly before the body, or -1."""
    units, kinds, dup = page.units, page.kinds, page.dup
    best, best_score = -1, 0.0
    for i in range(start - 1, max(-1, start - 16), -1):
        u = units[i]
        words = page.sizes[i]
        if kinds[i] in (LineKind.BOILERPLATE, LineKind.META) or not 3 <= words <= 30:
            continue
        if _TITLE_BAD_END.search(u) or _norm(u) in dup or _APPEAL_OPENER.match(u):
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


def _analyse(units: list[str], template: TemplateMemory | None, source: str | None) -> _Page:
    if template is not None:
        template.learn(units, source)
    sizes = [_size(u) for u in units]
    kinds = [_classify(u, n) for u, n in zip(units, sizes, strict=True)]
    keys = [_norm(u) for u in units]
    seen: dict[str, int] = {}
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
    dup = {k for k, n in seen.items() if n > 1}
    for i, u in enumerate(units):
        if template is not None and template.is_template(u, source):
            kinds[i] = LineKind.BOILERPLATE
    for i, appeal in enumerate(_appeal_blocks(units, kinds)):
        if appeal:
            kinds[i] = LineKind.BOILERPLATE
    return _Page(units, sizes, kinds, dup)


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
    page = _analyse(units, template, source)
    if light:
        return _light(page, find_title)
    kinds = page.kinds
    weights = _weights(kinds, page.sizes)
    start, end = _best_region(weights)
    if start >= len(weights) or weights[start] <= 0:
        return CleanedText("", ())
    # Grow over adjacent short sentences: a short first or last paragraph is still body.
    while start > 0 and kinds[start - 1] is LineKind.TEXT:
        start -= 1
    while end < len(units) and kinds[end] is LineKind.TEXT:
        end += 1
    title_at = _pick_title(page, start) if find_title else -1
    body = [
        units[i]
        for i in range(start, end)
        if kinds[i] in (LineKind.BODY, LineKind.TEXT) or _keep_short(kinds, i, start, end)
    ]
    title = units[title_at] if title_at >= 0 else ""
    return CleanedText(title, tuple(body))


def _keep_short(kinds: Sequence[LineKind], i: int, start: int, end: int) -> bool:
    """A short line inside the body is a subheading when prose follows it."""
    return (
        kinds[i] is LineKind.SHORT
        and i + 1 < end
        and kinds[i + 1] in (LineKind.BODY, LineKind.TEXT)
        and i > start
    )


def _light(page: _Page, find_title: bool) -> CleanedText:
    drop = (LineKind.BOILERPLATE, LineKind.META)
    keep = [u for u, k in zip(page.units, page.kinds, strict=True) if k not in drop]
    title = ""
    if find_title and keep and _size(keep[0]) <= 30 and not _TITLE_BAD_END.search(keep[0]):
        title, keep = keep[0], keep[1:]
    return CleanedText(title, tuple(keep))
