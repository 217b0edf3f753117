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

Setting ``WILDWATCH_ARCHIVE`` (Scrapy setting, else environment variable; default true) turns it
off. Enable it below ``HttpCompressionMiddleware`` (590) and above ``ConditionalGetMiddleware``,
e.g. at 580: it then sees the decoded body, and its hash is reused by the crawl state.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from crawlers.archive import EvidenceArchive
from crawlers.conditional_get import ITEM_META, request_source, setting_bool

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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidenceArchiveMiddleware:
        if not setting_bool(crawler.settings, "WILDWATCH_ARCHIVE", True):
            raise NotConfigured("WILDWATCH_ARCHIVE is off")
        middleware = cls(EvidenceArchive.from_settings(), crawler.stats, crawler)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.archive.close()

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if not request.meta.get(ITEM_META):
            return response
        if not (200 <= response.status < 300 or response.status in TAKEDOWN_STATUSES):
            return response
        redirects = request.meta.get("redirect_urls") or [request.url]
        record = self.archive.store(
            url=redirects[0],
            final_url=response.url,
            status=response.status,
            headers=_header_pairs(response),
            body=response.body,
            fetched_at=datetime.now(UTC),
            source=request_source(request, self.crawler),
        )
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
