"""The indexer: a page becomes known to the crawl state only after its items are committed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawlers.state import CrawlState, PageVisit
from ingest.duplicates import DuplicateLinker
from ingest.indexer import Indexer
from search.document import Document
from tests.ingest.test_scrapy_pipelines import MemoryBackend, analysed, raw

URL = "https://www.baomoi-test.vn/phap-luat/bat-xe-10234.html"


def visit(*urls: str, expected: int = 1) -> PageVisit:
    page = PageVisit(
        urls=urls or (URL,),
        status=200,
        fetched_at=datetime(2024, 3, 18, 2, 0, tzinfo=UTC),
        etag='"v1"',
        last_modified=None,
        sha256="ab" * 32,
        source="baomoi-test",
    )
    page.expect(expected)
    return page


def indexer_on(backend: MemoryBackend, home: Path, batch_size: int = 2) -> Indexer:
    return Indexer(
        backend,  # type: ignore[arg-type]
        DuplicateLinker(backend),  # type: ignore[arg-type]
        batch_size=batch_size,
        open_state=lambda: CrawlState(home / "crawl_state.sqlite"),
    )


def known(home: Path, url: str = URL) -> bool:
    with CrawlState(home / "crawl_state.sqlite") as state:
        return state.get(url) is not None


def doc(url: str = URL, text: str | None = None) -> Document:
    item = raw(url) if text is None else raw(url, text=text)
    return analysed(item).doc


def test_a_page_is_known_only_once_its_batch_is_committed(tmp_path: Path) -> None:
    backend = MemoryBackend()
    indexer = indexer_on(backend, tmp_path)
    indexer.add(doc(), visit())
    assert backend.docs == {} and not known(tmp_path)  # waiting for its batch: still unknown
    indexer.close()
    assert len(backend.docs) == 1 and known(tmp_path)
    stored = next(iter(backend.docs.values()))
    assert stored["url"] == URL  # www. kept: the canonical form only made the id


def test_a_refused_batch_leaves_its_pages_unknown(tmp_path: Path) -> None:
    backend = MemoryBackend(fail_first_upserts=2)  # refused, and refused again at the end
    indexer = indexer_on(backend, tmp_path, batch_size=1)
    indexer.add(doc(), visit())
    indexer.close()
    assert backend.docs == {} and not known(tmp_path)  # fetched again by the next crawl


def test_a_channel_page_is_known_when_all_its_posts_are_committed(tmp_path: Path) -> None:
    backend = MemoryBackend()
    indexer = indexer_on(backend, tmp_path, batch_size=1)
    channel = visit("https://t.me/s/dongvat", expected=2)
    indexer.add(doc("https://t.me/dongvat/1"), channel)
    assert not known(tmp_path, "https://t.me/s/dongvat")  # one post of two is in the index
    indexer.add(doc("https://t.me/dongvat/2", text="Bán rùa núi vàng giá rẻ " * 20), channel)
    assert known(tmp_path, "https://t.me/s/dongvat")
    indexer.close()
