"""SQLite-specific behaviour: several processes on one file, and files that are not an index."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from search.backend import SearchRequest
from search.factory import open_backend
from search.sqlite_backend import SqliteBackend
from search.sqlite_schema import IndexFileError
from tests.search.conftest import corpus, make_doc


def test_readers_are_not_blocked_by_a_writer_and_writers_wait(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    writer = SqliteBackend(path, busy_timeout_ms=5000)
    writer.upsert(corpus())
    crawl = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False
    )  # another process's write transaction
    crawl.execute("BEGIN IMMEDIATE")
    crawl.execute("DELETE FROM item_docs WHERE rowid = 1")
    reader = SqliteBackend(path)
    assert reader.search(SearchRequest(query='"tê tê"'))["total"] == 1  # sees the last commit
    assert reader.get("rhino-daklak") is not None

    threading.Timer(0.3, crawl.execute, args=("ROLLBACK",)).start()
    started = time.monotonic()
    assert writer.upsert([make_doc("late", title="Voọc chà vá chân nâu")]) == ["new"]
    assert time.monotonic() - started >= 0.25  # it waited for the lock instead of failing
    assert reader.count() == len(corpus()) + 1
    for backend in (reader, writer):
        backend.close()
    crawl.close()


def test_open_backend_uses_wildwatch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("WILDWATCH_ELASTICSEARCH_URL", raising=False)
    backend = open_backend()
    backend.upsert(corpus()[:2])
    backend.close()
    assert (tmp_path / "state" / "index.sqlite").exists()


def test_a_file_that_is_not_an_index_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE jobs (id TEXT)")
    other.commit()
    other.close()
    with pytest.raises(IndexFileError, match=r"index\.sqlite: not a wildwatch index"):
        SqliteBackend(path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("jobs",)]
