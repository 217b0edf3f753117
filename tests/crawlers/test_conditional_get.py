"""Conditional GET middleware: validators sent, 304 and recent pages dropped, feeds always fetched.

Unit tests drive the middleware with real Scrapy requests and responses; one end-to-end test runs
two real crawls (in subprocesses: the Twisted reactor cannot restart) against a local server.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawlers.archive import EvidenceArchive
from crawlers.conditional_get import VISIT_META, ConditionalGetMiddleware
from crawlers.state import CrawlState

ARTICLE = "https://plo.vn/tuyen-an-ke-buon-ban-sung-te-giac-post789012.html"
FEED = "https://plo.vn/rss/phap-luat-11.rss"
BODY = (
    "<html><head><title>Tuyên án kẻ buôn bán sừng tê giác</title></head><body>"
    "<p>TAND TP Hà Nội tuyên phạt bị cáo 12 năm tù vì vận chuyển 7 kg sừng tê giác.</p>"
    "</body></html>"
).encode()
T0 = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def crawler_with(**settings: Any) -> Crawler:
    crawler = get_crawler(settings_dict=settings)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return crawler


def middleware_at(now: datetime, **settings: Any) -> tuple[ConditionalGetMiddleware, Crawler]:
    crawler = crawler_with(**settings)
    middleware = ConditionalGetMiddleware.from_crawler(crawler)
    middleware.clock = Clock(now)
    return middleware, crawler


def item(url: str = ARTICLE, **meta: Any) -> Request:
    return Request(url, meta={"wildwatch_item": True, "wildwatch_source": "plo", **meta})


def response(
    request: Request,
    *,
    status: int = 200,
    body: bytes = BODY,
    headers: dict[str, str] | None = None,
) -> Response:
    return HtmlResponse(
        request.url,
        status=status,
        headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})},
        body=body,
        request=request,
    )


def stat(crawler: Crawler, name: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(name)


def fetch(
    middleware: ConditionalGetMiddleware,
    request: Request,
    reply: Response,
    *,
    indexed: bool = True,
) -> Response:
    """What the downloader does: process_request, then process_response unless dropped; then
    waits for the writer thread, which stores visits in the background. ``indexed``: the page's
    item was then committed to the index, so the ingest layer records its visit."""
    assert middleware.process_request(request) is None
    processed = middleware.process_response(request, reply)
    middleware.flush()
    if indexed:
        commit_item(middleware, request)
    return processed


def commit_item(middleware: ConditionalGetMiddleware, request: Request) -> None:
    """What the ingest layer does once the page's item is in the index."""
    visit = request.meta.get(VISIT_META)
    if visit is not None and visit.item_committed():
        visit.record(middleware.state)
        middleware.state.commit()


def test_a_page_is_not_known_until_its_item_is_indexed(home: Path) -> None:
    middleware, _ = middleware_at(T0)
    first = item()
    fetch(middleware, first, response(first, headers={"ETag": '"v1"'}), indexed=False)
    # killed before the batch upsert: the next crawl asks without validators, gets the page
    again = item()
    assert middleware.process_request(again) is None
    assert b"If-None-Match" not in again.headers
    assert CrawlState(home / "crawl_state.sqlite").get(ARTICLE) is None


def test_first_fetch_records_validators_then_they_are_sent(home: Path) -> None:
    middleware, _ = middleware_at(T0)
    first = item()
    fetch(
        middleware,
        first,
        response(
            first,
            headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 02:00:00 GMT"},
        ),
    )
    assert b"If-None-Match" not in first.headers

    middleware.clock = Clock(T0 + timedelta(hours=1))
    again = item(ARTICLE + "?utm_source=zalo")  # same page, other tracking tags
    assert middleware.process_request(again) is None
    assert again.headers[b"If-None-Match"] == b'"v1"'
    assert again.headers[b"If-Modified-Since"] == b"Wed, 01 May 2024 02:00:00 GMT"
    with CrawlState(home / "crawl_state.sqlite") as state:
        page = state.get(ARTICLE)
    assert page is not None and page.source == "plo" and page.sha256 is not None


def test_304_drops_the_request_and_counts_unchanged(home: Path) -> None:
    middleware, crawler = middleware_at(T0)
    first = item()
    fetch(middleware, first, response(first, headers={"ETag": '"v1"'}))
    middleware.clock = Clock(T0 + timedelta(days=2))
    again = item()
    middleware.process_request(again)
    with pytest.raises(IgnoreRequest, match="not modified"):
        middleware.process_response(again, response(again, status=304, body=b""))
    middleware.flush()
    assert stat(crawler, "wildwatch/unchanged") == 1
    with CrawlState(home / "crawl_state.sqlite") as state:
        page = state.get(ARTICLE)
    assert page is not None
    assert (page.last_status, page.etag, page.last_fetched) == (304, '"v1"', T0 + timedelta(days=2))


