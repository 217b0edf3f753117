"""Recovery from the evidence archive and ``wildwatch reindex``: archived pages with no committed
item are indexed without refetching, under the URL they were fetched from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.archive import EvidenceArchive
from crawlers.sources import Source
from crawlers.state import CrawlState
from ingest.recovery import recover
from pipelines.urls import document_id
from search.backend import SearchRequest
from search.sqlite_backend import SqliteBackend
from tests.ingest.drill_site import BASE, article_html, make_articles
from wildwatch.cli import main

SOURCE = Source(
    name="baotintuc",
    kind="news",
    language="vi",
    country="VN",
    start_urls=(f"{BASE}/phap-luat/",),
)
ARTICLE = make_articles(1)[0]
EMPTY = f"{BASE}/phap-luat/dang-bien-tap-10999.html"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    with EvidenceArchive.from_settings() as archive:
        # what a crawl killed after archiving, before its batch upsert, leaves behind
        archive.store(
            url=ARTICLE.url + "?utm_source=rss",
            final_url=ARTICLE.url,
            status=200,
            headers=[("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"')],
            body=article_html(ARTICLE),
            fetched_at=datetime(2024, 5, 6, 1, 0, tzinfo=UTC),
            source="baotintuc",
        )
        archive.store(
            url=EMPTY,
            final_url=EMPTY,
            status=200,
            headers=[("Content-Type", "text/html")],
            body=b"",
            fetched_at=datetime(2024, 5, 6, 1, 0, tzinfo=UTC),
            source="baotintuc",
        )
    return tmp_path


def test_archived_pages_without_an_item_are_indexed_and_then_known(home: Path) -> None:
    backend = SqliteBackend.from_settings()
    try:
        (report,) = recover([SOURCE], backend, workers=0)
        assert (report.checked, report.pages) == (2, 1)
        assert report.errors == {"empty": 1}  # a bad page stays bad: counted, not indexed
        doc = backend.get(document_id(ARTICLE.url))
        assert doc is not None
        assert doc["url"] == ARTICLE.url  # the fetched URL, www. and all
        assert doc["title"] == ARTICLE.title
        assert doc["archive_sha256"] is not None
        hits = backend.search(SearchRequest(query=ARTICLE.title))["hits"]
        assert [hit["id"] for hit in hits] == [doc["id"]]
        # Known now, with the validators the server gave: the next crawl asks If-None-Match.
        with CrawlState.from_settings() as state:
            page = state.get(ARTICLE.url + "?utm_source=rss")
            assert page is not None and page.etag == '"v1"'
            assert state.get(EMPTY) is None  # fetched again by the next crawl
        # The next start looks only at what was archived since.
        (again,) = recover([SOURCE], backend, workers=0)
        assert again.checked == 0
    finally:
        backend.close()


def test_reindex_rebuilds_a_lost_index_from_the_archive(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = home / "sources.toml"
    sources.write_text(
        f'[[sources]]\nname = "baotintuc"\nkind = "news"\nlanguage = "vi"\n'
        f'start_urls = ["{BASE}/phap-luat/"]\n',
        "utf-8",
    )
    assert main(["reindex", "--sources", str(sources)]) == 0
    assert "baotintuc: 1 pages reindexed (1 new, 0 updated, 0 unchanged) empty=1" in (
        capsys.readouterr().out
    )
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        (home / name).unlink(missing_ok=True)  # the index is lost; the archive is not
    assert main(["reindex", "--sources", str(sources)]) == 0
    backend = SqliteBackend.from_settings()
    try:
        doc = backend.get(document_id(ARTICLE.url))
        assert doc is not None and doc["url"] == ARTICLE.url
    finally:
        backend.close()
