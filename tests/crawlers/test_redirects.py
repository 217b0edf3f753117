"""Redirects a crawl refuses, end to end: a real ``wildwatch crawl`` over the redirect section of
the local test site. Off-site redirects and meta refreshes, a loop and an endless chain are
counted by kind in the summary and logged with both URLs, nothing off-site is requested, and
redirects within the site are still followed to their article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawlers.archive import EvidenceArchive
from crawlers.redirect_audit import RedirectAuditMiddleware
from pipelines.urls import document_id
from search.factory import open_backend
from tests.crawlers.conftest import CrawlRun, run_crawl
from tests.crawlers.site.server import (
    CHAIN,
    LOOP_A,
    LOOP_B,
    MOVED,
    OFFSITE_REDIRECT,
    OFFSITE_REFRESH,
    REFRESH,
    Logged,
    SiteServer,
)

SOURCE = "chuyen-huong"
SOURCES = """
[[sources]]
name = "chuyen-huong"
kind = "news"
language = "vi"
country = "VN"
start_urls = ["{base}/chuyen-huong/"]
items = ['/(chuyen-huong|phap-luat)/[a-z0-9-]+-\\d+\\.html']
max_pages = 20
"""


@dataclass
class Crawl:
    home: Path
    run: CrawlRun
    requests: list[Logged]


@pytest.fixture(scope="module")
def crawl(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    home = tmp_path_factory.mktemp("home")
    sources = home / "sources.toml"
    sources.write_text(SOURCES.format(base=site.base), encoding="utf-8")
    before = len(site.requests)
    run = run_crawl(home, "--sources", str(sources), "--json")
    assert run.returncode == 0, run.stderr
    return Crawl(home, run, site.requests[before:])


def test_refused_redirects_are_counted_by_kind_in_the_summary(crawl: Crawl) -> None:
    summary = crawl.run.source(SOURCE)
    assert summary["errors"] == {
        "offsite_meta_refresh": 1,
        "offsite_redirect": 1,
        "redirect_loop": 1,
        "too_many_redirects": 1,
    }
    assert summary["finish_reason"] == "finished"


def test_each_refused_redirect_is_logged_as_a_warning_with_url_and_target(
    site: SiteServer, crawl: Crawl
) -> None:
    here = f"{site.base}/chuyen-huong"
    expected = [
        f"offsite_redirect {here}/{OFFSITE_REDIRECT} → {site.other}/phap-luat/bai-goc-81001.html"
        " (302)",
        f"offsite_meta_refresh {here}/{OFFSITE_REFRESH} → {site.other}/tin/81002.html"
        " (meta refresh)",
        f"redirect_loop {here}/{LOOP_B} → {here}/{LOOP_A} (301, first asked as {here}/{LOOP_A})",
        f"too_many_redirects {here}/{CHAIN}?buoc=5 → {here}/{CHAIN}?buoc=6"
        f" (302, first asked as {here}/{CHAIN}?buoc=0)",
    ]
    log = (crawl.home / "logs" / "crawl.log").read_text(encoding="utf-8")
    for line in expected:
        assert f"{SOURCE}: {line}" in crawl.run.stderr  # on the console, as a warning
        assert re.search(rf"WARNING \S+: {re.escape(SOURCE)}: {re.escape(line)}", log), line


def test_nothing_off_site_is_requested_and_loops_and_chains_stop(
    site: SiteServer, crawl: Crawl
) -> None:
    assert {r.host for r in crawl.requests} == {f"127.0.0.1:{site.port}"}
    paths = [r.path for r in crawl.requests]
    assert paths.count(f"/chuyen-huong/{LOOP_A}") == 1
    assert paths.count(f"/chuyen-huong/{LOOP_B}") == 1
    # REDIRECT_MAX_TIMES = 5: the first request and five redirects, then the chain is cut
    assert sorted(p for p in paths if CHAIN in p) == [
        f"/chuyen-huong/{CHAIN}?buoc={step}" for step in range(6)
    ]


def test_redirects_within_the_site_are_followed_and_indexed(
    site: SiteServer, crawl: Crawl, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = crawl.run.source(SOURCE)
    assert (summary["items"], summary["new"]) == (2, 2)
    monkeypatch.setenv("WILDWATCH_HOME", str(crawl.home))
    backend = open_backend()
    try:
        assert backend.count() == 2
        for article in site.site.articles[:2]:
            assert backend.get(document_id(site.site.article_url(article))) is not None
    finally:
        backend.close()
    with EvidenceArchive(crawl.home / "archive") as archive:
        records = {(r.url, r.final_url) for r in archive.records()}
    here = f"{site.base}/chuyen-huong"
    # each article is archived with the URL first asked; the refused refresh stub is not
    assert (f"{here}/{MOVED}", site.site.article_url(site.site.articles[0])) in records
    assert (f"{here}/{REFRESH}", site.site.article_url(site.site.articles[1])) in records
    assert not [r for r in records if OFFSITE_REFRESH in r[0]]


# ─── the middlewares on their own: what is left to Scrapy ───────────────────────────────────


class NewsSpider(Spider):
    name = "vnexpress"

    def __init__(self) -> None:
        super().__init__()
        self.allowed_domains = ["vnexpress.net"]


def audit() -> tuple[RedirectAuditMiddleware, Crawler]:
    crawler = get_crawler(NewsSpider)
    crawler.spider = NewsSpider()
    crawler.stats.open_spider()
    return RedirectAuditMiddleware.from_crawler(crawler), crawler


def moved(request: Request, location: bytes, status: int = 301) -> Response:
    return Response(request.url, status=status, headers={"Location": location}, request=request)


def test_redirects_scrapy_follows_pass_through_untouched() -> None:
    middleware, crawler = audit()
    article = Request(
        "http://vnexpress.net/bat-giu-te-te-4712345.html", meta={"wildwatch_source": "vnexpress"}
    )
    for location in (
        b"https://vnexpress.net/bat-giu-te-te-4712345.html",  # http → https, same page
        b"//m.vnexpress.net/bat-giu-te-te-4712345.html",  # scheme-relative, a sub-domain
        b"/bat-giu-te-te-4712345.html?utm_source=rss",  # relative
    ):
        response = moved(article, location)
        assert middleware.process_response(article, response) is response
    # robots.txt fetches and requests that handle redirects themselves are not audited
    robots = Request("https://vnexpress.net/robots.txt")
    response = moved(robots, b"https://cdn.example.com/robots.txt")
    assert middleware.process_response(robots, response) is response
    handled = article.replace(meta={"wildwatch_source": "vnexpress", "dont_redirect": True})
    response = moved(handled, b"https://cdn.example.com/x")
    assert middleware.process_response(handled, response) is response
    assert not [key for key in crawler.stats.get_stats() if key.startswith("wildwatch/errors/")]


def test_scheme_relative_redirect_off_site_is_refused() -> None:
    middleware, crawler = audit()
    article = Request(
        "https://vnexpress.net/bat-giu-te-te-4712345.html", meta={"wildwatch_source": "vnexpress"}
    )
    with pytest.raises(IgnoreRequest, match="offsite_redirect"):
        middleware.process_response(article, moved(article, b"//tinhte.vn/x.html", 302))
    assert crawler.stats.get_value("wildwatch/errors/offsite_redirect") == 1
