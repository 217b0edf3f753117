"""Thin Scrapy adapters around the pure pipeline stages; their order is ``ITEM_PIPELINES`` in
crawlers/settings.py: analysis → dedup → index.

The spiders yield raw items (dicts made by ``crawlers.spiders.base.SourceSpider.raw_item``:
url, source, kind, country, language, title, text, author, seller, published_at, fetched_at,
archive_sha256, and optionally page_language and page_contacts). Article and ad pages come
unextracted (``SourceSpider.page_item``: the decoded page under ``"page"``); the analysis
stage extracts them (``crawlers.spiders.pages.extract_page``) in the same worker call as the
analysis. Each adapter's docstring says what it reads and writes; none of them holds analysis
or extraction logic.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NoReturn

from scrapy.exceptions import DropItem

from crawlers.spiders.pages import Page, PageFailure, extract_page
from pipelines.dedup import (
    MAX_DISTANCE,
    Copy,
    content_hash,
    is_near_duplicate,
    link_copies,
)
from pipelines.dedup import simhash as simhash_of
from pipelines.fields import Analysis, Contact
from pipelines.settings import analysis_workers, index_batch_size
from pipelines.urls import document_id
from search.document import Document

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from search.backend import SearchBackend

logger = logging.getLogger(__name__)

# A short Vietnamese sentence makes underthesea load its model in a worker before real texts.
_WARM_UP_TEXT = "Cơ quan chức năng thu giữ 5 cá thể tê tê tại Quảng Ninh."


# -- analysis ------------------------------------------------------------------------------


def analyze_item(text: str, title: str | None, url: str | None, lang_hint: str | None) -> Analysis:
    """Runs in a worker process: the pure analysis of one item."""
    from pipelines.analysis import analyze

    return analyze(text, title=title, url=url, lang_hint=lang_hint, segment=True)


def fingerprints(title: str | None, text: str) -> dict[str, str]:
    """``content_hash`` and ``simhash`` of an item (DedupPipeline's inputs; pure, CPU-bound,
    so computed in the worker next to the analysis)."""
    return {"content_hash": content_hash(title, text), "simhash": simhash_of(text)}


def analyze_with_fingerprints(
    text: str, title: str | None, url: str | None, lang_hint: str | None
) -> tuple[dict[str, Any], Analysis]:
    """Runs in a worker process: the analysis of an already extracted item (Telegram posts)."""
    return fingerprints(title, text), analyze_item(text, title, url, lang_hint)


def extract_and_analyze(
    page: Page, lang_hint: str | None
) -> tuple[dict[str, Any], Analysis] | PageFailure:
    """Runs in a worker process: extraction of one article or ad page, then the analysis of
    its text; one round trip per item. Only the page goes in, only the item fields (with
    their fingerprints) and the analysis come back."""
    fields = extract_page(page)
    if isinstance(fields, PageFailure):
        return fields
    analysis = analyze_item(
        fields["text"],
        fields.get("title") or None,
        fields["url"],
        fields.get("page_language") or lang_hint,
    )
    return {**fields, **fingerprints(fields.get("title") or "", fields["text"])}, analysis


def _warm_up_worker() -> None:
    analyze_item(_WARM_UP_TEXT, None, None, "vi")


class _AnalysisPool:
    """One process pool for every crawler of the run (a run may crawl several sources at
    once; N workers per source would oversubscribe the CPUs). Started by the first crawler
    that opens, shut down when the last one closes."""

    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.users = 0

    def acquire(self, workers: int) -> Executor:
        if self.executor is None:
            self.executor = self._start(workers)
        self.users += 1
        return self.executor

    def restart(self, broken: Executor, workers: int) -> Executor:
        """The pool to retry on after a worker died (out of memory, killed): the crawl goes on.
        Every item in flight sees the same broken pool; only the first replaces it, the others
        retry on that new pool instead of shutting it down again."""
        if self.executor is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start(workers)
        assert self.executor is not None
        return self.executor

    @staticmethod
    def _start(workers: int) -> ProcessPoolExecutor:
        # forkserver: workers start from a clean process, not a fork of the running reactor
        # and its threads; each loads the language model once in its initializer.
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_warm_up_worker,
        )

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0 and self.executor is not None:
            self.executor.shutdown(wait=True)
            self.executor = None
            self.users = 0


_POOL = _AnalysisPool()


class AnalysisPipeline:
    """Reads a raw item; writes a ``search.document.Document`` with every key filled except
    content_hash, simhash and duplicate_of (DedupPipeline's).

    ``pipelines.analysis.analyze`` runs in ``WILDWATCH_ANALYSIS_WORKERS`` processes and is
    awaited, so the reactor thread keeps downloading while texts are segmented (segmentation
    holds the GIL: a thread pool would stall the crawl as much as running inline). With 0
    workers it runs inline.
    """

    def __init__(self, stats: StatsCollector, workers: int) -> None:
        self.stats = stats
        self.workers = workers
        self.pooled = False  # holds a share of _POOL between open_spider and close_spider
        self.in_flight = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AnalysisPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, analysis_workers())

    def open_spider(self, spider: Any = None) -> None:
        if self.workers > 0:
            _POOL.acquire(self.workers)
            self.pooled = True

    def close_spider(self, spider: Any = None) -> None:
        if self.pooled:
            _POOL.release()
            self.pooled = False

    async def process_item(self, item: dict[str, Any], spider: Any = None) -> Document:
        # Popped: the page's HTML is not needed once extracted, and a dropped item is logged.
        page = item.pop("page", None)
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
        return build_document(item, analysis)

    def _page_failed(self, item: dict[str, Any], page: Page, failure: PageFailure) -> NoReturn:
        """A page without an article or ad (or one the extractor broke on) is counted by kind
        and logged with its URL, as the spiders did before extraction moved here."""
        self.stats.inc_value(f"wildwatch/errors/{failure.kind}")
        detail = f" ({failure.detail})" if failure.detail else ""
        logger.warning("%s: %s %s%s", item.get("source"), failure.kind, page.url, detail)
        # Already logged once as a warning: Scrapy's "Dropped" line need not repeat it.
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
        # The shared pool itself, not a copy: another crawler may have replaced it.
        executor = _POOL.executor
        assert executor is not None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(executor, function, *args)
        except BrokenProcessPool:
            logger.warning("analysis worker died; restarting the pool for %s", url)
            retry_on = _POOL.restart(executor, self.workers)
            return await loop.run_in_executor(retry_on, function, *args)


def build_document(item: dict[str, Any], analysis: Analysis) -> Document:
    """The indexed document of a raw item and its analysis (pure)."""
    contacts = merge_contacts(analysis["contacts"], item.get("page_contacts") or [])
    return Document(
        id=document_id(item["url"]),
        url=item["url"],
        source=item["source"],
        kind=item["kind"],
        country=item.get("country"),
        title=item.get("title") or "",
        text=item["text"],
        author=item.get("author"),
        seller=item.get("seller"),
        published_at=item.get("published_at"),
        fetched_at=item["fetched_at"],
        lang=analysis["lang"],
        wildlife_trade=analysis["wildlife_trade"],
        relevance=analysis["relevance"],
        species=list(analysis["species"]),
        enforcement=list(analysis["enforcement"]),
        prices=list(analysis["prices"]),
        quantities=list(analysis["quantities"]),
        locations=list(analysis["locations"]),
        contacts=contacts,
        tokens=analysis.get("tokens", ""),
        # Computed in the worker when it could be; DedupPipeline fills what is missing.
        content_hash=item.get("content_hash") or "",
        simhash=item.get("simhash") or "",
        duplicate_of=None,
        archive_sha256=item.get("archive_sha256"),
    )


def merge_contacts(found: list[Contact], on_page: list[Any]) -> list[Contact]:
    """Contacts the analysis found in the text, then those the ad page gives in its markup
    (``tel:`` links, seller boxes) that the text does not repeat."""
    merged: dict[tuple[str, str], Contact] = {(c["type"], c["value"]): c for c in found}
    for contact in on_page:
        if isinstance(contact, dict):
            kind, value = contact.get("type"), contact.get("value")
        else:
            kind, value = getattr(contact, "type", None), getattr(contact, "value", None)
        if kind and value and (kind, value) not in merged:
            merged[(str(kind), str(value))] = Contact(type=str(kind), value=str(value))
    return list(merged.values())


# -- duplicates ----------------------------------------------------------------------------


@dataclass
class _RunEntry:
    """What dedup remembers of an item of this run: enough to link, little memory."""

    simhash: str
    copy: Copy
    doc: Document | None  # until the index has stored it: a demotion edits it in place


class _RunCopies:
    """Items of this run, so that copies not yet visible in the index (upserts are batched)
    are linked too. Shared by every crawler of the process: a story syndicated by two sources
    crawled together is one group. Documents are released once indexed, so a long run keeps
    only ids, dates and fingerprints."""

    def __init__(self) -> None:
        self.items: dict[str, _RunEntry] = {}
        # Simhashes within MAX_DISTANCE bits agree exactly on at least one of MAX_DISTANCE + 1
        # bands (pigeonhole): only items sharing a band are compared, not the whole run (a
        # scan of every item per item made a 2,000-page crawl quadratic on the reactor).
        self.bands: dict[tuple[int, int], set[str]] = {}

    def add(self, doc: Document) -> None:
        previous = self.items.get(doc["id"])
        if previous is not None:
            self._unband(doc["id"], previous.simhash)
        self.items[doc["id"]] = _RunEntry(doc["simhash"], _copy(doc), doc)
        for band in _bands(doc["simhash"]):
            self.bands.setdefault(band, set()).add(doc["id"])

    def _unband(self, doc_id: str, simhash: str) -> None:
        for band in _bands(simhash):
            self.bands.get(band, set()).discard(doc_id)

    def near(self, simhash: str) -> list[Copy]:
        candidates: set[str] = set()
        for band in _bands(simhash):
            candidates |= self.bands.get(band, set())
        entries = [self.items.get(doc_id) for doc_id in sorted(candidates)]
        return [e.copy for e in entries if e is not None and is_near_duplicate(simhash, e.simhash)]

    def demote(self, roots: tuple[str, ...], new_root: str) -> None:
        for entry in self.items.values():
            if entry.copy.id in roots or entry.copy.duplicate_of in roots:
                entry.copy = replace(entry.copy, duplicate_of=new_root)
                if entry.doc is not None:
                    entry.doc["duplicate_of"] = new_root

    def release(self, docs: list[Document]) -> None:
        """The index stored ``docs``: later changes go through the index."""
        for doc in docs:
            entry = self.items.get(doc["id"])
            if entry is not None:
                entry.doc = None


_RUN_COPIES = _RunCopies()
_BAND_COUNT = MAX_DISTANCE + 1


def _bands(simhash: str) -> list[tuple[int, int]]:
    """The ``_BAND_COUNT`` bit bands of a 64-bit simhash, as (band number, bits)."""
    value = int(simhash, 16)
    bands = []
    start = 0
    for number in range(_BAND_COUNT):
        width = (64 - start) // (_BAND_COUNT - number)
        bands.append((number, (value >> start) & ((1 << width) - 1)))
        start += width
    return bands


def _copy(doc: Document) -> Copy:
    return Copy(
        doc["id"], doc.get("duplicate_of"), doc.get("published_at") or doc.get("fetched_at")
    )


class DedupPipeline:
    """Reads a Document; writes its ``content_hash``, ``simhash`` and ``duplicate_of``: the
    earliest-dated copy of the same story, found with ``backend.near_duplicates`` and among
    this run's items. When the new item is older than the stored original, the stored group is
    re-pointed at it (stat ``wildwatch/relinked``). Copies are linked, never dropped."""

    def __init__(self, backend: SearchBackend | None = None, stats: Any = None) -> None:
        self.backend = backend
        self.stats = stats
        self._owns_backend = backend is None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(stats=crawler.stats)

    def open_spider(self, spider: Any = None) -> None:
        if self.backend is None:
            from search.factory import open_backend

            self.backend = open_backend()

    def close_spider(self, spider: Any = None) -> None:
        if self._owns_backend and self.backend is not None:
            self.backend.close()
            self.backend = None

    def process_item(self, doc: Document, spider: Any = None) -> Document:
        assert self.backend is not None
        if not doc.get("content_hash"):
            doc["content_hash"] = content_hash(doc.get("title"), doc["text"])
        fingerprint = doc.get("simhash") or simhash_of(doc["text"])
        doc["simhash"] = fingerprint
        candidates: dict[str, Copy] = {}
        for other_id in self.backend.near_duplicates(fingerprint, MAX_DISTANCE):
            other = self.backend.get(other_id)
            if other is not None:
                candidates[other_id] = _copy(other)
        for copy in _RUN_COPIES.near(fingerprint):
            candidates[copy.id] = copy  # fresher than the stored version
        doc["duplicate_of"] = None
        linking = link_copies(_copy(doc), candidates.values())
        doc["duplicate_of"] = linking.duplicate_of
        if linking.demoted:
            self._demote(linking.demoted, doc["id"])
        _RUN_COPIES.add(doc)
        return doc

    def _demote(self, roots: tuple[str, ...], new_root: str) -> None:
        """Point the groups of ``roots`` at ``new_root``: in this run's documents (those still
        in an index batch are stored with the new link) and in the index."""
        assert self.backend is not None
        _RUN_COPIES.demote(roots, new_root)
        changed: dict[str, Document] = {}
        for root in roots:
            stored = self.backend.get(root)
            members = ([stored] if stored is not None else []) + self.backend.duplicates_of(root)
            for member in members:
                if member["id"] != new_root:
                    member["duplicate_of"] = new_root
                    changed[member["id"]] = member
        if changed:
            self.backend.upsert(list(changed.values()))
        if self.stats is not None:
            self.stats.inc_value("wildwatch/relinked", len(changed) or len(roots))


# -- index ---------------------------------------------------------------------------------


class IndexPipeline:
    """Reads a complete Document; writes it to ``search.factory.open_backend()`` in batches of
    ``WILDWATCH_INDEX_BATCH`` (flushed when the spider closes) and counts the outcomes per
    source in the crawler stats: ``wildwatch/index/new``, ``/updated``, ``/unchanged``."""

    def __init__(
        self, stats: StatsCollector, batch_size: int, backend: SearchBackend | None = None
    ) -> None:
        self.stats = stats
        self.batch_size = batch_size
        self.backend = backend
        self._owns_backend = backend is None
        self.pending: list[Document] = []
        self.failed: list[Document] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, index_batch_size())

    def open_spider(self, spider: Any = None) -> None:
        if self.backend is None:
            from search.factory import open_backend

            self.backend = open_backend()

    def process_item(self, doc: Document, spider: Any = None) -> Document:
        self.pending.append(doc)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return doc

    def flush(self, *, final: bool = False) -> None:
        if not self.pending:
            return
        assert self.backend is not None
        batch, self.pending = self.pending, []
        try:
            outcomes = self.backend.upsert(batch)
        except Exception:
            # The index refused the batch (locked or full database): what is stored stays
            # stored; the batch is tried once more when the spider closes, then counted.
            if final:
                logger.exception("index: %d items could not be stored", len(batch))
                self.stats.inc_value("wildwatch/errors/index_error", len(batch))
            else:
                logger.warning("index: upsert of %d items failed, retrying at the end", len(batch))
                self.failed.extend(batch)
            return
        _RUN_COPIES.release(batch)
        for outcome in outcomes:
            self.stats.inc_value(f"wildwatch/index/{outcome}")

    def close_spider(self, spider: Any = None) -> None:
        try:
            self.pending = self.failed + self.pending
            self.failed = []
            self.flush(final=True)
        finally:
            if self._owns_backend and self.backend is not None:
                self.backend.close()
                self.backend = None
