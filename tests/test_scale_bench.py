"""The scale benchmark's generated articles: distinct, and real articles to the engine."""

from __future__ import annotations

from pathlib import Path

from benchmarks.scale import role_env, write_articles
from summaries import SummaryOptions, load_article, summarize_article


def test_generated_articles_are_distinct_titled_news(tmp_path: Path) -> None:
    paths = write_articles(tmp_path, 5)
    texts = {p.read_text(encoding="utf-8") for p in paths}
    assert len(texts) == 5
    for n, path in enumerate(paths):
        summary = summarize_article(load_article(path), SummaryOptions(sentences=2))
        assert summary.article.title.startswith(f"Story {n:05d}:")
        assert len(summary.sentences) == 2


def test_role_env_points_children_at_the_database_and_inbox(tmp_path: Path) -> None:
    env = role_env("postgresql+asyncpg://u@h/db", tmp_path, NEWSBOT_SEND_RATE="5")
    assert env["NEWSBOT_DATABASE_URL"] == "postgresql+asyncpg://u@h/db"
    assert env["NEWSBOT_INBOX"] == str(tmp_path) and env["NEWSBOT_SEND_RATE"] == "5"
    assert "TELEGRAM_BOT_TOKEN" not in env