def test_without_validators_a_recent_page_is_skipped_an_old_one_fetched(home: Path) -> None:
    middleware, crawler = middleware_at(T0)
    first = item()
    fetch(middleware, first, response(first))
    middleware.clock = Clock(T0 + timedelta(hours=23))
    with pytest.raises(IgnoreRequest, match="WILDWATCH_REVISIT_HOURS"):
        middleware.process_request(item())
    assert stat(crawler, "wildwatch/skipped_recent") == 1
    middleware.clock = Clock(T0 + timedelta(hours=25))
    later = item()
    assert middleware.process_request(later) is None
    assert b"If-None-Match" not in later.headers
    # Same bytes again: flagged for the spider, state refreshed.
    fetch(middleware, later, response(later))
    assert later.meta["wildwatch_same_body"] is True
    assert stat(crawler, "wildwatch/same_body") == 1


def test_feeds_listings_and_forced_items_are_always_fetched(home: Path) -> None:
    middleware, crawler = middleware_at(T0)
    feed = Request(FEED)
    fetch(middleware, feed, response(feed, body=b"<rss/>", headers={"ETag": '"feed"'}))
    first = item()
    fetch(middleware, first, response(first))
    middleware.clock = Clock(T0 + timedelta(minutes=5))
    feed_again = Request(FEED)
    assert middleware.process_request(feed_again) is None
    assert b"If-None-Match" not in feed_again.headers  # feed state is never kept
    forced = item(wildwatch_force=True)
    assert middleware.process_request(forced) is None
    # A feed answering 304 (its own HTTP cache) is left to Scrapy.
    assert (
        middleware.process_response(feed_again, response(feed_again, status=304, body=b"")).status
        == 304
    )
    assert stat(crawler, "wildwatch/skipped_recent") is None


def test_error_pages_are_refetched_next_run(home: Path) -> None:
    middleware, _ = middleware_at(T0)
    broken = item()
    assert fetch(middleware, broken, response(broken, status=503, body=b"busy")).status == 503
    middleware.clock = Clock(T0 + timedelta(minutes=10))
    assert middleware.process_request(item()) is None


def test_revisit_hours_setting(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_REVISIT_HOURS", "0")
    middleware, _ = middleware_at(T0)
    first = item()
    fetch(middleware, first, response(first))
    middleware.clock = Clock(T0 + timedelta(minutes=1))
    assert middleware.process_request(item()) is None  # 0 = never skip
    short, _ = middleware_at(T0 + timedelta(hours=3), WILDWATCH_REVISIT_HOURS=2)
    assert short.process_request(item()) is None
    long, _ = middleware_at(T0 + timedelta(hours=3), WILDWATCH_REVISIT_HOURS="48")
    with pytest.raises(IgnoreRequest):
        long.process_request(item())


def test_disabled_by_setting_or_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NotConfigured):
        ConditionalGetMiddleware.from_crawler(crawler_with(WILDWATCH_CONDITIONAL_GET=False))
    monkeypatch.setenv("WILDWATCH_CONDITIONAL_GET", "off")
    with pytest.raises(NotConfigured):
        ConditionalGetMiddleware.from_crawler(crawler_with())


def test_redirect_does_not_carry_the_old_pages_validators(home: Path) -> None:
    middleware, _ = middleware_at(T0)
    old_url = "http://plo.vn/bai-cu-post1.html"
    first = item(old_url)
    fetch(middleware, first, response(first, headers={"ETag": '"old"'}))
    again = item(old_url)
    middleware.process_request(again)
    assert again.headers[b"If-None-Match"] == b'"old"'
    # RedirectMiddleware builds the next request with replace(): headers and meta copied.
    moved = again.replace(url=ARTICLE)
    moved.meta["redirect_urls"] = [old_url]
    assert middleware.process_request(moved) is None
    assert b"If-None-Match" not in moved.headers
    middleware.process_response(moved, response(moved, headers={"ETag": '"new"'}))
    middleware.flush()
    commit_item(middleware, moved)
    with CrawlState(home / "crawl_state.sqlite") as state:
        # Both the URL the feed gives and the final URL now know the new page's validators.
        pages = [state.get(u) for u in (old_url, ARTICLE)]
        assert [page.etag if page else None for page in pages] == ['"new"', '"new"']


# ─── end to end: two real crawls against a local server ──────────────────────────────────────

