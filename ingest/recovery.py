"""Recovery from the evidence archive: what a killed crawl fetched is indexed without refetching.

Reads the evidence archive (``crawlers.archive``: every item page as served, archived before
its item reaches the pipelines) and the crawl state; writes the index and then the crawl state,
through the same document builder, duplicate linker and indexer as the crawl.

Because a page becomes known to the crawl state only once its items are committed (DESIGN.md,
durability rule), an archived 200 page that the state does not know, or knows only from an
older fetch, is a page whose items never reached the index. :func:`recover` runs at the start
of every crawl of a source and indexes those pages from their archived bodies. It looks only at
records fetched since its previous run (``recovery_marks`` in the crawl state), so its cost is
one state lookup per page of the last crawl. ``wildwatch reindex`` (:func:`reindex`) rebuilds
the index of the selected sources from every archived page, state or not.

A page that is bad in the archive too (empty, binary, garbled, no article) is counted by kind
and logged with its URL; it stays unknown and the crawl fetches it again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawlers.archive import ArchiveError, ArchiveRecord, EvidenceArchive
from crawlers.sources import Source
from crawlers.spiders.pages import Page, PageFailure
from crawlers.state import CrawlState, PageVisit
from ingest.analysis_pool import start_pool
from ingest.documents import analyze_with_fingerprints, build_document, extract_and_analyze
from ingest.duplicates import DuplicateLinker
from ingest.indexer import Indexer
from pipelines.fields import Analysis
from pipelines.settings import index_batch_size
from pipelines.urls import canonical_url
from search.backend import SearchBackend

logger = logging.getLogger(__name__)

POOL_THRESHOLD = 16  # fewer pages are analysed in this process (no pool start-up)


@dataclass
class Recovery:
    """What a recovery or reindex did for one source."""

    source: str
    checked: int = 0  # archived pages looked at
    pages: int = 0  # pages indexed from the archive
    outcomes: Counter[str] = field(default_factory=Counter)  # new / updated / unchanged
    errors: Counter[str] = field(default_factory=Counter)  # kind → pages

    def count(self, key: str, amount: int) -> None:
        """The indexer's counts: ``index/<outcome>``, ``errors/<kind>``, ``known``."""
        group, _, name = key.partition("/")
        if group == "index":
            self.outcomes[name] += amount
        elif group == "errors":
            self.errors[name] += amount


@dataclass(frozen=True)
class _Job:
    """One archived page to extract and analyse (pickled to a worker)."""

    body: bytes
    content_type: str | None
    url: str  # final URL, as fetched
    kind: str
    fetched_at: str
    selectors: tuple[tuple[str, str], ...]
    allowed_domains: tuple[str, ...]
    language: str | None


Analysed = list[tuple[dict[str, Any], Analysis]]


def analyse_archived(job: _Job) -> Analysed | PageFailure:
    """Runs in a worker: the items of one archived page with their analyses, or why none."""
    from crawlers.extract import NotHtmlError, decode_body, parse_telegram_channel
    from crawlers.spiders.social import channel_of, post_fields

    if not job.body.strip():
        return PageFailure("empty")
    try:
        html = str(decode_body(job.body, job.content_type))
    except NotHtmlError as error:
        return PageFailure("not_html", str(error))
    if job.kind == "social":
        try:
            posts, _ = parse_telegram_channel(html, channel_of(job.url))
        except Exception as error:
            return PageFailure("parse_error", f"{type(error).__name__}: {error}")
        if not posts:
            return PageFailure("no_content")
        analysed: Analysed = []
        for post in post_fields(posts, channel_of(job.url)):
            found, analysis = analyze_with_fingerprints(
                post["text"], post["title"], post["url"], job.language
            )
            analysed.append(({**post, **found}, analysis))
        return analysed
    page = Page(html, job.url, job.kind, job.fetched_at, job.selectors, job.allowed_domains)
    result = extract_and_analyze(page, job.language)
    return result if isinstance(result, PageFailure) else [result]


def _header(record: ArchiveRecord, name: str) -> str | None:
    return next((v for n, v in record.headers if n.lower() == name.lower()), None)


