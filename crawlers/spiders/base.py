"""The spider every source kind builds on: one spider instance per source, bounded and polite.

Reads a :class:`crawlers.sources.Source` and the responses Scrapy downloads; writes raw items
(plain dicts, see :func:`raw_item`) for the pipelines of ``ingest.scrapy_pipelines``, and crawl
statistics (``wildwatch/errors/<kind>``, ``wildwatch/items``, ``wildwatch/budget_exhausted``).

What every kind shares lives here:
* the page budget: every URL scheduled counts against ``max_pages`` (seeds included), once per
  canonical URL, so a calendar trap or a facet explosion ends at the budget however it links;
* the allowed domains (checked before scheduling, Scrapy's offsite middleware checks again after
  redirects);
* errors never stop a crawl: a 404, a timeout, a binary file or a page the extractor cannot read
  is counted by kind and logged with its URL, and the crawl goes on.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.python.failure import Failure

# Request meta keys read by the conditional-GET and evidence-archive middlewares.
from crawlers.conditional_get import (
    FETCHED_AT_META,
    FORCE_META,
    ITEM_META,
    SOURCE_META,
    VISIT_META,
)
from crawlers.sources import Source
from crawlers.spiders.pages import Page, iso_datetime
from crawlers.spiders.pages import same_site as on_site
from pipelines.urls import InvalidURL, canonical_url, check_url

logger = logging.getLogger(__name__)

LISTED_DATE_META = "wildwatch_listed_date"  # date the feed/sitemap gave, when the page has none
# Raw items of article and ad pages carry the page itself under this key: the analysis stage
# extracts it in a worker process (ingest.scrapy_pipelines), off the reactor thread.
PAGE_KEY = "page"
DEPTH_META = "wildwatch_depth"
# Raw items carry their page's crawlers.state.PageVisit (None when conditional GET is off).
VISIT_KEY = "visit"

# Items are fetched before listing pages: when the budget runs out, what was found is indexed.
ITEM_PRIORITY = 100
SEED_PRIORITY = 50


class SourceSpider(scrapy.Spider):
    """Base of the news, marketplace and social spiders (see ``crawlers.spiders``)."""

    def __init__(self, source: Source, max_pages: int | None = None, **kwargs: Any) -> None:
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.allowed_domains = list(source.allowed_domains)
        self.max_pages = max_pages or source.max_pages
        self._scheduled: set[str] = set()

    # -- scheduling ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.seed_requests():
            yield request

    def seed_requests(self) -> Iterable[Request]:
        raise NotImplementedError  # each kind knows its seeds

    def schedule(
        self,
        url: str,
        callback: Callable[..., Any],
        *,
        item: bool,
        priority: int = 0,
        meta: dict[str, Any] | None = None,
        force: bool = False,
    ) -> Request | None:
        """A request for ``url``, or None when it is off-domain, already scheduled in this run,
        or beyond the page budget, or malformed (counted, logged, the crawl goes on)."""
        try:
            url = check_url(url)
        except InvalidURL as error:
            self.page_error("invalid_url", url[:200], error.problem)
            return None
        if not self.same_site(url):
            self.count("offsite_skipped")
            return None
        key = canonical_url(url)
        if key in self._scheduled:
            return None
        if len(self._scheduled) >= self.max_pages:
            if self.count("budget_exhausted") == 1:
                logger.info(
                    "%s: max_pages=%d reached, not following %s", self.name, self.max_pages, url
                )
            return None
        self._scheduled.add(key)
        request_meta: dict[str, Any] = {SOURCE_META: self.source.name, **(meta or {})}
        if item:
            request_meta[ITEM_META] = True
        if force:
            request_meta[FORCE_META] = True
        if self.source.render_js:
            # Only render_js sources go through the browser (scrapy-playwright reads this key).
            request_meta["playwright"] = True
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            priority=priority,
            meta=request_meta,
            # Not dont_filter: Scrapy's offsite middleware skips such requests, and a redirect
            # to another host must be dropped like any off-domain link.
        )

    def schedule_all(self, requests: Iterable[Request | None]) -> Iterator[Request]:
        return (request for request in requests if request is not None)

    # -- accounting ---------------------------------------------------------------------------

    def count(self, key: str, amount: int = 1) -> int:
        """Bump ``wildwatch/<key>`` in the crawler stats; returns the new value."""
        stats = self.crawler.stats
        if stats is None:
            return 0
        stats.inc_value(f"wildwatch/{key}", amount)
        return int(stats.get_value(f"wildwatch/{key}", 0))

    def page_error(self, kind: str, url: str, detail: str = "") -> None:
        """Count a failed page by kind and log it with its URL; the crawl goes on."""
        self.count(f"errors/{kind}")
        logger.warning("%s: %s %s%s", self.name, kind, url, f" ({detail})" if detail else "")

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if failure.check(HttpError):
            response = failure.value.response  # type: ignore[union-attr]
            self.page_error(f"http_{response.status}", response.url)
        elif failure.check(IgnoreRequest):
            # robots.txt, not-modified and recently-seen pages: counted by their middleware.
            return
        elif failure.check(net_error.TimeoutError, net_error.TCPTimedOutError) or (
            "Timeout" in type(failure.value).__name__  # Scrapy's DownloadTimeoutError
        ):
            self.page_error("timeout", url)
        elif failure.check(net_error.DNSLookupError):
            self.page_error("dns", url)
        elif failure.check(
            net_error.ConnectionRefusedError,
            net_error.ConnectionLost,
            net_error.ConnectError,
            net_error.ConnectionDone,
        ) or "ResponseFailed" in repr(failure.value):
            self.page_error("connection", url, str(failure.value))
        elif "Cancel" in type(failure.value).__name__:
            # DOWNLOAD_MAXSIZE cancels the transfer; the handler already logged the size.
            self.page_error("too_large", url)
        else:
            self.page_error(type(failure.value).__name__.lower(), url, str(failure.value))

    # -- items --------------------------------------------------------------------------------

    def decode(self, response: Response) -> str | None:
        """The page as text, or None (counted) when it is empty or not HTML."""
        from crawlers.extract import NotHtmlError, decode_body

        if not response.body.strip():
            self.page_error("empty", response.url)
            return None
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        try:
            return str(decode_body(response.body, content_type))
        except NotHtmlError as error:
            self.page_error("not_html", response.url, str(error))
            return None

    def raw_item(self, response: Response, url: str, **fields: Any) -> dict[str, Any]:
        """The item handed to the pipelines: what the page says plus where it came from."""
        self.count("items")
        published = iso_datetime(fields.pop("published_at", None))
        return {
            **self._origin(response, url),
            "published_at": published or response.meta.get(LISTED_DATE_META),
            **fields,
        }

    def page_item(self, response: Response, html: str) -> dict[str, Any]:
        """The item of an article or ad page before extraction: where it came from, and the
        page under ``PAGE_KEY``. ``ingest.scrapy_pipelines.AnalysisPipeline`` extracts and
        analyses it in one worker call, counts ``wildwatch/items`` or the page's error, and
        fills url, title, text, author, seller, published_at (the feed's date when the page
        shows none) and page_language."""
        origin = self._origin(response, response.url)
        origin[PAGE_KEY] = Page(
            html=html,
            url=response.url,
            kind=self.source.kind,
            fetched_at=origin["fetched_at"],
            selectors=tuple(sorted(self.source.selectors.items())),
            allowed_domains=tuple(self.allowed_domains),
        )
        origin["published_at"] = response.meta.get(LISTED_DATE_META)
        return origin

    def _origin(self, response: Response, url: str) -> dict[str, Any]:
        # The archive middleware notes when the response arrived; fall back to now for pages
        # that were not archived (WILDWATCH_ARCHIVE=false).
        fetched_at = response.meta.get(FETCHED_AT_META) or datetime.now(UTC).isoformat(
            timespec="seconds"
        )
        return {
            # As fetched (or as the channel page links the post): the canonical form only
            # makes the document id (DESIGN.md: the stored URL is never rewritten).
            "url": url,
            "source": self.source.name,
            "kind": self.source.kind,
            "country": self.source.country,
            "language": self.source.language,
            "fetched_at": fetched_at,
            "archive_sha256": response.meta.get("archive_sha256"),
            # The page's crawlers.state.PageVisit: recorded once the items are indexed.
            VISIT_KEY: response.meta.get(VISIT_META),
        }

    def same_site(self, url: str | None) -> bool:
        """Whether ``url`` is on one of the source's hosts or their sub-domains (any port: a
        source's own URLs decide the port, and tests and mirrors use non-standard ones)."""
        return on_site(url, self.allowed_domains)


__all__ = ["PAGE_KEY", "VISIT_KEY", "SourceSpider", "iso_datetime"]
