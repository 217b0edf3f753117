"""Conditional GET for item pages: do not download or re-analyse what has not changed.

A Scrapy downloader middleware. Reads and writes the crawl state (``crawlers.state``,
``WILDWATCH_HOME/crawl_state.sqlite``) for requests whose ``meta["wildwatch_item"]`` is true:

* before the request: sends ``If-None-Match`` / ``If-Modified-Since`` with the validators the
  server gave last time; when the server gives none, a page fetched less than
  ``WILDWATCH_REVISIT_HOURS`` ago is skipped (stat ``wildwatch/skipped_recent``);
* on ``304 Not Modified``: records the visit, counts ``wildwatch/unchanged`` and drops the request
  (``IgnoreRequest``) so no parsing, analysis or indexing runs;
* on ``2xx``: does NOT record the page yet. It puts a ``crawlers.state.PageVisit`` (validators,
  SHA-256 of the body) in ``meta["wildwatch_visit"]``; the spider hands it on with the page's
  items and the ingest layer records it once they are committed to the index (DESIGN.md,
  durability rule). A page whose item is never indexed (killed crawl, bad page) stays unknown.

Feeds, sitemaps and listing pages (no ``wildwatch_item``) are always fetched: they are how new
items are found. ``meta["wildwatch_force"] = True`` fetches an item page unconditionally.

The state's writes of 304 and error responses run on one writer thread
(``crawlers.state.WriterThread``, commits in groups) and are not awaited: nothing later in the
crawl reads them back (each URL is requested once per run), so the reactor only pays for the
read before each request. ``spider_closed``
drains the writer before the state is closed, so a crawl stopped by SIGTERM keeps every visit.

Settings (Scrapy setting, else environment variable): ``WILDWATCH_CONDITIONAL_GET`` (default
true) enables the middleware; ``WILDWATCH_REVISIT_HOURS`` (default 24, 0 = never skip).
Enable it below ``HttpCompressionMiddleware`` (590), e.g. at 560, so body hashes are taken on
the decoded body, the same bytes the evidence archive hashes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from crawlers.state import CrawlState, PageVisit, WriterThread
from wildwatch.env import SettingError, env_bool, env_float

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

ITEM_META = "wildwatch_item"
FORCE_META = "wildwatch_force"
SOURCE_META = "wildwatch_source"
# ISO 8601 UTC time the response of an item page arrived, set by the evidence archive
# middleware; spiders copy it into the item's fetched_at.
FETCHED_AT_META = "wildwatch_fetched_at"
# The URL whose validators this request carries: a redirect copies headers to the new URL, and
# the old page's validators must not ask the new page "not modified?".
_VALIDATED_META = "_wildwatch_validated_url"
# The crawlers.state.PageVisit of a 200 item page, copied into its items by the spider.
VISIT_META = "wildwatch_visit"
_PREVIOUS_SHA_META = "_wildwatch_previous_sha256"
_VALIDATOR_HEADERS = (b"If-None-Match", b"If-Modified-Since")


def setting_bool(settings: BaseSettings, name: str, default: bool) -> bool:
    """A Scrapy setting if set (crawlers/settings.py, ``-s``), else the environment variable."""
    if settings.get(name) is None:
        return env_bool(name, default)
    try:
        return settings.getbool(name, default)
    except ValueError:
        raise SettingError(f"{name}={settings.get(name)!r}: expected true or false") from None


def setting_float(settings: BaseSettings, name: str, default: float) -> float:
    if settings.get(name) is None:
        return env_float(name, default)
    try:
        return settings.getfloat(name, default)
    except ValueError:
        raise SettingError(f"{name}={settings.get(name)!r}: expected a number") from None


def request_source(request: Request, crawler: Crawler | None) -> str | None:
    """The source slug of a request: ``meta["wildwatch_source"]``, else the spider's name."""
    source = request.meta.get(SOURCE_META)
    if source:
        return str(source)
    spider = getattr(crawler, "spider", None) if crawler is not None else None
    return getattr(spider, "name", None)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ConditionalGetMiddleware:
    def __init__(
        self,
        state: CrawlState,
        stats: StatsCollector,
        *,
        revisit: timedelta = timedelta(hours=24),
        crawler: Crawler | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.state = state
        self.stats = stats
        self.revisit = revisit
        self.crawler = crawler
        self.clock = clock
        self.writer = WriterThread("wildwatch-state-writer", state.commit)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        settings = crawler.settings
        if not setting_bool(settings, "WILDWATCH_CONDITIONAL_GET", True):
            raise NotConfigured("WILDWATCH_CONDITIONAL_GET is off")
        hours = setting_float(settings, "WILDWATCH_REVISIT_HOURS", 24.0)
        if hours < 0:
            raise SettingError(f"WILDWATCH_REVISIT_HOURS={hours}: must be 0 or more")
        assert crawler.stats is not None
        middleware = cls(
            CrawlState.from_settings(),
            crawler.stats,
            revisit=timedelta(hours=hours),
            crawler=crawler,
        )
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def close(self, *args: Any, **kwargs: Any) -> None:
        """Write what is still queued, then close the state."""
        self.writer.close()
        self.state.close()

    def flush(self) -> None:
        """Wait until every visit recorded so far is stored (tests, tools)."""
        self.writer.flush()

    def _write(self, job: Callable[[], None]) -> None:
        self.writer.submit(job).add_done_callback(_log_failure)

    def process_request(self, request: Request, spider: Any = None) -> Request | Response | None:
        validated = request.meta.pop(_VALIDATED_META, None)
        if validated is not None and validated != request.url:
            for header in _VALIDATOR_HEADERS:
                request.headers.pop(header, None)
        if not request.meta.get(ITEM_META) or request.meta.get(FORCE_META):
            return None
        page = self.state.get(request.url)
        # Remembered for process_response (same-body check): one state read per item page.
        request.meta[_PREVIOUS_SHA_META] = (request.url, page.sha256 if page else None)
        if page is None:
            return None
        if page.has_validators:
            if page.etag:
                request.headers[b"If-None-Match"] = page.etag
            if page.last_modified:
                request.headers[b"If-Modified-Since"] = page.last_modified
            request.meta[_VALIDATED_META] = request.url
            return None
        age = self.clock() - page.last_fetched
        was_ok = 200 <= page.last_status < 300 or page.last_status == 304
        if was_ok and self.revisit and age < self.revisit:
            self.stats.inc_value("wildwatch/skipped_recent")
            raise IgnoreRequest(
                f"fetched {age.total_seconds() / 3600:.1f} h ago (< WILDWATCH_REVISIT_HOURS) "
                f"and the server sends no validators: {request.url}"
            )
        return None

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if not request.meta.get(ITEM_META):
            return response
        now = self.clock()
        source = request_source(request, self.crawler)
        etag = _header(response, b"ETag")
        last_modified = _header(response, b"Last-Modified")
        # After a redirect, request.url is the final URL; remember the URL the feed gave too,
        # since that is what the next crawl will ask for first.
        urls = list(dict.fromkeys([*request.meta.get("redirect_urls", []), request.url]))
        if response.status == 304:
            self._write(
                lambda: self._mark_all(
                    urls,
                    status=304,
                    fetched_at=now,
                    etag=etag,
                    last_modified=last_modified,
                    source=source,
                )
            )
            self.stats.inc_value("wildwatch/unchanged")
            raise IgnoreRequest(f"not modified since the last crawl: {request.url}")
        if 200 <= response.status < 300:
            sha256 = request.meta.get("archive_sha256") or hashlib.sha256(response.body).hexdigest()
            seen_url, previous_sha = request.meta.get(_PREVIOUS_SHA_META) or (None, None)
            if seen_url != request.url:
                previous = self.state.get(request.url)
                previous_sha = previous.sha256 if previous is not None else None
            if previous_sha is not None and previous_sha == sha256:
                # Same bytes as last time although the server could not say so (no validators).
                request.meta["wildwatch_same_body"] = True
                self.stats.inc_value("wildwatch/same_body")
            # Not recorded here: the page becomes known once its items are in the index
            # (crawlers.state.PageVisit, recorded by the ingest layer after the batch upsert).
            request.meta[VISIT_META] = PageVisit(
                urls=tuple(urls),
                status=response.status,
                fetched_at=now,
                etag=etag,
                last_modified=last_modified,
                sha256=sha256,
                source=source,
            )
        else:
            self._write(
                lambda: self._mark_all(urls, status=response.status, fetched_at=now, source=source)
            )
        return response

    def _mark_all(self, urls: list[str], **visit: Any) -> None:
        for url in urls:
            self.state.mark_fetched(url, commit=False, **visit)


def _log_failure(future: Future[object]) -> None:
    error = future.exception()
    if error is not None:
        logger.error(
            "crawl state: a visit could not be stored (%s: %s)", type(error).__name__, error
        )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    if not value:
        return None
    return value.decode("latin-1").strip() or None
