"""Redirects a crawl refuses, end to end: a real ``wildwatch crawl`` over the redirect section of
the local test site. Off-site redirects and meta refreshes, a loop and an endless chain are
counted by kind in the summary and logged with both URLs, nothing off-site is requested, and
redirects within the site are still followed to their article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawlers.archive import EvidenceArchive
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
