"""Scrapy adapter of the evidence archive: keep every item page exactly as it was served.

A downloader middleware. For each response to a request with ``meta["wildwatch_item"]`` true
(articles, ads, posts; not feeds or listings), stores the body and a fetch record in
``crawlers.archive.EvidenceArchive`` (``WILDWATCH_HOME/archive``) and sets
``request.meta["archive_sha256"]``, which spiders read as ``response.meta["archive_sha256"]`` and
copy into the item so a search hit links to its evidence.

Stored: 2xx pages, and 404, 410 and 451 pages, which prove an ad or article was taken down. Not
stored: 304 (no body), 3xx (the redirect middleware follows them; the final page is stored with
the URL first asked in ``url``), other 4xx such as 403 or 429 (blocks and rate limits say nothing
about the page) and 5xx (server trouble, retried).

The disk work (gzip, atomic file write with fsync, SQLite insert and commit) runs on one
writer thread (``crawlers.state.WriterThread``), which commits the records of a burst of pages
together; ``process_response`` is a coroutine that awaits it, so the reactor keeps downloading
while a page is archived, and no response reaches the spider (hence no item the index) before its
page is durably archived. ``spider_closed`` drains the writer before the archive is closed.
The time the response arrived goes to ``request.meta["wildwatch_fetched_at"]`` (the item's
``fetched_at``).

Setting ``WILDWATCH_ARCHIVE`` (Scrapy setting, else environment variable; default true) turns it
off. Enable it below ``HttpCompressionMiddleware`` (590) and above ``ConditionalGetMiddleware``,
e.g. at 580: it then sees the decoded body, and its hash is reused by the crawl state.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from crawlers.archive import ArchiveRecord, EvidenceArchive, utc_iso
from crawlers.conditional_get import FETCHED_AT_META, ITEM_META, request_source, setting_bool
from crawlers.state import WriterThread

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

SHA256_META = "archive_sha256"
TAKEDOWN_STATUSES = frozenset({404, 410, 451})


class EvidenceArchiveMiddleware:
    def __init__(
        self,
        archive: EvidenceArchive,
        stats: StatsCollector | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        self.archive = archive
        self.stats = stats
        self.crawler = crawler
        self.writer = WriterThread("wildwatch-archive-writer", archive.commit)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidenceArchiveMiddleware:
        if not setting_bool(crawler.settings, "WILDWATCH_ARCHIVE", True):
            raise NotConfigured("WILDWATCH_ARCHIVE is off")
        archive = EvidenceArchive.from_settings()
        removed = archive.remove_stale_leftovers()  # of writes a kill -9 interrupted
        if removed:
            logger.info("archive: removed %d leftovers of interrupted writes", len(removed))
        middleware = cls(archive, crawler.stats, crawler)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def close(self, *args: Any, **kwargs: Any) -> None:
        """Archive what is still queued (a crawl stopped by SIGTERM included), then close."""
        self.writer.close()
        self.archive.close()

    async def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if not request.meta.get(ITEM_META):
            return response
        if not (200 <= response.status < 300 or response.status in TAKEDOWN_STATUSES):
            return response
        redirects = request.meta.get("redirect_urls") or [request.url]
        fetched_at = datetime.now(UTC)
        request.meta[FETCHED_AT_META] = utc_iso(fetched_at)
        archive, headers = self.archive, _header_pairs(response)
        url, final_url, status, body = redirects[0], response.url, response.status, response.body
        source = request_source(request, self.crawler)

        def store() -> ArchiveRecord:
            return archive.store(
                url=url,
                final_url=final_url,
                status=status,
                headers=headers,
                body=body,
                fetched_at=fetched_at,
                source=source,
                commit=False,
            )

        record = await asyncio.wrap_future(self.writer.submit(store))
        assert isinstance(record, ArchiveRecord)
        request.meta[SHA256_META] = record.sha256
        if self.stats is not None:
            self.stats.inc_value("wildwatch/archived")
            self.stats.inc_value("wildwatch/archived_bytes", record.size)
        return response


def _header_pairs(response: Response) -> list[tuple[str, str]]:
    # Scrapy keeps header values as bytes; HTTP/1.1 headers are Latin-1 on the wire.
    pairs: list[tuple[str, str]] = []
    for name, values in response.headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs
