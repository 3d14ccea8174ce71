"""Russian quotations: «ёлочки», the dash attribution and Russian names.

Russian punctuates direct speech by rule (Розенталь), which makes attribution more regular
than in English, but the English reader's word lists and word order do not apply:

- after the quote, a dash and the verb first: ``«…», — сказал глава города Андрей Кравцов.``
  (also ``«…?» — спросила она.``, ``«…», — уверен Зотов.``);
- before the quote, a colon: ``Министр Ольга Лебедева заявила: «…»``, ``Он пообещал: «…»``;
  or a comma after an introductory clause: ``Как пояснила пресс-секретарь Марина Белова, «…»``;
- a quote split by its attribution inside one pair of marks:
  ``«Мост обещали ещё к зиме, — сказала Галина Сомова. — Поверю, когда проеду сама».``
  (joined as ``… ... …`` like the English split quotes);
- speakers: a name run (``Андрей Кравцов``, a surname later, in any case: ``Кравцова``), a
  role (``— написал губернатор`` is the person first introduced as ``Губернатор области
  Виктор Ланской``), or a pronoun, resolved to the latest person of the right gender (the
  past-tense verb tells it too: ``сказала`` is a woman).

Quoted names are not speech: Russian quotes names of companies, clubs, papers, films and
operations (``газета «Приозёрский вестник»``, ``ФК «Заря»``), and scare quotes follow
``так называемый``. A quote with no speech cue counts as a statement only when it stands as
its own sentence and is long enough; it continues the last speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ._quote_marks import find_quote_groups
from .models import Quote

__all__ = ["RUSSIAN_SPEECH", "russian_quotes"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _past_forms(stems: str) -> frozenset[str]:
    """Past tense of speech verbs in every gender and number, reflexive forms too."""
    forms: set[str] = set()
    for stem in stems.split():
        for ending in ("л", "ла", "ли", "ло", "лся", "лась", "лись"):
            forms.add(stem + ending)
    return frozenset(forms)


# Past-tense stems ("сказа" + "л/ла/ли"): what reporters write after the dash.
_PAST = _past_forms(
    """сказа заяви отмети добави подчеркну сообщи поясни уточни призна ответи спроси объясни
    рассказа напомни замети указа предупреди пообеща обеща призва написа возрази согласи
    воскликну продолжи заключи резюмирова констатирова завери подели жалова пожалова
    посетова признава говори заговори отозва прокомментирова высказа выскази добавля
    повтори настаива подытожи уверя убежда пошути иронизирова парирова сетова вспомина
    вспомни рассужда размышля предположи допусти опаса сознава подтверди опроверга
    сформулирова охарактеризова описа оцени процитирова цитирова пожела поблагодари
    пригрози потребова предложи посоветова"""
)
# Present tense and short adjectives that work as speech cues ("— уверен Зотов").
_PRESENT = _words(
    """говорит говорят говорится считает считают полагает полагают уверен уверена уверены
    убеждён убеждена убежден убеждены заявляет заявляют отмечает отмечают подчёркивает
    подчеркивает поясняет объясняет рассказывает напоминает добавляет признаёт признает
    утверждает утверждают пишет пишут сообщает сообщают предупреждает уверяет жалуется
    возражает настаивает говорил говорила"""
)
RUSSIAN_SPEECH = _PAST | _PRESENT
# Before the quote, without a verb: "По словам X, «…»" (with one, "Как сообщил X, «…»").
_ACCORDING = re.compile(
    r"^\s*(?:(?:но|однако|а|и)\s*,?\s*)?по\s+(?:словам|мнению|данным|оценке)\s",
    re.IGNORECASE,
)

_PRONOUNS = {"он": "m", "она": "f", "они": None, "его": "m", "её": "f", "ее": "f"}
# Nouns that name a thing whose name follows in quotes: «…» after them is a name, not speech.
_NAME_NOUNS = re.compile(
    r"(?:^|[\s(])(?:газет|журнал|издани|издательств|телеканал|канал|радиостанци|радио|агентств|"
    r"компани|фирм|корпораци|концерн|холдинг|банк|завод|фабрик|комбинат|предприяти|магазин|"
    r"сеть|сети|ресторан|кафе|бар|клуб|фк|хк|команд|партии|партия|движени|фонд|проект|"
    r"программ|операци|акци|конкурс|фестивал|премии|премия|фильм|кинофильм|сериал|спектакл|"
    r"постановк|пьес|книг|роман|повест|песн|альбом|передач|шоу|статье|статья|статьи|рубрик|"
    r"приложени|сайт|портал|платформ|станци|санатори|стадион|дворц|центр|тц|трц|жк|"
    r"комплекс|кинотеатр|театр|музе|гостиниц|отел|теплоход|судн|корабл|самолёт|самолет|"
    r"поезд|бренд|марк|группа|группы|групп|ансамбл|оркестр|хор|ооо|оао|зао|пао|ао|нко|"
    r"ано|гбу|мбу|фгуп|муп|гуп|лагер|школ|гимнази|лице|университет|академи|выставк|"
    r"экспозици|кампани|марафон|турнир|кубк|кубок|чемпионат|лига|лиги|союз|ассоциаци|"
    r"общественн\w*\s+организаци|организаци|инициатив|закон|законопроект|стратеги|"
    r"форум|съезд|саммит|заповедник|парк|сквер|улиц|проспект|площад|район|микрорайон|"
    r"посёлок|поселок|деревн|село|сел|город|клиник|больниц)\w*\s*$",
    re.IGNORECASE,
)
_SCARE_BEFORE = re.compile(
    r"(?:так\s+называем\w*|под\s+названием|под\s+лозунгом|с\s+надписью|с\s+названием|"
    r"словами|слово|словом|фраз\w*|выражени\w*|термин\w*|прозвищ\w*|кличк\w*|"
    r"окрестил\w*|назвал\w*|называ\w*|именуем\w*|пресловут\w*|своеобразн\w*|"
    r"т\.\s?н\.|т\.\s?е\.)\s*$",
    re.IGNORECASE,
)
_PREPOSITIONS = _words(
    """в во на по после для из у с со к ко о об обо при от до за над под перед между через
    без про журналистам корреспонденту изданию телеканалу агентству газете"""
)
_DOCUMENT_WORDS = _words(
    """сообщении заявлении документе пресс-релизе письме обращении релизе публикации
    телеграм-канале канале"""
)
# Titles that open a sentence before a name ("Депутат Сергей Тимофеев считает"): not a name.
_TITLE_WORDS = _words(
    """депутат министр глава губернатор директор мэр президент премьер председатель
    руководитель начальник тренер экономист врач учитель профессор генерал полковник судья
    прокурор адвокат пресс-секретарь представитель сенатор замминистра вице-премьер посол
    академик доктор эксперт аналитик синоптик спикер сотрудник актёр актер режиссёр режиссер
    певец певица писатель писательница журналист журналистка художник художница инженер
    заместитель замглавы вице-губернатор министерство депутатка студент студентка
    пенсионер пенсионерка житель жительница активист активистка волонтёр волонтер
    пресс-служба"""
)
# Common first names: a capitalised pair at a sentence start is a person when it opens with one.
_FIRST_NAMES = _words(
    """александр алексей анатолий андрей антон аркадий арсений артём артем борис вадим
    валентин валерий василий виктор виталий владимир владислав вячеслав геннадий георгий
    глеб григорий даниил денис дмитрий евгений егор иван игорь илья кирилл константин лев
    леонид максим марат михаил никита николай олег павел пётр петр роман руслан сергей
    станислав степан тимур фёдор федор юрий ярослав рустам ринат айдар азат
    александра алина алла анастасия анна антонина валентина валерия вера виктория галина
    дарья евгения екатерина елена елизавета жанна зинаида зоя инна ирина карина кира
    ксения лариса лидия любовь людмила маргарита марина мария надежда наталья наталия
    нина оксана ольга полина раиса светлана софья софия тамара татьяна ульяна юлия яна"""
)
_FEMININE_NOUN = ("ница", "ниця", "тка", "стка", "ерка", "чка", "иня", "есса", "иса")
_MALE_NAMES_IN_A = _words("никита илья кузьма фома лука савва данила гаврила")
_SURNAME_F = re.compile(r"(?:ова|ева|ёва|ина|ына|ская|цкая|ая|яя)$")
_SURNAME_M = re.compile(r"(?:ов|ев|ёв|ин|ын|ский|цкий|ой|ий|ый)$")
_PATRONYMIC_F = re.compile(r"(?:овна|евна|ична|инична)$")
_PATRONYMIC_M = re.compile(r"(?:ович|евич|ич)$")
_WORD = re.compile(r"⟦\d+⟧|[^\W\d_][\w’'-]*|\d[\d.,]*|[,;:.!?…]|[—–]")
_CASE_ENDINGS = (
    "ами",
    "ому",
    "ему",
    "ого",
    "его",
    "ыми",
    "ими",
    "ой",
    "ей",
    "ом",
    "ем",
    "ым",
    "им",
    "ую",
    "юю",
    "ах",
    "ях",
    "а",
    "я",
    "у",
    "ю",
    "е",
    "ы",
    "и",
)
# Past tense or 3rd person present: the shape of a verb opening an attribution.
_VERB_FORM = re.compile(
    r"(?:[аеиоуяыю]л|[аеиоуяыю]ла|[аеиоуяыю]ли|лся|лась|лись|[еи]т|ют|ят|ется|ится)$"
)
# The dash that hands over from a quote to its author ("», — сказал"); " - " in plain text.
_DASH_AFTER = re.compile(r"[,!?…]*\s*(?:[—–]|-(?=\s))\s+")
# "X заявил, что «…»": the quote continues the reporter's sentence.
_THAT_BEFORE = re.compile(r"(?P<clause>[^.!?]*?),?\s+(?:что|мол|будто|дескать)\s*$")
# "— этими словами X открыла митинг": the words are X's though no speech verb follows.
_WITH_THESE_WORDS = [["этими", "словами"], ["такими", "словами"]]
_SENTENCE_END = re.compile(r"[.!?…]\s+(?=[«\"„“(—–A-ZА-ЯЁ])")
_MIN_STANDALONE_WORDS = 4


def _is_cap(word: str) -> bool:
    return word[:1].isupper() and not word.startswith("⟦")


def _gender_of_name(words: list[str]) -> str | None:
    for word in words:
        low = word.lower()
        if _PATRONYMIC_F.search(low):
            return "f"
        if _PATRONYMIC_M.search(low):
            return "m"
    first, last = words[0].lower(), words[-1].lower()
    if len(words) >= 2:
        if first in _MALE_NAMES_IN_A:
            return "m"
        return "f" if first.endswith(("а", "я")) else "m"
    if _SURNAME_F.search(last):
        return "f"
    if _SURNAME_M.search(last):
        return "m"
    return None


def _noun_gender(noun: str) -> str | None:
    """A feminine role noun ("исследовательница", "активистка"); masculine ones are used for
    women too ("добавила эксперт"), so they tell nothing."""
    return "f" if noun.lower().endswith(_FEMININE_NOUN) else None


def _verb_gender(verb: str) -> str | None:
    low = verb.lower()
    if low.endswith(("ла", "лась")):
        return "f"
    if low.endswith(("л", "лся")):
        return "m"
    return None


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    low = word.lower().replace("ё", "е")
    for ending in _CASE_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 3:
            return low[: -len(ending)]
    return low


@dataclass(slots=True)
class Person:
    """Somebody named in the article: fullest name seen, gender when known, role words."""

    name: list[str]
    gender: str | None
    roles: set[str] = field(default_factory=set)
    seen: int = 0  # the paragraph of the latest mention
    org: bool = False  # an organisation ("пресс-служба МЧС"): never a "он" or "она"

    @property
    def surname(self) -> str:
        return _stem(self.name[-1])


@dataclass(slots=True)
class _Memory:
    """People in order of mention; the last speaker; resolves names, roles and pronouns."""

    people: list[Person] = field(default_factory=list)
    recent: list[Person] = field(default_factory=list)  # most recent last
    last_speaker: Person | None = None
    para: int = 0  # the paragraph being read
    orgs: dict[str, Person] = field(default_factory=dict)  # fullest name by its head noun

    def org(self, words: list[str]) -> Person | None:
        """An organisation named by a head noun and what follows it ("пресс-службе
        регионального МЧС" -> "пресс-служба регионального МЧС"); a bare head ("пресс-службы")
        is the fullest one named before ("Пресс-служба суда уточнила...")."""
        name = _org_name(words)
        if name is None:
            return None
        if len(name) == 1 and name[0] in self.orgs:
            return self.touch(self.orgs[name[0]])
        person = Person(name, None, org=True)
        if len(name) > 1 or name[0] not in self.orgs:
            self.orgs[name[0]] = person
        return self.touch(person)

    def touch(self, person: Person) -> Person:
        person.seen = self.para
        if person in self.recent:
            self.recent.remove(person)
        self.recent.append(person)
        return person

    def find(self, run: list[str], *, strict: bool = False) -> Person | None:
        """A known person this run names: the same surname, or its stem in another case
        (``Кравцова`` is Кравцов's genitive). ``strict`` (a nominative run, e.g. right after
        a speech verb) refuses a stem match of the other gender: ``Шубина`` is not ``Шубин``."""
        last = run[-1].lower().replace("ё", "е")
        for person in reversed(self.people):
            if person.name[-1].lower().replace("ё", "е") == last:
                return person
        key = _stem(run[-1])
        gender = _gender_of_name(run) if strict else None
        for person in reversed(self.people):
            if person.surname == key or (len(run) == 1 and _stem(person.name[0]) == key):
                if gender and person.gender and gender != person.gender:
                    continue
                return person
        return None

    def person(self, run: list[str], *, nominative: bool, gender: str | None = None) -> Person:
        known = self.find(run, strict=nominative)
        if known is not None:
            if nominative and len(run) > len(known.name):
                known.name = run
            if known.gender is None:
                known.gender = gender or _gender_of_name(run)
            return self.touch(known)
        person = Person(run, gender or _gender_of_name(run) if len(run) > 1 else gender)
        if person.gender is None:
            person.gender = _gender_of_name(run)
        self.people.append(person)
        return self.touch(person)

    def by_role(self, words: list[str]) -> Person | None:
        stems = {_stem(w) for w in words}
        for person in reversed(self.recent):
            if stems & person.roles:
                return self.touch(person)
        return None

    def by_gender(self, gender: str | None) -> Person | None:
        """The most recently mentioned (or speaking) person of that gender."""
        for person in reversed(self.recent):
            if not person.org and (gender is None or person.gender in (gender, None)):
                return self.touch(person)
        return None

    def nearby(self, gender: str | None) -> Person | None:
        """The person a bare role points back to ("— добавила эксперт" after "Экономист
        Наталья Берестова считает..."): the latest of that gender, if named in this
        paragraph or the one before; farther back the role may be somebody never named."""
        for person in reversed(self.recent):
            if person.org:
                continue
            if person.seen < self.para - 1:
                return None
            if gender is None or person.gender in (gender, None):
                return self.touch(person)
        return None


@dataclass(slots=True)
class _Found:
    text: str
    para: int
    start: int  # opening mark
    end: int  # just after the closing mark
    pieces: int = 1
    speaker: Person | None = None
    cue: bool = False
    name: bool = False
    standalone: bool = False
    partial: bool = False


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


def _name_runs(tokens: list[str], *, skip_first: bool) -> list[tuple[int, int]]:
    """Spans of capitalised words (a person's name, or an organisation's).

    A sentence's first word is capitalised anyway: with ``skip_first`` it starts a name only
    when more capitalised words follow and it is not a title ("Депутат Сергей Тимофеев").
    """
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if _is_cap(tokens[i]) and tokens[i][0].isalpha():
            j = i
            while j < len(tokens) and _is_cap(tokens[j]) and tokens[j][0].isalpha():
                j += 1
            start = i
            title = tokens[0].lower() in _TITLE_WORDS
            if i == 0 and (skip_first or title) and (title or j - i < 2):
                start = 1
            # "мэр Тихвинска Григорий Осипов", "Учительница Дарья ...": the name starts at
            # the first name.
            first_name = next(
                (
                    k
                    for k in range(start + 1, j)
                    if tokens[k].lower().replace("ё", "е") in _FIRST_NAMES
                ),
                None,
            )
            if first_name is not None:
                start = first_name
            if start < j:
                runs.append((start, min(j, start + 3)))
            i = j
        else:
            i += 1
    return runs


# Words after which a name stands in the genitive: "по словам Ивана Кузнецова".
_OBLIQUE_BEFORE = _words("словам мнению данным сведениям оценке утверждению заявлению")
_GENITIVE_ENDINGS = (
    ("ского", "ский"),
    ("цкого", "цкий"),
    ("ой", "а"),
    ("ей", "я"),
    ("ого", "ой"),
    ("ова", "ов"),
    ("ева", "ев"),
    ("ёва", "ёв"),
    ("ина", "ин"),
    ("ына", "ын"),
)


# First names that lose a vowel in the other cases.
_FLEETING_VOWEL = {"павла": "Павел", "льва": "Лев", "петра": "Пётр"}


def _nominative(run: list[str], *, oblique: bool = True) -> list[str]:
    """A genitive name in the nominative, when its first name says how: "Ивана Кузнецова" ->
    "Иван Кузнецов", "Марины Беловой" -> "Марина Белова". Unknown shapes stay as they are.

    Without ``oblique`` (no "по словам" before it) the run may well be a nominative: it
    changes only when its first name is no nominative one ("Сергея", not "Александра"), or
    when an unlisted first name stands before a surname only a genitive has ("Ростислава
    Бельского", "Агнии Лозовой")."""
    first = run[0].lower().replace("ё", "е")
    if len(run) < 2 or (not oblique and first in _FIRST_NAMES):
        return run
    last = run[-1].lower()
    if first in _FLEETING_VOWEL:  # "Павла" -> "Павел"
        male = True
        names = [_FLEETING_VOWEL[first]]
    elif first.endswith("а") and first[:-1] in _FIRST_NAMES:
        male = True
        names = [run[0][:-1]]
    elif first.endswith(("ы", "и")) and (first[:-1] + "а") in _FIRST_NAMES:
        male = False
        names = [run[0][:-1] + "а"]
    elif first.endswith("и") and (first[:-1] + "я") in _FIRST_NAMES:
        male = False
        names = [run[0][:-1] + "я"]
    elif first.endswith("я") and (first[:-1] + "й") in _FIRST_NAMES:
        male = True
        names = [run[0][:-1] + "й"]
    elif first.endswith(("а", "я")) and last.endswith(("ского", "цкого")):
        male = True
        names = [run[0][:-1] + ("й" if first.endswith("я") else "")]
    elif first.endswith(("ы", "и")) and last.endswith(("ой", "ей")) and len(first) > 2:
        male = False
        soft = first.endswith("и") and first[-2] not in "гкхжшчщ"
        names = [run[0][:-1] + ("я" if soft else "а")]
    else:
        return run
    for word in run[1:]:
        low = word.lower()
        for ending, nominative in _GENITIVE_ENDINGS:
            if low.endswith(ending) and (male or ending in ("ой", "ей")):
                word = word[: len(word) - len(ending)] + nominative
                break
        else:
            if male and low.endswith("а"):
                word = word[:-1]
        names.append(word)
    return names


# Head nouns of institutions that speak through reporters, by stem, in the nominative.
_ORG_HEADS = {
    "пресс-служб": "пресс-служба",
    "пресс-центр": "пресс-центр",
    "ведомств": "ведомство",
    "министерств": "министерство",
    "администраци": "администрация",
    "мэри": "мэрия",
    "правительств": "правительство",
    "прокуратур": "прокуратура",
    "полици": "полиция",
    "компани": "компания",
    "штаб": "штаб",
    "департамент": "департамент",
    "управлени": "управление",
    "комитет": "комитет",
}
# Not part of an institution's name: a verb ("Пресс-служба суда уточнила").
_VERB_LIKE = re.compile(r"(?:л|ла|ли|ло|лся|лась|лись|[еи]т|ют|ят|ется|ится)$")


def _org_head(word: str) -> str | None:
    low = word.lower().replace("ё", "е")
    if len(word) > 1 and word.isupper() and word.isalpha():
        return word  # МЧС, МВД
    for stem, nominative in _ORG_HEADS.items():
        if low.startswith(stem) and len(low) - len(stem) <= 2:
            return nominative
    return None


def _org_name(words: list[str]) -> list[str] | None:
    """An institution's name from its head noun on, the head in the nominative, the rest
    (a genitive: "регионального МЧС", "Северо-Восточной железной дороги") as written."""
    if not words:
        return None
    head = _org_head(words[0])
    if head is None:
        return None
    name = [head]
    for word in words[1:5]:
        low = word.lower()
        if (
            not word[:1].isalpha()
            or low in _PREPOSITIONS
            or low in RUSSIAN_SPEECH
            or (not word.isupper() and _VERB_LIKE.search(low))
        ):
            break
        name.append(word)
    return name


def _not_abbr(run: list[str]) -> bool:
    """Not an abbreviation such as МЧС or ФК: organisations, never people."""
    return not any(len(w) > 1 and w.isupper() for w in run)


def _looks_like_person(run: list[str]) -> bool:
    """Name-shaped: no abbreviation (МЧС), and a first name, patronymic or surname ending."""
    if not _not_abbr(run):
        return False
    low = [w.lower().replace("ё", "е") for w in run]
    if low[0] in _FIRST_NAMES or any(
        _PATRONYMIC_F.search(w) or _PATRONYMIC_M.search(w) for w in low
    ):
        return True
    return bool(_SURNAME_F.search(low[-1]) or _SURNAME_M.search(low[-1]))


def _role_before(tokens: list[str], start: int) -> set[str]:
    """The role words right before a name: "глава города", "главный тренер «Зари»"."""
    roles: set[str] = set()
    k = start - 1
    taken = 0
    while k >= 0 and taken < 4:
        word = tokens[k]
        if word.startswith("⟦"):
            k -= 1
            continue
        if not word[:1].isalpha() or word.lower() in _PREPOSITIONS or (_is_cap(word) and k > 0):
            break
        if word.lower() in RUSSIAN_SPEECH:
            break
        roles.add(_stem(word))
        taken += 1
        k -= 1
    return roles


class _Reader:
    def __init__(self) -> None:
        self.memory = _Memory()

    def learn(self, sentence: str) -> None:
        """Remember the people a reporter's sentence names, with their roles."""
        tokens = _tokens(sentence)
        for start, end in _name_runs(tokens, skip_first=True):
            run = tokens[start:end]
            # Two capitalised words inside a sentence are a name ("Эльвира Гарт").
            shaped = _looks_like_person(run) or (len(run) >= 2 and start > 0 and _not_abbr(run))
            if not shaped and self.memory.find(run) is None:
                continue
            nominative = end < len(tokens) and (
                tokens[end].lower() in RUSSIAN_SPEECH or tokens[end] in {",", "—", "–"}
            )
            if start > 0 and tokens[start - 1].lower() in _OBLIQUE_BEFORE:
                run, nominative = _nominative(run), False
            else:
                run = _nominative(run, oblique=False)  # "победил Сергея Пантелеева"
            person = self.memory.person(run, nominative=nominative or len(run) > 1)
            person.roles |= _role_before(tokens, start)
        self._learn_orgs(tokens)
        # A sentence that opens with a name ("Алиев сказал, что ...") mentions that person.
        if tokens and _is_cap(tokens[0]) and len(tokens) > 1:
            known = self.memory.find([tokens[0]])
            if known is not None:
                self.memory.touch(known)
        first = tokens[0].lower() if tokens else ""
        if _PRONOUNS.get(first):
            self.memory.by_gender(_PRONOUNS[first])

    def _learn_orgs(self, tokens: list[str]) -> None:
        """Institutions a sentence names in full ("Пресс-служба суда уточнила"), so that a
        later bare "пресс-службы" can be told whose it is."""
        for i, word in enumerate(tokens):
            if not word.isupper() and _org_head(word) is not None:
                name = _org_name(tokens[i:])
                if name is not None and len(name) > 1:
                    self.memory.orgs[name[0]] = Person(name, None, org=True)

    def speaker(self, clause: str, *, after_quote: bool) -> tuple[bool, Person | None]:
        """Whether ``clause`` attributes a quote, and to whom. After a quote and its dash the
        clause is the author's by the punctuation rule, so any verb opening it counts
        (``— возмутилась Крылова``), not only the listed speech verbs."""
        tokens = _tokens(clause)
        lead = [t.lower() for t in tokens[:3]]
        skip = 1 if lead[:1] == ["с"] else 0
        if after_quote and lead[skip : skip + 2] in _WITH_THESE_WORDS:
            # "«…», — этими словами активистка Юлия Зорина открыла митинг": who said it.
            return True, self._resolve(self._phrase(tokens[skip + 2 :]), None)
        verbs = [i for i, t in enumerate(tokens) if t.lower() in RUSSIAN_SPEECH]
        if after_quote and tokens and _VERB_FORM.search(tokens[0].lower()):
            verbs = [0, *[v for v in verbs if v]]
        according_to = None if after_quote else _ACCORDING.search(clause)
        according = according_to is not None
        if not verbs and not according:
            return False, None
        v = verbs[0] if verbs else 0
        gender = _verb_gender(tokens[v]) if verbs else None
        if verbs and tokens[v].lower() == "говорится":
            subject = tokens[v + 1 :]
            if subject and subject[0].lower() == "в":
                subject = subject[1:]
            if subject and subject[0].lower() in _DOCUMENT_WORDS:
                subject = subject[1:]
            org = self.memory.org(subject)
            if org is not None:
                return True, org
            runs = _name_runs(subject, skip_first=False)
            if runs:
                s, e = runs[0]
                return True, self.memory.person(subject[s:e], nominative=True)
            # "в сообщении регулятора": whoever was called that ("..., сообщил регулятор").
            return True, self.memory.by_role(subject[:1]) if subject else None
        # The subject: after the verb (inverted, the rule after a dash and after "как"),
        # else before it ("Министр Ольга Лебедева заявила:").
        if verbs:
            after = self._phrase(tokens[v + 1 :])
        else:  # "По словам Ивана Кузнецова, «…»": the name follows "по словам"
            assert according_to is not None
            after = self._phrase(["словам", *_tokens(clause[according_to.end() :])])
        before = self._phrase_back(tokens[:v]) if verbs else []
        for phrase in (after, before) if after_quote or not before else (before, after):
            # Before the verb, outside a dash clause, the phrase opens the sentence.
            opens = phrase is before and not after_quote and len(before) == v
            person = self._resolve(phrase, gender, opens_sentence=opens)
            if person is not None:
                return True, person
        if not after and not before:
            return True, self.memory.by_gender(gender)  # "— добавила." : the verb's gender
        return True, None  # "— отметили в пресс-службе": somebody we cannot name

    @staticmethod
    def _phrase(tokens: list[str]) -> list[str]:
        out: list[str] = []
        for word in tokens:
            if word in {".", "!", "?", "…", ":", ";"}:
                break
            if word == "," and any(_is_cap(w) for w in out):
                break
            out.append(word)
        return [w for w in out if w != ","]

    @staticmethod
    def _phrase_back(tokens: list[str]) -> list[str]:
        out: list[str] = []
        for word in reversed(tokens):
            if word in {".", "!", "?", "…", ":", ";", ",", "—", "–"}:
                break
            out.insert(0, word)
        return out

    def _resolve(
        self, words: list[str], gender: str | None, *, opens_sentence: bool = False
    ) -> Person | None:
        if not words:
            return None
        if words[0].lower() in {"в", "во"}:  # "— сообщили в пресс-службе МЧС"
            org = self.memory.org(words[1:])
            if org is not None:
                return org
        for word in words:
            low = word.lower()
            if low in _PRONOUNS and low in {"он", "она", "они"}:
                return self.memory.by_gender(_PRONOUNS[low])
        # A name: the last capitalised run (a leading title is not part of it), not one after
        # a preposition ("Виктор Ламакин из Ольховска").
        for start, end in reversed(_name_runs(words, skip_first=False)):
            run = words[start:end]
            # The subject of a speech verb: a capitalised word is a person ("— говорит Рудь"),
            # except the first word of a sentence ("Как сообщил ..."), capitalised anyway.
            if not _not_abbr(run) or (start > 0 and words[start - 1].lower() in _PREPOSITIONS):
                continue
            known = _looks_like_person(run) or self.memory.find(run) is not None
            if opens_sentence and start == 0 and len(run) == 1 and not known:
                continue
            oblique = start > 0 and words[start - 1].lower() in _OBLIQUE_BEFORE
            run = _nominative(run, oblique=oblique)
            person = self.memory.person(run, nominative=not oblique, gender=gender)
            person.roles |= _role_before(words, start)
            return person
        # A role: "губернатор", "министр транспорта", "тренер".
        cut = next((i for i, w in enumerate(words) if w.lower() in _PREPOSITIONS), len(words))
        role = [w for w in words[:cut] if not w.startswith("⟦")]
        if role:
            referent = self.memory.by_role(role)
            if referent is None and role[0][:1].islower() and role[0].isalpha():
                # Reporters vary the role ("Защитник ..." then "— пояснил адвокат").
                referent = self.memory.nearby(gender or _noun_gender(role[0]))
            return referent
        return None


def _split_inside(text: str) -> tuple[str, str, str] | None:
    """``Начало, — сказала она. — Конец`` -> (начало, attribution, конец), or None."""
    parts = re.split(r"\s+[—–-]\s+", text)
    for i in range(1, len(parts) - 1):
        head, middle = " — ".join(parts[:i]), parts[i]
        if not head.rstrip().endswith((",", ".", "!", "?", "…")):
            continue
        if not middle.rstrip().endswith((",", ".", ":")):
            continue
        words = [w.lower() for w in _tokens(middle)]
        if (words and words[0] in RUSSIAN_SPEECH) or any(w in RUSSIAN_SPEECH for w in words[:3]):
            tail = " — ".join(parts[i + 1 :])
            return head.rstrip().rstrip(","), middle, tail
    return None


def _sentence_start(text: str, index: int) -> int:
    start = 0
    for match in _SENTENCE_END.finditer(text, 0, index + 1):
        if match.end() <= index:
            start = match.end()
    return start


def _sentence_end(text: str, index: int) -> int:
    match = _SENTENCE_END.search(text, index)
    return match.start() + 1 if match else len(text)


def _mask_quotes(text: str) -> str:
    return re.sub(r"«[^«»]*»|„[^„“]*“", " ⟦0⟧ ", text)


def _hide_inner_quotes(text: str) -> str:
    """„…“ inside «…» is a quote within the quote: hide its marks from the mark finder
    (same length, so every offset still points into the original text)."""
    if "«" not in text or not ("„" in text or "“" in text):
        return text
    out, depth = [], 0
    for ch in text:
        if ch == "«":
            depth += 1
        elif ch == "»":
            depth = max(0, depth - 1)
        elif depth and ch in "„“":
            ch = "‚" if ch == "„" else "‘"
        out.append(ch)
    return "".join(out)


def russian_quotes(paragraphs: tuple[str, ...] | list[str]) -> list[Quote]:
    """Statement quotes of a Russian article in order, with speakers (not ranked)."""
    groups = find_quote_groups([_hide_inner_quotes(p) for p in paragraphs])
    found: list[_Found] = []
    for group in groups:
        first, last = group.pieces[0], group.pieces[-1]
        text = " ... ".join(paragraphs[p.para][p.start : p.end].strip() for p in group.pieces)
        found.append(
            _Found(
                text=text,
                para=first.para,
                start=first.mark_start,
                end=last.mark_end if last.para == first.para else len(paragraphs[first.para]),
                pieces=len(group.pieces),
            )
        )
    if not found:
        return []
    reader = _Reader()
    by_para: dict[int, list[_Found]] = {}
    for item in found:
        by_para.setdefault(item.para, []).append(item)
    last_para = max(by_para)
    for p_index, para in enumerate(paragraphs[: last_para + 1]):
        reader.memory.para = p_index
        items = by_para.get(p_index, [])
        pos = 0
        for item in items:
            if item.start < pos:
                item.name = True  # inside another quote's attribution ("тренер «Зари»")
                continue
            # Reporter sentences before this quote teach the memory.
            sent_start = _sentence_start(para, item.start)
            for sentence in _SENTENCE_END.split(para[pos:sent_start]):
                if sentence.strip():
                    reader.learn(_mask_quotes(sentence))
            pos = _attribute(reader, item, para, sent_start)
        tail = para[pos:]
        for sentence in _SENTENCE_END.split(tail):
            if sentence.strip():
                reader.learn(_mask_quotes(sentence))
    quotes = []
    for item in found:
        if item.name or not _is_statement(item):
            continue
        speaker = " ".join(item.speaker.name) if item.speaker else None
        quotes.append(Quote(text=item.text, speaker=speaker, partial=item.partial))
    return quotes


def _attribute(reader: _Reader, item: _Found, para: str, sent_start: int) -> int:
    """Attribute one quote; returns where the reporter's text after it starts."""
    before = para[sent_start : item.start]
    item.standalone = not before.strip()
    inside = _split_inside(item.text) if item.pieces == 1 else None
    cue, speaker = False, None
    if inside is not None:
        head, middle, tail = inside
        cue, speaker = reader.speaker(middle, after_quote=True)
        if cue:
            item.text = f"{head} ... {tail}"
    after_text = para[item.end :]
    consumed = item.end
    dash = _DASH_AFTER.match(after_text)
    if not cue and dash:
        clause_end = _sentence_end(after_text, dash.end())
        clause = after_text[dash.end() : clause_end]
        cue, speaker = reader.speaker(_mask_quotes(clause), after_quote=True)
        if cue:
            consumed = item.end + clause_end
    if not cue and before.strip():
        stripped = before.rstrip()
        that = _THAT_BEFORE.search(stripped)
        if stripped.endswith((":", ",")):
            cue, speaker = reader.speaker(_mask_quotes(stripped[:-1]), after_quote=False)
        elif that and any(t.lower() in RUSSIAN_SPEECH for t in _tokens(that.group("clause"))):
            # "Министр отметил, что «решение окончательное»": the minister's words, in part.
            cue, speaker = reader.speaker(_mask_quotes(that.group("clause")), after_quote=False)
            item.partial = cue
    if not cue:
        preceding = _mask_quotes(before)
        if _SCARE_BEFORE.search(preceding) or _NAME_NOUNS.search(preceding):
            item.name = True
        elif before.strip() and not before.rstrip().endswith((":", ",")):
            item.name = len(_tokens(item.text)) <= 5 or item.text[:1].isupper()
    if cue:
        item.cue = True
        item.speaker = speaker
        if speaker is not None:
            reader.memory.last_speaker = speaker
            reader.memory.touch(speaker)
    elif item.standalone and not item.name:
        item.speaker = reader.memory.last_speaker
    if before.strip():
        reader.learn(_mask_quotes(before))
    return consumed


def _is_statement(item: _Found) -> bool:
    words = _tokens(item.text)
    if item.name or not words:
        return False
    if item.cue:
        return True
    return item.standalone and len(words) >= _MIN_STANDALONE_WORDS
