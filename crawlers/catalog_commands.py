"""``wildwatch sources`` and ``wildwatch archive ...``: look at what is watched and what was kept.

``sources`` reads a sources file (``--sources``, ``WILDWATCH_SOURCES`` or the bundled one),
validates it and lists it. ``archive list|export|show|verify`` read the evidence archive under
``WILDWATCH_HOME/archive``; ``export`` writes a WARC file, ``show`` a raw body. Heavy imports
(warcio) happen inside the handlers so ``wildwatch --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from wildwatch.env import timezone_name


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``sources`` and ``archive`` to ``subparsers``."""
    sources = subparsers.add_parser(
        "sources",
        help="list and validate the watched sources",
        description="List every source of the sources file and check it; exit 2 if invalid.",
    )
    sources.add_argument(
        "--sources",
        type=Path,
        metavar="PATH",
        help="sources file (default: WILDWATCH_SOURCES or the bundled crawlers/sources.toml)",
    )
    sources.add_argument("--json", action="store_true", help="print JSON instead of a table")
    sources.set_defaults(handler=run_sources)

    archive = subparsers.add_parser(
        "archive",
        help="the evidence archive of fetched pages (list, export, show, verify)",
        description="Raw pages as fetched, under WILDWATCH_HOME/archive.",
    )
    actions = archive.add_subparsers(dest="archive_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list fetch records, oldest first")
    _add_filters(listing)
    listing.add_argument("--limit", type=int, metavar="N", help="at most N records")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=run_archive_list)

    export = actions.add_parser(
        "export",
        help="write fetches to a WARC/1.1 file",
        description="Write the matching fetches as WARC/1.1 response records (gzip).",
    )
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.warc.gz")
    _add_filters(export)
    export.set_defaults(handler=run_archive_export)

    show = actions.add_parser("show", help="write one archived body (raw bytes)")
    show.add_argument("sha256", help="the body's SHA-256, as printed by `archive list`")
    show.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")
    show.set_defaults(handler=run_archive_show)

    verify = actions.add_parser(
        "verify",
        help="check every archived body against its SHA-256 and list leftovers of "
        "interrupted writes; exit 1 if a body is damaged or missing",
    )
    verify.set_defaults(handler=run_archive_verify)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", metavar="NAME", help="only this source")
    parser.add_argument(
        "--url", metavar="URL", help="only fetches of this URL (tracking tags ignored)"
    )
    parser.add_argument(
        "--since", type=parse_since, metavar="DATE", help="from this day (YYYY-MM-DD, WILDWATCH_TZ)"
    )
    parser.add_argument(
        "--until", type=parse_until, metavar="DATE", help="up to and including this day"
    )


def _parse_moment(text: str) -> tuple[datetime, bool]:
    """``text`` as an aware datetime, and whether it was a bare date."""
    zone = ZoneInfo(timezone_name())
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return datetime.combine(day, time.min, tzinfo=zone), True
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD) or ISO date-time"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)), False


def parse_since(text: str) -> datetime:
    return _parse_moment(text)[0]


def parse_until(text: str) -> datetime:
    """A bare date means the whole day, so the bound is the next midnight (exclusive)."""
    moment, is_day = _parse_moment(text)
    return moment + timedelta(days=1) if is_day else moment


