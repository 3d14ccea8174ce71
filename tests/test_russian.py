"""Russian articles: language detection, «ёлочки» quotes with dash attribution, summaries.

Fixture texts are fictional and written for these tests (see tests/data/russian/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from summaries import (
    SummaryOptions,
    Tokenizer,
    detect_language,
    extract_quotes,
    parse_article,
    summarize,
    summarize_article,
)
from summaries._quote_russian import russian_quotes
from summaries._stopwords import function_words, sumy_stop_words
from summaries.models import Quote

DATA = Path(__file__).resolve().parent / "data" / "russian"


def quotes(*paragraphs: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in russian_quotes(paragraphs)]


# -- language -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Администрация города объявила, что мост откроют в июне.", "russian"),
        ("The council said the bridge would open in June.", "english"),
        ("Компания Apple и агентство Reuters сообщили, что продажи iPhone выросли.", "russian"),
        ("The word «perestroika» (перестройка) entered English in the 1980s.", "english"),
        ("2024 — 15%", "english"),
    ],
)
def test_language_is_read_from_the_share_of_cyrillic_letters(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_language_of_paragraphs_and_default() -> None:
    assert detect_language(["Первый абзац.", "Второй абзац."]) == "russian"
    assert detect_language("", default="russian") == "russian"


# -- quotes: attribution --------------------------------------------------------------------------


def test_dash_after_the_quote_names_the_speaker() -> None:
    assert quotes("«Мы закончим работы к осени», — сказал мэр Тихвинска Григорий Осипов.") == [
        ("Мы закончим работы к осени", "Григорий Осипов")
    ]


def test_colon_before_the_quote_names_the_speaker() -> None:
    assert quotes("Министр культуры края Лариса Вольская заявила: «Театр не закроют».") == [
        ("Театр не закроют", "Лариса Вольская")
    ]


def test_introductory_clause_with_a_comma_names_the_speaker() -> None:
    text = "Как сообщил представитель завода Семён Гаврилов, «линия заработает в марте»."
    assert quotes(text) == [("линия заработает в марте", "Семён Гаврилов")]


def test_question_and_exclamation_before_the_dash() -> None:
    first = "Учительница Дарья Мельникова вошла в класс."
    second = "«Кто разбил окно?» — спросила Мельникова. «Признавайтесь!» — потребовала она."
    assert quotes(first, second) == [
        ("Кто разбил окно?", "Дарья Мельникова"),
        ("Признавайтесь!", "Дарья Мельникова"),
    ]


def test_quote_split_by_its_attribution_is_joined() -> None:
    text = "«Дорогу откроют в пятницу, — пояснил инженер Фёдор Лукин. — Но скорость ограничат»."
    assert quotes(text) == [("Дорогу откроют в пятницу ... Но скорость ограничат", "Фёдор Лукин")]


def test_dash_inside_a_quote_without_a_verb_is_not_a_split() -> None:
    text = "«Школа — это сердце села», — сказал депутат Олег Рысев."
    assert quotes(text) == [("Школа — это сердце села", "Олег Рысев")]


def test_any_verb_after_the_dash_attributes() -> None:
    text = "Вдова художника Эльвира Гарт пришла на открытие."
    assert quotes(text, "«Он бы этому порадовался», — вздохнула Гарт.") == [
        ("Он бы этому порадовался", "Эльвира Гарт")
    ]


def test_pronoun_goes_to_the_latest_person_of_its_gender() -> None:
    paragraphs = (
        "Глава района Вадим Сорокин и его заместитель Инна Белых осмотрели школу.",
        "«Ремонт затянулся», — признала она.",
        "«Подрядчика оштрафуют», — добавил он.",
    )
    assert quotes(*paragraphs) == [
        ("Ремонт затянулся", "Инна Белых"),
        ("Подрядчика оштрафуют", "Вадим Сорокин"),
    ]


def test_surname_in_another_case_is_the_same_person() -> None:
    paragraphs = (
        "Председатель кооператива Аркадий Зуев собрал жильцов.",
        "По словам Зуева, крышу починят летом.",
        "«Деньги уже собраны», — уточнил Зуев.",
    )
    assert quotes(*paragraphs) == [("Деньги уже собраны", "Аркадий Зуев")]


def test_a_woman_with_her_fathers_surname_is_not_him() -> None:
    paragraphs = (
        "Коллекцию собрал инженер Борис Шубин.",
        "«Отец мечтал о музее», — сказала Шубина.",
    )
    assert quotes(*paragraphs) == [("Отец мечтал о музее", "Шубина")]


def test_role_refers_back_to_the_person_introduced_with_it() -> None:
    paragraphs = (
        "Губернатор области Виктор Ланской посетил завод.",
        "Рабочие пожаловались на зарплаты.",
        "«Разберёмся в течение недели», — пообещал губернатор.",
    )
    assert quotes(*paragraphs) == [("Разберёмся в течение недели", "Виктор Ланской")]


def test_standalone_quote_continues_the_last_speaker() -> None:
    paragraphs = (
        "«Сезон будет трудным», — сказал тренер Игорь Сафонов.",
        "«У нас молодая команда, и ей нужно время, чтобы сыграться».",
    )
    assert quotes(*paragraphs) == [
        ("Сезон будет трудным", "Игорь Сафонов"),
        ("У нас молодая команда, и ей нужно время, чтобы сыграться", "Игорь Сафонов"),
    ]


def test_nested_quotes_stay_inside_the_quotation() -> None:
    text = "«Мы назвали проект „Чистый берег“ в честь акции школьников», — сказала Нина Орлова."
    assert quotes(text) == [
        ("Мы назвали проект „Чистый берег“ в честь акции школьников", "Нина Орлова")
    ]


def test_quote_continuing_the_reporters_sentence_is_a_partial_statement() -> None:
    [quote] = russian_quotes(
        ("Министр финансов Глеб Арсеньев отметил, что «решение окончательное».",)
    )
    assert (quote.text, quote.speaker, quote.partial) == (
        "решение окончательное",
        "Глеб Арсеньев",
        True,
    )


def test_plain_text_straight_quotes_and_hyphen_dash() -> None:
    text = '"Мы выполнили обещание", - сказал глава города Андрей Кравцов.'
    assert quotes(text) == [("Мы выполнили обещание", "Андрей Кравцов")]


def test_genitive_name_after_po_slovam_is_given_in_the_nominative() -> None:
    paragraphs = ("По словам Марины Беловой, «спрос вырос».", "«Мы довольны», — добавила Белова.")
    assert quotes(*paragraphs) == [
        ("спрос вырос", "Марина Белова"),
        ("Мы довольны", "Марина Белова"),
    ]


def test_po_slovam_after_a_conjunction_and_kak_without_a_verb() -> None:
    assert quotes("Однако, по словам Ивана Кузнецова, «завод будет работать».") == [
        ("завод будет работать", "Иван Кузнецов")
    ]
    assert quotes("Как и в прошлом году, «ярмарка пройдёт на площади».") == []


def test_an_unnamed_institution_is_not_the_last_person_mentioned() -> None:
    paragraphs = (
        "Глава города Андрей Кравцов приехал на стройку.",
        "«Работы идут по графику», — отметили в пресс-службе мэрии.",
    )
    assert quotes(*paragraphs) == [("Работы идут по графику", "пресс-служба мэрии")]


def test_an_institution_speaks_under_its_name_in_the_nominative() -> None:
    assert quotes("«Дорогу откроют в среду», — сообщили в пресс-службе областного МВД.") == [
        ("Дорогу откроют в среду", "пресс-служба областного МВД")
    ]
    assert quotes("«Жертв нет», — говорится в заявлении администрации посёлка.") == [
        ("Жертв нет", "администрация посёлка")
    ]


def test_a_bare_press_service_is_the_one_named_before() -> None:
    paragraphs = (
        "Пресс-служба филармонии уточнила, что концерт перенесут.",
        "«Билеты остаются в силе», — говорится в сообщении пресс-службы.",
    )
    assert quotes(*paragraphs) == [("Билеты остаются в силе", "пресс-служба филармонии")]


def test_a_document_of_a_role_is_the_person_with_that_role() -> None:
    paragraphs = (
        "Министр спорта Ильдар Сафин приехал на открытие катка.",
        "«Каток будет бесплатным для школьников», — говорится в обращении министра.",
    )
    assert quotes(*paragraphs) == [("Каток будет бесплатным для школьников", "Ильдар Сафин")]


def test_a_new_role_word_points_back_to_the_person_just_named() -> None:
    paragraphs = (
        "Социолог Вера Ланге считает, что опросу можно верить.",
        "«Выборка большая, ошибка меньше двух процентов», — пояснила эксперт.",
    )
    assert quotes(*paragraphs) == [("Выборка большая, ошибка меньше двух процентов", "Вера Ланге")]
    # A feminine role noun tells the gender when the verb does not.
    paragraphs = (
        "Соседка Ольга Мезенцева позвала мастера Павла Грина.",
        "«Мы приезжаем сюда каждое лето», — улыбается собеседница.",
    )
    assert quotes(*paragraphs) == [("Мы приезжаем сюда каждое лето", "Ольга Мезенцева")]


def test_a_role_word_does_not_reach_back_past_the_previous_paragraph() -> None:
    paragraphs = (
        "Социолог Вера Ланге считает, что опросу можно верить.",
        "Опрос проводили в мае.",
        "В нём участвовали две тысячи человек.",
        "«Цифры нас удивили», — призналась организатор.",
    )
    assert quotes(*paragraphs) == [("Цифры нас удивили", None)]


def test_a_genitive_name_outside_po_slovam_is_given_in_the_nominative() -> None:
    paragraphs = (
        "Суд оправдал Романа Зотова и его соседа.",
        "«Справедливость есть», — сказал он.",
    )
    assert quotes(*paragraphs) == [("Справедливость есть", "Роман Зотов")]
    # An unlisted first name: the surname's genitive ending tells the case.
    paragraphs = (
        "Премьеру поставили по пьесе Всеволода Кринского.",
        "«Я писал её десять лет», — признался Кринский.",
    )
    assert quotes(*paragraphs) == [("Я писал её десять лет", "Всеволод Кринский")]


def test_a_place_after_a_preposition_is_not_the_speaker() -> None:
    text = "«Я снова хожу без трости», — говорит 70-летний Пётр Лисицын из Заречинска."
    assert quotes(text) == [("Я снова хожу без трости", "Пётр Лисицын")]


def test_with_these_words_after_the_dash_attributes() -> None:
    text = "«Парк останется парком», — этими словами депутат Олег Рыжов открыл собрание."
    assert quotes(text) == [("Парк останется парком", "Олег Рыжов")]


# -- quotes: names and scare quotes are not statements --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Так называемая «зелёная волна» заработает позже.",
        "Об этом сообщила газета «Приозёрский вестник».",
        "Компания «Северные крылья» возобновит рейсы.",
        "Футбольный клуб «Заря» вышел в полуфинал.",
        "Среди них — спектакль «Кот в сапогах» и постановка «Гроза».",
        "Результаты опубликованы в журнале «Вопросы гидробиологии».",
        "Губернатор назвал ситуацию «затянувшимся спектаклем».",
    ],
)
def test_quoted_names_and_scare_quotes_are_not_statements(text: str) -> None:
    assert quotes(text) == []


def test_a_quoted_name_inside_the_attribution_is_not_a_quote() -> None:
    text = "«Ребята играли через не могу», — признался главный тренер «Зари» Игорь Сафонов."
    assert quotes(text) == [("Ребята играли через не могу", "Игорь Сафонов")]


def test_short_unattributed_quote_inside_a_sentence_is_not_a_statement() -> None:
    assert quotes("Жители называют этот мост «вечной стройкой» уже пять лет.") == []


# -- the fixture set ------------------------------------------------------------------------------


def _fixtures() -> list[dict[str, object]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("*.json"))]


def test_fixture_articles_are_valid_and_their_answers_are_in_the_text() -> None:
    fixtures = _fixtures()
    assert len(fixtures) >= 10
    for fixture in fixtures:
        text = "\n\n".join(fixture["text"])  # type: ignore[arg-type]
        assert detect_language(text) == "russian"
        # One reference (01-14) or several by different editors (15 on), maybe still empty.
        references = fixture.get("references") or [fixture.get("reference", [])]
        for reference in references:  # type: ignore[attr-defined]
            for sentence in reference:
                assert sentence in text
        for quote in fixture["quotes"]:  # type: ignore[attr-defined]
            for piece in quote["text"].split(" ... "):
                assert piece in text


def test_quote_quality_on_the_fixture_set() -> None:
    from benchmarks.eval_russian import load_cases, score_quotes

    score = score_quotes(load_cases(DATA))  # the public path: load, detect, extract_quotes
    assert score.f1 >= 0.9, score
    assert score.speaker_accuracy >= 0.85, score
    assert score.leaked == 0, score


def test_quotes_are_plain_quote_values() -> None:
    [quote] = russian_quotes(("«Да», — сказал Иван Петров.",))
    assert quote == Quote(text="Да", speaker="Иван Петров")


# -- the whole pipeline ---------------------------------------------------------------------------


def test_loaded_russian_article_is_summarized_and_quoted_in_russian() -> None:
    path = DATA / "01-most.json"
    article = parse_article(path.read_bytes(), path.name)
    assert article.language == "russian"
    summary = summarize_article(article, SummaryOptions(sentences=3))
    assert len(summary.sentences) == 3
    assert all(sentence in article.body for sentence in summary.sentences)
    assert [(q.speaker, q.key) for q in summary.quotes] == [
        ("Андрей Кравцов", True),
        ("Галина Сомова", True),
        ("Ольга Лебедева", True),
    ]


def test_english_article_keeps_the_english_reader() -> None:
    text = b'Ferry returns\n\n"We kept our promise," said the mayor, Ann Lee.\n'
    article = parse_article(text, "ferry.txt")
    assert article.language == "english"
    assert [(q.text, q.speaker) for q in extract_quotes(article)] == [
        ("We kept our promise,", "Ann Lee")
    ]


def test_cli_prints_russian_as_text_not_escapes_with_yolochki(tmp_path: Path) -> None:
    path = tmp_path / "most.json"
    path.write_bytes((DATA / "01-most.json").read_bytes())
    as_json = CliRunner().invoke(cli, ["summarize", str(path), "--json", "-n", "2"])
    assert as_json.exit_code == 0, as_json.output
    assert "\\u04" not in as_json.stdout
    record = json.loads(as_json.stdout)
    assert record["title"] == "В Приозёрске откроют новый мост через реку Сеть"
    assert record["quotes"][0]["speaker"] == "Андрей Кравцов"
    as_text = CliRunner().invoke(cli, ["summarize", str(path), "-n", "2"])
    assert "  «Мы выполнили обещание, данное жителям левого берега» — Андрей Кравцов" in (
        as_text.stdout
    )


# -- sentences and stop words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("«Зачем?» — спросил он. Ответа не было.", 2),
        ("«Поверю, когда проеду сама!» — сказала она. Затем ушла.", 2),
        ("Улица им. Ленина, д. 5, закрыта. Проезд запрещён.", 2),
        ("Президент США Дж. Байден прибыл. Визит короткий.", 2),
        ("Мост построили в 2020 г. Его открыли весной.", 2),
        ("Стоимость — 1,2 млрд руб. Старый мост закрыли.", 2),
        ("Всё кончено! — Путин уехал.", 2),
    ],
)
def test_russian_sentence_boundaries(text: str, count: int) -> None:
    assert len(Tokenizer("russian").to_sentences(text)) == count


def test_plain_sumy_algorithms_get_a_full_russian_stop_word_list() -> None:
    words = sumy_stop_words("russian")
    assert {"и", "в", "не", "что"} <= words
    pytest.importorskip("stop_words")
    assert len(words) > 300 > len(function_words("russian"))


def test_news_summaries_beat_lead3_on_the_russian_set() -> None:
    """Both parts (dev and the untuned test part): the default summarizer beats LEAD-3."""
    from rouge_score import rouge_scorer

    from benchmarks.eval_russian import K, _rouge, _Tokenizer, load_cases, split_cases

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=_Tokenizer())
    for part, cases in split_cases(load_cases(DATA)).items():
        assert cases, part
        score: dict[str, float] = {}
        for algorithm in ("news", "lead"):
            options = SummaryOptions(sentences=K, algorithm=algorithm)
            score[algorithm] = sum(
                _rouge(scorer, case, summarize(case.article, options))[0] for case in cases
            ) / len(cases)
        assert score["news"] > score["lead"], (part, score)
