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
from functools import lru_cache

__all__ = [
    "DOCUMENT_WORDS",
    "GENERIC_ORG_HEADS",
    "ORG_WORDS",
    "PRONOUNS",
    "SPEECH_VERBS",
    "UNNAMED_HEADS",
    "Entity",
    "SpeakerMemory",
    "is_cap",
    "tokenize",
    "wordset",
]


def wordset(text: str) -> frozenset[str]:
    """A word list written as one string, the way it reads best in code."""
    return frozenset(text.split())


_TOKEN = re.compile(r"⟦\d+⟧|[^\W_](?:[\w'’&.-]*[^\W_])?|[,;:()]|[—–]|(?<=\s)-(?=\s)")

# Verbs that report speech (English, plus common Russian and German forms).
SPEECH_VERBS = wordset(
    """testify testified testifies testifying say said says saying tell told tells telling add
    added adds adding insist insisted
    insists insisting warn warned warns warning argue argued argues arguing claim claimed
    claims claiming state stated explain explained explains explaining declare declared
    declares announce announced announces note noted notes write wrote writes writing reply
    replied replies replying respond responded responds confess confessed confesses admit
    admitted admits admitting suggest suggested suggests suggesting describe described
    describes describing call called calls brand branded brands dismiss dismissed dismisses
    attack attacked attacks accuse accused accuses acknowledge acknowledged acknowledges
    reveal revealed reveals predict predicted predicts promise promised promises pledge
    pledged vow vowed vows urge urged urges ask asked asks comment commented confirm
    confirmed confirms complain complained complains stress stressed stresses emphasised
    emphasized emphasises emphasizes recall recalled recalls conclude concluded concludes
    report reported reports blame blamed blames criticise criticised criticises criticize
    criticized praise praised hail hailed condemn condemned quip quipped joke joked remark
    remarked observe observed maintain maintained maintains contend contended assert
    asserted asserts allege alleged alleges tweet tweeted agree agreed boast boasted concede
    conceded concedes caution cautioned counter countered retort retorted exclaim exclaimed
    lament lamented expect expected expects forecast forecasts hope hoped hopes believe
    believed believes label labelled labeled described dubbed characterised characterized
    mocked denounce denounced deny denied denies reject rejected rejects continued adds
    сказал сказала заявил заявила отметил отметила добавил добавила подчеркнул подчеркнула
    сообщил сообщила говорит считает sagte sagt erklärte betonte fügte"""
)
HONORIFICS_M = wordset("mr sir lord king prince father brother sheikh monsieur herr")
HONORIFICS_F = wordset("""mrs ms miss dame lady queen princess baroness madame mme sister frau""")
# Capitalised words that stand before a name but are not part of it.
TITLES = (
    wordset(
        """dr prof professor rev reverend judge justice rabbi imam bishop archbishop cardinal pope
    president vice prime premier minister secretary chancellor councillor counsellor senator
    sen governor gov mayor ambassador general gen colonel col captain capt commander admiral
    major lieutenant lt sergeant sgt chairman chairwoman chair director chief executive
    officer leader spokesman spokeswoman spokesperson mp mep deputy shadow foreign home
    defence defense finance state economy interior justice health education trade attorney
    speaker chef coach manager boss founder editor inspector detective superintendent
    commissioner chairperson dean analyst economist correspondent actor actress singer star
    writer author producer presenter striker midfielder defender goalkeeper player athlete
    champion veteran skipper boss journalist historian scientist researcher lawyer
    solicitor barrister ceo cfo coo cto chairwoman"""
    )
    | HONORIFICS_M
    | HONORIFICS_F
)
# Words that start sentences or phrases with a capital letter but never begin a name.
_CAP_STOP = wordset(
    """the a an but and or so yet however in on at for from with after before when while if as
    by to of this that these those it its he she they we i you his her their our my your
    there here then now also still meanwhile earlier later asked speaking according although
    though despite since until during last next new former ex some many most all both each
    every other such no not one two three mr what who why how where which monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july
    august september october november december only even just more less much further instead
    indeed overall already yesterday today tomorrow like unlike among between following
    under over about around against without within through across nor because whether once
    twice several few both either neither"""
)
# Job nouns capitalised only because they open a sentence ("Baker Rosa Lindqvist said"). Many
# are surnames too ("James Baker"), so they are cut only before a full two-word name.
_OCCUPATIONS = wordset(
    """baker nurse teacher grower farmer engineer doctor pupil student resident shopkeeper
    owner driver pilot worker labourer laborer fisherman builder carpenter plumber cook
    butcher gardener miner porter farmhand pensioner retiree commuter parent mother father
    villager lecturer pharmacist surgeon vet dentist clerk cashier waiter waitress artist
    musician painter poet photographer designer architect accountant banker trader broker
    investor shopper voter campaigner activist protester volunteer organiser organizer
    landlord tenant neighbour neighbor customer passenger"""
)
_PARTICLES = wordset("""van von de den der da di du la le bin al el ibn dos das del y""")
ORG_WORDS = wordset(
    """company firm group committee report bank government ministry department union council
    authority party agency court board club survey study paper newspaper commission
    organisation organization institute office association federation league corporation
    corp inc ltd plc co fund trust foundation service services network times news post
    university college school hospital police army navy kremlin parliament assembly congress
    senate cabinet treasury exchange market markets airline airlines bureau centre center
    data coal oil motors bbc cbi oecd imf nato magazine journal website site broadcaster
    station channel studio studios label team side lawsuit ruling poll statement document
    letter book film album tribunal panel jury regulator watchdog charity campaign body
    carrier retailer maker producer"""
)
# Things whose words belong to whoever issued them: "the World Bank report said".
DOCUMENT_WORDS = wordset(
    """report study survey statement document letter lawsuit ruling poll paper analysis
    review research figures data"""
)
# Words that make a capitalised run a place, party or thing rather than a person.
NON_PERSON = ORG_WORDS | wordset(
    """street road avenue square house palace prison hall castle tower bridge airport station
    nations united fort mount port lake river saint san los las
    rights convention kingdom states republic emirates east west north south central
    yorkshire america europe africa asia pacific atlantic middle island islands city county
    province region district liberal liberals democrat democrats labour conservative
    conservatives tory tories republican republicans socialist socialists communist
    communists green greens nationalist nationalists unionist unionists lords commons budget
    programme program today radio tv television day week year month games cup championship
    league olympics summit conference war act bill treaty accord agreement plan strategy
    index gdp ftse dow nasdaq white paper review inquiry world business christmas easter
    ramadan god allah internet web online"""
)
# "The company said": the organisation the article is about, whatever its name.
GENERIC_ORG_HEADS = wordset(
    """company firm group business carrier airline retailer bank maker producer giant operator
    chain insurer lender brewer miner manufacturer club side team"""
)
# Role heads that stay unnamed ("a spokesman", "officials"), never someone named earlier.
UNNAMED_HEADS = wordset(
    """spokesman spokeswoman spokesperson spokespeople source sources official officials aide
    aides insider insiders witness witnesses resident residents expert experts critic
    critics observer observers people person member members statement analysts economists
    diplomats lawyers campaigners protesters"""
)
_FEMALE_NAMES = wordset(
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
    condoleezza hilary sonia indira benazir aung golda kamala nancy ruth rita jessie jess
    lauren megan rachael victoria vicky natalie natasha nina paula pauline penny polly
    rosie rosemary ruby sally samantha sam sian sienna stella susie tina tracy valerie
    vanessa wendy zoe abigail alison amber ana angelina annie audrey beatrice bella bridget
    caroline catherine cathy cecilia diana eleanor ellen eva eve fiona florence frances
    georgia gillian gwyneth harriet helena ingrid isabel isabella jacqueline jade jill
    joanna jodie josephine judi karin kirsty kylie leah lily lindsay lorraine lucia lydia
    madeleine maggie marianne marion maureen melanie miriam molly monica nadia naomi nora
    phoebe rebekah renee rosa roxanne sabrina sadie serena sheila simone sofia sophia
    stephanie sue susanna sylvia tamara theresa una vera yvonne angela merkel hannelore
    ursula annalena giorgia marine ségolène christine nathalie sylvie brigitte mette jacinda
    theresa liz nicola"""
)
# Common men's first names: "she" must not pick them.
_MALE_NAMES = wordset(
    """james john robert michael william david richard joseph thomas charles christopher
    daniel matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george
    timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry
    justin scott brandon benjamin samuel gregory frank alexander raymond patrick jack dennis
    jerry tyler aaron jose adam henry nathan douglas zachary peter kyle walter ethan jeremy
    harold keith christian roger noah gerald carl terry sean austin arthur lawrence jesse
    dylan bryan joe jordan billy bruce albert willie gabriel logan alan juan wayne roy ralph
    randy eugene vincent russell elijah louis bobby philip johnny tony tom tim ed ted ben
    boris gordon nick nigel rishi vladimir sergei dmitry ivan alexei mikhail igor oleg
    viktor emmanuel francois olaf friedrich xi hu wang li joe donald barack bill keir
    liam ken kenneth jeremy iain ian alastair alistair digby gerry rod martin dave colin
    barry murdoch marvin hamish menzies michael charles vince ed david"""
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
    "он": "m",
    "его": "m",
    "она": "f",
    "её": "f",
    "ее": "f",
    "они": "p",
    "их": "p",
}
_VERBISH = wordset(
    """is are was were be been has have had will would could can did does do may might must
    should shall met meets visit visits joins join wants want leads lead backs back"""
)
# Places that stand right before a name in news copy, never part of it.
_PLACES = wordset(
    """britain england scotland wales ireland france germany italy spain portugal russia
    china japan india pakistan iran iraq syria israel egypt turkey ukraine poland belarus
    america canada mexico brazil argentina australia korea taiwan hong kong beijing moscow
    london paris berlin brussels europe africa asia nato eu un us uk usa"""
)
# Russian women's surnames ("Иванова", "Петровская") say the gender outright.
_FEMALE_SURNAME_ENDINGS = ("ова", "ева", "ёва", "ина", "ская", "цкая")
_DETERMINERS = wordset("the a an its his her their our this that")
_INDEFINITE = wordset("a an one another some")


@lru_cache(maxsize=4096)
def _parse_run(
    run: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[str, ...], str | None, bool, bool] | None:
    """Title words, name words, the last title, person-like, single name: pure, so cached."""
    start = 0
    while start < len(run) and run[start].lower() in _CAP_STOP:
        if run[start] == "He" and start + 1 < len(run) and run[start + 1].lower() not in _CAP_STOP:
            break  # "He Jianxiong": a surname, not the pronoun
        start += 1
    words = run[start:]
    if not words:
        return None
    cut = 0
    honorific = None
    for i, word in enumerate(words):
        low = word.lower().rstrip(".")
        if low in TITLES:
            cut, honorific = i + 1, low
    name = words[cut:]
    if len(name) > 2 and name[0].lower() in _OCCUPATIONS and looks_like_person(list(name[1:])):
        cut, honorific = cut + 1, name[0].lower()
        name = name[1:]
    if len(name) > 2 and name[0].lower() in _PLACES and looks_like_person(list(name[1:])):
        name = name[1:]  # "ambassador to Britain Liu Xiaming"; "UK Coal" stays whole
    # A capitalised particle opening the name is a first name ("Al Reyes"), not "al-".
    single = sum(1 for i, w in enumerate(name) if i == 0 or w.lower() not in _PARTICLES) == 1
    return words[:cut], name, honorific, looks_like_person(list(name)), single


def tokenize(text: str) -> list[str]:
    """Words, quote placeholders and the punctuation that bounds phrases."""
    return _TOKEN.findall(text)


def is_cap(token: str) -> bool:
    return token[:1].isupper()


def looks_like_person(name: list[str]) -> bool:
    """Title-case words, no place/party/organisation word, not an acronym."""
    core = [w for w in name if w.lower() not in _PARTICLES]
    if not core or len(core) > 4:
        return False
    for word in core:
        if word.lower() in NON_PERSON or word.endswith(("'s", "’s")):
            return False
        if len(word) > 1 and word.isupper() and not word.endswith("."):
            return False
        if any(part and not part[:1].isupper() for part in word.split("-")):
            return False
    return True


@dataclass(slots=True, eq=False)
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
        self._subjects: list[Entity] = []
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
        elif honorific in HONORIFICS_F or (
            entity.gender is None
            and len(name_tokens) > 1
            and (
                name_tokens[0].lower() in _FEMALE_NAMES
                or name_tokens[-1].lower().endswith(_FEMALE_SURNAME_ENDINGS)
            )
        ):
            entity.gender = "f"
        elif (
            entity.gender is None and len(name_tokens) > 1 and name_tokens[0].lower() in _MALE_NAMES
        ):
            entity.gender = "m"
        return entity

    def org(self, name: str) -> Entity:
        """An organisation by its name (touching it as the latest mention)."""
        return self._touch(self._org(name))

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

    def name_from_run(
        self, run: list[str], *, create: bool = True
    ) -> tuple[Entity | None, list[str]]:
        """Split a capitalised run into title words and a name; the role words come back."""
        parsed = _parse_run(tuple(run))
        if parsed is None:
            return None, []
        title_list, name_tuple, honorific, person_like, single = parsed
        title_words, name = list(title_list), list(name_tuple)
        cut = len(title_words)
        if not name or name[-1].endswith(("'s", "’s")):
            return None, title_words
        if not person_like:
            if not create:
                return self._by_token.get("org:" + " ".join(name).lower()), title_words
            return self._touch(self._org(" ".join(name))), title_words
        if single and not cut:
            known = self._by_token.get(name[-1].lower())
            if known is None:
                if not create:
                    return None, title_words
                return self._touch(self._org(" ".join(name))), title_words
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
        caps = [t[:1].isupper() for t in tokens]  # "⟦" is not upper: placeholders drop out
        while i < n:
            if not caps[i]:
                i += 1
                continue
            j = i + 1
            while (
                j < n
                and not tokens[j - 1].endswith(("'s", "’s"))
                and (caps[j] or (j + 1 < n and caps[j + 1] and tokens[j] in _PARTICLES))
            ):
                j += 1
            run = tokens[i:j]
            if j == i + 1 and (
                run[0].lower() in _CAP_STOP
                or (i == 0 and not run[0].isupper() and run[0].lower() not in self._by_token)
            ):
                i = j  # "Shares fell": a capital only because the sentence starts there
                continue
            if run[-1].endswith(("'s", "’s")):
                run = [*run[:-1], run[-1][:-2]]
            elif self._modifier(tokens, j):
                i = j  # "Double Olympic champion Hicham El Guerrouj": describes the name
                continue
            entity, titles = self.name_from_run(run)
            if entity is not None:
                spans.append((i, j, entity))
                if entity.kind == "person":
                    self._learn_roles(tokens, i, j, entity, titles)
            i = j
        return spans

    @staticmethod
    def _modifier(tokens: list[str], j: int) -> bool:
        """A run followed by a few role words and then another name only describes it."""
        k = j
        while k < len(tokens) and k - j < 3 and tokens[k][:1].islower():
            word = tokens[k]
            if word in _CAP_STOP or word in SPEECH_VERBS or word in _VERBISH or word.endswith("ed"):
                return False
            k += 1
        return j < k < len(tokens) and is_cap(tokens[k]) and not tokens[k].startswith("⟦")

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
            if words and (
                words[0].lower() in _DETERMINERS or not is_cap(words[0]) or "of" in words
            ):
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
    def mark_subject(self, entity: Entity) -> None:
        """Who the text is about right now: what pronouns refer to."""
        self._subjects.append(entity)
        if len(self._subjects) > 64:
            del self._subjects[:32]

    @staticmethod
    def _is_human(entity: Entity) -> bool:
        if entity.kind == "person":
            return True
        if entity.kind == "role":
            words = entity.name.lower().split()
            for i, word in enumerate(words[1:], 1):
                if word in {"for", "of", "at", "with", "from", "in"}:
                    words = words[:i]  # "committee of MPs": the head is "committee"
                    break
            return bool(words) and words[-1] not in ORG_WORDS
        return False

    def pronoun(self, word: str) -> Entity | None:
        """The most recent compatible subject for a pronoun."""
        kind = PRONOUNS.get(word.lower())
        if kind is None or kind == "s":
            return self.last_speaker
        if kind in "mf":
            # Someone of that gender first (subjects, then anyone mentioned lately), else
            # the latest person of unknown gender; a pronoun's choice then sticks, so "she"
            # will not pick a man later.
            # The latest subject wins when nothing about it contradicts the pronoun: an unknown
            # first name ("Mara Okafor ... she said") must not lose to an older known woman.
            latest = self._subjects[-1] if self._subjects else None
            if latest is not None and latest.kind == "person" and latest.gender in (kind, None):
                latest.gender = kind
                return latest
            for is_subject, pool in ((True, self._subjects[-20:]), (False, self._recent[-15:])):
                for wanted in (kind, None):
                    for entity in reversed(pool):
                        if self._is_human(entity) and entity.gender == wanted:
                            if is_subject:
                                entity.gender = kind
                            return entity
            return None
        if kind == "n" and self.last_speaker is not None and not self._is_human(self.last_speaker):
            return self.last_speaker
        for pool in (self._subjects[-20:], self._recent[-30:]):
            for entity in reversed(pool):
                if not self._is_human(entity):
                    return entity
        return None

    def role(self, words: list[str], *, guess: bool = True) -> Entity | None:
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
            if (
                entity.kind == "org"
                and entity in self._subjects[-20:]
                and head in {w.lower() for w in entity.name.split()}
            ):
                score = 1 + len(wanted & {w.lower() for w in entity.name.split()})
                if best is None or score > best[0]:
                    best = (score, entity.seen, entity)
        if best is not None:
            return self._touch(best[2])
        if words[0].lower() in _INDEFINITE or head in ORG_WORDS or not guess:
            return None
        # Co-reference: a definite role never seen before names a recent person; the one
        # whose known roles share most words with it ("China's" ~ "Chinese"), else the latest.
        if (head.endswith("s") and not head.endswith("ss")) or head in UNNAMED_HEADS:
            return None  # plural or usually unnamed: "the authorities", "a spokesman"
        possessor = next((w[:-2] for w in content if w.endswith(("'s", "’s"))), None)
        stems = {w[:4] for w in wanted if len(w) > 2}
        choice: tuple[int, Entity] | None = None
        candidates = [*reversed(self._subjects[-10:]), *reversed(self._recent[-30:])]
        for entity in candidates:
            if entity.kind != "person" or (possessor and possessor in entity.name.split()):
                continue
            overlap = sum(1 for r in entity.roles for w in r if w[:4] in stems)
            if choice is None or overlap > choice[0]:
                choice = (overlap, entity)
        if choice is not None:
            self.add_role(choice[1], content)
            return self._touch(choice[1])
        return None

    def recent_org(self) -> Entity | None:
        """The organisation most recently the subject of a sentence."""
        for entity in reversed(self._subjects[-20:]):
            if entity.kind == "org":
                return self._touch(entity)
        return None

    def describe(self, words: list[str]) -> Entity | None:
        """An unnamed source keeps its description ("Treasury spokesman")."""
        content = [w for w in words if w not in ",;:"]
        while content and content[0].lower() in _DETERMINERS | _INDEFINITE:
            content.pop(0)
        if not content or content[-1].lower() in _CAP_STOP or content[-1].endswith(("'s", "’s")):
            return None  # not a noun phrase: "complete ban and", "the ministry's"
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
