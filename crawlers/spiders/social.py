"""Public social channels: Telegram channel previews (``https://t.me/s/<channel>``).

Reads the preview pages of a source's ``channels`` (``base_url`` replaces ``https://t.me`` for
tests and mirrors) and follows ``?before=<id>`` to older posts until ``max_pages``; writes one raw
item per post with its permalink, date and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response

from crawlers.conditional_get import VISIT_META
from crawlers.spiders.base import ITEM_PRIORITY, SourceSpider
from crawlers.spiders.pages import iso_datetime

CHANNEL_META = "wildwatch_channel"
TITLE_LENGTH = 120


class SocialSpider(SourceSpider):
    def seed_requests(self) -> Iterable[Request]:
        channels = self.source.channels
        urls = self.source.channel_urls
        # The newest page changes all the time: always fetch it (force), but archive it (item).
        seeds = [
            self.schedule(
                url,
                self.parse_channel,
                item=True,
                force=True,
                priority=ITEM_PRIORITY,
                meta={CHANNEL_META: channel},
            )
            for channel, url in zip(channels, urls, strict=True)
        ]
        seeds += [
            self.schedule(
                url,
                self.parse_channel,
                item=True,
                force=True,
                priority=ITEM_PRIORITY,
                meta={CHANNEL_META: channel_of(url)},
            )
            for url in self.source.start_urls
        ]
        return self.schedule_all(seeds)

    def parse_channel(self, response: Response) -> Iterator[Request | dict[str, Any]]:
        from crawlers.extract import parse_telegram_channel

        html = self.decode(response)
        if html is None:
            return
        channel = str(response.meta.get(CHANNEL_META) or channel_of(response.url))
        try:
            posts, before = parse_telegram_channel(html, channel)
        except Exception as error:  # a broken page must not end the crawl; count and go on
            self.page_error("parse_error", response.url, f"{type(error).__name__}: {error}")
            return
        if not posts:
            self.page_error("no_content", response.url)
        fields = post_fields(posts, channel)
        visit = response.meta.get(VISIT_META)
        if visit is not None:
            # The page is known once every text post on it is indexed.
            visit.expect(len(fields))
        for post in fields:
            yield self.raw_item(response, **post)
        if before:
            base = response.url.split("?", 1)[0]
            # Older pages do not change: the crawl state may skip them when recently fetched.
            request = self.schedule(
                f"{base}?before={before}",
                self.parse_channel,
                item=True,
                priority=ITEM_PRIORITY,
                meta={CHANNEL_META: channel},
            )
            if request is not None:
                yield request


def post_fields(posts: Sequence[Any], channel: str) -> list[dict[str, Any]]:
    """The item fields of a channel page's posts (``crawlers.extract.parse_telegram_channel``)
    that have text; photo-only posts give nothing to analyse or search (pure, shared with the
    recovery from the archive)."""
    fields = []
    for post in posts:
        text = (post.text or "").strip()
        if not text:
            continue
        fields.append(
            {
                "url": post.url,
                "title": post_title(text),
                "text": text,
                "author": post.author or channel,
                "seller": post.author or channel,
                "published_at": iso_datetime(post.published_at),
            }
        )
    return fields


def channel_of(url: str) -> str:
    """``https://t.me/s/wildlife_vn?before=9`` → ``wildlife_vn``."""
    parts = [part for part in urlsplit(url).path.split("/") if part]
    return parts[-1] if parts else ""


def post_title(text: str) -> str:
    """A post has no title: its first line, cut at a word boundary."""
    first_line = text.strip().split("\n", 1)[0].strip()
    if len(first_line) <= TITLE_LENGTH:
        return first_line
    return first_line[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"
