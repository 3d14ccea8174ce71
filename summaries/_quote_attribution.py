"""Attribution: who said each quotation, read sentence by sentence with a running memory.

Every quotation is a placeholder ``⟦n⟧`` in the reporter's masked sentence. The nearest
speech verb decides the speaker: right after the quote (``"...," Putin said``, inverted
``said Mr Smith``), before it (``Ms Hewitt said: "..."``, ``insisted the plan was "..."``),
or trailing the sentence (``..., he said.``); ``according to X`` and ``X's message was:``
work too. The subject phrase is then resolved by :class:`SpeakerMemory`: a name, a
pronoun, a role ("the minister") or an unnamed source ("a Treasury spokesman").
Reporter sentences without quotes still teach the memory who is talked about and who spoke
last, so a quotation standing alone continues its speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._quote_marks import QuoteGroup
from ._quote_speakers import (
    DOCUMENT_WORDS,
    GENERIC_ORG_HEADS,
    ORG_WORDS,
    PRONOUNS,
    SPEECH_VERBS,
    UNNAMED_HEADS,
    Entity,
    SpeakerMemory,
    is_cap,
    tokenize,
    wordset,
)

__all__ = ["SPEECH", "Found", "Reader", "words_of"]

SPEECH = SPEECH_VERBS
_NEGATING = wordset("deny denied denies reject rejected rejects dispute disputed")
_PASSIVE = wordset("is are was were be been being")
_SKIP = wordset(
    """also has had have later then earlier recently previously repeatedly once again further
    would will could may might reportedly publicly privately always never just already still
    even only strongly clearly today yesterday has did does do himself herself itself
    themselves not however subsequently initially separately"""
)
_BOUNDARY = wordset(
    """that and but which who whom while as when after before because if although though where
    whether so since until or what than nor where"""
)
_SCARE_BEFORE = re.compile(
    r"(?:so-called|so called|dubbed|nicknamed|known as|termed|entitled|titled|"
    r"(?:the|a|an) (?:term|word|words|phrase|label|slogan|motto|catchphrase|hashtag|tag|"
    r"tagline)|"
    r"(?:book|film|movie|song|album|show|series|novel|play|programme|program|documentary|"
    r"exhibition|campaign|operation|project|brand|product|script|episode|podcast|track|"
    r"single|poem|musical|opera|painting|game|app|website|magazine|newspaper|column|blog)"
    r"(?:\s+(?:called|named|titled|entitled))?(?:\s+of)?)\s*(?:the|a|an)?\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_DETERMINERS_SUBJ = wordset("the a an its his her their this that")
_PUNCT = frozenset({",", "-", "—", "–", ":"})
_NOUN_TOO = wordset(
    """call report note state claim comment warn reply promise pledge vow answer label tweet"""
)
_NOUN_TOO_S = wordset(
    """calls reports notes states claims comments replies promises pledges vows answers labels
    tweets warnings"""
)
_FUNCTION = wordset(
    """and or but the a an of with by for to in on at from new these those their its his her
    our such many some all any other"""
)
# Quoted two- or three-word names of things are labels, not speech ("strategic fund").
_TERM_HEADS = wordset(
    """fund scheme programme program index rate estimate initiative card bill act system model
    package unit agency council office centre center network project zone account bond levy
    fee tax"""
)
_SUBJECT_PRONOUNS = wordset("he she it they i we that")
_ROLE_OPENERS = wordset("the a an its his her")
_COMMUNICATION = wordset(
    """e-mail email emails statement letter message note memo speech words remarks comments
    tweet post blog article column interview diary testimony"""
)
_LEADING_PREPOSITIONS = wordset("with of for from to by in on at among amid")
_HEAD_PREPOSITIONS = wordset("for of at with from in")
_APPOSITION_MARKS = frozenset({",", "-", "—", "–"})
_TIME_WORDS = wordset(
    """on in at during after before yesterday today last this earlier later when while"""
)
_INTRO = wordset(
    """but and however meanwhile earlier later yet so also still now then instead indeed
    separately overall"""
)
_PREPOSITIONS = wordset(
    """in on at after before during for with from under speaking asked writing since despite
    following amid according"""
)
_AUX = wordset(
    """is are was were be been has have had will would could can did does do may might must
    should shall"""
)


@dataclass(slots=True)
class Found:
    """A quotation while it is being attributed."""

    group: QuoteGroup
    text: str
    speaker: Entity | None = None
    cue: bool = False
    negated: bool = False
    scare: bool = False
    standalone: bool = False
    partial: bool = False
    seen: bool = False
    between: str | None = None
    paragraphs: set[int] = field(default_factory=set)


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_verb(tokens: list[str], i: int) -> bool:
    """A speech verb in active voice at ``i``."""
    word = tokens[i].lower()
    if word not in SPEECH or not tokens[i][:1].islower():
        return False
    k = i - 1
    while k >= 0 and (tokens[k].lower() in _SKIP or tokens[k].endswith("ly")):
        k -= 1
    if k >= 0 and tokens[k].lower() in _PASSIVE | {"to", "in", "of", "for", "by", "with", "on"}:
        return False
    # "call"/"calls" as nouns: "the calls", "a call"; "report" as a noun likewise.
    if k >= 0 and tokens[k].lower() in {"the", "a", "an", "his", "her", "its", "their"}:
        return False
    if word in _NOUN_TOO_S:
        # "claims by the trade": a plural noun after a function word
        return k >= 0 and tokens[k].lower() not in _FUNCTION and tokens[k] not in {",", "-"}
    if word in _NOUN_TOO:
        # "call centres", "report cards": a base form needs a subject right before it.
        if k < 0:
            return False
        prev = tokens[k]
        return prev.lower() in {"they", "we", "i", "you"} or is_cap(prev) or prev.endswith("s")
    return True


class Reader:
    """Attribution for one article; the memory runs forward with the text."""

    def __init__(self, found: list[Found]) -> None:
        self.found = found
        self.memory = SpeakerMemory()
        self.last_speaker: Entity | None = None
        self.last_para = -10
        self.subjects: list[Entity] = []
        self.subject_role = False  # no role guessing for a sentence's own subject

    # -- noun phrases ---------------------------------------------------------------
    def resolve(self, parts: list[list[str]]) -> Entity | None:
        """The speaker named by a subject phrase (possibly with an apposition)."""
        parts = [p for p in parts if p]
        if not parts:
            return None
        memory = self.memory
        first = parts[0]
        head_words = first[: first.index("of")] if "of" in first[1:] else first
        head_word = head_words[-1].lower() if head_words else ""
        org_head = first[0].lower() in _DETERMINERS_SUBJ and head_word in ORG_WORDS
        # A person's name anywhere wins; the other parts describe them. Not when the head
        # is an organisation: "The company, led by chief executive X, said" is the company.
        for part in parts if not org_head else []:
            person = self._person_in(part)
            if person is not None:
                for other in parts:
                    if other is not part and other[0].lower() in _ROLE_OPENERS:
                        role = other[: other.index("of")] if "of" in other else other
                        memory.add_role(person, role)
                return person
        last = first[-1]
        if last.lower() in PRONOUNS:
            return memory.pronoun(last)
        # "a spokesman for the ministry": the head comes before the first preposition.
        prep = next(
            (
                i
                for i in range(1, len(first))
                if first[i] in _HEAD_PREPOSITIONS and not is_cap(first[i - 1])
            ),
            len(first),
        )
        full = first
        first = first[:prep]
        last = first[-1]
        if not is_cap(last) or last.endswith(("'s", "’s")):
            # A role phrase: from its determiner or possessive to the head.
            start = 0
            for i, word in enumerate(first):
                if word.lower() in {"the", "a", "an", "its", "his", "her", "their"}:
                    start = i
                elif word.endswith(("'s", "’s")):
                    det = [
                        j for j in range(max(0, i - 3), i) if first[j].lower() in {"the", "a", "an"}
                    ]
                    start = det[-1] if det else i
                    while not det and start > 0 and is_cap(first[start - 1]):
                        start -= 1
            words = first[start:]
            if words and words[0].lower() in {"its", "his", "her", "their"}:
                words = words[1:]
            owner = [w for w in words if w.endswith(("'s", "’s"))]
            if owner and words[-1].lower() in _COMMUNICATION:
                # "Mr Campbell's e-mail suggested": the words are the owner's.
                cut = words.index(owner[0]) + 1
                run = [w for w in words[:cut] if is_cap(w) or w.lower() not in _DETERMINERS_SUBJ]
                run = [*run[:-1], run[-1][:-2]] if run else run
                person, _ = memory.name_from_run(run, create=False) if run else (None, [])
                if person is not None:
                    return person
            owner_run = [w for w in words[:-1] if is_cap(w) and w.lower() not in _ROLE_OPENERS]
            if words and words[-1].lower() in DOCUMENT_WORDS and owner_run:
                # "the World Bank report said": the words are the World Bank's.
                cleaned = [w[:-2] if w.endswith(("'s", "’s")) else w for w in owner_run]
                return memory.org(" ".join(cleaned))
            if words and words[-1].lower() in GENERIC_ORG_HEADS and words[0].lower() == "the":
                org = memory.recent_org()
                if org is not None:
                    return org
            guess = not self.subject_role
            if (words and words[0].lower() in {"the", "his", "her", "its", "their"}) or (
                words and any(w.endswith(("'s", "’s")) for w in words[:3])
            ):
                resolved = memory.role(words, guess=guess)
            elif words and words[0].lower() in {"a", "an"}:
                resolved = None
            else:
                resolved = memory.role(words) if words else None
            if resolved is not None or (
                self.subject_role and words and words[-1].lower() not in UNNAMED_HEADS
            ):
                return resolved
            words = full[start:]  # the description keeps "for the ministry"
            if words and words[0].lower() in {"its", "his", "her", "their"}:
                words = words[1:]
            return memory.describe(words) if words else None
        for part in parts:
            entity = self._org_in(part)
            if entity is not None:
                return entity
        return None

    def _runs(self, part: list[str]) -> list[list[str]]:
        runs: list[list[str]] = []
        current: list[str] = []
        for word in part:
            if (is_cap(word) and not word.startswith("⟦")) or (
                current
                and word.lower()
                in {
                    "van",
                    "von",
                    "de",
                    "den",
                    "der",
                    "da",
                    "di",
                    "bin",
                    "al",
                }
            ):
                current.append(word)
            else:
                if current:
                    runs.append(current)
                current = []
            if word.lower() == "of" and runs:
                break
        if current:
            runs.append(current)
        return runs

    def _person_in(self, part: list[str]) -> Entity | None:
        for run in self._runs(part):
            entity, _ = self.memory.name_from_run(run, create=False)
            if entity is not None and entity.kind == "person":
                return entity
        return None

    def _org_in(self, part: list[str]) -> Entity | None:
        words = part[1:] if part and part[0].lower() in _DETERMINERS_SUBJ else part
        if (
            len(words) > 2
            and is_cap(words[0])
            and is_cap(words[-1])
            and all(is_cap(w) or w.lower() in {"and", "of", "for", "&"} for w in words)
        ):
            return self.memory.org(" ".join(words))
        for run in self._runs(part):
            entity, _ = self.memory.name_from_run(run)
            if entity is not None:
                return entity
        return None

    def subject_before(self, tokens: list[str], v: int) -> list[list[str]]:
        k = v - 1
        while k >= 0 and tokens[k].lower() in _SKIP:
            k -= 1
        if k >= 0 and tokens[k] == ")":
            # "The Qualifications and Curriculum Authority (QCA) has told"
            while k >= 0 and tokens[k] != "(":
                k -= 1
            k -= 1
        if k < 0:
            return []
        if tokens[k] in _APPOSITION_MARKS:
            # Apposition: "David Frost, director general of ..., warned" / "X - a lord - said"
            mark = tokens[k]
            apposition: list[str] = []
            k -= 1
            while (
                k >= 0 and tokens[k] not in {mark, ";", ":", "("} and not tokens[k].startswith("⟦")
            ):
                apposition.insert(0, tokens[k])
                k -= 1
            if k >= 0 and tokens[k] == mark:
                head = self._np_back(tokens, k - 1)
                if head:
                    return [head, apposition]
            return [self._trim_np(apposition)]
        part, k = self._np_back_at(tokens, k)
        if k >= 2 and tokens[k].lower() in {"who", "which"} and tokens[k - 1] == ",":
            # "Professor Chris Woodhead, who has said": the relative clause's antecedent;
            # also when the clause is never closed ("Ms R, who presents X tells ...").
            head = self._np_back(tokens, k - 2)
            if not part:
                return [head] if head else []
            if head and part[0][:1].islower() and part[0].lower() not in PRONOUNS:
                return [head, part]
        if (
            part
            and k >= 1
            and tokens[k] == ","
            and part[-1].lower() not in PRONOUNS
            and self._person_in(part) is None
            and part[0].lower() not in _DETERMINERS_SUBJ - {"a", "an"}
        ):
            # "Rabbi X, founder of Y said" / "Colin Asplin, Blackpool Hotel Association said"
            head = self._np_back(tokens, k - 1)
            if head and head[-1].lower() not in PRONOUNS:
                return [part, head]
        return [part]

    def _np_back(self, tokens: list[str], k: int) -> list[str]:
        return self._np_back_at(tokens, k)[0]

    def _np_back_at(self, tokens: list[str], k: int) -> tuple[list[str], int]:
        words: list[str] = []
        while k >= 0 and len(words) < 10:
            word = tokens[k]
            if word in {",", ";", ":", "(", ")", "—", "–", "-"} or word.startswith("⟦"):
                break
            # "and" inside a name: "the Commons science and technology committee"
            inside = word == "and" and any(
                w.lower() in {"the", "a"} for w in tokens[max(0, k - 3) : k]
            )
            if (word.lower() in _BOUNDARY and word[:1].islower() and not inside) or word in _AUX:
                break
            if (
                words
                and word.endswith("ed")
                and word[:1].islower()
                and k > 0
                and tokens[k - 1].lower() not in _DETERMINERS_SUBJ
                and not tokens[k - 1].endswith("ly")
            ):
                break  # "a consultation exercise showed 64 respondents ... believed"
            words.insert(0, word)
            k -= 1
        return self._trim_np(words), k

    @staticmethod
    def _trim_np(words: list[str]) -> list[str]:
        # "with forecasters warning": the preposition is not part of the subject.
        while words and words[0] in _LEADING_PREPOSITIONS:
            words = words[1:]
        # A pronoun nearest the verb is the subject ("who he described as").
        for i in range(len(words) - 1, -1, -1):
            if words[i].lower() in PRONOUNS and words[i].lower() not in {
                "his",
                "her",
                "its",
                "their",
            }:
                return words[i:]
        return words

    @staticmethod
    def subject_after(tokens: list[str], v: int) -> list[list[str]]:
        parts: list[list[str]] = [[]]
        k = v + 1
        while (
            k < len(tokens)
            and tokens[k] not in {";", ":", "(", "—", "–"}
            and not tokens[k].startswith("⟦")
        ):
            word = tokens[k]
            if word == ",":
                if len(parts) == 2 or (
                    k + 1 < len(tokens)
                    and (
                        tokens[k + 1].lower() in _BOUNDARY
                        or tokens[k + 1].lower() in {"adding", "saying"}
                    )
                ):
                    break
                parts.append([])
            elif word.lower() in _TIME_WORDS and parts[-1]:
                break
            else:
                parts[-1].append(word)
            k += 1
        return [p for p in parts if p]

    # -- sentences --------------------------------------------------------------------
    def read(self, para: int, sentence: str) -> None:
        tokens = tokenize(sentence)
        spans = self.memory.learn(tokens)
        subject = self._sentence_subject(tokens, spans)
        if subject is not None:
            self.memory.mark_subject(subject)
        places = [i for i, t in enumerate(tokens) if t.startswith("⟦")]
        verbs = [i for i, t in enumerate(tokens) if t in SPEECH and _is_verb(tokens, i)]
        for place in places:
            item = self.found[int(tokens[place][1:-1])]
            if item.seen and item.speaker is not None:
                continue
            first_time = not item.seen
            item.seen = True
            self._attribute(item, tokens, place, verbs, subject, para, first_time)
            if item.speaker is not None and not item.scare:
                self._spoke(item.speaker, para)
        if not places and verbs:
            speaker = None
            for verb in verbs[:3]:
                parts = [] if tokens[verb].endswith("ing") else self.subject_before(tokens, verb)
                speaker = self.resolve(parts) if any(parts) else subject
                if speaker is not None:
                    break
            if speaker is not None:
                self._spoke(speaker, para)

    def _spoke(self, speaker: Entity, para: int) -> None:
        """Remember who spoke last: unattributed quotes and "it"/"he" lean on it."""
        self.last_speaker = self.memory.last_speaker = speaker
        self.last_para = para
        self.memory.mark_subject(speaker)

    def _sentence_subject(
        self, tokens: list[str], spans: list[tuple[int, int, Entity]]
    ) -> Entity | None:
        """The entity a sentence is about: its first noun phrase, after an opening phrase."""
        start = 0
        while start < len(tokens) and tokens[start].lower() in _INTRO:
            start += 1
        if start < len(tokens) and tokens[start].lower() in _PREPOSITIONS:
            comma = tokens.index(",", start) if "," in tokens[start : start + 20] else -1
            if comma > 0:
                start = comma + 1
        if start >= len(tokens):
            return None
        word = tokens[start]
        if word.lower() in {"he", "she", "it", "they"}:
            return self.memory.pronoun(word)
        if word.lower() in {"his", "her", "its", "their"}:
            return self.memory.pronoun(word)  # "His message ...": still about him
        for s, e, entity in spans:
            at_start = s == start or (s == start + 1 and not is_cap(tokens[start]))
            if at_start and entity.kind == "person" and not tokens[e - 1].endswith(("'s", "’s")):
                return entity
        # "The Tory leader was asked ..." / "The company said ...": a role or organisation.
        np: list[str] = []
        for w in tokens[start : start + 7]:
            low = w.lower()
            if w.startswith("⟦") or w in {",", ";", ":", "(", "—", "–"}:
                break
            if (
                np
                and not is_cap(w)
                and (low in _AUX or low in SPEECH or (low.endswith("ed") and len(np) > 1))
            ):
                break
            np.append(w)
        if len(np) >= 2 and (
            np[0].lower() in {"the", "a", "an"} or any(w.endswith(("'s", "’s")) for w in np[:3])
        ):
            self.subject_role = True
            try:
                return self.resolve([np])
            finally:
                self.subject_role = False
        for s, _e, entity in spans:
            if s == start:
                return entity
        return None

    def _attribute(
        self,
        item: Found,
        tokens: list[str],
        place: int,
        verbs: list[int],
        subject: Entity | None,
        para: int,
        first_time: bool,
    ) -> None:
        pre = tokens[:place]
        if first_time:
            item.scare = bool(_SCARE_BEFORE.search(" ".join(pre[-6:])))
            words = words_of(item.text)
            if pre and 0 < len(words) <= 4 and item.text.rstrip()[-1:] not in {".", ",", "!", "?"}:
                nxt = tokens[place + 1 : place + 3]
                glossed = len(nxt) == 2 and nxt[0] in {"-", "—", "–"} and nxt[1].islower()
                item.scare = item.scare or glossed or words[-1].lower() in _TERM_HEADS
            item.standalone = not pre or pre[-1] == ":"
            item.partial = len(item.group.pieces) == 1 and (
                item.text[:1].islower()
                or (
                    bool(pre)
                    and pre[-1] not in {":", ","}
                    and not item.text.rstrip().endswith((".", "!", "?", ","))
                )
            )
        fragment = not item.text.rstrip().endswith((".", "!", "?", ",", ";", ":", "…"))
        chosen: int | None = None
        inverted = False
        after: int | None = None
        for v in verbs:
            if v <= place:
                continue
            between = tokens[place + 1 : v]
            if len(between) > 35 or any(
                t.startswith("⟦")
                or t == ";"
                or (t in _BOUNDARY and (t != "and" or tokens[v - 1] != ","))
                for t in between
            ):
                break
            after = v
            break
        before = [v for v in verbs if v < place]
        if after is not None and not (fragment and before):
            chosen = after
            inverted = all(t in _PUNCT for t in tokens[place + 1 : after])
        elif before:
            chosen = before[-1]
        else:
            for v in (v for v in verbs if v > place):
                # Only a trailing or parenthetical attribution: "..., he said." / ", X warns,"
                comma = max(
                    (i for i in range(max(place, v - 7), v) if tokens[i] == ","), default=-1
                )
                if comma < 0 or any(
                    (t.lower() in _BOUNDARY and t != "and") or t.startswith("⟦")
                    for t in tokens[comma + 1 : v]
                ):
                    continue
                chosen = v
                inverted = (
                    comma == v - 1
                    and v + 1 < len(tokens)
                    and (
                        is_cap(tokens[v + 1])
                        or tokens[v + 1].lower() in {"the", "a", "an", "its", "his", "her"}
                    )
                )
                break
        speaker: Entity | None = None
        for i in range(len(tokens) - 1):
            if tokens[i].lower() == "according" and tokens[i + 1].lower() == "to":
                if chosen is not None and not (place < i < chosen or chosen < i < place):
                    continue
                speaker = self.resolve(self.subject_after(tokens, i + 1))
                if speaker is not None:
                    item.cue = True
                    break
        if speaker is None and chosen is not None:
            item.cue = True
            verb = tokens[chosen].lower()
            # "denied it was a "crisis"" rejects the words; "rejected X as "false"" uses them.
            item.negated = verb in _NEGATING and "as" not in tokens[chosen + 1 : place][-4:]
            if (
                inverted
                and chosen + 1 < len(tokens)
                and tokens[chosen + 1].lower() not in _SUBJECT_PRONOUNS
            ):
                speaker = self.resolve(self.subject_after(tokens, chosen))
            if speaker is None and verb.endswith("ing"):
                earlier = [v for v in verbs if v < chosen and not tokens[v].endswith("ing")]
                if earlier:
                    chosen = earlier[-1]
                    if chosen > place and (chosen == place + 1 or tokens[chosen - 1] == ","):
                        speaker = self.resolve(self.subject_after(tokens, chosen))
                else:
                    speaker = subject
            if speaker is None and chosen == after and not inverted:
                # '"...," study author Ann Lee, a scientist at X, said': the phrase right
                # after the quote names the speaker; later commas add descriptions.
                between = tokens[place + 1 : chosen]
                while between and between[0] in _PUNCT:
                    between = between[1:]
                while between and between[-1].lower() in _SKIP:
                    between = between[:-1]
                parts: list[list[str]] = [[]]
                for word in between:
                    if word == ",":
                        parts.append([])
                    else:
                        parts[-1].append(word)
                parts = [p for p in parts if p]
                if parts and len(parts[0]) <= 8:
                    speaker = self.resolve(parts)
            if speaker is None:
                parts = self.subject_before(tokens, chosen)
                speaker = self.resolve(parts) if any(parts) else subject
        if speaker is None and pre and pre[-1] == ":":
            item.cue = True
            for word in pre[:4]:
                if word.lower() in {"his", "her", "its", "their"}:
                    speaker = self.memory.pronoun(word)
                    break
            if speaker is None:
                speaker = subject
        recent = self.last_para >= para - 2
        if (
            speaker is None
            and not item.cue
            and recent
            and (item.standalone or len(words_of(item.text)) >= 6)
        ):
            speaker = self.last_speaker
        item.speaker = speaker
