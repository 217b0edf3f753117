"""Evidence archive: every fetched item page, raw, as it was served, with its fetch record.

Writes ``<root>/<sha[:2]>/<sha>.gz`` (the raw body, gzip-compressed, named by the SHA-256 of the
uncompressed body, so a page fetched ten times unchanged is stored once) and one row per fetch in
``<root>/records.sqlite``: URL as requested, final URL after redirects, status, response headers,
UTC fetch time, body hash and size, content type, source. ``root`` is ``WILDWATCH_HOME/archive``.

Reads back bodies after checking their hash, so a page shown to a partner or exported to WARC is
provably the page that was fetched. Bodies are written to ``<sha[:2]>/.tmp-*`` and renamed into
place; :meth:`EvidenceArchive.remove_stale_leftovers` (called when a crawl opens the archive)
deletes those an interrupted write left behind, and ``archive verify`` lists them.
No Scrapy import: the web UI and the CLI read this too.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from pipelines.urls import canonical_url
from wildwatch.env import home

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    url TEXT NOT NULL,
    final_url TEXT NOT NULL,
    url_key TEXT NOT NULL,        -- canonical form of url: lookups ignore utm_* and the like
    final_key TEXT NOT NULL,      -- canonical form of final_url
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,        -- JSON list of [name, value], in the order served
    fetched_at TEXT NOT NULL,     -- ISO 8601, UTC, seconds
    content_type TEXT,
    size INTEGER NOT NULL,
    source TEXT
);
CREATE INDEX IF NOT EXISTS records_sha256 ON records (sha256, fetched_at);
CREATE INDEX IF NOT EXISTS records_url ON records (url_key, fetched_at);
CREATE INDEX IF NOT EXISTS records_final ON records (final_key, fetched_at);
CREATE INDEX IF NOT EXISTS records_source ON records (source, fetched_at);
CREATE INDEX IF NOT EXISTS records_time ON records (fetched_at, id);
"""
_COLUMNS = "id, sha256, url, final_url, status, headers, fetched_at, content_type, size, source"
_PAGE = 500
TEMPORARY_PREFIX = ".tmp-"
# A temporary file younger than this may be between its creation and its writer's flock.
NEW_TEMPORARY_SECONDS = 60.0


class ArchiveError(Exception):
    """The archive cannot give what was asked."""


class ArchiveMissingError(ArchiveError):
    """No stored body for that hash."""


class ArchiveIntegrityError(ArchiveError):
    """A stored body no longer matches its hash: the file was altered or damaged."""


@dataclass(frozen=True)
class ArchiveRecord:
    """One fetch of one URL."""

    sha256: str
    url: str
    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    fetched_at: str  # ISO 8601 UTC, e.g. 2024-05-01T03:04:05+00:00
    content_type: str | None
    size: int
    source: str | None

    @property
    def fetched_datetime(self) -> datetime:
        return datetime.fromisoformat(self.fetched_at)


@dataclass(frozen=True)
class Leftover:
    """A temporary body file: left by an interrupted write, or being written right now."""

    path: Path
    size: int
    age_seconds: float
    in_use: bool


