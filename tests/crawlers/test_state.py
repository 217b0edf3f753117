"""Crawl state store: keyed by canonical URL, 304s keep validators, shared between processes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from crawlers.state import CrawlState, WriterThread

URL = "https://tuoitre.vn/bat-qua-tang-tru-ngoc-voi-20240501101010123.htm"
T0 = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)


def test_record_and_read_back_by_canonical_url(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "crawl_state.sqlite") as state:
        assert state.get(URL) is None
        state.record_fetch(
            URL + "?utm_source=facebook&fbclid=xyz",
            status=200,
            fetched_at=T0,
            etag='W/"5f1-abc"',
            last_modified="Wed, 01 May 2024 02:55:00 GMT",
            sha256="a" * 64,
            source="tuoitre",
        )
        page = state.get(
            "https://www.tuoitre.vn/bat-qua-tang-tru-ngoc-voi-20240501101010123.htm#top"
        )
    assert page is not None
    assert page.url == URL
    assert (page.etag, page.last_modified, page.sha256) == (
        'W/"5f1-abc"',
        "Wed, 01 May 2024 02:55:00 GMT",
        "a" * 64,
    )
    assert page.last_fetched == T0 and page.last_status == 200 and page.source == "tuoitre"
    assert page.has_validators


def test_not_modified_keeps_body_hash_and_validators(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "s.sqlite") as state:
        state.record_fetch(URL, status=200, fetched_at=T0, etag='"v1"', sha256="b" * 64)
        state.mark_fetched(URL, status=304, fetched_at=T0 + timedelta(days=1))
        page = state.get(URL)
        assert page is not None
        assert (page.etag, page.sha256, page.last_status) == ('"v1"', "b" * 64, 304)
        assert page.last_fetched == T0 + timedelta(days=1)
        # A 304 may carry a fresh ETag: keep the newest.
        state.mark_fetched(URL, status=304, fetched_at=T0 + timedelta(days=2), etag='"v2"')
        page = state.get(URL)
        assert page is not None and page.etag == '"v2"' and page.sha256 == "b" * 64
        # A new 200 without validators clears the old ones: they described another body.
        state.record_fetch(URL, status=200, fetched_at=T0 + timedelta(days=3), sha256="c" * 64)
        page = state.get(URL)
        assert page is not None and not page.has_validators and page.sha256 == "c" * 64


def test_error_status_on_unknown_page(tmp_path: Path) -> None:
    with CrawlState(tmp_path / "s.sqlite") as state:
        state.mark_fetched(URL, status=404, fetched_at=T0, source="tuoitre")
        page = state.get(URL)
    assert page is not None
    assert (page.last_status, page.sha256, page.etag, page.source) == (404, None, None, "tuoitre")


def test_two_processes_share_the_store(tmp_path: Path) -> None:
    # Scheduled crawls run as separate processes writing the same file.
    path = tmp_path / "s.sqlite"
    with CrawlState(path) as first, CrawlState(path) as second:
        first.record_fetch(URL, status=200, fetched_at=T0, etag='"x"', source="tuoitre")
        second.record_fetch(
            "https://dantri.com.vn/a.htm", status=200, fetched_at=T0, source="dantri"
        )
        assert second.get(URL) is not None
        assert first.count() == 2 and first.count("dantri") == 1


def test_naive_times_are_utc_and_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path / "home"))
    with CrawlState.from_settings() as state:
        state.record_fetch(URL, status=200, fetched_at=datetime(2024, 5, 1, 3, 0))
        page = state.get(URL)
    assert page is not None and page.last_fetched == T0
    assert (tmp_path / "home" / "crawl_state.sqlite").exists()


# ─── the writer thread of a crawl ───────────────────────────────────────────────────────────


def test_writer_commits_in_groups_and_resolves_each_write_after_its_commit(
    tmp_path: Path,
) -> None:
    log: list[str] = []
    gate = threading.Event()
    writer = WriterThread("test-writer", lambda: log.append("commit"))

    def job(n: int) -> int:
        gate.wait(5)  # the first job holds the thread while the others queue up
        log.append(f"job {n}")
        return n

    futures = [writer.submit(partial(job, n)) for n in range(20)]
    gate.set()
    assert [future.result(5) for future in futures] == list(range(20))
    writer.close()
    assert [entry for entry in log if entry != "commit"] == [f"job {n}" for n in range(20)]
    # queued writes shared commits, and none was reported done before a commit followed it
    assert 1 <= log.count("commit") < 20
    assert log[-1] == "commit"


def test_a_failed_write_reaches_its_caller_and_the_others_are_kept(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "crawl_state.sqlite")
    writer = WriterThread("test-writer", state.commit)
    moment = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)

    def record(url: str) -> None:
        state.record_fetch(url, status=200, fetched_at=moment, sha256="a" * 64, commit=False)

    def broken() -> None:
        raise OSError("No space left on device")

    first = writer.submit(lambda: record("https://plo.vn/a-1.html"))
    failed = writer.submit(broken)
    last = writer.submit(lambda: record("https://plo.vn/a-2.html"))
    with pytest.raises(OSError, match="No space"):
        failed.result(5)
    assert first.result(5) is None and last.result(5) is None
    writer.close()
    state.close()
    with CrawlState(tmp_path / "crawl_state.sqlite") as reopened:
        assert reopened.count() == 2


def test_closing_the_writer_stores_everything_still_queued(tmp_path: Path) -> None:
    """What spider_closed does when a crawl is stopped with SIGTERM: nothing queued is lost."""
    state = CrawlState(tmp_path / "crawl_state.sqlite")
    writer = WriterThread("test-writer", state.commit)
    moment = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)
    for n in range(300):
        visit = partial(
            state.mark_fetched,
            f"https://chotot.com/ad/{n}.htm",
            status=200,
            fetched_at=moment,
            commit=False,
        )
        writer.submit(visit)
    writer.close()
    state.close()
    with CrawlState(tmp_path / "crawl_state.sqlite") as reopened:
        assert reopened.count() == 300
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit(lambda: None)
