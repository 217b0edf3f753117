"""Progress of ``wildwatch crawl``: a Scrapy extension feeding ``ingest.progress``.

Reads the stats of every crawler of the run (responses, items, index outcomes, errors: the
counters ``crawlers.runner.summarize`` reads at the end) twice a second while the reactor
runs; writes them to the run's ``Progress`` (stderr). ``wildwatch crawl`` registers the
``Progress`` with ``watch`` before the crawl and adds this extension to the run's settings
(``settings_overrides``); without a registered ``Progress`` the extension stays off.
"""

from __future__ import annotations

from typing import Any

from ingest.progress import Progress

EXTENSION = "ingest.crawl_progress.CrawlProgress"
TICK_S = 0.5


def watch(progress: Progress | None) -> None:
    """Report the crawl of this process to ``progress`` (None: stop reporting). One crawl
    per process (the reactor cannot restart), so one board at a time."""
    _Board.current = _Board(progress) if progress is not None else None


def totals(all_stats: list[dict[str, Any]]) -> tuple[int, dict[str, int | str]]:
    """(pages fetched, counts to show) summed over the crawlers' stats (pure)."""

    def total(key: str) -> int:
        return sum(int(stats.get(key, 0) or 0) for stats in all_stats)

    errors = sum(
        int(value or 0)
        for stats in all_stats
        for key, value in stats.items()
        if key.startswith("wildwatch/errors/")
    )
    unchanged = (
        total("wildwatch/index/unchanged")
        + total("wildwatch/unchanged")
        + total("wildwatch/skipped_recent")
    )
    counts: dict[str, int | str] = {
        "items": total("wildwatch/items"),
        "new": total("wildwatch/index/new"),
        "updated": total("wildwatch/index/updated"),
        "unchanged": unchanged,
        "errors": errors,
    }
    return total("downloader/response_count"), counts


class _Board:
    """The crawlers of one run and the loop that reports their sums."""

    current: _Board | None = None

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.crawlers: list[Any] = []
        self.open = 0
        self.loop: Any = None

    def opened(self) -> None:
        self.open += 1
        if self.loop is None:
            from twisted.internet import task

            self.loop = task.LoopingCall(self.tick)
            self.loop.start(TICK_S, now=True)

    def closed(self) -> None:
        self.open -= 1
        self.tick()
        if self.open <= 0 and self.loop is not None and self.loop.running:
            self.loop.stop()

    def tick(self) -> None:
        stats = [crawler.stats.get_stats() for crawler in self.crawlers if crawler.stats]
        pages, counts = totals(stats)
        sources = len(self.crawlers)
        if sources > 1:
            counts = {"sources": f"{self.open}/{sources} sources running", **counts}
        self.progress.update(pages, counts)


class CrawlProgress:
    """Scrapy extension: one per crawler (source), all reporting to the run's board."""

    def __init__(self, board: _Board, crawler: Any) -> None:
        self.board = board
        board.crawlers.append(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        board = _Board.current
        if board is None:
            raise NotConfigured("no progress registered for this crawl")
        extension = cls(board, crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        self.board.opened()

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.board.closed()
