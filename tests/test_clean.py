"""Boilerplate removal on page dumps: line classes, body region, appeals, headline, template."""

from __future__ import annotations

from pathlib import Path

import pytest

from summaries import LineKind, TemplateMemory, classify_line, clean_text, load_article

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED = DATA / "seed" / "000_6be1942f5effca79.txt"

BODY = [
    "The city council voted on Tuesday to rebuild the old harbour bridge, ending a debate "
    "that had divided residents for almost a decade.",
    '"This bridge carried my grandfather to work and it will carry my grandchildren," the '
    "mayor, Anna Lindqvist, told reporters after the vote.",
    "Engineers say the new span will take three years to build and cost about 40 million "
    "euros, most of it paid for by a regional infrastructure fund.",
    "Opponents had argued that a tunnel would be cheaper to maintain, but a study published "
    "last spring found the two options roughly equal over fifty years.",
    "Construction is expected to start next autumn, once the final designs are approved.",
]

PAGE = "\n".join(
    [
        "Skip to content",
        "Home",
        "World",
        "Business",
        "Sign in",
        "Support Our Newsroom!",
        "Council Backs New Harbour Bridge After Decade of Debate",
        "The old bridge at dusk. Jan Example / Northwind Agency / City Archive",
        *BODY,
        "Share on Facebook",
        "Read more",
        "Sign up for our weekly newsletter",
        "Get the best stories in your inbox every Monday. You can unsubscribe at any time.",
        "A note from the editors:",
        "Dear readers,",
        "Local reporting costs money, and our small team depends on readers like you to keep "
        "going. We have no owner and no paywall, and we never will have one.",
        "Times are hard for independent journalism everywhere, and advertising no longer pays "
        "for the reporting our town needs.",
        "If you can, please support us with a monthly contribution. Every contribution, however "
        "small, helps us stay on the story.",
        "Once",
        "Monthly",
        "Annual",
        "Continue",
        "Remind me later.",
        "We use cookies to improve your experience. By continuing to use this site you agree.",
        "© 2024 Harbour Gazette. All rights reserved.",
    ]
)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Share on Facebook", LineKind.BOILERPLATE),
        ("Read more", LineKind.BOILERPLATE),
        ("Sign up for our free weekly newsletter", LineKind.BOILERPLATE),
        ("We use cookies to give you the best experience on our website.", LineKind.BOILERPLATE),
        ("© 2024 Example Media Ltd. All rights reserved.", LineKind.BOILERPLATE),
        ("Continue", LineKind.BOILERPLATE),
        ("Monthly", LineKind.BOILERPLATE),
        ("Remind me later.", LineKind.BOILERPLATE),
        ("A crowd outside the station. Jan Example / Northwind / Reuters", LineKind.META),
        ("Photo: Jane Doe/Getty Images", LineKind.META),
        ("By Maria Example", LineKind.META),
        ("Nov. 19, 2019 8:03 am ET", LineKind.META),
        (BODY[0], LineKind.BODY),
        ("Construction starts next autumn.", LineKind.TEXT),
        ("Economy", LineKind.SHORT),
    ],
)
def test_classify_line_knows_common_page_chrome(line: str, kind: LineKind) -> None:
    assert classify_line(line) is kind


def test_clean_text_keeps_the_article_body_and_nothing_else() -> None:
    cleaned = clean_text(PAGE)
    assert list(cleaned.paragraphs) == BODY


def test_clean_text_picks_the_headline_not_the_support_banner() -> None:
    assert clean_text(PAGE).title == "Council Backs New Harbour Bridge After Decade of Debate"


def test_donation_appeal_goes_as_a_block_including_its_long_paragraphs() -> None:
    appeal = "\n".join(
        [
            "Dear readers,",
            "Our newsroom has reported on this valley for forty years, and we want to keep "
            "doing it for forty more without putting up a paywall for anyone.",
            "Reporting takes time and money, and we cannot do it without you.",
            "Please support us today: every contribution keeps our journalism free for all.",
        ]
    )
    cleaned = clean_text("\n".join(["Valley Story Title Here", *BODY, appeal]))
    assert list(cleaned.paragraphs) == BODY


