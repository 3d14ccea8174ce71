"""Summarizers: the registry's call shape, length rules, and the ``news`` priors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rouge_score import rouge_scorer

from summaries import ALGORITHMS, Article, SummaryOptions, summarize
from summaries._news import Features, NewsSummarizer, NewsWeights, Terms, combine
from summaries.sentences import Tokenizer
from summaries.summarize import MAX_CANDIDATES, CappedSummarizer, build_document, summary_length

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "summaries-dev"

# Our own fixture text (never copied from shared/data).
LEAD = (
    "The harbour council of Port Elwyn approved a new ferry timetable on Tuesday, "
    "adding crossings to the outer islands."
)
BODY = (
    "Under the timetable, ferries to the outer islands will run every 40 minutes.",
    "The council said the islands had waited years for more ferry crossings.",
    '"This is the biggest change to island ferries in twenty years," council leader '
    "Mara Quist said.",
    "Ferry operators said the extra crossings would cost 1.2 million crowns a year.",
    "Residents of the outer islands have complained about missed ferry connections.",
    "A bakery on the quay reported record sales of cinnamon buns in October.",
    "The council will review the ferry timetable after the first winter.",
    "Island schools welcomed the change for pupils who cross every day.",
    "The new ferry timetable takes effect in March.",
    "Weather permitting, the first extra crossing leaves at 6.20 in the morning.",
    "A spokesman for the ferry union said staff would need more rest days.",
    "Tourism officials expect more summer visitors to the islands.",
)
TITLE = "Port Elwyn council approves new ferry timetable"


def make_article(paragraphs: tuple[str, ...] = (LEAD, *BODY), title: str = TITLE) -> Article:
    return Article(title=title, paragraphs=paragraphs)


def sentence_filler(count: int) -> tuple[str, ...]:
    topics = ("harbour", "ferry", "council", "island", "school", "bakery", "union", "tourism")
    return tuple(
        f"Report {i} says the {topics[i % 8]} plan {i % 5} needs {i % 3 + 2} more weeks of work."
        for i in range(count)
    )


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
@pytest.mark.parametrize("count", [1, 3, 5])
def test_every_algorithm_returns_count_sentences_in_article_order(
    algorithm: str, count: int
) -> None:
    article = make_article()
    order = [s for p in article.paragraphs for s in Tokenizer().to_sentences(p)]
    chosen = summarize(article, SummaryOptions(sentences=count, algorithm=algorithm))
    assert len(chosen) == count
    positions = [order.index(s) for s in chosen]
    assert positions == sorted(positions)
    assert len(set(chosen)) == count


def test_registry_is_a_name_to_factory_map_with_news_first() -> None:
    assert next(iter(ALGORITHMS)) == "news"
    assert SummaryOptions().algorithm == "news"
    assert {"lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "reduction", "lead"} <= set(
        ALGORITHMS
    )
    summarizer = ALGORITHMS["lexrank"]("english")
    document = build_document(TITLE, (LEAD, *BODY), Tokenizer())
    assert len(summarizer(document, 2)) == 2


def test_unknown_algorithm_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown algorithm 'nope'"):
        summarize(make_article(), SummaryOptions(algorithm="nope"))


def test_repeated_sentences_are_summarized_once() -> None:
    repeated = BODY[2]
    article = make_article((LEAD, repeated, *BODY, repeated, repeated))
    for algorithm in ALGORITHMS:
        chosen = summarize(article, SummaryOptions(sentences=6, algorithm=algorithm))
        assert len(chosen) == len(set(chosen)) == 6, algorithm


def test_document_drops_repeats_and_the_title_but_keeps_paragraphs() -> None:
    document = build_document(TITLE, (TITLE, LEAD, f"{BODY[0]} {BODY[0]}", BODY[1]), Tokenizer())
    assert [str(s) for s in document.sentences] == [LEAD, BODY[0], BODY[1]]
    assert [str(h) for h in document.headings] == [TITLE]
    assert len(document.paragraphs) == 3


def test_max_chars_caps_the_summary() -> None:
    article = make_article()
    for algorithm in ALGORITHMS:
        chosen = summarize(article, SummaryOptions(sentences=5, max_chars=200, algorithm=algorithm))
        assert chosen, algorithm
        assert sum(len(s) for s in chosen) + len(chosen) - 1 <= 200, algorithm


def test_max_chars_below_one_sentence_cuts_it_at_a_word() -> None:
    (only,) = summarize(make_article(), SummaryOptions(sentences=3, max_chars=40))
    assert len(only) <= 40
    assert only.endswith("…")
    assert LEAD.startswith(only[:-1])


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [(0, 0), (2, 2), (5, 3), (12, 3), (24, 4), (50, 5), (100, 6), (200, 7), (10_000, 8)],
)
def test_adaptive_length_grows_slowly_with_the_article(sentences: int, expected: int) -> None:
    assert summary_length(sentences) == expected


def test_summary_length_adapts_when_no_count_is_given() -> None:
    short = summarize(make_article((LEAD, *BODY[:4])))
    long = summarize(make_article((LEAD, *sentence_filler(60))))
    assert len(short) == 3
    assert len(long) == summary_length(61) == 5


def test_empty_article_gives_an_empty_summary() -> None:
    assert summarize(Article(title="Nothing", paragraphs=())) == ()


class _Recorder:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def __call__(self, document: Any, sentences_count: int) -> tuple[Any, ...]:
        self.seen.append(len(document.sentences))
        return tuple(document.sentences[:sentences_count])


def test_sumy_algorithms_see_at_most_max_candidates_sentences() -> None:
    recorder = _Recorder()
    document = build_document(TITLE, sentence_filler(1000), Tokenizer())
    chosen = CappedSummarizer(recorder)(document, 4)
    assert recorder.seen == [MAX_CANDIDATES]
    assert len(chosen) == 4


class _BlockSpy(NewsSummarizer):
    blocks: list[int]

    def _block_rank(self, unit: Any) -> Any:
        self.blocks.append(unit.shape[0])
        return super()._block_rank(unit)


def test_news_ranks_long_articles_in_bounded_blocks() -> None:
    spy = _BlockSpy(str.lower, frozenset({"the", "of"}))
    spy.blocks = []
    document = build_document(TITLE, sentence_filler(1000), Tokenizer())
    assert len(spy(document, 5)) == 5
    assert max(spy.blocks) <= spy.block
    assert sum(spy.blocks) == 1000


def _features(n: int, **overrides: Any) -> Features:
    base = {
        "terms": Terms.from_dense(np.eye(n)),
        "centrality": np.ones(n),
        "title": np.zeros(n),
        "lengths": np.full(n, 20.0),
        "numbers": np.zeros(n),
    }
    base.update({k: np.asarray(v, dtype=float) for k, v in overrides.items()})
    return Features(**base)


def test_position_prior_is_strong_for_short_summaries_and_fades_for_long_ones() -> None:
    weights = NewsWeights()
    central_late = _features(20, centrality=[1.0] * 10 + [2.5] + [1.0] * 9)
    short = combine(central_late, weights, count=2)
    long = combine(central_late, weights, count=9)
    assert short.argmax() == 0  # a 2-of-20 summary starts with the lead
    assert long.argmax() == 10  # a 9-of-20 summary is about what the story keeps returning to


def test_headline_overlap_counts_in_short_summaries_only() -> None:
    plain = _features(20)
    headline = _features(20, title=[0.0] * 5 + [0.8] + [0.0] * 14)
    weights = NewsWeights()
    assert combine(headline, weights, 2)[5] > combine(plain, weights, 2)[5]
    assert combine(headline, weights, 10)[5] == combine(plain, weights, 10)[5]


def test_fragments_and_run_ons_are_penalised() -> None:
    lengths = [20.0] * 5 + [2.0, 20.0, 90.0] + [20.0] * 12
    scores = combine(_features(20, lengths=lengths), replace(NewsWeights(), lead=0.0), 10)
    assert scores[5] < scores[6] and scores[7] < scores[6]


def test_news_keeps_the_lead_in_a_three_sentence_summary() -> None:
    chosen = summarize(make_article(), SummaryOptions(sentences=3))
    assert chosen[0] == LEAD
    assert BODY[5] not in chosen  # the off-topic bakery sentence


def test_news_skips_a_near_copy_of_a_chosen_sentence() -> None:
    echo = LEAD.replace("Tuesday", "Tuesday evening")
    chosen = summarize(make_article((LEAD, echo, *BODY)), SummaryOptions(sentences=3))
    assert LEAD in chosen and echo not in chosen


def test_russian_article_is_summarized_with_its_own_rules() -> None:
    article = Article(
        title="Совет утвердил новое расписание паромов",
        paragraphs=(
            "Совет гавани утвердил новое расписание паромов во вторник.",
            "Паромы будут ходить каждые 40 минут. «Это большое изменение», — сказал глава совета.",
            "Расписание паромов вступит в силу в марте. Пекарня продала много булочек.",
        ),
        language="russian",
    )
    chosen = summarize(article, SummaryOptions(sentences=2))
    assert chosen[0] == "Совет гавани утвердил новое расписание паромов во вторник."
    assert len(chosen) == 2


def _load_dev(limit: int) -> list[tuple[Article, str, int]]:
    path = DATA / "bbc-dev.jsonl"
    if not path.is_file():
        pytest.skip("../shared/data/summaries-dev is not available")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[:: 250 // limit][:limit]:
        record = json.loads(line)
        title, *paragraphs = [b.strip() for b in record["article"].split("\n\n") if b.strip()]
        summary = record["summary"]
        k = sum(
            1 for i in range(1, len(summary)) if summary[i - 1] in ".!?" and summary[i].isupper()
        )
        rows.append((Article(title=title, paragraphs=tuple(paragraphs)), summary, k + 1))
    return rows


def test_news_beats_lead_k_on_dev_articles() -> None:
    rows = _load_dev(30)
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    totals = {"news": 0.0, "lead": 0.0}
    for article, reference, k in rows:
        for algorithm in totals:
            chosen = summarize(article, SummaryOptions(sentences=k, algorithm=algorithm))
            totals[algorithm] += scorer.score(reference, " ".join(chosen))["rouge1"].fmeasure
    assert totals["news"] > totals["lead"] + 0.05 * len(rows)
