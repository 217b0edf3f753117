"""Thin Scrapy item-pipeline adapters; their order is ``ITEM_PIPELINES`` in crawlers/settings.py:
analysis → duplicates → index.

The spiders yield raw items (dicts made by ``crawlers.spiders.base.SourceSpider``: url, source,
kind, country, language, title, text, author, seller, published_at, fetched_at, archive_sha256,
visit, optionally page_language and page_contacts); article and ad pages come unextracted (the
decoded page under ``"page"``), extracted in the same worker call as the analysis. Between the
adapters an item is an :class:`Ingested`: the document and the ``crawlers.state.PageVisit`` of
its page, which the index adapter records only after the batch holding the document is
committed. No analysis, linking or batching logic here: see ``ingest.documents``,
``ingest.duplicates``, ``ingest.indexer``.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from scrapy.exceptions import DropItem

from crawlers.spiders.base import PAGE_KEY, VISIT_KEY
from crawlers.spiders.pages import Page, PageFailure
from crawlers.state import PageVisit
from ingest.analysis_pool import POOL
from ingest.documents import analyze_with_fingerprints, build_document, extract_and_analyze
from ingest.duplicates import DuplicateLinker, RunCopies
from ingest.indexer import Indexer
from pipelines.settings import analysis_workers, index_batch_size
from search.document import Document

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from search.backend import SearchBackend

logger = logging.getLogger(__name__)

# Items of this process's run, shared by the crawlers of every source crawled together.
RUN_COPIES = RunCopies()
# Index adapters not closed yet: a forced stop (second signal) commits their batches.
_OPEN_INDEXES: list[IndexPipeline] = []


@dataclass
class Ingested:
    """An item between the adapters: its document and the page visit it completes."""

    doc: Document
    visit: PageVisit | None


class AnalysisPipeline:
    """Reads a raw item; writes an :class:`Ingested` whose document has every key filled
    except duplicate_of. The analysis runs in ``WILDWATCH_ANALYSIS_WORKERS`` processes and is
    awaited, so the reactor keeps downloading while texts are segmented; 0 runs it inline."""

    def __init__(self, stats: StatsCollector, workers: int) -> None:
        self.stats = stats
        self.workers = workers
        self.pooled = False
        self.in_flight = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AnalysisPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, analysis_workers())

    def open_spider(self, spider: Any = None) -> None:
        if self.workers > 0:
            POOL.acquire(self.workers)
            self.pooled = True

    def close_spider(self, spider: Any = None) -> None:
        if self.pooled:
            self.pooled = False
            POOL.release()

    async def process_item(self, item: dict[str, Any], spider: Any = None) -> Ingested:
        # Popped: the HTML is not needed once extracted, and a dropped item is logged.
        page = item.pop(PAGE_KEY, None)
        visit = item.pop(VISIT_KEY, None)
        try:
            if isinstance(page, Page):
                result = await self._run(
                    extract_and_analyze, (page, item.get("language")), page.url
                )
                if isinstance(result, PageFailure):
                    self._page_failed(item, page, result)
                fields, analysis = result
                listed_date = item.get("published_at")
                item.update(fields)
                item["published_at"] = fields.get("published_at") or listed_date
                self.stats.inc_value("wildwatch/items")
            else:
                args = (
                    item["text"],
                    item.get("title") or None,
                    item["url"],
                    item.get("page_language") or item.get("language"),
                )
                found, analysis = await self._run(analyze_with_fingerprints, args, item["url"])
                item.update(found)
        except DropItem:
            raise
        except Exception as error:
            # A text the analysis cannot handle must not stop the crawl: count it, log the URL.
            self.stats.inc_value("wildwatch/errors/analysis_error")
            logger.warning("analysis_error %s (%s: %s)", item["url"], type(error).__name__, error)
            raise DropItem(f"analysis failed: {error}") from error
        self.stats.inc_value("wildwatch/analysed")
        return Ingested(build_document(item, analysis), visit)

    def _page_failed(self, item: dict[str, Any], page: Page, failure: PageFailure) -> NoReturn:
        """A page without an article or ad, or a garbled one, is counted by kind and logged
        with its URL; its page stays unknown to the crawl state (fetched again next crawl)."""
        self.stats.inc_value(f"wildwatch/errors/{failure.kind}")
        detail = f" ({failure.detail})" if failure.detail else ""
        logger.warning("%s: %s %s%s", item.get("source"), failure.kind, page.url, detail)
        raise DropItem(f"{failure.kind}: {page.url}", log_level="DEBUG")

    async def _run(self, function: Any, args: tuple[Any, ...], url: str) -> Any:
        """``function(*args)`` in the pool (awaited), or inline with 0 workers."""
        if not self.pooled:
            return function(*args)
        self.in_flight += 1
        self.stats.max_value("wildwatch/analysis_max_in_flight", self.in_flight)
        try:
            return await self._in_pool(function, args, url)
        finally:
            self.in_flight -= 1

    async def _in_pool(self, function: Any, args: tuple[Any, ...], url: str) -> Any:
        executor = POOL.executor  # the shared pool itself: another crawler may replace it
        if executor is None:
            raise DropItem(f"crawl stopping, not analysed: {url}", log_level="DEBUG")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, function, *args)
        except BrokenProcessPool:
            if POOL.stopping:
                raise DropItem(f"crawl stopping, not analysed: {url}", log_level="DEBUG") from None
            logger.warning("analysis worker died; restarting the pool for %s", url)
            retry_on = POOL.restart(executor, self.workers)
            return await loop.run_in_executor(retry_on, function, *args)


class DedupPipeline:
    """Reads an :class:`Ingested`; writes its document's ``content_hash``, ``simhash`` and
    ``duplicate_of`` (``ingest.duplicates.DuplicateLinker``; stat ``wildwatch/relinked``)."""

    def __init__(self, backend: SearchBackend | None = None, stats: Any = None) -> None:
        self.backend = backend
        self.stats = stats
        self._owns_backend = backend is None
        self.linker = DuplicateLinker(backend, RUN_COPIES) if backend is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(stats=crawler.stats)

    def open_spider(self, spider: Any = None) -> None:
        if self.backend is None:
            from search.factory import open_backend

            self.backend = open_backend()
            self.linker = DuplicateLinker(self.backend, RUN_COPIES)

    def close_spider(self, spider: Any = None) -> None:
        if self._owns_backend and self.backend is not None:
            self.backend.close()
            self.backend = None

    def process_item(self, item: Ingested, spider: Any = None) -> Ingested:
        assert self.linker is not None
        before = self.linker.relinked
        self.linker.link(item.doc)
        if self.stats is not None and self.linker.relinked > before:
            self.stats.inc_value("wildwatch/relinked", self.linker.relinked - before)
        return item


class IndexPipeline:
    """Reads an :class:`Ingested`; commits its document in batches of ``WILDWATCH_INDEX_BATCH``
    (flushed when the spider closes, or by :func:`commit_after_forced_stop`), then records its
    page in the crawl state; counts ``wildwatch/index/new``, ``/updated``, ``/unchanged`` and
    ``wildwatch/known`` (pages recorded)."""

    def __init__(
        self, stats: StatsCollector, batch_size: int, backend: SearchBackend | None = None
    ) -> None:
        self.stats = stats
        self.batch_size = batch_size
        self.backend = backend
        self._owns_backend = backend is None
        self.indexer = self._indexer(backend) if backend is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, index_batch_size())

    def open_spider(self, spider: Any = None) -> None:
        if self.backend is None:
            from search.factory import open_backend

            self.backend = open_backend()
            self.indexer = self._indexer(self.backend)
        _OPEN_INDEXES.append(self)

    def _indexer(self, backend: SearchBackend) -> Indexer:
        return Indexer(
            backend,
            DuplicateLinker(backend, RUN_COPIES),
            batch_size=self.batch_size,
            count=lambda key, amount: self.stats.inc_value(f"wildwatch/{key}", amount),
        )

    @property
    def pending(self) -> list[Document]:
        return [doc for doc, _ in self.indexer.pending] if self.indexer else []

    def process_item(self, item: Ingested, spider: Any = None) -> Ingested:
        assert self.indexer is not None
        self.indexer.add(item.doc, item.visit)
        return item

    def flush(self) -> None:
        if self.indexer is not None:
            self.indexer.flush()

    def close_spider(self, spider: Any = None) -> None:
        if self in _OPEN_INDEXES:
            _OPEN_INDEXES.remove(self)
        try:
            if self.indexer is not None:
                self.indexer.close()
                self.indexer = None
        finally:
            if self._owns_backend and self.backend is not None:
                self.backend.close()
                self.backend = None


def commit_after_forced_stop() -> int:
    """After a second SIGTERM/Ctrl-C stopped the reactor without closing the spiders: commit
    every analysed document still waiting for its batch (and record its page), drop what the
    workers had not finished (those pages stay unknown: fetched again). Returns how many
    documents were committed."""
    POOL.abandon()
    committed = 0
    for pipeline in list(_OPEN_INDEXES):
        committed += len(pipeline.pending)
        try:
            pipeline.close_spider()
        except Exception:
            logger.exception("index: the batch of a stopped crawl could not be stored")
    return committed
