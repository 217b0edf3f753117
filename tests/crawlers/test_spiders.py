"""End to end: ``wildwatch crawl`` over the local test site, twice, checked as a user would.

The crawl runs as a subprocess; the assertions read the index (``search.backend``) and the test
server's request log: every item found whichever way it is reachable, robots.txt and the
allowed domains obeyed, the calendar trap bounded, boilerplate absent, dates and prices read,
failures counted without stopping the run, and a second run that adds and re-downloads nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipelines.urls import canonical_url, document_id
from search.backend import SearchBackend, SearchRequest
from search.document import Document
from search.factory import open_backend
from tests.crawlers.conftest import SITE, CrawlRun, run_crawl, write_sources
from tests.crawlers.site.server import (
    BINARY_SLUG,
    EMPTY_SLUG,
    HANGING_SLUG,
    HUGE_SLUG,
    NOT_FOUND_SLUG,
    REDIRECT_SLUG,
    Logged,
    SiteServer,
)

NEWS, MARKET, SOCIAL = "moitruong-doisong", "cho-sinh-vat-canh", "tg-dongvat-hoangda"
ARTICLES = tomllib.loads((SITE / "articles.toml").read_text("utf-8"))["articles"]
ADS = tomllib.loads((SITE / "ads.toml").read_text("utf-8"))["ads"]
POSTS = tomllib.loads((SITE / "telegram.toml").read_text("utf-8"))["posts"]


@dataclass
class TwoRuns:
    home: Path
    first: CrawlRun
    second: CrawlRun
    first_requests: list[Logged]
    second_requests: list[Logged]


@pytest.fixture(scope="module")
def runs(site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> TwoRuns:
    home = tmp_path_factory.mktemp("home")
    sources = write_sources(site, home / "sources.toml")
    first = run_crawl(home, "--sources", str(sources), "--json")
    assert first.returncode == 0, first.stderr
    first_requests = list(site.requests)
    second = run_crawl(home, "--sources", str(sources), "--json")
    assert second.returncode == 0, second.stderr
    return TwoRuns(home, first, second, first_requests, site.requests[len(first_requests) :])


@pytest.fixture
def index(runs: TwoRuns, monkeypatch: pytest.MonkeyPatch) -> Iterator[SearchBackend]:
    monkeypatch.setenv("WILDWATCH_HOME", str(runs.home))
    backend = open_backend()
    yield backend
    backend.close()


def article_url(site: SiteServer, article: dict[str, str]) -> str:
    return canonical_url(f"{site.base}/phap-luat/{article['slug']}.html")


def stored(index: SearchBackend, url: str) -> Document:
    doc = index.get(document_id(url))
    assert doc is not None, f"not indexed: {url}"
    return doc


def by_source(index: SearchBackend, source: str) -> list[Document]:
    hits = index.search(SearchRequest(source=(source,), limit=100, facets=False))["hits"]
    return [stored(index, hit["url"]) for hit in hits]


def test_every_article_is_found_through_feed_listings_and_sitemap(
    site: SiteServer, index: SearchBackend
) -> None:
    # 3 only in the RSS feed's window, 5 only on listing pages 1-3, 1 only in the news sitemap
    docs = by_source(index, NEWS)
    assert {doc["id"] for doc in docs} == {
        document_id(article_url(site, article)) for article in ARTICLES
    }
    # The URL stored is the one fetched (the feed's, tracking tags and all), never rewritten.
    fetched = {urlsplit(r.path).path for r in site.requests if r.status == 200}
    for doc in docs:
        assert doc["url"].startswith(site.base) and urlsplit(doc["url"]).path in fetched


def test_every_ad_and_every_channel_post_is_found(site: SiteServer, index: SearchBackend) -> None:
    ads = {doc["url"] for doc in by_source(index, MARKET)}
    assert ads == {canonical_url(f"{site.base}/cho/tin/{a['slug']}-{a['id']}.html") for a in ADS}
    posts = by_source(index, SOCIAL)
    assert {doc["url"] for doc in posts} == {
        f"https://t.me/dongvat_hoangda/{p['id']}" for p in POSTS
    }
    oldest = stored(index, "https://t.me/dongvat_hoangda/11")
    assert oldest["published_at"] is not None
    assert oldest["published_at"].startswith("2024-02-01T")
    assert "Kênh bắt đầu hoạt động" in oldest["text"]


def test_robots_txt_is_obeyed_and_every_request_names_wildwatch(runs: TwoRuns) -> None:
    disallowed = ("/private/", "/tim-kiem", "/phap-luat/ban-in/", "/cho/quan-tri/")
    assert not [r.path for r in runs.first_requests if r.path.startswith(disallowed)]
    assert runs.first.source(NEWS)["robots_forbidden"] >= 1  # the print-version link
    assert {r.user_agent for r in runs.first_requests} == {
        "wildwatch-test/1.0 (+https://example.org/contact)"
    }


def test_nothing_outside_the_allowed_domains_is_requested(site: SiteServer, runs: TwoRuns) -> None:
    # pages link to http://localhost:<port>/... (same server, another host) and to facebook.com,
    # and one article redirects there
    assert any(r.path.endswith(REDIRECT_SLUG) and r.status == 301 for r in runs.first_requests)
    hosts = {r.host for r in runs.first_requests + runs.second_requests}
    assert hosts == {f"127.0.0.1:{site.port}"}


def test_endless_calendar_is_bounded(runs: TwoRuns) -> None:
    calendar = [r.path for r in runs.first_requests if r.path.startswith("/phap-luat/lich")]
    assert 1 <= len(calendar) <= 8
    news_pages = [r for r in runs.first_requests if r.path.startswith(("/phap-luat", "/rss"))]
    assert len(news_pages) <= 45 + 2  # max_pages, plus the retries of two failing pages
    assert runs.first.source(NEWS)["finish_reason"] == "finished"


def test_item_text_has_no_navigation_related_comments_or_footer(index: SearchBackend) -> None:
    for doc in by_source(index, NEWS):
        for boilerplate in (
            "Bản quyền",
            "Bình luận",
            "Tin liên quan",
            "Trang chủ",
            "0912 000 111",
            "Giấy phép",
            "Chia sẻ",
            "Lưu trữ",
        ):
            assert boilerplate not in doc["text"], (doc["url"], boilerplate)
        assert doc["title"] and doc["title"] in {a["title"] for a in ARTICLES}


def test_body_paragraphs_dates_and_prices_are_read(site: SiteServer, index: SearchBackend) -> None:
    first = stored(index, article_url(site, ARTICLES[0]))
    assert ARTICLES[0]["body"][0] in first["text"]
    assert first["published_at"] == "2024-03-12T09:30:00+07:00"
    assert first["lang"] == "vi" and "pangolin" in first["species"]
    assert {price["text"] for price in first["prices"]} == {"5 triệu đồng"}
    assert first["archive_sha256"] and len(first["archive_sha256"]) == 64
    assert first["country"] == "VN" and first["kind"] == "news"


def test_windows_1258_page_is_decoded_and_its_visible_date_read(
    site: SiteServer, index: SearchBackend
) -> None:
    article = next(a for a in ARTICLES if a.get("encoding") == "windows-1258")
    doc = stored(index, article_url(site, article))
    assert article["body"][0] in doc["text"]  # "Đội Quản lý thị trường..." intact
    assert doc["title"] == article["title"]
    assert doc["published_at"] == "2024-01-05T14:20:00+07:00"  # only "Thứ Sáu, 05/01/2024, 14:20"


def test_ads_with_and_without_json_ld_give_price_place_and_contact(
    site: SiteServer, index: SearchBackend
) -> None:
    def ad(ad_id: int) -> Document:
        entry = next(a for a in ADS if a["id"] == ad_id)
        return stored(index, f"{site.base}/cho/tin/{entry['slug']}-{ad_id}.html")

    with_json_ld = ad(50101)
    assert with_json_ld["seller"] == "Anh Tuấn"
    assert [p["amount"] for p in with_json_ld["prices"]] == [1500000]
    assert "turtle" in with_json_ld["species"]
    plain = ad(50103)
    assert plain["title"] == "Cần bán vảy tê tê số lượng lớn"
    assert plain["seller"] == "Hoàng Long"
    assert "2,5 triệu/kg" in [p["text"] for p in plain["prices"]]
    assert "Hà Nội" in plain["text"]
    # the number is only in the "Gọi ngay" button's tel: link
    assert {"type": "phone", "value": "+84912345678"} in plain["contacts"]
    assert plain["published_at"] == "2024-03-06T10:15:00+07:00"


def test_failing_pages_are_counted_by_kind_and_the_crawl_goes_on(
    site: SiteServer, runs: TwoRuns, index: SearchBackend
) -> None:
    errors = runs.first.source(NEWS)["errors"]
    assert errors == {
        "empty": 1,
        "http_404": 1,
        "not_html": 1,
        "offsite_redirect": 1,  # the article redirected to another host
        "timeout": 1,
        "too_large": 1,
    }
    assert runs.first.source(NEWS)["finish_reason"] == "finished"
    for slug in (NOT_FOUND_SLUG, BINARY_SLUG, HANGING_SLUG, HUGE_SLUG, REDIRECT_SLUG, EMPTY_SLUG):
        assert index.get(document_id(f"{site.base}/phap-luat/{slug}")) is None
    assert "http_404" in runs.first.stderr and NOT_FOUND_SLUG in runs.first.stderr
    # the page that answered 500 once was retried and indexed
    flaky = next(a for a in ARTICLES if a.get("flaky"))
    statuses = [r.status for r in runs.first_requests if flaky["slug"] in r.path]
    assert statuses == [500, 200]
    stored(index, article_url(site, flaky))


def test_truncated_page_with_unclosed_tags_is_still_indexed(
    site: SiteServer, index: SearchBackend
) -> None:
    article = next(a for a in ARTICLES if a.get("truncated"))
    doc = stored(index, article_url(site, article))
    assert all(paragraph in doc["text"] for paragraph in article["body"])
    assert "Nguyễn An" not in doc["text"] and "Tin liên quan" not in doc["text"]


def test_syndicated_copy_is_linked_to_the_original_not_dropped(
    site: SiteServer, index: SearchBackend
) -> None:
    original = stored(index, article_url(site, ARTICLES[0]))
    copy = stored(index, article_url(site, next(a for a in ARTICLES if a["author"] == "TTXVN")))
    assert original["duplicate_of"] is None
    assert copy["duplicate_of"] == original["id"]


def test_second_run_adds_nothing_and_downloads_no_unchanged_item(
    runs: TwoRuns, index: SearchBackend
) -> None:
    for name, items in ((NEWS, len(ARTICLES)), (MARKET, len(ADS)), (SOCIAL, len(POSTS))):
        summary = runs.second.source(name)
        assert (summary["new"], summary["updated"]) == (0, 0), summary
        assert summary["unchanged"] >= 1
        assert runs.first.source(name)["new"] == items
    assert index.count() == len(ARTICLES) + len(ADS) + len(POSTS)
    # Articles send ETags: asked with If-None-Match, answered 304 without a body. Ads send no
    # validators and were fetched minutes ago: not asked for at all.
    articles = [  # feed links carry utm_ tags: compare paths without the query
        r
        for r in runs.second_requests
        if urlsplit(r.path).path.endswith(".html") and "/phap-luat/" in r.path
    ]
    revalidated = [r for r in articles if r.status == 304]
    assert len(revalidated) == len(ARTICLES)
    assert all(r.if_none_match for r in revalidated)
    assert not [r for r in runs.second_requests if r.path.startswith("/cho/tin/")]


def test_summary_reports_pages_items_and_duration(runs: TwoRuns) -> None:
    news = runs.first.source(NEWS)
    assert news["pages"] >= 20 and news["items"] == len(ARTICLES)
    assert news["duration_s"] > 0
    assert runs.first.summary()["started_at"] <= runs.first.summary()["finished_at"]