def run_sources(args: argparse.Namespace) -> int:
    from crawlers.sources import SourcesError, load_sources, sources_path

    path = sources_path(args.sources)
    try:
        sources = load_sources(path)
    except SourcesError as error:
        print(f"wildwatch sources: {error}", file=sys.stderr)
        return 2
    if args.json:
        payload = {
            "file": str(path),
            "sources": [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "enabled": s.enabled,
                    "language": s.language,
                    "country": s.country,
                    "schedule": s.schedule,
                    "seeds": list(s.seed_urls),
                    "allowed_domains": list(s.allowed_domains),
                    "follow": list(s.follow),
                    "items": list(s.items),
                    "max_pages": s.max_pages,
                    "render_js": s.render_js,
                    "selectors": dict(s.selectors),
                    "platform": s.platform,
                    "channels": list(s.channels),
                    "base_url": s.base_url,
                    "notes": s.notes,
                }
                for s in sources
            ],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    header = ("NAME", "KIND", "ENABLED", "LANG", "COUNTRY", "SCHEDULE", "SEEDS")
    rows = [header] + [
        (
            s.name,
            s.kind,
            "yes" if s.enabled else "no",
            s.language or "-",
            s.country or "-",
            s.schedule or "-",
            str(len(s.seed_urls)),
        )
        for s in sources
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    enabled = sum(s.enabled for s in sources)
    print(f"\n{len(sources)} sources ({enabled} enabled), valid: {path}")
    return 0


def run_archive_list(args: argparse.Namespace) -> int:
    from crawlers.archive import EvidenceArchive

    with EvidenceArchive.from_settings() as archive:
        records = archive.records(
            source=args.source, url=args.url, since=args.since, until=args.until
        )
        shown = 0
        for record in records:
            if args.limit is not None and shown >= args.limit:
                break
            shown += 1
            if args.json:
                fields = {
                    "sha256": record.sha256,
                    "url": record.url,
                    "final_url": record.final_url,
                    "status": record.status,
                    "fetched_at": record.fetched_at,
                    "content_type": record.content_type,
                    "size": record.size,
                    "source": record.source,
                    "headers": [list(pair) for pair in record.headers],
                }
                print(json.dumps(fields, ensure_ascii=False))
            else:
                print(
                    f"{record.fetched_at}  {record.status}  {record.size:>9}  {record.sha256}  "
                    f"{record.source or '-'}  {record.final_url}"
                )
    if not shown and not args.json:
        print("no archived fetch matches", file=sys.stderr)
    return 0


def run_archive_export(args: argparse.Namespace) -> int:
    from crawlers.archive import ArchiveError, EvidenceArchive
    from crawlers.warc_export import export_warc

    with EvidenceArchive.from_settings() as archive:
        try:
            count, size = export_warc(
                archive,
                args.output,
                source=args.source,
                url=args.url,
                since=args.since,
                until=args.until,
            )
        except ArchiveError as error:
            print(f"wildwatch archive export: {error}; nothing written", file=sys.stderr)
            return 1
    print(f"{count} records ({size} payload bytes) written to {args.output}")
    return 0


def run_archive_show(args: argparse.Namespace) -> int:
    from crawlers.archive import ArchiveError, EvidenceArchive

    with EvidenceArchive.from_settings() as archive:
        try:
            body = archive.body(args.sha256.strip().lower())
        except ArchiveError as error:
            print(f"wildwatch archive show: {error}", file=sys.stderr)
            return 1
    if args.output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        args.output.write_bytes(body)
    return 0


def run_archive_verify(args: argparse.Namespace) -> int:
    """Re-hash every body that a fetch record points at, and list the temporary files of
    interrupted writes. Exit 1 when a body is damaged or missing; leftovers alone are not
    damage (no record points at them) and are removed at the next crawl start."""
    from crawlers.archive import ArchiveError, EvidenceArchive

    checked = damaged = 0
    with EvidenceArchive.from_settings() as archive:
        seen: set[str] = set()
        for record in archive.records():
            if record.sha256 in seen:
                continue
            seen.add(record.sha256)
            checked += 1
            try:
                archive.body(record.sha256)
            except ArchiveError as error:
                damaged += 1
                print(f"DAMAGED {record.final_url}: {error}", file=sys.stderr)
        leftovers = archive.leftovers()
    stale = [leftover for leftover in leftovers if not leftover.in_use]
    for leftover in leftovers:
        state = "being written" if leftover.in_use else "interrupted write"
        print(f"LEFTOVER {leftover.path} ({leftover.size} bytes, {state})", file=sys.stderr)
    print(f"{checked} archived bodies checked, {damaged} damaged")
    print(
        f"{len(stale)} leftovers of interrupted writes (removed at the next crawl start)"
        + (f", {len(leftovers) - len(stale)} being written" if len(stale) < len(leftovers) else "")
    )
    return 1 if damaged else 0