def test_appeal_vocabulary_in_news_prose_is_not_an_appeal() -> None:
    news = (
        "The charity said donations had fallen by a third this year, and that it would cut "
        "support for two shelters unless the government stepped in with funding."
    )
    cleaned = clean_text("\n".join(["Charity Warns of Shelter Cuts", news, *BODY]))
    assert news in cleaned.paragraphs


def test_short_paragraphs_and_subheadings_inside_the_body_survive() -> None:
    text = "\n".join(
        ["Title Of The Story Goes Here", *BODY[:2], "What happens next", *BODY[2:4], "He agreed."]
    )
    cleaned = clean_text(text)
    assert "What happens next" in cleaned.paragraphs
    assert cleaned.paragraphs[:2] == tuple(BODY[:2])


def test_a_clean_text_file_is_kept_whole() -> None:
    text = "Plain Title\n\n" + "\n\n".join(BODY)
    cleaned = clean_text(text)
    assert cleaned.title == "Plain Title"
    assert list(cleaned.paragraphs) == BODY


def test_hard_wrapped_paragraphs_are_joined() -> None:
    wrapped = (
        "The city council voted on Tuesday to rebuild the old harbour\n"
        "bridge, ending a debate that had divided residents for almost a\n"
        "decade and split the council down the middle.\n"
    )
    cleaned = clean_text("A Title\n\n" + wrapped + "\n" + "\n\n".join(BODY[1:]))
    assert cleaned.paragraphs[0].startswith("The city council voted on Tuesday to rebuild the old")
    assert "harbour bridge, ending" in cleaned.paragraphs[0]


def test_comments_after_the_article_are_not_body() -> None:
    comments = [
        "Comments",
        "reader123",
        "I have lived here for thirty years and I have never seen the council agree on "
        "anything this quickly, which makes me wonder what the rush is all about.",
        "bridgefan",
        "Finally some good news for the harbour, it has been falling apart for as long as "
        "I can remember and the ferries are no substitute for a proper crossing.",
    ] * 4
    cleaned = clean_text("\n".join(["Council Backs Bridge", *BODY, *comments]))
    assert list(cleaned.paragraphs) == BODY


def test_teasers_cut_short_are_not_body() -> None:
    teasers = [
        "Another story headline that links elsewhere on the site and goes on for a while "
        "before the site cuts it off in the middle of a...",
    ] * 3
    cleaned = clean_text("\n".join(["Council Backs Bridge", *BODY, "More news", *teasers]))
    assert list(cleaned.paragraphs) == BODY


def test_empty_or_chrome_only_text_gives_no_paragraphs() -> None:
    assert clean_text("").paragraphs == ()
    assert clean_text("Home\nNews\nSign in\nShare\n").paragraphs == ()


def test_template_memory_learns_lines_repeated_across_articles() -> None:
    memory = TemplateMemory(min_articles=3)
    footer = (
        "The Harbour Gazette is published every weekday by a small team of reporters in the "
        "old town, and has been since the harbour first opened to traffic."
    )
    stories = [
        [
            f"The {part} story has its own headline",
            *(f"In the {part} part, {b}" for b in BODY),
            footer,
        ]
        for part in ("first", "second", "third")
    ]
    for lines in stories[:2]:
        memory.learn(lines, source="gazette")
    assert not memory.is_template(footer, source="gazette")
    cleaned = clean_text("\n".join(stories[2]), template=memory, source="gazette")
    assert memory.is_template(footer, source="gazette")
    assert not memory.is_template(footer, source="another-site")
    assert footer not in cleaned.paragraphs
    assert cleaned.paragraphs == tuple(stories[2][1:-1])