SPIDER = textwrap.dedent(
    """
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from crawlers.state import CrawlState

    base, stats_file = sys.argv[1], sys.argv[2]

    class Committed:
        # Stands in for the ingest layer: the item is "indexed", then its page is known.

        def process_item(self, item, spider=None):
            visit = item.pop("visit")
            with CrawlState.from_settings() as state:
                if visit.item_committed():
                    visit.record(state)
            return item

    class Probe(scrapy.Spider):
        name = "probe"

        async def start(self):
            yield scrapy.Request(base + "/feed.xml", callback=self.parse_feed)

        def parse_feed(self, response):
            for link in response.xpath("//link/text()").getall():
                yield scrapy.Request(link, callback=self.parse_item,
                                     meta={"wildwatch_item": True, "wildwatch_source": "probe"})

        def parse_item(self, response):
            yield {"url": response.url, "archive_sha256": response.meta.get("archive_sha256"),
                   "title": response.css("title::text").get(),
                   "visit": response.meta["wildwatch_visit"]}

    items = []
    process = CrawlerProcess({
        "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {
            "crawlers.conditional_get.ConditionalGetMiddleware": 560,
            "crawlers.archive_middleware.EvidenceArchiveMiddleware": 580,
        },
        "ITEM_PIPELINES": {Committed: 100},
    })
    crawler = process.create_crawler(Probe)
    crawler.signals.connect(
        lambda item: items.append(item), scrapy.signals.item_scraped, weak=False
    )
    process.crawl(crawler)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("wildwatch/")}
    json.dump({"stats": stats, "items": items}, open(stats_file, "w"))
    """
)


class Site(BaseHTTPRequestHandler):
    """A news site: one article with an ETag (gzip-encoded), one without validators."""

    requests: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        Site.requests.append((self.path, self.headers.get("If-None-Match")))
        base = f"http://{self.headers['Host']}"
        if self.path == "/feed.xml":
            body = (
                f"<rss><channel><item><link>{base}/tin/vay-te-te-1.html</link></item>"
                f"<item><link>{base}/tin/nga-voi-2.html?utm_source=rss</link></item>"
                "</channel></rss>"
            ).encode()
            self.reply(200, body, {"Content-Type": "application/rss+xml"})
        elif self.path == "/tin/vay-te-te-1.html":
            if self.headers.get("If-None-Match") == '"v1"':
                self.reply(304, b"", {"ETag": '"v1"'})
                return
            page = "<html><title>Thu giữ 2 tấn vảy tê tê</title><body>...</body></html>"
            self.reply(
                200,
                gzip.compress(page.encode()),
                {
                    "Content-Type": "text/html; charset=utf-8",
                    "ETag": '"v1"',
                    "Content-Encoding": "gzip",
                },
            )
        elif self.path.startswith("/tin/nga-voi-2.html"):
            page = "<html><title>Ngà voi giả danh đồ mỹ nghệ</title></html>"
            self.reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
        else:
            self.reply(404, b"not found", {"Content-Type": "text/plain"})

    def reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    Site.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def crawl(tmp_path: Path, base: str, home: Path, run: int) -> dict[str, Any]:
    script = tmp_path / "probe.py"
    script.write_text(SPIDER)
    out = tmp_path / f"run{run}.json"
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, str(script), base, str(out)],
        cwd=repo,
        env={"WILDWATCH_HOME": str(home), "PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    result_data: dict[str, Any] = json.loads(out.read_text())
    return result_data


def test_two_real_crawls(tmp_path: Path, site: str) -> None:
    home = tmp_path / "home"
    first = crawl(tmp_path, site, home, 1)
    titles = sorted(item["title"] for item in first["items"])
    assert titles == ["Ngà voi giả danh đồ mỹ nghệ", "Thu giữ 2 tấn vảy tê tê"]
    assert all(item["archive_sha256"] for item in first["items"])
    assert first["stats"]["wildwatch/archived"] == 2

    second = crawl(tmp_path, site, home, 2)
    assert second["items"] == []  # nothing changed: nothing parsed, analysed or indexed
    assert second["stats"]["wildwatch/unchanged"] == 1
    assert second["stats"]["wildwatch/skipped_recent"] == 1
    assert "wildwatch/archived" not in second["stats"]
    # The feed was fetched both times; the page without validators only once; the page with an
    # ETag was asked conditionally the second time.
    paths = [path for path, _ in Site.requests]
    assert paths.count("/feed.xml") == 2
    assert sum(p.startswith("/tin/nga-voi-2.html") for p in paths) == 1
    assert [etag for path, etag in Site.requests if path == "/tin/vay-te-te-1.html"] == [
        None,
        '"v1"',
    ]

    with EvidenceArchive(home / "archive") as archive:
        records = list(archive.records(source="probe"))
        assert len(records) == 2
        gzipped = archive.latest(f"{site}/tin/vay-te-te-1.html")
        assert gzipped is not None
        # Stored decoded, as parsed: the hash the item carries is the hash of what was read.
        assert archive.body(gzipped.sha256).startswith(b"<html><title>Thu gi")
        assert gzipped.sha256 in {item["archive_sha256"] for item in first["items"]}
