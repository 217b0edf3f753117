"""Crawl state: what wildwatch last saw at each item URL, so re-crawls can skip unchanged pages.

Writes and reads ``WILDWATCH_HOME/crawl_state.sqlite``: one row per canonical URL
(``pipelines.urls.canonical_url``) with the validators the server gave (ETag, Last-Modified), the
SHA-256 of the last body, when it was last fetched, the last HTTP status and the source. Read by
``crawlers.conditional_get`` before each item request; no Scrapy import.

Durability rule (DESIGN.md): a 200 page is recorded only after its items are committed to the
index (:class:`PageVisit`, recorded by the ``ingest`` layer after each batch upsert), so a page
the state knows is a page the index holds; a crash before that leaves the page unknown, and the
recovery at the next start (``ingest.recovery``) indexes it from the evidence archive.

Also home of :class:`WriterThread`, the single thread that does a crawl's disk writes (this
store's and the evidence archive's) so that SQLite commits, gzip and fsync never run on
Scrapy's reactor thread.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from crawlers.archive import utc_iso
from pipelines.urls import canonical_url
from wildwatch.env import home

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,          -- canonical URL
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,                   -- body of the last 200 response
    last_fetched TEXT NOT NULL,    -- ISO 8601, UTC
    last_status INTEGER NOT NULL,
    source TEXT
);
CREATE INDEX IF NOT EXISTS pages_source ON pages (source);
-- Per source: archive records fetched before this instant were checked by the recovery of
-- ingest.recovery (items indexed, or found bad); later ones are checked at the next start.
CREATE TABLE IF NOT EXISTS recovery_marks (
    source TEXT PRIMARY KEY,
    checked_until TEXT NOT NULL    -- ISO 8601, UTC
);
"""