def _visit(record: ArchiveRecord) -> PageVisit:
    return PageVisit(
        urls=tuple(dict.fromkeys([record.url, record.final_url])),
        status=record.status,
        fetched_at=record.fetched_datetime,
        etag=_header(record, "ETag"),
        last_modified=_header(record, "Last-Modified"),
        sha256=record.sha256,
        source=record.source,
    )


def _latest_pages(records: Iterable[ArchiveRecord]) -> list[ArchiveRecord]:
    """The latest fetch of each page (records come oldest first), when it was a 200 page: a
    later 404 says the page was taken down, not that an item is missing."""
    latest: dict[str, ArchiveRecord] = {}
    for record in records:
        latest[canonical_url(record.final_url)] = record
    return [record for record in latest.values() if 200 <= record.status < 300]


def _unknown(record: ArchiveRecord, state: CrawlState) -> bool:
    """Whether no committed item covers this fetch: the state does not know the page, or
    knows it from an earlier fetch than this archived one."""
    known = state.get(record.final_url)
    return known is None or known.last_fetched < record.fetched_datetime


def recover(
    sources: Sequence[Source],
    backend: SearchBackend,
    *,
    workers: int = 1,
    everything: bool = False,
) -> list[Recovery]:
    """Index the archived pages of ``sources`` that have no committed item (``everything``:
    every archived page, for ``wildwatch reindex``). Returns one :class:`Recovery` per source."""
    archive = EvidenceArchive.from_settings()
    state = CrawlState.from_settings()
    reports = []
    try:
        for source in sources:
            started = datetime.now(UTC)
            since = None if everything else state.recovery_mark(source.name)
            pages = _latest_pages(archive.records(source=source.name, since=since))
            if not everything:
                pages = [record for record in pages if _unknown(record, state)]
            report = Recovery(source.name, checked=len(pages))
            if pages:
                _index_pages(source, pages, archive, backend, workers, report)
            state.set_recovery_mark(source.name, started)
            if report.pages or report.errors:
                logger.warning(
                    "%s: %d pages indexed from the evidence archive (%s)",
                    source.name,
                    report.pages,
                    ", ".join(f"{k}={v}" for k, v in sorted(report.errors.items())) or "no errors",
                )
            reports.append(report)
    finally:
        state.close()
        archive.close()
    return reports


def _index_pages(
    source: Source,
    pages: list[ArchiveRecord],
    archive: EvidenceArchive,
    backend: SearchBackend,
    workers: int,
    report: Recovery,
) -> None:
    jobs: list[tuple[ArchiveRecord, _Job]] = []
    for record in pages:
        try:
            body = archive.body(record.sha256)
        except ArchiveError as error:
            report.errors["archive_error"] += 1
            logger.warning("%s: archive_error %s (%s)", source.name, record.final_url, error)
            continue
        jobs.append(
            (
                record,
                _Job(
                    body=body,
                    content_type=record.content_type,
                    url=record.final_url,
                    kind=source.kind,
                    fetched_at=record.fetched_at,
                    selectors=tuple(sorted(source.selectors.items())),
                    allowed_domains=tuple(source.allowed_domains),
                    language=source.language,
                ),
            )
        )
    executor: Executor | None = None
    if workers > 0 and len(jobs) >= POOL_THRESHOLD:
        executor = start_pool(workers)
    indexer = Indexer(
        backend, DuplicateLinker(backend), batch_size=index_batch_size(), count=report.count
    )
    try:
        work = [job for _, job in jobs]
        results = executor.map(analyse_archived, work) if executor else map(analyse_archived, work)
        for (record, _), result in zip(jobs, results, strict=True):
            if isinstance(result, PageFailure):
                report.errors[result.kind] += 1
                detail = f" ({result.detail})" if result.detail else ""
                logger.warning("%s: %s %s%s", source.name, result.kind, record.final_url, detail)
                continue
            visit = _visit(record)
            visit.expect(len(result))
            for fields, analysis in result:
                item = {
                    "url": record.final_url,
                    "source": source.name,
                    "kind": source.kind,
                    "country": source.country,
                    "fetched_at": record.fetched_at,
                    "archive_sha256": record.sha256,
                    "published_at": None,
                    **fields,
                }
                doc = indexer.linker.link(build_document(item, analysis))
                indexer.add(doc, visit)
            report.pages += 1
    finally:
        indexer.close()
        if executor is not None:
            executor.shutdown()
