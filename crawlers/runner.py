"""One crawl run: every selected source crawled once, concurrently, in one Scrapy process.

Reads the selected :class:`crawlers.sources.Source` list and the Scrapy settings of
``crawlers.settings``; writes the index and the known pages of the crawl state (through the item
pipelines of ``ITEM_PIPELINES``, which live in the ingest layer: this module never imports
them), the evidence archive and the 304/error visits of the crawl state (through the downloader
middlewares), a log file ``WILDWATCH_HOME/logs/crawl.log``, and returns one
:class:`SourceSummary` per source built from the crawler stats.

The Twisted reactor cannot be restarted, so a process calls :func:`run_crawl` once; the
scheduler starts ``wildwatch crawl --json`` as a child process for each scheduled crawl.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crawlers.sources import Source
from wildwatch.env import SettingError, home

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
LOG_FILE_NAME = "crawl.log"


@dataclass
class SourceSummary:
    """What a user checks after a crawl of one source."""

    source: str
    kind: str
    pages: int = 0  # responses received, errors and robots.txt included
    new: int = 0
    updated: int = 0
    unchanged: int = 0  # indexed unchanged + not modified (304) + skipped as recently fetched
    not_modified: int = 0
    skipped_recent: int = 0
    items: int = 0  # items extracted from pages
    recovered: int = 0  # pages of earlier, interrupted crawls indexed from the archive
    errors: dict[str, int] = field(default_factory=dict)  # kind → count
    robots_forbidden: int = 0
    budget_exhausted: bool = False  # max_pages reached: some links were not followed
    duration_s: float = 0.0
    # Scrapy's reason ("finished", "shutdown" after one SIGTERM/Ctrl-C, "closespider_..."),
    # "forced_stop" after a second signal (what was analysed is committed), "not started".
    finish_reason: str = "not started"

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def summarize(
    source: Source, stats: dict[str, Any], *, forced: bool = False, elapsed: float = 0.0
) -> SourceSummary:
    """A source's summary from its crawler's stats (pure). ``forced``: the run was stopped by
    a second signal, so the spider never closed and Scrapy wrote no finish reason or time."""
    prefix = "wildwatch/errors/"
    errors = {
        key[len(prefix) :]: int(value)
        for key, value in sorted(stats.items())
        if key.startswith(prefix) and value
    }
    not_modified = int(stats.get("wildwatch/unchanged", 0))
    skipped = int(stats.get("wildwatch/skipped_recent", 0))
    return SourceSummary(
        source=source.name,
        kind=source.kind,
        pages=int(stats.get("downloader/response_count", 0)),
        new=int(stats.get("wildwatch/index/new", 0)),
        updated=int(stats.get("wildwatch/index/updated", 0)),
        unchanged=int(stats.get("wildwatch/index/unchanged", 0)) + not_modified + skipped,
        not_modified=not_modified,
        skipped_recent=skipped,
        items=int(stats.get("wildwatch/items", 0)),
        errors=errors,
        robots_forbidden=int(stats.get("robotstxt/forbidden", 0)),
        budget_exhausted=bool(stats.get("wildwatch/budget_exhausted", 0)),
        duration_s=round(float(stats.get("elapsed_time_seconds", elapsed)), 2),
        finish_reason=str(
            stats.get("finish_reason")
            or ("forced_stop" if forced else "started" if stats else "not started")
        ),
    )


def crawl_settings(sources: Sequence[Source]) -> Any:
    """Scrapy settings of ``crawlers.settings`` plus what this run needs."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    if any(source.render_js for source in sources):
        chromium = settings.get("WILDWATCH_CHROMIUM")
        if not Path(chromium).is_file():
            raise SettingError(
                f"WILDWATCH_CHROMIUM={chromium!r}: no such browser; render_js sources "
                "need Debian's chromium (apt-get install chromium)"
            )
        # Requests without meta["playwright"] still use Scrapy's own HTTP handler.
        settings.set(
            "DOWNLOAD_HANDLERS",
            {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
            priority="project",
        )
    return settings


def _log_to_file() -> logging.Handler:
    """INFO and above of the crawl go to WILDWATCH_HOME/logs/crawl.log; the console keeps the
    level chosen with -v."""
    directory = home() / "logs"
    directory.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(directory / LOG_FILE_NAME, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    console_level = root.level
    for existing in root.handlers:
        if existing.level == logging.NOTSET:
            existing.setLevel(console_level)
    root.addHandler(handler)
    root.setLevel(min(console_level, logging.INFO))
    return handler


def _process_class() -> Any:
    from scrapy.crawler import CrawlerProcess

    class StoppableProcess(CrawlerProcess):
        """Scrapy's process, noting whether a second signal forced the reactor to stop (the
        spiders then never close, so the caller must commit what they hold)."""

        forced = False

        def _signal_kill(self, signum: int, frame: Any) -> None:
            self.forced = True
            super()._signal_kill(signum, frame)

    return StoppableProcess


def run_crawl(
    sources: Sequence[Source],
    max_pages: int | None = None,
    settings_overrides: Mapping[str, Any] | None = None,
    after_forced_stop: Callable[[], object] | None = None,
) -> list[SourceSummary]:
    """Crawl ``sources`` once (all at the same time) and return their summaries in order.

    The first SIGTERM/Ctrl-C lets the downloads in flight end and closes the spiders (their
    pipelines commit); a second stops the reactor at once, and ``after_forced_stop`` is then
    called before the summaries are made (the ingest layer commits what was analysed).
    ``settings_overrides`` replaces Scrapy settings for this run (the benchmark uses it to
    measure fetch and extraction without the pipelines)."""
    from crawlers.spiders import spider_class

    settings = crawl_settings(sources)
    if settings_overrides:
        settings.setdict(dict(settings_overrides), priority="cmdline")
    handler = _log_to_file()
    logging.getLogger(__name__).info(
        "crawl of %s (pid %d)", ", ".join(s.name for s in sources), os.getpid()
    )
    began = time.monotonic()
    crawlers = []
    process = _process_class()(settings)
    try:
        for source in sources:
            crawler = process.create_crawler(spider_class(source))
            process.crawl(crawler, source=source, max_pages=max_pages)
            crawlers.append((source, crawler))
        process.start()
        if process.forced:
            logging.getLogger(__name__).warning("crawl stopped by a second signal")
            if after_forced_stop is not None:
                after_forced_stop()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    elapsed = time.monotonic() - began
    return [
        summarize(
            source,
            crawler.stats.get_stats() if crawler.stats else {},
            forced=process.forced,
            elapsed=elapsed,
        )
        for source, crawler in crawlers
    ]