@dataclass(frozen=True)
class PageState:
    url: str  # canonical
    etag: str | None
    last_modified: str | None
    sha256: str | None
    last_fetched: datetime  # aware, UTC
    last_status: int
    source: str | None

    @property
    def has_validators(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass
class PageVisit:
    """A 200 response of an item page that is not known yet: it becomes known (recorded with
    :meth:`CrawlState.record_fetch`) only when every item it gave is committed to the index.

    Made by ``crawlers.conditional_get`` and carried with the page's items; the ingest layer
    calls :meth:`item_committed` after each batch upsert. ``expected`` is how many items the page
    gives (one article or ad, or the text posts of a channel page); a page whose item was
    dropped (bad page, analysis error) never completes, so the next crawl fetches it again.
    """

    urls: tuple[str, ...]  # as requested, through redirects, to the final URL
    status: int
    fetched_at: datetime
    etag: str | None
    last_modified: str | None
    sha256: str | None
    source: str | None
    expected: int = 1
    committed: int = 0

    def expect(self, count: int) -> None:
        self.expected = count

    def item_committed(self) -> bool:
        """Count one committed item; True when the page is now complete."""
        self.committed += 1
        return self.committed == self.expected

    def record(self, state: CrawlState) -> None:
        for url in self.urls:
            state.record_fetch(
                url,
                status=self.status,
                fetched_at=self.fetched_at,
                etag=self.etag,
                last_modified=self.last_modified,
                sha256=self.sha256,
                source=self.source,
                commit=False,
            )


class CrawlState:
    """SQLite store of per-URL fetch state, shared by concurrent crawl processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            # WAL: scheduled crawls of several sources run as separate processes at once, and
            # readers never wait for a writer's commit.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._db.commit()
        # Reads (one per item request, on the reactor thread) use their own connection and
        # lock, so they never queue behind a commit running on the writer thread.
        self._reader = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._read_lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> CrawlState:
        """The state under ``WILDWATCH_HOME/crawl_state.sqlite``."""
        return cls(home() / "crawl_state.sqlite")

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.commit()
            self._db.close()
        with self._read_lock:
            self._reader.close()

    def commit(self) -> None:
        """Make the writes made with ``commit=False`` durable (one fsync for all of them)."""
        with self._lock:
            self._db.commit()

    def get(self, url: str) -> PageState | None:
        key = canonical_url(url)
        with self._read_lock:
            row = self._reader.execute(
                "SELECT url, etag, last_modified, sha256, last_fetched, last_status, source"
                " FROM pages WHERE url = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        return PageState(
            url=row[0],
            etag=row[1],
            last_modified=row[2],
            sha256=row[3],
            last_fetched=datetime.fromisoformat(row[4]),
            last_status=row[5],
            source=row[6],
        )

    def record_fetch(
        self,
        url: str,
        *,
        status: int,
        fetched_at: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
        sha256: str | None = None,
        source: str | None = None,
        commit: bool = True,
    ) -> None:
        """A full response: replace validators and body hash with what the server just gave."""
        with self._lock:
            self._db.execute(
                "INSERT INTO pages (url, etag, last_modified, sha256, last_fetched, last_status,"
                " source) VALUES (?,?,?,?,?,?,?) ON CONFLICT (url) DO UPDATE SET"
                " etag = excluded.etag, last_modified = excluded.last_modified,"
                " sha256 = excluded.sha256, last_fetched = excluded.last_fetched,"
                " last_status = excluded.last_status,"
                " source = COALESCE(excluded.source, pages.source)",
                (
                    canonical_url(url),
                    etag,
                    last_modified,
                    sha256,
                    utc_iso(fetched_at),
                    status,
                    source,
                ),
            )
            if commit:
                self._db.commit()

    def mark_fetched(
        self,
        url: str,
        *,
        status: int,
        fetched_at: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
        source: str | None = None,
        commit: bool = True,
    ) -> None:
        """A response without a new body (304, or an error page): update the fetch time and
        status, keep the stored validators and body hash unless the server sent fresh ones."""
        with self._lock:
            self._db.execute(
                "INSERT INTO pages (url, etag, last_modified, sha256, last_fetched, last_status,"
                " source) VALUES (?,?,?,NULL,?,?,?) ON CONFLICT (url) DO UPDATE SET"
                " etag = COALESCE(excluded.etag, pages.etag),"
                " last_modified = COALESCE(excluded.last_modified, pages.last_modified),"
                " last_fetched = excluded.last_fetched, last_status = excluded.last_status,"
                " source = COALESCE(excluded.source, pages.source)",
                (canonical_url(url), etag, last_modified, utc_iso(fetched_at), status, source),
            )
            if commit:
                self._db.commit()

    def recovery_mark(self, source: str) -> datetime | None:
        """Archive records of ``source`` fetched before this were already checked."""
        with self._read_lock:
            row = self._reader.execute(
                "SELECT checked_until FROM recovery_marks WHERE source = ?", (source,)
            ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def set_recovery_mark(self, source: str, checked_until: datetime) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO recovery_marks (source, checked_until) VALUES (?, ?)"
                " ON CONFLICT (source) DO UPDATE SET checked_until = excluded.checked_until",
                (source, utc_iso(checked_until)),
            )
            self._db.commit()

    def count(self, source: str | None = None) -> int:
        with self._read_lock:
            if source is None:
                row = self._reader.execute("SELECT COUNT(*) FROM pages").fetchone()
            else:
                row = self._reader.execute(
                    "SELECT COUNT(*) FROM pages WHERE source = ?", (source,)
                ).fetchone()
        return int(row[0])


class WriterThread:
    """One thread that runs disk jobs in the order they were submitted and commits in groups.

    Each job's future is resolved only after ``commit`` ran for it: a caller that awaits it
    knows its write is durable. Jobs queued while others ran are committed together (one
    SQLite transaction and fsync for a burst of pages instead of one per page). gzip, fsync
    and SQLite release the GIL, so this thread runs beside the reactor on the second CPU.
    """

    # Bounds the work (and the wait of the first job) between two commits.
    MAX_GROUP = 64

    def __init__(self, name: str, commit: Callable[[], None]) -> None:
        self._commit = commit
        self._jobs: queue.SimpleQueue[tuple[Callable[[], object], Future[object]] | None] = (
            queue.SimpleQueue()
        )
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], object]) -> Future[object]:
        if self._closed:
            raise RuntimeError(f"{self._thread.name}: writer already closed")
        future: Future[object] = Future()
        self._jobs.put((job, future))
        return future

    def flush(self) -> None:
        """Wait until every job submitted so far has run and been committed."""
        if not self._closed:
            self.submit(lambda: None).result()

    def close(self) -> None:
        """Run and commit what is queued, then stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            group = [self._jobs.get()]
            while len(group) < self.MAX_GROUP:
                try:
                    group.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            done: list[tuple[Future[object], object]] = []
            failed: list[tuple[Future[object], BaseException]] = []
            for entry in group:
                if entry is None:
                    stopping = True
                    continue
                job, future = entry
                try:
                    done.append((future, job()))
                except BaseException as error:  # handed to the waiting caller
                    failed.append((future, error))
            try:
                self._commit()
            except BaseException as commit_error:
                logger.exception("%s: commit failed", self._thread.name)
                failed += [(future, commit_error) for future, _ in done]
                done = []
            for future, result in done:
                future.set_result(result)
            for future, exception in failed:
                future.set_exception(exception)
