"""Crash drills against the drill site: start a real ``wildwatch crawl``, stop it badly at a
chosen point, run one normal crawl, then check what a user would see in the search.

Used by tests/ingest/test_drills.py and by ``python -m bench.kill_drills`` (which can run the
same drills against another checkout, for before/after figures).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.crawlers.conftest import crawl_env
from tests.ingest.drill_site import DrillSite

# Crawls started by the drills, so a failed drill leaves no process behind (see kill_leftovers).
STARTED: list[subprocess.Popen[str]] = []


def kill_leftovers() -> None:
    while STARTED:
        crawl = STARTED.pop()
        if crawl.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(crawl.pid, signal.SIGKILL)
            crawl.communicate(timeout=30)


def drill_env(home: Path, site: DrillSite, **extra: str) -> dict[str, str]:
    env = crawl_env(home)
    env.update(
        http_proxy=site.proxy,  # www.baotintuc.test is only reachable through the drill site
        HTTP_PROXY=site.proxy,
        no_proxy="",
        NO_PROXY="",
        WILDWATCH_INDEX_BATCH="8",
        WILDWATCH_CONCURRENCY_PER_DOMAIN="4",
        WILDWATCH_DOWNLOAD_TIMEOUT="2",
        WILDWATCH_RETRY_TIMES="0",
        WILDWATCH_FLUSH_SECONDS="5",
    )
    env.update(extra)
    return env


def crawl_command(
    home: Path, code: Path | None = None, *, debug: bool = False
) -> tuple[list[str], Path | None]:
    """The crawl command line and its working directory; ``code``: another checkout."""
    sources = home / "sources.toml"
    command = [sys.executable, "-m", "wildwatch", *(["-vv"] if debug else [])]
    command += ["crawl", "--sources", str(sources), "--json"]
    return command, code


def start_crawl(
    home: Path, site: DrillSite, code: Path | None = None, *, debug: bool = False, **settings: str
) -> subprocess.Popen[str]:
    """A crawl of the drill site; ``debug``: its stderr carries Scrapy's debug log (one
    "Scraped from" line per item that went through every pipeline)."""
    (home / "sources.toml").write_text(site.sources_toml(), "utf-8")
    command, cwd = crawl_command(home, code, debug=debug)
    env = drill_env(home, site, **settings)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    crawl = subprocess.Popen(
        command,
        env=env,
        cwd=cwd or home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like the scheduler's children
    )
    STARTED.append(crawl)
    return crawl


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the drill point was never reached")
        time.sleep(0.02)


def indexed_count(home: Path) -> int:
    """Documents committed so far by a running crawl (read-only, beside its writes)."""
    path = home / "index.sqlite"
    if not path.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM items").fetchone()[0])
    except sqlite3.Error:
        return 0  # the schema is still being created


def wait_for_items(crawl: subprocess.Popen[str], count: int) -> None:
    """Read the debug log of ``crawl`` until ``count`` items have gone through every pipeline
    (analysed, linked, waiting for their batch)."""
    assert crawl.stderr is not None
    seen = 0
    for line in crawl.stderr:
        seen += "Scraped from" in line
        if seen >= count:
            return
    raise AssertionError("the crawl ended before the drill point")


def stop(crawl: subprocess.Popen[str], *signals: signal.Signals, gap: float = 0.5) -> str:
    """Send ``signals`` to the crawl's whole process group, ``gap`` seconds apart; returns its
    stdout."""
    for number, sent in enumerate(signals):
        if number:
            time.sleep(gap)
        try:
            os.killpg(crawl.pid, sent)
        except ProcessLookupError:
            break
    stdout, _ = crawl.communicate(timeout=60)
    return stdout


def normal_crawl(home: Path, site: DrillSite, code: Path | None = None) -> dict[str, Any]:
    crawl = start_crawl(home, site, code)
    stdout, stderr = crawl.communicate(timeout=120)
    assert crawl.returncode == 0, stderr
    return dict(json.loads(stdout)["sources"][0])


@dataclass(frozen=True)
class Searchable:
    """What the search shows after the drill."""

    exactly_once: int  # articles found exactly once, under the URL they were fetched from
    present: int  # articles found exactly once, whatever the URL shown
    total: int  # articles of the site
    hits: int  # documents of the source in the index

    def __str__(self) -> str:
        return (
            f"{self.present}/{self.total} searchable, {self.exactly_once}/{self.total} "
            "under their original URL"
        )


def searchable(home: Path, site: DrillSite) -> Searchable:
    """Every article of the site searched in the index (SQLite under ``home``)."""
    from pipelines.urls import document_id
    from search.backend import SearchRequest
    from search.sqlite_backend import SqliteBackend

    backend = SqliteBackend(home / "index.sqlite")
    try:
        response = backend.search(
            SearchRequest(source=("baotintuc",), limit=500, facets=False, sort="newest")
        )
    finally:
        backend.close()
    urls = [hit["url"] for hit in response["hits"]]
    ids = [hit["id"] for hit in response["hits"]]
    once = sum(1 for article in site.articles if urls.count(article.url) == 1)
    present = sum(1 for article in site.articles if ids.count(document_id(article.url)) == 1)
    return Searchable(once, present, len(site.articles), response["total"])
