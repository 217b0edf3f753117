"""parse_telegram_channel on stored t.me/s/<channel> preview pages."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.extract import parse_telegram_channel
from crawlers.extract.telegram import parse_views
from tests.crawlers.extract.golden import StoredPage, stored_pages

CHANNEL_PAGES = stored_pages("telegram")


@pytest.mark.parametrize("page", CHANNEL_PAGES, ids=lambda page: page.name)
def test_posts_and_older_page_id_match_the_golden_file(page: StoredPage) -> None:
    golden = page.golden
    posts, before = parse_telegram_channel(page.body.decode("utf-8"), golden["channel"])
    assert before == golden.get("before")
    assert [post.post_id for post in posts] == [post["post_id"] for post in golden["posts"]]
    for post, expected in zip(posts, golden["posts"], strict=True):
        assert post.platform == "telegram"
        assert post.channel == golden["channel"]
        assert post.url == expected["url"]
        assert post.published_at == datetime.fromisoformat(expected["published_at"])
        assert post.text == expected["text"]
        assert post.author == expected["author"]
        assert post.views == expected["views"]


def test_a_reply_keeps_its_own_text_not_the_quoted_post() -> None:
    newest = next(page for page in CHANNEL_PAGES if page.golden.get("before"))
    posts, _ = parse_telegram_channel(newest.body.decode("utf-8"), "hangrung_taybac")
    reply = next(post for post in posts if post.post_id == "1524")
    assert "sừng tê giác" not in reply.text


def test_an_empty_or_foreign_page_has_no_posts() -> None:
    assert parse_telegram_channel("", "x") == ([], None)
    assert parse_telegram_channel("<html><body><p>Not found</p></body></html>", "x") == ([], None)


@pytest.mark.parametrize(
    ("text", "views"),
    [("856", 856), ("1.2K", 1200), ("15,3K", 15300), ("1.1M", 1_100_000), ("", None)],
)
def test_view_counters(text: str, views: int | None) -> None:
    assert parse_views(text) == views
