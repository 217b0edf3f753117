"""Commands contributed by this package to the ``wildwatch`` command line (wildwatch/cli.py):
``wildwatch search`` (search/search_command.py; ``wildwatch triage`` is
search/triage_commands.py); ``wildwatch import`` is the ingest layer's
(ingest/commands.py). Handlers are imported when run, so ``--help`` stays fast."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Any


def _date_or_datetime(value: str) -> date | datetime:
    """``--since``/``--until``: YYYY-MM-DD (a whole day in WILDWATCH_TZ) or ISO 8601."""
    try:
        if len(value.strip()) == 10:
            return date.fromisoformat(value.strip())
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date (YYYY-MM-DD) or an ISO 8601 datetime"
        ) from None


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number ≥ 0")
    return number


def _run_search(args: argparse.Namespace) -> int:
    from search.search_command import run

    return run(args)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this package's commands to ``subparsers``."""
    search = subparsers.add_parser(
        "search",
        help="search the index",
        description=(
            "Search the index. QUERY: words (accents optional: 'sung te giac' finds "
            "'sừng tê giác'), \"phrases\", AND, OR, NOT or -word, parentheses, prefix*. "
            "Repeat a filter to accept several values."
        ),
    )
    search.add_argument("query", nargs="?", default="", metavar="QUERY")
    for option, metavar, meaning in (
        ("--species", "S", "species group (tiger, pangolin, rhino, ...)"),
        ("--kind", "K", "news, marketplace or social"),
        ("--lang", "L", "language code (vi, en, ...)"),
        ("--source", "NAME", "source slug"),
        ("--enforcement", "E", "seizure, arrest, prosecution, trial or sentence"),
        ("--country", "C", "country code of the source (VN, TH, ...)"),
        ("--location", "PLACE", "place named in the item (accents optional)"),
        ("--triage", "STATE", "triage state: untriaged, relevant, not_relevant, follow_up"),
        (
            "--place",
            "P",
            "province (of the 34) or country code: items naming a place inside it; "
            "every --place must match",
        ),
    ):
        search.add_argument(option, action="append", default=[], metavar=metavar, help=meaning)
    trade = search.add_mutually_exclusive_group()
    trade.add_argument(
        "--trade", dest="trade", action="store_true", default=None, help="only wildlife trade"
    )
    trade.add_argument(
        "--no-trade", dest="trade", action="store_false", help="only items that are not trade"
    )
    seen = search.add_mutually_exclusive_group()
    seen.add_argument(
        "--seen", dest="seen", action="store_true", default=None, help="only items staff saw"
    )
    seen.add_argument("--unseen", dest="seen", action="store_false", help="only items not seen")
    search.add_argument(
        "--noted", action="store_true", default=None, help="only items with a triage note"
    )
    search.add_argument(
        "--since", type=_date_or_datetime, metavar="DATE", help="item date from (inclusive)"
    )
    search.add_argument(
        "--until", type=_date_or_datetime, metavar="DATE", help="item date until (inclusive)"
    )
    search.add_argument("--limit", type=_positive_int, default=20, metavar="N")
    search.add_argument("--offset", type=_positive_int, default=0, metavar="N")
    search.add_argument("--sort", choices=("relevance", "newest"), default="relevance")
    search.add_argument(
        "--json", action="store_true", help="print the JSON of GET /api/search instead of a table"
    )
    search.set_defaults(handler=_run_search)
