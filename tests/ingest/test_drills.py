"""Crash drills (issue 9): a crawl stopped at any point, then one normal crawl, leaves every
article of the site searchable exactly once under the URL it was fetched from.

Each drill runs real ``wildwatch crawl`` processes (in their own process group, as the scheduler
starts them) against the drill site: 30 articles on ``www.baotintuc.test``, half with ETags.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ingest.drill_site import DrillSite
from tests.ingest.drills import (
    indexed_count,
    kill_leftovers,
    normal_crawl,
    searchable,
    start_crawl,
    stop,
    wait_for_items,
    wait_until,
)


@pytest.fixture
def site() -> Iterator[DrillSite]:
    server = DrillSite(delay=0.03).start()
    yield server
    kill_leftovers()
    server.stop()


POINTS = {
    "early": lambda site, home: site.served >= 3,  # a few pages fetched, nothing analysed
    "middle": lambda site, home: site.served >= 15,  # half the pages fetched and archived
    # batches being committed: some items in the index, others analysed or in flight
    "flushing": lambda site, home: indexed_count(home) >= 8,
}


@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_then_one_crawl_leaves_every_article_searchable_once(
    site: DrillSite, tmp_path: Path, point: str
) -> None:
    crawl = start_crawl(tmp_path, site)
    wait_until(lambda: POINTS[point](site, tmp_path))
    stop(crawl, signal.SIGKILL)  # the whole group: crawl and analysis workers
    after_kill = searchable(tmp_path, site)
    assert after_kill.exactly_once < after_kill.total  # the kill did interrupt the crawl
    archived_not_indexed = unknown_archived_pages(tmp_path)
    summary = normal_crawl(tmp_path, site)
    assert searchable(tmp_path, site).exactly_once == len(site.articles), summary
    # What the killed crawl had archived but not committed came back from the archive.
    assert summary["recovered"] == archived_not_indexed


def unknown_archived_pages(home: Path) -> int:
    """Article pages in the evidence archive that the crawl state does not know."""
    from crawlers.archive import EvidenceArchive
    from crawlers.state import CrawlState

    with (
        EvidenceArchive(home / "archive") as archive,
        CrawlState(home / "crawl_state.sqlite") as state,
    ):
        urls = {record.final_url for record in archive.records() if record.status == 200}
        return sum(1 for url in urls if state.get(url) is None)


def test_double_sigterm_commits_what_was_analysed_and_says_so(
    site: DrillSite, tmp_path: Path
) -> None:
    # One big batch: when the signals come, analysed items are waiting for their batch.
    crawl = start_crawl(tmp_path, site, debug=True, WILDWATCH_INDEX_BATCH="100")
    wait_for_items(crawl, 3)
    stdout = stop(crawl, signal.SIGTERM, signal.SIGTERM)
    (summary,) = json.loads(stdout)["sources"]
    assert summary["finish_reason"] == "forced_stop"
    # Nothing was committed before the signals (one batch of 100): what the index holds now is
    # what was analysed when the second signal came, and the summary says how many.
    assert summary["new"] >= 3
    assert searchable(tmp_path, site).hits == summary["new"]
    log = (tmp_path / "logs" / "crawl.log").read_text("utf-8")
    assert "analysis worker died" not in log
    normal_crawl(tmp_path, site)
    assert searchable(tmp_path, site).exactly_once == len(site.articles)


def test_the_scheduler_time_limit_with_hanging_pages_loses_nothing(
    site: DrillSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from schedules import crawl_jobs
    from tests.ingest.drills import drill_env

    site.hanging = {article.slug for article in site.articles[-4:]}
    (tmp_path / "sources.toml").write_text(site.sources_toml(), "utf-8")
    # The hanging pages must still hang when the time limit strikes, however fast the crawl
    # starts: with a 4 s download timeout a quick start let them time out and the crawl finish
    # on its own before the 6 s limit (finish_reason "finished", not "shutdown").
    for name, value in drill_env(tmp_path, site, WILDWATCH_DOWNLOAD_TIMEOUT="10").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(
        "WILDWATCH_CRAWL_COMMAND",
        f"{sys.executable} -m wildwatch crawl --sources {tmp_path / 'sources.toml'}",
    )
    monkeypatch.setenv("WILDWATCH_CRAWL_TIMEOUT_MINUTES", "0.1")  # 6 s: pages still hang
    assert crawl_jobs.kill_grace_seconds() == 10 + 5  # download timeout + flush time
    result = crawl_jobs.run_crawl("baotintuc")
    assert result.status == "timeout"
    assert result.summary is not None  # drained within the grace period: it reported
    (summary,) = result.summary["sources"]
    assert summary["finish_reason"] == "shutdown"
    log = (tmp_path / "logs" / "crawls" / "baotintuc.log").read_text("utf-8")
    assert "analysis worker died" not in log
    site.release()
    normal_crawl(tmp_path, site)
    assert searchable(tmp_path, site).exactly_once == len(site.articles)


def test_the_same_page_crawled_and_imported_is_one_item_with_its_original_url(
    site: DrillSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.urls import document_id
    from search.sqlite_backend import SqliteBackend
    from wildwatch.cli import main

    normal_crawl(tmp_path, site)
    article = site.articles[0]
    line = {"url": article.url, "text": " ".join(article.paragraphs), "title": article.title}
    archive = tmp_path / "ngo-archive.jsonl"
    archive.write_text(json.dumps(line, ensure_ascii=False) + "\n", "utf-8")
    monkeypatch.setenv("WILDWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("WILDWATCH_ANALYSIS_WORKERS", "1")
    assert main(["import", "-i", str(archive), "--source", "baotintuc"]) == 0
    assert searchable(tmp_path, site).exactly_once == len(site.articles)
    backend = SqliteBackend(tmp_path / "index.sqlite")
    try:
        assert backend.count() == len(site.articles)
        stored = backend.get(document_id(article.url))
        assert stored is not None and stored["url"] == "http://www.baotintuc.test" + (
            f"/phap-luat/{article.slug}.html"
        )
    finally:
        backend.close()