def utc_iso(moment: datetime) -> str:
    """``moment`` as the archive stores it; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class EvidenceArchive:
    """Content-addressed store of raw pages plus an SQLite log of fetches."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.database_path = self.root / "records.sqlite"
        # One connection shared by the threads of the web server, serialised by a lock;
        # WAL lets a crawl process write while the UI reads.
        self._db = sqlite3.connect(self.database_path, timeout=30, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._db.commit()

    @classmethod
    def from_settings(cls) -> EvidenceArchive:
        """The archive under ``WILDWATCH_HOME/archive``."""
        return cls(home() / "archive")

    def __enter__(self) -> EvidenceArchive:
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

    def commit(self) -> None:
        """Make the fetch records stored with ``commit=False`` durable, all in one fsync."""
        with self._lock:
            self._db.commit()

    def object_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ArchiveError(f"{sha256!r} is not a SHA-256 hex digest")
        return self.root / sha256[:2] / f"{sha256}.gz"

    def store(
        self,
        *,
        url: str,
        final_url: str,
        status: int,
        headers: Iterable[tuple[str, str]] | Mapping[str, str],
        body: bytes,
        fetched_at: datetime,
        source: str | None,
        commit: bool = True,
    ) -> ArchiveRecord:
        """Keep ``body`` (once per distinct content) and log this fetch of ``url``. The body file
        is written atomically and fsynced before its record; with ``commit=False`` the record
        waits for the next :meth:`commit` (the crawl's writer thread commits in groups)."""
        sha256 = hashlib.sha256(body).hexdigest()
        pairs = tuple(
            (str(name), str(value))
            for name, value in (headers.items() if isinstance(headers, Mapping) else headers)
        )
        content_type = next((v for n, v in pairs if n.lower() == "content-type"), None)
        self._write_object(sha256, body)
        record = ArchiveRecord(
            sha256=sha256,
            url=url,
            final_url=final_url or url,
            status=int(status),
            headers=pairs,
            fetched_at=utc_iso(fetched_at),
            content_type=content_type,
            size=len(body),
            source=source,
        )
        with self._lock:
            self._db.execute(
                "INSERT INTO records (sha256, url, final_url, url_key, final_key, status, headers,"
                " fetched_at, content_type, size, source) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.sha256,
                    record.url,
                    record.final_url,
                    canonical_url(record.url),
                    canonical_url(record.final_url),
                    record.status,
                    json.dumps([list(pair) for pair in pairs], ensure_ascii=False),
                    record.fetched_at,
                    record.content_type,
                    record.size,
                    record.source,
                ),
            )
            if commit:
                self._db.commit()
        return record

    def body(self, sha256: str) -> bytes:
        """The raw body stored under ``sha256``, after checking it still has that hash."""
        path = self.object_path(sha256)
        try:
            compressed = path.read_bytes()
        except FileNotFoundError:
            raise ArchiveMissingError(f"{path}: no archived body {sha256}") from None
        try:
            body = gzip.decompress(compressed)
        except (OSError, EOFError, zlib.error) as error:
            raise ArchiveIntegrityError(f"{path}: damaged archive file ({error})") from None
        actual = hashlib.sha256(body).hexdigest()
        if actual != sha256:
            raise ArchiveIntegrityError(
                f"{path}: content was altered: its SHA-256 is {actual}, expected {sha256}"
            )
        return body

    def has_body(self, sha256: str) -> bool:
        return self.object_path(sha256).exists()

    def record(self, sha256: str) -> ArchiveRecord | None:
        """The earliest fetch that returned this body."""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM records WHERE sha256 = ? ORDER BY fetched_at, id LIMIT 1",
            (sha256,),
        )
        return _to_record(rows[0]) if rows else None

    def latest(self, url: str) -> ArchiveRecord | None:
        """The latest fetch of ``url`` (as requested or as redirected to, tracking tags ignored)."""
        key = canonical_url(url)
        rows = self._query(
            f"SELECT {_COLUMNS} FROM records WHERE url_key = ? OR final_key = ?"
            " ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (key, key),
        )
        return _to_record(rows[0]) if rows else None

    def records(
        self,
        *,
        source: str | None = None,
        url: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[ArchiveRecord]:
        """Fetch records in time order; ``since`` inclusive, ``until`` exclusive."""
        conditions: list[str] = []
        params: list[Any] = []
        if source is not None:
            conditions.append("source = ?")
            params.append(source)
        if url is not None:
            key = canonical_url(url)
            conditions.append("(url_key = ? OR final_key = ?)")
            params += [key, key]
        if since is not None:
            conditions.append("fetched_at >= ?")
            params.append(utc_iso(since))
        if until is not None:
            conditions.append("fetched_at < ?")
            params.append(utc_iso(until))
        # Keyset pagination: a long export never holds the lock or the whole log in memory.
        last: tuple[str, int] = ("", 0)
        while True:
            where = " AND ".join([*conditions, "(fetched_at, id) > (?, ?)"])
            rows = self._query(
                f"SELECT {_COLUMNS} FROM records WHERE {where} ORDER BY fetched_at, id LIMIT ?",
                (*params, *last, _PAGE),
            )
            for row in rows:
                yield _to_record(row)
            if len(rows) < _PAGE:
                return
            last = (rows[-1][6], rows[-1][0])

    def _query(self, sql: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def _write_object(self, sha256: str, body: bytes) -> None:
        path = self.object_path(sha256)
        if path.exists():
            try:
                self.body(sha256)
                return
            except ArchiveIntegrityError:
                pass  # a damaged copy: replace it with the good bytes we now hold
        path.parent.mkdir(parents=True, exist_ok=True)
        # mtime=0: the same body always gives the same file.
        compressed = gzip.compress(body, compresslevel=6, mtime=0)
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=TEMPORARY_PREFIX, suffix=".gz"
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                # Held until the rename: the mark of a live write (see leftovers()).
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                handle.write(compressed)
                handle.flush()
                os.fsync(handle.fileno())
                os.chmod(temporary, 0o444)  # evidence is read-only
                os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # -- leftovers of interrupted writes ------------------------------------------------------
    #
    # A body is written to ``<xx>/.tmp-*.gz`` and renamed into place; a kill -9 (or a power cut)
    # between the two leaves the temporary file behind. It is never evidence (its fetch record
    # is written only after the rename), just wasted space, and removing it is safe once no
    # process is still writing it.
    #
    # "Still writing" is decided by a lock rather than by age alone: the writer holds an
    # exclusive flock on its temporary file from just after creating it until the rename, and
    # the kernel drops that lock when the writer dies, however it dies. So a file nobody holds
    # is a leftover at once, while a crawl running at the same time (the scheduler runs one
    # process per source, all writing this archive) keeps its file however slow its disk is;
    # an age threshold would have to guess how long a stalled fsync can take. The short age
    # guard covers only the instant between mkstemp() creating the file and flock() taking it.

    def leftovers(self) -> list[Leftover]:
        """Temporary files of body writes, each marked stale (interrupted) or in use."""
        found: list[Leftover] = []
        for path in sorted(self.root.glob(f"*/{TEMPORARY_PREFIX}*")):
            try:
                with path.open("rb") as handle:
                    stat = os.fstat(handle.fileno())
                    in_use = not _try_lock(handle.fileno())
            except FileNotFoundError:
                continue  # renamed into place while we looked
            except PermissionError:
                # Another user's file (e.g. verify run by the web UI's account): whether its
                # writer lives cannot be told, so it is listed and never removed.
                stat, in_use = path.stat(), True
            age = max(0.0, time.time() - stat.st_mtime)
            found.append(Leftover(path, stat.st_size, age, in_use or age < NEW_TEMPORARY_SECONDS))
        return found

    def remove_stale_leftovers(self) -> list[Path]:
        """Delete the temporary files of interrupted writes (never those of a live writer, in
        this process or another); returns the paths removed. The crawl calls it at start."""
        removed: list[Path] = []
        for leftover in self.leftovers():
            if leftover.in_use:
                continue
            try:
                with leftover.path.open("rb") as handle:
                    # Checked again under the lock: a writer may have appeared since.
                    if _try_lock(handle.fileno()):
                        leftover.path.unlink()
                        removed.append(leftover.path)
            except FileNotFoundError:
                continue
        return removed


def _try_lock(descriptor: int) -> bool:
    """Take an exclusive flock without waiting; False when another descriptor holds one. The
    lock is released when the caller closes the file."""
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _to_record(row: tuple[Any, ...]) -> ArchiveRecord:
    _id, sha256, url, final_url, status, headers, fetched_at, content_type, size, source = row
    return ArchiveRecord(
        sha256=sha256,
        url=url,
        final_url=final_url,
        status=status,
        headers=tuple((str(name), str(value)) for name, value in json.loads(headers)),
        fetched_at=fetched_at,
        content_type=content_type,
        size=size,
        source=source,
    )
