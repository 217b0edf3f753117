"""Commands of the ingest layer on the ``wildwatch`` command line (wildwatch/cli.py): ``crawl``
(ingest/crawl_command.py), ``import`` (ingest/import_command.py) and ``reindex``
(ingest/reindex_command.py). Handlers import their modules when run, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ingest import crawl_command


def _run_import(args: argparse.Namespace) -> int:
    from ingest.import_command import run

    return run(args)


def _run_reindex(args: argparse.Namespace) -> int:
    from ingest.reindex_command import run

    return run(args)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this package's commands to ``subparsers``."""
    crawl_command.register(subparsers)

    importer = subparsers.add_parser(
        "import",
        help="analyse and index existing items (JSON lines)",
        description=(
            'Backfill items: one {"url", "text", "title"?, "published_at"?, "source"?, '
            '"kind"?, "lang"?} per line, UTF-8. Idempotent by URL: importing again updates; '
            "the URL is stored as given. Bad lines (invalid UTF-8 or JSON, missing fields, "
            "malformed URLs) are reported with their number and skipped; the exit status is "
            "1 if any. Progress (lines, rate, ETA for a file) goes to stderr: one line "
            "rewritten on a terminal, a line every 10 s otherwise."
        ),
    )
    importer.add_argument(
        "-i", "--input", default="-", metavar="IN.jsonl", help="input file (default: stdin)"
    )
    importer.add_argument(
        "--source", metavar="NAME", help="source of lines without one (default: import)"
    )
    importer.add_argument(
        "--kind",
        choices=("news", "marketplace", "social"),
        help="kind of lines without one (default: news)",
    )
    importer.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress on stderr (bad lines and the summary are still printed)",
    )
    importer.set_defaults(handler=_run_import)

    reindex = subparsers.add_parser(
        "reindex",
        help="rebuild the index from the evidence archive",
        description=(
            "Extract, analyse and index again the latest archived copy of every item page of "
            "the selected sources (all sources of the sources file by default), without "
            "fetching anything; then mark those pages known to the crawl state. Use after "
            "losing the index, or after changing extraction or analysis."
        ),
    )
    reindex.add_argument(
        "--sources",
        type=Path,
        metavar="PATH",
        help="sources file (default: WILDWATCH_SOURCES, else the bundled crawlers/sources.toml)",
    )
    reindex.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="reindex this source (repeatable); default: every source of the file",
    )
    reindex.set_defaults(handler=_run_reindex)
