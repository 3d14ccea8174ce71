"""The offline tokenizer: sentence ends in news text, and word tokens for the summarizers."""

from __future__ import annotations

import pytest
from sumy.parsers.plaintext import PlaintextParser

from summaries.sentences import SentenceTokenizer, Tokenizer, split_sentences


@pytest.fixture
def tok() -> Tokenizer:
    return Tokenizer("english")


def test_titles_do_not_end_sentences(tok: Tokenizer) -> None:
    text = "Mr. Hale met Mrs. Orr and Dr. Lund at St. Mary's on Friday. They talked."
    assert tok.to_sentences(text) == (
        "Mr. Hale met Mrs. Orr and Dr. Lund at St. Mary's on Friday.",
        "They talked.",
    )


def test_dotted_acronyms_do_not_end_sentences(tok: Tokenizer) -> None:
    text = "The U.S. and U.K. envoys, e.g. Ms Voss, i.e. the senior one, left. Talks ended."
    assert tok.to_sentences(text) == (
        "The U.S. and U.K. envoys, e.g. Ms Voss, i.e. the senior one, left.",
        "Talks ended.",
    )


def test_acronym_at_sentence_end_splits_before_a_sentence_starter(tok: Tokenizer) -> None:
    text = "The firm moved to the U.S. The staff followed. The U.S. Army did not."
    assert tok.to_sentences(text) == (
        "The firm moved to the U.S.",
        "The staff followed.",
        "The U.S. Army did not.",
    )


def test_month_abbreviations_before_dates(tok: Tokenizer) -> None:
    text = "Votes on Jan. 5, Feb. 9 and Sept. 11 were delayed. A new date was set."
    assert len(tok.to_sentences(text)) == 2


def test_company_suffixes(tok: Tokenizer) -> None:
    assert tok.to_sentences("Orbis Inc. said Velda Corp. would pay. It did.") == (
        "Orbis Inc. said Velda Corp. would pay.",
        "It did.",
    )
    assert tok.to_sentences("Shares fell at Orbis Inc. The company declined to comment.") == (
        "Shares fell at Orbis Inc.",
        "The company declined to comment.",
    )


def test_number_abbreviation(tok: Tokenizer) -> None:
    assert tok.to_sentences("The song reached No. 5 in the chart. It then fell.") == (
        "The song reached No. 5 in the chart.",
        "It then fell.",
    )


def test_initials(tok: Tokenizer) -> None:
    text = "J. R. R. Tolkien was read by George W. Bush. Both were famous."
    assert tok.to_sentences(text) == (
        "J. R. R. Tolkien was read by George W. Bush.",
        "Both were famous.",
    )


def test_decimals_and_money(tok: Tokenizer) -> None:
    text = "Profit rose 3.5% to $10.9bn (£5.8bn). Sales were flat at 1,200.5 units."
    assert tok.to_sentences(text) == (
        "Profit rose 3.5% to $10.9bn (£5.8bn).",
        "Sales were flat at 1,200.5 units.",
    )


def test_ellipsis_splits_only_before_a_capital(tok: Tokenizer) -> None:
    assert tok.to_sentences("He paused... and went on. Then... Silence fell.") == (
        "He paused... and went on.",
        "Then...",
        "Silence fell.",
    )


def test_closing_quote_stays_with_its_sentence(tok: Tokenizer) -> None:
    assert tok.to_sentences('"It is over." She left the room.') == (
        '"It is over."',
        "She left the room.",
    )


def test_quote_ending_with_comma_continues_the_sentence(tok: Tokenizer) -> None:
    text = '"We will win the next one," he said. Fans cheered.'
    assert tok.to_sentences(text) == ('"We will win the next one," he said.', "Fans cheered.")


def test_question_inside_quote_followed_by_attribution(tok: Tokenizer) -> None:
    assert tok.to_sentences('"Why now?" he asked. Nobody knew.') == (
        '"Why now?" he asked.',
        "Nobody knew.",
    )


def test_question_and_exclamation_marks(tok: Tokenizer) -> None:
    assert tok.to_sentences("Was it worth it? Yes! The figures prove it.") == (
        "Was it worth it?",
        "Yes!",
        "The figures prove it.",
    )


def test_glued_sentences_are_split(tok: Tokenizer) -> None:
    text = "Sales rose 5%.For the full-year, it made $3.36bn.Analysts were pleased."
    assert tok.to_sentences(text) == (
        "Sales rose 5%.",
        "For the full-year, it made $3.36bn.",
        "Analysts were pleased.",
    )


def test_glued_split_spares_acronyms_and_domains(tok: Tokenizer) -> None:
    text = "See bbc.co.uk and e.g.The Times in the U.S.Army papers. Done."
    assert tok.to_sentences(text) == (
        "See bbc.co.uk and e.g.The Times in the U.S.Army papers.",
        "Done.",
    )


def test_acronym_at_end_of_line_before_a_capitalised_acronym(tok: Tokenizer) -> None:
    assert tok.to_sentences("Sources told the FT. But Rover denied it.") == (
        "Sources told the FT.",
        "But Rover denied it.",
    )


def test_russian_initials_guillemets_and_abbreviations() -> None:
    tok = Tokenizer("russian")
    text = "В. В. Иванов заявил: «Мы победим». Это было в 2004 г. Он уехал, т.е. навсегда."
    assert tok.to_sentences(text) == (
        "В. В. Иванов заявил: «Мы победим».",
        "Это было в 2004 г.",
        "Он уехал, т.е. навсегда.",
    )


def test_russian_closing_guillemet_after_full_stop() -> None:
    tok = Tokenizer("russian")
    assert tok.to_sentences("«Всё кончено.» Она ушла.") == ("«Всё кончено.»", "Она ушла.")


def test_whitespace_is_normalised_and_empty_text_has_no_sentences(tok: Tokenizer) -> None:
    assert tok.to_sentences("  One line\nwrapped.   Two.  ") == ("One line wrapped.", "Two.")
    assert tok.to_sentences("   \n ") == ()


def test_words_drop_punctuation_and_keep_inner_apostrophes_hyphens_and_decimals(
    tok: Tokenizer,
) -> None:
    words = tok.to_words("Don't say it's $10.9bn (3.5%) - a well-known firm's e-mail, 1,000 staff!")
    assert words == (
        "Don't",
        "say",
        "it's",
        "10.9bn",
        "3.5",
        "a",
        "well-known",
        "firm's",
        "e-mail",
        "1,000",
        "staff",
    )


def test_words_of_cyrillic_text() -> None:
    assert Tokenizer("russian").to_words("«Мы победим», — сказал он.") == (
        "Мы",
        "победим",
        "сказал",
        "он",
    )


def test_split_sentences_reads_paragraphs() -> None:
    text = "First one. Second one.\n\nNew paragraph here."
    assert split_sentences(text) == ["First one.", "Second one.", "New paragraph here."]


def test_tokenizer_plugs_into_sumy_parser() -> None:
    tokenizer: SentenceTokenizer = Tokenizer("english")
    parser = PlaintextParser.from_string(
        "Mr. Hale spoke. He left.\n\nLater, he returned.", tokenizer
    )
    assert [str(s) for s in parser.document.sentences] == [
        "Mr. Hale spoke.",
        "He left.",
        "Later, he returned.",
    ]
