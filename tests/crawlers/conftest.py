"""Fixtures of the crawler tests: the local test site and a sources file pointing at it.

Crawls run as real ``wildwatch crawl`` subprocesses (the Twisted reactor cannot be restarted
inside pytest) with ``WILDWATCH_HOME`` in a temporary directory and fast, test-only pacing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import pytest

from tests.crawlers.site.server import SiteServer

SITE = Path(__file__).parent / "site"
WILDWATCH = Path(sys.executable).with_name("wildwatch")


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    server = SiteServer().start()
    yield server
    server.stop()


def write_sources(server: SiteServer, path: Path) -> Path:
    text = Template((SITE / "sources.toml").read_text("utf-8"))
    path.write_text(text.safe_substitute(BASE=server.base, OTHER=server.other), "utf-8")
    return path


def crawl_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WILDWATCH_")}
    env.update(
        WILDWATCH_HOME=str(home),
        WILDWATCH_DOWNLOAD_DELAY="0",
        WILDWATCH_AUTOTHROTTLE="false",
        WILDWATCH_CONCURRENCY_PER_DOMAIN="8",
        WILDWATCH_DOWNLOAD_TIMEOUT="2",
        WILDWATCH_RETRY_TIMES="1",
        WILDWATCH_RETRY_BACKOFF="0.2",
        WILDWATCH_ANALYSIS_WORKERS="1",
        WILDWATCH_MAX_PAGE_BYTES="200000",
        WILDWATCH_USER_AGENT="wildwatch-test/1.0 (+https://example.org/contact)",
    )
    return env


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str

    def summary(self) -> dict[str, Any]:
        return dict(json.loads(self.stdout))

    def source(self, name: str) -> dict[str, Any]:
        for entry in self.summary()["sources"]:
            if entry["source"] == name:
                return dict(entry)
        raise KeyError(name)


def run_crawl(home: Path, *args: str, timeout: float = 90) -> CrawlRun:
    completed = subprocess.run(
        [str(WILDWATCH), "crawl", *args],
        env=crawl_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CrawlRun(completed.returncode, completed.stdout, completed.stderr)
