"""Crawl state: what wildwatch last saw at each item URL, so re-crawls can skip unchanged pages.

Writes and reads ``WILDWATCH_HOME/crawl_state.sqlite``: one row per canonical URL
(``pipelines.urls.canonical_url``) with the validators the server gave (ETag, Last-Modified), the
SHA-256 of the last body, when it was last fetched, the last HTTP status and the source. Read by
``crawlers.conditional_get`` before each item request; no Scrapy import.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from pipelines.urls import canonical_url
from wildwatch.env import home

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


class CrawlState:
    """SQLite store of per-URL fetch state, shared by concurrent crawl processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            # WAL: scheduled crawls of several sources run as separate processes at once.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._db.commit()

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
            self._db.close()

    def get(self, url: str) -> PageState | None:
        key = canonical_url(url)
        with self._lock:
            row = self._db.execute(
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
                (canonical_url(url), etag, last_modified, sha256, _iso(fetched_at), status, source),
            )
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
                (canonical_url(url), etag, last_modified, _iso(fetched_at), status, source),
            )
            self._db.commit()

    def count(self, source: str | None = None) -> int:
        with self._lock:
            if source is None:
                row = self._db.execute("SELECT COUNT(*) FROM pages").fetchone()
            else:
                row = self._db.execute(
                    "SELECT COUNT(*) FROM pages WHERE source = ?", (source,)
                ).fetchone()
        return int(row[0])


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")
