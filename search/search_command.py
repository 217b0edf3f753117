"""``wildwatch search``: a thin adapter from command-line arguments to ``SearchBackend.search``.

Reads the arguments parsed in search/commands.py and the configured index; writes a readable
table (date, source, species, enforcement, title, URL) and a total line, or with ``--json`` the
JSON of DESIGN.md "Search result". A query or date it cannot understand, or a filter value
outside its vocabulary (``search.filter_values``), exits with status 2 and says why. Stored text
comes from pages written by anyone: control characters in it are shown escaped (``\x1b``) in
the table, never sent to the terminal, where an ESC sequence could clear the screen or retitle
the window.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from typing import Any, TextIO

from search.backend import Hit, SearchRequest, SearchResponse
from search.dates import local_day, parse_datetime
from search.document import hit_json
from search.factory import open_backend
from search.filter_values import UnknownFilterValue, check_value
from search.query_language import QuerySyntaxError

# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what follows them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character written as an escape (``\x1b``, ``\u202e``)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _checked(field: str, values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(check_value(field, value) for value in values))


def request_from_args(args: argparse.Namespace) -> SearchRequest:
    """The search the arguments ask for; ``UnknownFilterValue`` for a value outside a
    filter's vocabulary."""
    return SearchRequest(
        query=args.query or "",
        species=_checked("species", args.species),
        kind=_checked("kind", args.kind),
        lang=_checked("lang", args.lang),
        source=tuple(args.source),
        enforcement=_checked("enforcement", args.enforcement),
        country=_checked("country", args.country),
        location=tuple(args.location),
        place=_checked("place", args.place),
        wildlife_trade=args.trade,
        triage=_checked("triage", args.triage),
        seen=args.seen,
        noted=args.noted,
        since=args.since,
        until=args.until,
        sort=args.sort,
        limit=args.limit,
        offset=args.offset,
        facets=bool(args.json),
    )


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        request = request_from_args(args)
    except UnknownFilterValue as error:
        print(f"wildwatch search: --{error}", file=sys.stderr)
        return 2
    if request.since and request.until and _later(request.since, request.until):
        print("wildwatch search: --since is after --until", file=sys.stderr)
        return 2
    backend = open_backend()
    try:
        response = backend.search(request)
    except QuerySyntaxError as error:
        print(f"wildwatch search: cannot understand the query: {error}", file=sys.stderr)
        return 2
    finally:
        backend.close()
    if args.json:
        json.dump(to_json(response), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(format_table(response, request))
    return 0


def _later(since: Any, until: Any) -> bool:
    from search.dates import end_of, start_of

    return bool(start_of(since) > end_of(until))


def to_json(response: SearchResponse) -> dict[str, Any]:
    hits = [hit_json(hit) for hit in response["hits"]]
    return {"total": response["total"], "hits": hits, "facets": response["facets"]}


def _item_day(hit: Hit) -> str:
    value = hit.get("published_at") or hit.get("fetched_at")
    if not value:
        return "?"
    try:
        return local_day(int(parse_datetime(value).timestamp())).isoformat()
    except ValueError:
        return value[:10]


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def format_table(response: SearchResponse, request: SearchRequest) -> str:
    """Fixed columns, the title column absorbing the terminal width; URLs are never cut so
    they stay clickable."""
    hits = response["hits"]
    total = response["total"]
    if not hits:
        return f"No items match ({total} in total).\n" if total else "No items match.\n"
    width = shutil.get_terminal_size((120, 24)).columns
    rows = [
        tuple(
            terminal_safe(cell)
            for cell in (
                _item_day(hit),
                hit.get("source") or "",
                ",".join(hit.get("species") or []),
                ",".join(hit.get("enforcement") or []),
                hit.get("title") or "",
                hit.get("url") or "",
            )
        )
        for hit in hits
    ]
    header = ("DATE", "SOURCE", "SPECIES", "ENFORCEMENT", "TITLE", "URL")
    widths = [
        max(len(header[column]), *(min(len(row[column]), limit) for row in rows))
        for column, limit in ((0, 10), (1, 18), (2, 24), (3, 24))
    ]
    title_width = max(20, min(60, width - sum(widths) - 40))
    lines = []
    for row in [header, *rows]:
        cells = [_cut(row[column], widths[column]).ljust(widths[column]) for column in range(4)]
        cells.append(_cut(row[4], title_width).ljust(title_width))
        cells.append(row[5])
        lines.append("  ".join(cells).rstrip())
    first = request.offset + 1
    last = request.offset + len(hits)
    noun = "item matches" if total == 1 else "items match"
    lines.append(f"{total} {noun}; showing {first}–{last}.")
    return "\n".join(lines) + "\n"