def test_template_memory_counts_the_same_article_once() -> None:
    memory = TemplateMemory(min_articles=2)
    memory.learn(["Same line here", "Other line"])
    memory.learn(["Other line", "Same line here"])
    assert not memory.is_template("Same line here")


def test_template_memory_ignores_case_digits_and_spacing() -> None:
    memory = TemplateMemory(min_articles=2)
    memory.learn(["Updated 12 May 2024 by the desk"])
    memory.learn(["updated 3 MAY   2023 BY THE DESK"])
    assert memory.is_template("Updated 30 may 2025 by the desk")


def test_template_memory_stays_bounded() -> None:
    memory = TemplateMemory(min_articles=2, max_lines=100)
    for n in range(50):
        memory.learn([f"unique line {chr(65 + n % 26)}{n}x{k}" for k in range(10)])
    assert len(memory) <= 110


def test_cleaning_is_linear_in_length() -> None:
    import time

    def best_of_three(text: str) -> float:
        times = []
        for _ in range(3):
            started = time.process_time()
            clean_text(text)
            times.append(time.process_time() - started)
        return min(times)

    small = "\n".join([*BODY, "Share", "Home"] * 20)
    big = "\n".join([*BODY, "Share", "Home"] * 400)  # 20 times longer
    assert best_of_three(big) < 100 * max(best_of_three(small), 1e-3)


@pytest.mark.skipif(not SEED.exists(), reason="../shared/data is not available")
def test_seed_article_has_the_right_title_and_no_boilerplate() -> None:
    article = load_article(SEED)
    assert article.title == "Russia-China Ties Key to 'Stabilize International Situation' – Putin"
    body = article.body
    for phrase in (
        "Support The Moscow Times",
        "TASS",
        "newsletter",
        "Privacy Policy",
        "Dear readers",
        "A Message from",
        "contribution",
        "Remind me later",
        "Monthly",
        "Read more",
        "undesirable",
    ):
        assert phrase not in body, phrase
    assert article.paragraphs[0].startswith("Russian President Vladimir Putin said")
    assert article.paragraphs[-1].startswith("Wang Yi is on the last stop")
    assert len(article.paragraphs) == 10


def test_a_sentence_ending_with_an_agency_name_is_still_body() -> None:
    line = (
        "The company declined to say how many staff would lose their jobs, a spokesperson "
        "told Reuters."
    )
    assert classify_line(line) is LineKind.BODY
    assert classify_line("Crowds at the harbour on Monday. REUTERS") is LineKind.META


def test_author_biography_after_the_article_is_not_body() -> None:
    bio = (
        "Jan Example has covered the harbour and its politics for twenty years, after a long "
        "career at sea, and has written two books about the ferries of the northern coast."
    )
    cleaned = clean_text("\n".join(["Council Backs Bridge", *BODY, "About Jan Example", bio]))
    assert list(cleaned.paragraphs) == BODY


def test_news_about_subscriptions_is_not_a_donation_appeal() -> None:
    news = [
        "Despite The Monthly Fee, You're Still Buying Games",
        "While you may have heard that the service will be the Netflix of games, the "
        "subscription only unlocks a discount, and each title is still bought separately.",
    ]
    cleaned = clean_text("\n".join(["Streaming Service Launches", *BODY[:3], *news, *BODY[3:]]))
    assert news[1] in cleaned.paragraphs


def test_a_short_clean_file_keeps_its_short_sentences_and_lists() -> None:
    cleaned = clean_text("Brief Item\n\nHe said yes.\n\nShe said no.\n")
    assert cleaned.title == "Brief Item"
    assert cleaned.paragraphs == ("He said yes.", "She said no.")
    listing = clean_text("What To Bring\n\n- water\n- a map\n- good boots\n")
    assert listing.title == "What To Bring"
    assert listing.paragraphs == ("- water", "- a map", "- good boots")
