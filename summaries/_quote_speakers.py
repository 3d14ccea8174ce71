"""Who is who in an article: names, roles and pronouns, remembered as the article is read.

News introduces a person once in full ("Russian President Vladimir Putin", "David Frost,
director general of the British Chambers of Commerce") and then refers back by surname,
honorific ("Ms Hewitt"), role ("the foreign secretary", "China's top diplomat") or pronoun.
:class:`SpeakerMemory` keeps what was seen so far (each person's fullest name, their roles,
gender clues, who was mentioned or speaking most recently) so each reference is resolved in
constant time against the text before it, never by rescanning the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Entity", "SpeakerMemory", "tokenize"]

_TOKEN = re.compile(r"⟦\d+⟧|[^\W_](?:[\w'’&.-]*[^\W_])?|[,;:()]|[—–]|(?<=\s)-(?=\s)")

HONORIFICS_M = frozenset("mr sir lord king prince father brother sheikh monsieur herr".split())
HONORIFICS_F = frozenset(
    "mrs ms miss dame lady queen princess baroness madame mme sister frau".split()
)
# Capitalised words that stand before a name but are not part of it.
TITLES = frozenset(
    """dr prof professor rev reverend judge justice rabbi imam bishop archbishop cardinal pope
    president vice prime premier minister secretary chancellor councillor counsellor senator
    sen governor gov mayor ambassador general gen colonel col captain capt commander admiral
    major lieutenant lt sergeant sgt chairman chairwoman chair director chief executive
    officer leader spokesman spokeswoman spokesperson mp mep deputy shadow foreign home
    defence defense finance state economy interior justice health education trade attorney
    speaker chef coach manager boss founder editor inspector detective superintendent
    commissioner chairperson dean analyst economist correspondent""".split()
) | HONORIFICS_M | HONORIFICS_F
# Words that start sentences or phrases with a capital letter but never begin a name.
_CAP_STOP = frozenset(
    """the a an but and or so yet however in on at for from with after before when while if
    as by to of this that these those it its he she they we i you his her their our my your
    there here then now also still meanwhile earlier later asked speaking according although
    though despite since until during last next new former ex some many most all both each
    every other such no not one two three mr what who why how where which monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july
    august september october november december only even just more less much further
    instead indeed overall already yesterday today tomorrow like unlike among between
    following under over about around against without within through across nor because
    whether once twice several few both either neither""".split()
)
_PARTICLES = frozenset("van von de den der da di du la le bin al el ibn dos das del y".split())
ORG_WORDS = frozenset(
    """company firm group committee report bank government ministry department union council
    authority party agency court board club survey study paper newspaper commission
    organisation organization institute office association federation league corporation
    corp inc ltd plc co fund trust foundation service services network times news post
    university college school hospital police army navy kremlin parliament assembly
    congress senate cabinet treasury exchange market markets airline airlines bureau
    centre center data coal oil motors bbc cbi oecd imf nato""".split()
)
_FEMALE_NAMES = frozenset(
    """mary patricia linda barbara elizabeth jennifer maria susan margaret dorothy lisa nancy
    karen betty helen sandra donna carol ruth sharon michelle laura sarah kimberly deborah
    jessica shirley cynthia angela melissa brenda amy anna rebecca virginia kathleen pamela
    martha debra amanda stephanie carolyn christine marie janet catherine frances ann anne
    joyce diane alice julie heather teresa theresa doris gloria evelyn jean cheryl mildred
    katherine joan ashley judith rose janice kelly nicole judy christina kathy theresa
    beverly denise tammy irene jane lori rachel marilyn andrea kathryn louise sara hillary
    tessa harriet clare claire ruth cherie hazel estelle margaret tessa yvette ruth emily
    emma olivia sophie charlotte hannah grace chloe lucy ella kate katie jo joanne julia
    angela ursula christine marine ségolène segolene nicola kemi priti liz suella yulia
    svetlana olga natalia elena irina tatiana galina lyudmila valentina maria ekaterina
    yekaterina anastasia marina alla nadezhda ksenia daria darya letitia shani cara
    condoleezza hilary sonia indira benazir aung golda kamala nancy ruth""".split()
)
PRONOUNS = {
    "he": "m",
    "him": "m",
    "his": "m",
    "she": "f",
    "her": "f",
    "hers": "f",
    "it": "n",
    "its": "n",
    "they": "p",
    "their": "p",
    "them": "p",
    "i": "s",
    "we": "s",
}
_DETERMINERS = frozenset("the a an its his her their our this that".split())
_INDEFINITE = frozenset("a an one another some".split())


def tokenize(text: str) -> list[str]:
    """Words, quote placeholders and the punctuation that bounds phrases."""
    return _TOKEN.findall(text)


def is_cap(token: str) -> bool:
    return token[:1].isupper()


@dataclass(slots=True)
class Entity:
    """A person, organisation or unnamed role the article talks about."""

    name: str
    kind: str  # "person", "org" or "role"
    gender: str | None = None
    roles: list[frozenset[str]] = field(default_factory=list)
    seen: int = 0


def _role_words(words: list[str]) -> frozenset[str]:
    return frozenset(w.lower().rstrip("'’s") for w in words if w.lower() not in _DETERMINERS)


def _head(words: list[str]) -> str:
    return words[-1].lower().removesuffix("'s").removesuffix("’s") if words else ""


class SpeakerMemory:
    """Names, roles and recency seen so far in one article."""

    def __init__(self) -> None:
        self._by_token: dict[str, Entity] = {}
        self._recent: list[Entity] = []
        self._clock = 0
        self.last_speaker: Entity | None = None
        self.last_speaker_para = -10

    # -- learning ---------------------------------------------------------------------
    def _touch(self, entity: Entity) -> Entity:
        self._clock += 1
        entity.seen = self._clock
        self._recent.append(entity)
        if len(self._recent) > 64:
            del self._recent[:32]
        return entity

    def _person(self, name_tokens: list[str], honorific: str | None) -> Entity:
        """The entity for a name, merged with earlier shorter or longer forms of it."""
        last = name_tokens[-1].lower()
        known = self._by_token.get(last)
        if known is None and len(name_tokens) == 1:
            known = self._by_token.get("first:" + last)
        if known is not None and known.kind == "person":
            if len(name_tokens) > len(known.name.split()) and known.name.split()[-1].lower() in (
                t.lower() for t in name_tokens
            ):
                known.name = " ".join(name_tokens)
            entity = known
        else:
            entity = Entity(" ".join(name_tokens), "person")
            self._by_token[last] = entity
            if len(name_tokens) > 1:
                self._by_token.setdefault("first:" + name_tokens[0].lower(), entity)
        if honorific in HONORIFICS_M:
            entity.gender = "m"
        elif honorific in HONORIFICS_F:
            entity.gender = "f"
        elif entity.gender is None and len(name_tokens) > 1:
            if name_tokens[0].lower() in _FEMALE_NAMES:
                entity.gender = "f"
        return entity

    def _org(self, name: str) -> Entity:
        key = "org:" + name.lower()
        entity = self._by_token.get(key)
        if entity is None:
            entity = Entity(name, "org")
            self._by_token[key] = entity
        return entity

    def add_role(self, entity: Entity, words: list[str]) -> None:
        content = [w for w in words if w.lower() not in _DETERMINERS and w not in ",;:"]
        if content:
            role = _role_words(content)
            if role not in entity.roles:
                entity.roles.append(role)

    def name_from_run(self, run: list[str], *, create: bool = True) -> tuple[Entity | None, list[str]]:
        """Split a capitalised run into title words and a name; the role words come back."""
        words = list(run)
        while words and words[0].lower() in _CAP_STOP:
            words.pop(0)
        if not words:
            return None, []
        cut = 0
        honorific = None
        for i, word in enumerate(words):
            if word.lower().rstrip(".") in TITLES:
                cut = i + 1
                honorific = word.lower().rstrip(".")
        title_words, name = words[:cut], words[cut:]
        if not name:
            return None, title_words
        if name[-1].endswith(("'s", "’s")):
            return None, title_words
        lowered = {w.lower() for w in name}
        if lowered & ORG_WORDS or (len(name) == 1 and name[0].isupper() and len(name[0]) > 1):
            if not create:
                return self._by_token.get("org:" + " ".join(name).lower()), title_words
            return self._touch(self._org(" ".join(name))), title_words
        single = len([w for w in name if w.lower() not in _PARTICLES]) == 1
        if single and not cut:
            known = self._by_token.get(name[0].lower())
            if known is None:
                if not create:
                    return None, title_words
                return self._touch(self._org(name[0])), title_words
            return self._touch(known), title_words
        if not create and name[-1].lower() not in self._by_token:
            return None, title_words
        entity = self._person(name, honorific)
        if title_words and honorific not in HONORIFICS_M | HONORIFICS_F:
            self.add_role(entity, title_words)
        return self._touch(entity), title_words

    def learn(self, tokens: list[str]) -> list[tuple[int, int, Entity]]:
        """Register every name in a sentence; returns (start, end, entity) spans."""
        spans: list[tuple[int, int, Entity]] = []
        i, n = 0, len(tokens)
        while i < n:
            if not is_cap(tokens[i]) or tokens[i].startswith("⟦"):
                i += 1
                continue
            j = i + 1
            while j < n and (
                (is_cap(tokens[j]) and not tokens[j].startswith("⟦"))
                or (tokens[j].lower() in _PARTICLES and j + 1 < n and is_cap(tokens[j + 1]))
            ):
                j += 1
            run = tokens[i:j]
            entity, titles = self.name_from_run(run)
            if entity is not None:
                spans.append((i, j, entity))
                if entity.kind == "person":
                    self._learn_roles(tokens, i, j, entity, titles)
            i = j
        return spans

    def _learn_roles(
        self, tokens: list[str], i: int, j: int, entity: Entity, titles: list[str]
    ) -> None:
        # Lower-case role words right before the name: "Tory co-chairman Liam Fox".
        k = i - 1
        before: list[str] = []
        while k >= 0 and len(before) < 4:
            word = tokens[k]
            if word in ",;:()—–-" or word.startswith("⟦") or word.lower() in _CAP_STOP:
                break
            before.insert(0, word)
            k -= 1
        if before and not is_cap(before[-1]):
            self.add_role(entity, [*before, *titles])
        # Apposition after the name: "Ed Balls, ex-chief economic adviser to the Treasury,".
        if j < len(tokens) and tokens[j] == ",":
            k = j + 1
            words: list[str] = []
            while k < len(tokens) and tokens[k] not in ",;:()" and len(words) < 9:
                if tokens[k].startswith("⟦"):
                    break
                words.append(tokens[k])
                k += 1
            if words and (words[0].lower() in _DETERMINERS or not is_cap(words[0]) or "of" in words):
                cut = [w for w in words if w.lower() not in {"who", "which"}]
                if cut and cut[0].lower() not in {"who", "which", "said", "says"}:
                    role = cut[: cut.index("of")] if "of" in cut else cut
                    self.add_role(entity, role)
        # Apposition before the name: "The chief inspector of schools, David Bell,".
        if i >= 2 and tokens[i - 1] == ",":
            k = i - 2
            words = []
            while k >= 0 and tokens[k] not in ",;:()" and len(words) < 8:
                words.insert(0, tokens[k])
                k -= 1
            if words and words[0].lower() in {"the", "its", "his", "her", "their"}:
                role = words[: words.index("of")] if "of" in words else words
                self.add_role(entity, role)

    # -- resolving ----------------------------------------------------------------------
    def pronoun(self, word: str) -> Entity | None:
        """The most recent compatible subject for a pronoun."""
        kind = PRONOUNS.get(word.lower())
        if kind is None or kind == "s":
            return self.last_speaker
        candidates = reversed(self._recent[-40:])
        if kind in "mf":
            fallback = None
            for entity in candidates:
                if entity.kind != "person":
                    continue
                if entity.gender == kind:
                    return entity
                if entity.gender is None and fallback is None:
                    fallback = entity
                    if kind == "m":
                        return entity
            if fallback is not None:
                fallback.gender = kind
            return fallback
        for entity in candidates:
            if entity.kind != "person":
                return entity
        return None

    def role(self, words: list[str]) -> Entity | None:
        """Resolve "the foreign secretary" / "China's top diplomat" to someone named earlier."""
        content = [w for w in words if w.lower() not in _DETERMINERS]
        if not content:
            return None
        head = _head(content)
        wanted = _role_words(content)
        best: tuple[int, int, Entity] | None = None
        seen: set[int] = set()
        for entity in reversed(self._recent[-60:]):
            if id(entity) in seen:
                continue
            seen.add(id(entity))
            for role in entity.roles:
                if head in role or any(head in r.split("-") for r in role):
                    score = len(role & wanted)
                    if best is None or score > best[0]:
                        best = (score, entity.seen, entity)
            if entity.kind == "org" and head in {w.lower() for w in entity.name.split()}:
                score = 1 + len(wanted & {w.lower() for w in entity.name.split()})
                if best is None or score > best[0]:
                    best = (score, entity.seen, entity)
        if best is not None:
            return self._touch(best[2])
        if words[0].lower() in _INDEFINITE:
            return None
        if head in ORG_WORDS:
            return None
        # Co-reference: a definite role never seen before names the most recent person
        # whose known roles do not contradict it.
        for entity in reversed(self._recent[-30:]):
            if entity.kind != "person":
                continue
            if entity.roles and not any(head in r for r in entity.roles):
                continue
            self.add_role(entity, content)
            return self._touch(entity)
        return None

    def describe(self, words: list[str]) -> Entity:
        """An unnamed source keeps its description ("Treasury spokesman")."""
        content = [w for w in words if w not in ",;:"]
        while content and content[0].lower() in _DETERMINERS | _INDEFINITE:
            content.pop(0)
        name = " ".join(content)
        key = "role:" + name.lower()
        entity = self._by_token.get(key)
        if entity is None:
            entity = Entity(name, "role")
            self._by_token[key] = entity
            self.add_role(entity, content)
        return self._touch(entity)

    def mention(self, entity: Entity) -> None:
        self._touch(entity)
