"""Batched commits to the index, and only then the crawl state (no Scrapy).

Reads documents with the ``crawlers.state.PageVisit`` of the page they came from (None for
imports); writes them to the search backend in batches and, once a batch upsert has returned,
records every page whose items are now all stored in the crawl state
(``WILDWATCH_HOME/crawl_state.sqlite``). That order is the durability rule of DESIGN.md: a page
is never "known" (skipped, or asked with If-None-Match) before its item is in the index. A
batch the index refuses is retried once at the end, then counted; its pages stay unknown and
are fetched again by the next crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from crawlers.state import CrawlState, PageVisit
from ingest.duplicates import DuplicateLinker
from search.backend import SearchBackend
from search.document import Document

logger = logging.getLogger(__name__)

Pending = tuple[Document, PageVisit | None]


class Indexer:
    def __init__(
        self,
        backend: SearchBackend,
        linker: DuplicateLinker,
        *,
        batch_size: int,
        count: Callable[[str, int], Any] | None = None,
        open_state: Callable[[], CrawlState] = CrawlState.from_settings,
    ) -> None:
        self.backend = backend
        self.linker = linker
        self.batch_size = batch_size
        self.count = count or (lambda key, amount: None)
        self.open_state = open_state
        self.state: CrawlState | None = None
        self.pending: list[Pending] = []
        self.failed: list[Pending] = []

    def add(self, doc: Document, visit: PageVisit | None = None) -> None:
        """Queue a linked document; commits a batch when one is full."""
        self.pending.append((doc, visit))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self, *, final: bool = False) -> list[str]:
        """Commit what is queued; returns the outcomes (new / updated / unchanged)."""
        if final:
            self.pending, self.failed = self.failed + self.pending, []
        if not self.pending:
            return []
        batch, self.pending = self.pending, []
        docs = [doc for doc, _ in batch]
        try:
            outcomes = [str(outcome) for outcome in self.backend.upsert(docs)]
        except Exception:
            # The index refused the batch (locked or full database): what is stored stays
            # stored; the batch is tried once more at the end, then counted.
            if final:
                logger.exception("index: %d items could not be stored", len(batch))
                self.count("errors/index_error", len(batch))
            else:
                logger.warning("index: upsert of %d items failed, retrying at the end", len(batch))
                self.failed.extend(batch)
            return []
        self.linker.committed(docs)
        for outcome in outcomes:
            self.count(f"index/{outcome}", 1)
        self._mark_known([visit for _, visit in batch if visit is not None])
        return outcomes

    def _mark_known(self, visits: list[PageVisit]) -> None:
        complete = [visit for visit in visits if visit.item_committed()]
        if not complete:
            return
        if self.state is None:
            self.state = self.open_state()
        for visit in complete:
            visit.record(self.state)
        self.state.commit()
        self.count("known", len(complete))

    def close(self) -> None:
        """Commit what is left (the failed batches get their second try), close the state."""
        try:
            self.flush(final=True)
        finally:
            if self.state is not None:
                self.state.close()
                self.state = None
