"""``wildwatch reindex``: rebuild the index from the evidence archive, fetching nothing.

Reads the sources file (kind, selectors, language of each source) and the evidence archive
under ``WILDWATCH_HOME/archive``; writes the index and the crawl state through
``ingest.recovery.recover`` (every archived page, not only the unknown ones). Prints one line
per source: pages indexed, outcomes, and bad pages by kind (logged with their URL; a page that
was bad when fetched stays bad). Exit status 1 when an archived body is missing or damaged
(``archive_error``: evidence lost), 2 for an invalid sources file.
"""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from crawlers.sources import SourcesError, load_sources, select_sources
    from ingest.recovery import recover
    from pipelines.settings import analysis_workers
    from search.factory import open_backend

    try:
        sources = load_sources(args.sources)
        if args.source:
            sources = select_sources(sources, args.source)
    except SourcesError as error:
        print(f"wildwatch reindex: {error}", file=sys.stderr)
        return 2
    backend = open_backend()
    try:
        reports = recover(sources, backend, workers=analysis_workers(), everything=True)
    finally:
        backend.close()
    failed = 0
    for report in reports:
        if not report.checked:
            continue
        outcomes = ", ".join(f"{report.outcomes[k]} {k}" for k in ("new", "updated", "unchanged"))
        errors = " ".join(f"{k}={v}" for k, v in sorted(report.errors.items()))
        failed += report.errors["archive_error"]
        line = f"{report.source}: {report.pages} pages reindexed ({outcomes})"
        print(f"{line} {errors}" if errors else line)
    if not any(report.checked for report in reports):
        print("wildwatch reindex: the archive holds no page of the selected sources")
    return 1 if failed else 0
