"""Discovery shared by news sites and marketplaces: feeds, sitemaps and listing pages.

Reads a source's ``feeds``, ``sitemaps``, ``start_urls``, ``follow`` and ``items``; writes
requests for item pages (handled by the subclass's ``parse_item``) and for further listing
pages. A feed usually lists only the latest items while older ones are reachable only through
paginated listings, so every kind of seed given is used in the same run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from scrapy import Selector
from scrapy.http import Request, Response

from crawlers.feeds import NotXmlError, is_feed, parse_feed, parse_sitemap
from crawlers.links import LinkRole, absolute_link, link_role
from crawlers.spiders.base import (
    DEPTH_META,
    ITEM_PRIORITY,
    LISTED_DATE_META,
    SEED_PRIORITY,
    SourceSpider,
)
from pipelines.urls import canonical_url

logger = logging.getLogger(__name__)

# A sitemap index pointing at indexes pointing at indexes is a misconfiguration or a trap.
MAX_SITEMAP_DEPTH = 3
# Listing pages in a row that show no item absent from the other listing pages, after which
# their links are no longer followed.
# Endless calendars, sort orders and filter facets only ever show items already seen (or none),
# while real pagination brings new ones on almost every page; 2 tolerates a page or two of
# repeats where a listing shifted during the crawl.
MAX_BARREN_STREAK = 2
BARREN_META = "wildwatch_barren_streak"


class ListingSpider(SourceSpider):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listed: set[str] = set()  # canonical item URLs seen on listing pages

    def seed_requests(self) -> Iterable[Request]:
        source = self.source
        seeds: list[Request | None] = []
        seeds += [
            self.schedule(url, self.parse_feed, item=False, priority=SEED_PRIORITY)
            for url in source.feeds
        ]
        seeds += [
            self.schedule(
                url, self.parse_sitemap, item=False, priority=SEED_PRIORITY, meta={DEPTH_META: 0}
            )
            for url in source.sitemaps
        ]
        seeds += [
            self.schedule(url, self.parse_listing, item=False, priority=0, meta={DEPTH_META: 0})
            for url in source.start_urls
        ]
        return self.schedule_all(seeds)

    def item_request(self, url: str, listed_date: str | None = None) -> Request | None:
        meta = {LISTED_DATE_META: listed_date} if listed_date else None
        return self.schedule(url, self.parse_item, item=True, priority=ITEM_PRIORITY, meta=meta)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        try:
            entries = parse_feed(response.body)
        except NotXmlError as error:
            self.page_error("bad_feed", response.url, str(error))
            return
        for entry in entries:
            url = absolute_link(response.url, entry.url)
            if url:
                request = self.item_request(url, entry.published_at)
                if request is not None:
                    yield request

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        try:
            sitemap = parse_sitemap(response.body)
        except NotXmlError as error:
            self.page_error("bad_sitemap", response.url, str(error))
            return
        depth = int(response.meta.get(DEPTH_META, 0))
        for child in sitemap.children:
            url = absolute_link(response.url, child)
            if url and depth < MAX_SITEMAP_DEPTH:
                request = self.schedule(
                    url,
                    self.parse_sitemap,
                    item=False,
                    priority=SEED_PRIORITY,
                    meta={DEPTH_META: depth + 1},
                )
                if request is not None:
                    yield request
        for entry in sitemap.entries:
            url = absolute_link(response.url, entry.url)
            if url is None:
                continue
            # A news sitemap lists articles only; a plain sitemap also lists categories.
            if entry.is_news or link_role(url, self.source) is LinkRole.ITEM:
                request = self.item_request(url, entry.published_at)
                if request is not None:
                    yield request

    def parse_listing(self, response: Response) -> Iterator[Request]:
        if is_feed(response.body):
            # Some sites answer a category URL with RSS; take the entries.
            yield from self.parse_feed(response)
            return
        html = self.decode(response)
        if html is None:
            return
        depth = int(response.meta.get(DEPTH_META, 0))
        found_items = 0
        follow: list[str] = []
        # Parse the text the extractor decoded (windows-1258 and friends), not Scrapy's guess.
        for href in Selector(text=html).css("a::attr(href)").getall():
            url = absolute_link(response.url, href)
            if url is None or not self.same_site(url):
                continue
            role = link_role(url, self.source)
            if role is LinkRole.ITEM:
                # "New" means not on another listing page: items the feed already gave still
                # count, so pagination that repeats a long feed is not taken for a trap.
                key = canonical_url(url)
                if key not in self._listed:
                    self._listed.add(key)
                    found_items += 1
                request = self.item_request(url)
                if request is not None:
                    yield request
            elif role is LinkRole.FOLLOW:
                follow.append(url)
        streak = 0 if found_items else int(response.meta.get(BARREN_META, 0)) + 1
        if streak > MAX_BARREN_STREAK:
            if follow:
                self.count("trap_pruned")
                logger.info(
                    "%s: %d listing pages without new items up to %s; not following its %d links",
                    self.name,
                    streak,
                    response.url,
                    len(follow),
                )
            return
        for url in follow:
            # Shallow listings first: page 2 of a category before page 40 of a calendar.
            listing = self.schedule(
                url,
                self.parse_listing,
                item=False,
                priority=-depth - 1,
                meta={DEPTH_META: depth + 1, BARREN_META: streak},
            )
            if listing is not None:
                yield listing

    def parse_item(self, response: Response) -> Iterator[dict[str, Any]]:
        """An article or ad page as a raw page item: extracted in the analysis worker."""
        html = self.decode(response)
        if html is not None:
            yield self.page_item(response, html)
