"""Redirects a crawl refuses to follow, counted by kind and logged with both URLs.

Two downloader middlewares, because Scrapy acts on the two sorts of redirect in two places:

* :class:`RedirectAuditMiddleware` (enable at 610, just above Scrapy's ``RedirectMiddleware`` at
  600) sees a 301/302/303/307/308 before Scrapy turns it into a new request;
* :class:`MetaRefreshAuditMiddleware` (enable at 585, between ``HttpCompressionMiddleware`` at 590,
  whose decoded HTML it needs, and ``MetaRefreshMiddleware`` at 580) sees a page whose
  ``<meta http-equiv="refresh">`` Scrapy would follow.

Reads a spider request's response (requests with ``meta["wildwatch_source"]``: robots.txt fetches
are not audited) and the spider's ``allowed_domains``. When the redirect goes

* to a host outside the source's allowed domains: ``offsite_redirect`` or ``offsite_meta_refresh``;
* back to a URL already in its own chain: ``redirect_loop``;
* one step past ``REDIRECT_MAX_TIMES``: ``too_many_redirects``,

it bumps ``wildwatch/errors/<kind>`` in the crawler stats (the crawl summary lists every key under
``wildwatch/errors/`` by kind, like ``too_large``), logs a WARNING naming the source, the URL that
redirected and the target, and raises ``IgnoreRequest``. Scrapy would have dropped such a
redirect anyway (its offsite filter, its duplicate filter, its redirect limit), but at DEBUG
level and without a count; stopping it here also keeps the stub page of an off-site meta
refresh out of the evidence archive. Redirects within the source are left to Scrapy.

Pages rendered through Chromium (``render_js``) follow their redirects inside the browser and are
not audited.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.response import get_meta_refresh
from w3lib.url import canonicalize_url, safe_url_string

from crawlers.conditional_get import SOURCE_META
from crawlers.spiders.pages import same_site

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class _RedirectAudit:
    """What both audits share: the checks, the count and the log line."""

    enabled_setting = ""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool(self.enabled_setting, True):
            raise NotConfigured(f"{self.enabled_setting} is off")
        self.crawler = crawler
        self.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    def refused(self, request: Request, target: str, *, meta_refresh: bool) -> str | None:
        """The kind of refusal for a redirect of ``request`` to ``target``, or None when it
        stays on the source and within the limits (Scrapy then follows it)."""
        spider = self.crawler.spider
        domains = list(getattr(spider, "allowed_domains", None) or ())
        if domains and not same_site(target, domains):
            return "offsite_meta_refresh" if meta_refresh else "offsite_redirect"
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        if canonicalize_url(target) in {canonicalize_url(url) for url in chain}:
            return "redirect_loop"
        hops = int(request.meta.get("redirect_times", 0)) + 1
        if hops > self.max_redirects or request.meta.get("redirect_ttl", 1) <= 0:
            return "too_many_redirects"
        return None

    def refuse(self, kind: str, request: Request, response: Response, target: str) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"wildwatch/errors/{kind}")
        source = request.meta.get(SOURCE_META, "?")
        chain = request.meta.get("redirect_urls") or []
        logger.warning(
            "%s: %s %s → %s (%s%s)",
            source,
            kind,
            response.url,
            target,
            "meta refresh" if kind == "offsite_meta_refresh" else response.status,
            f", first asked as {chain[0]}" if chain else "",
        )
        raise IgnoreRequest(f"{kind}: {response.url} → {target}")

    def audited(self, request: Request, response: Response) -> bool:
        """Whether Scrapy would act on a redirect of this response (the conditions of its own
        middlewares) and the request is one of the spider's."""
        if SOURCE_META not in request.meta or request.meta.get("dont_redirect"):
            return False
        return not (
            request.meta.get("handle_httpstatus_all")
            or response.status in request.meta.get("handle_httpstatus_list", ())
            or response.status in getattr(self.crawler.spider, "handle_httpstatus_list", ())
        )


class RedirectAuditMiddleware(_RedirectAudit):
    """HTTP redirects (3xx with a Location header)."""

    enabled_setting = "REDIRECT_ENABLED"

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if response.status not in REDIRECT_STATUSES or not self.audited(request, response):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        # relative and scheme-relative (//host/path) locations resolve against the request
        target = urljoin(request.url, safe_url_string(location))
        kind = self.refused(request, target, meta_refresh=False)
        if kind is not None:
            self.refuse(kind, request, response, target)
        return response


class MetaRefreshAuditMiddleware(_RedirectAudit):
    """``<meta http-equiv="refresh" content="0; url=...">`` pages Scrapy would follow."""

    enabled_setting = "METAREFRESH_ENABLED"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.ignore_tags = crawler.settings.getlist("METAREFRESH_IGNORE_TAGS")
        self.max_delay = crawler.settings.getint("METAREFRESH_MAXDELAY")

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if not isinstance(response, HtmlResponse) or request.method == "HEAD":
            return response
        if not self.audited(request, response):
            return response
        delay, target = get_meta_refresh(response, ignore_tags=self.ignore_tags)
        if not target or delay is None or delay >= self.max_delay:
            return response  # no refresh, or too slow for Scrapy to follow: the page is kept
        if not target.startswith(("http://", "https://")):
            return response
        kind = self.refused(request, target, meta_refresh=True)
        if kind is not None:
            self.refuse(kind, request, response, target)
        return response
