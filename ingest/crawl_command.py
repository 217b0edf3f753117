"""``wildwatch crawl``: crawl the selected sources once, analyse, index, print a summary.

Reads the sources file (``--sources``, else ``WILDWATCH_SOURCES``, else the bundled one);
writes the index, the evidence archive and the crawl state under ``WILDWATCH_HOME``, and a
per-source summary on stdout (a table, or JSON with ``--json`` for the scheduler), and its
progress on stderr (``ingest.crawl_progress``: one line rewritten on a terminal, a line
every 10 s otherwise, nothing with ``--quiet``).

Before crawling, the pages an interrupted crawl archived but never indexed are indexed from the
evidence archive (``ingest.recovery``, summary field ``recovered``). A first SIGTERM/Ctrl-C
lets the downloads in flight end and commits everything; a second stops at once and still
commits what was analysed (``finish_reason: "forced_stop"``). Lives in the ingest layer because
it needs the index (``crawlers`` never imports ``search``).

Exit codes: 0 when the run completed (even if some pages failed: they are in the summary),
1 when a source's crawl did not complete (could not start, crashed, or was interrupted: what it
had found is indexed), 2 when the sources file or a setting is invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawlers.runner import SourceSummary


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to ``subparsers``."""
    parser = subparsers.add_parser(
        "crawl",
        help="crawl the selected sources once, analyse and index what is found",
        description=(
            "Crawl the selected sources once (every enabled source by default), analyse and "
            "index the items, and print a per-source summary. Pages that fail are counted by "
            "kind in the summary and do not stop the run."
        ),
    )
    parser.add_argument(
        "--sources",
        type=Path,
        metavar="PATH",
        help="sources file (default: WILDWATCH_SOURCES, else the bundled crawlers/sources.toml)",
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="crawl this source (repeatable; disabled sources too); default: all enabled",
    )
    parser.add_argument(
        "--max-pages",
        type=_positive_int,
        metavar="N",
        help="page budget per source for this run, instead of each source's max_pages",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress on stderr (the summary and errors are still printed)",
    )
    parser.set_defaults(handler=run)


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    from crawlers.sources import SourcesError, load_sources, select_sources

    try:
        sources = select_sources(load_sources(args.sources), args.source)
    except SourcesError as error:
        print(f"wildwatch crawl: {error}", file=sys.stderr)
        return 2
    if not sources:
        print("wildwatch crawl: no enabled source to crawl (use --source NAME)", file=sys.stderr)
        return 2

    from crawlers.runner import run_crawl
    from ingest import crawl_progress
    from ingest.progress import Progress, choose_mode
    from ingest.recovery import recover
    from ingest.scrapy_pipelines import commit_after_forced_stop
    from ingest.settings import progress_every_seconds
    from pipelines.settings import analysis_workers
    from search.factory import open_backend

    started = datetime.now(UTC)
    backend = open_backend()
    try:
        recovered = {
            r.source: r.pages for r in recover(sources, backend, workers=analysis_workers())
        }
    finally:
        backend.close()
    progress = Progress(
        "crawl",
        "pages",
        sys.stderr,
        choose_mode(sys.stderr, quiet=args.quiet),
        log_every=progress_every_seconds(),
    )
    crawl_progress.watch(progress if progress.mode != "quiet" else None)
    try:
        summaries = run_crawl(
            sources,
            max_pages=args.max_pages,
            after_forced_stop=commit_after_forced_stop,
            settings_overrides=_progress_settings() if progress.mode != "quiet" else None,
        )
    finally:
        crawl_progress.watch(None)
        progress.finish()
    for summary in summaries:
        summary.recovered = recovered.get(summary.source, 0)
    finished = datetime.now(UTC)
    if args.json:
        print(json.dumps(summary_json(summaries, started, finished), ensure_ascii=False))
    else:
        print(summary_table(summaries))
    failed = [s for s in summaries if s.finish_reason != "finished"]
    for summary in failed:
        print(
            f"wildwatch crawl: {summary.source}: crawl did not complete "
            f"({summary.finish_reason}); see WILDWATCH_HOME/logs/crawl.log",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _progress_settings() -> dict[str, Any]:
    """The run's EXTENSIONS with the progress reporter added (crawlers.settings may have its
    own, which stay)."""
    from crawlers import settings
    from ingest.crawl_progress import EXTENSION

    return {"EXTENSIONS": {**getattr(settings, "EXTENSIONS", {}), EXTENSION: 900}}


def summary_json(
    summaries: Sequence[SourceSummary], started: datetime, finished: datetime
) -> dict[str, Any]:
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "sources": [summary.as_json() for summary in summaries],
    }


def summary_table(summaries: Sequence[SourceSummary]) -> str:
    """One line per source: what a monitoring officer checks after a crawl."""
    header = ("source", "pages", "new", "updated", "unchanged", "errors", "duration")
    rows = [header]
    for s in summaries:
        errors = " ".join(f"{kind}={count}" for kind, count in s.errors.items()) or "-"
        if s.budget_exhausted:
            errors += " (max_pages reached)"
        rows.append(
            (
                s.source,
                str(s.pages),
                str(s.new),
                str(s.updated),
                str(s.unchanged),
                errors,
                f"{s.duration_s:.1f}s",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if column in (0, 5) else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
