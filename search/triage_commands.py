"""``wildwatch triage``: set, list, show and export the staff's triage from the command line
(wildwatch/cli.py registers it).

``set ID... --state S [--note TEXT] [--seen|--unseen]`` changes items as the web UI does,
recorded as ``cli:<account>`` unless ``--by`` names someone; ``list`` prints the records
(``--state`` to narrow, ``--json`` for one object per line); ``show ID`` the record and its
history; ``export [-o FILE]`` writes the decisions relevant / not relevant as labelled cases
in the format of tests/pipelines/cases/*.jsonl (text, title, lang_hint, source_url, note,
``expect.wildlife_trade``), to measure or tune the analysis on what staff decided.
Reads and writes the configured index (search/factory.py); exit status 2 for a bad state, an
unknown item or a file that cannot be written.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from search.backend import SearchBackend
from search.triage import TriageError, TriageRecord

# A decision → the label it gives the analysis (follow-ups and untriaged items say nothing).
EXPECTED_TRADE = {"relevant": True, "not_relevant": False}


def export_cases(backend: SearchBackend) -> Iterator[dict[str, Any]]:
    """One labelled case per item decided relevant or not relevant, oldest decision first;
    items no longer in the index are skipped."""
    for record in backend.triage_records():
        if record.state not in EXPECTED_TRADE:
            continue
        doc = backend.get(record.item_id)
        if doc is None:
            continue
        case: dict[str, Any] = {
            "id": f"triage-{record.item_id}",
            "source_url": doc.get("url"),
            "title": doc.get("title") or "",
            "text": doc.get("text") or "",
            "lang_hint": doc.get("lang") or None,
        }
        if record.note:
            case["note"] = record.note
        case["expect"] = {"wildlife_trade": EXPECTED_TRADE[record.state]}
        yield case


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no account name (containers without /etc/passwd entries)
        return "cli"


def _line(record: TriageRecord, title: str = "") -> str:
    seen = "seen" if record.seen else "unseen"
    who = f"{record.by} {record.at}" if record.by else ""
    parts = [record.item_id, record.filter_state, seen, who, title, record.note]
    return "  ".join(part for part in parts if part)


def _set(args: argparse.Namespace) -> int:
    from search.factory import open_backend
    from search.triage import TriageChange

    try:
        change = TriageChange.checked(state=args.state, seen=args.seen, note=args.note)
    except TriageError as error:
        print(f"wildwatch triage set: {error}", file=sys.stderr)
        return 2
    backend = open_backend()
    try:
        records = backend.set_triage(args.ids, change, by=args.by or _default_actor())
    except TriageError as error:
        print(f"wildwatch triage set: {error}", file=sys.stderr)
        return 2
    finally:
        backend.close()
    for record in records:
        print(_line(record))
    return 0


def _list(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from search.factory import open_backend
    from search.filter_values import UnknownFilterValue, check_value

    out = out or sys.stdout
    try:
        states = {check_value("triage", state) for state in args.state}
    except UnknownFilterValue as error:
        print(f"wildwatch triage list: --{error}", file=sys.stderr)
        return 2
    backend = open_backend()
    try:
        for record in backend.triage_records():
            if states and record.filter_state not in states:
                continue
            doc = backend.get(record.item_id)
            title = (doc or {}).get("title") or ""
            if args.json:
                row = {"id": record.item_id, **record.as_json(), "title": title}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                out.write(_line(record, " ".join(title.split())[:80]) + "\n")
    finally:
        backend.close()
    return 0


def _show(args: argparse.Namespace) -> int:
    from search.factory import open_backend

    backend = open_backend()
    try:
        doc = backend.get(args.id)
        if doc is None:
            print(f"wildwatch triage show: no item with id {args.id!r}", file=sys.stderr)
            return 2
        record = backend.triage_of([args.id]).get(args.id) or TriageRecord(item_id=args.id)
        history = backend.triage_history(args.id)
    finally:
        backend.close()
    print(f"{doc.get('title') or '(untitled)'}\n{doc.get('url')}")
    print(_line(record))
    for event in history:
        changes = ", ".join(f"{key}={value!r}" for key, value in event.changes.items())
        print(f"  {event.at}  {event.by}: {changes}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from search.factory import open_backend

    backend = open_backend()
    try:
        lines = [json.dumps(case, ensure_ascii=False) + "\n" for case in export_cases(backend)]
    finally:
        backend.close()
    if args.output is None:
        sys.stdout.writelines(lines)
    else:
        try:
            _write_atomically(args.output, "".join(lines))
        except OSError as error:
            print(f"wildwatch triage export: {args.output}: {error.strerror}", file=sys.stderr)
            return 2
        print(f"{len(lines)} labelled case(s) written to {args.output}", file=sys.stderr)
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a crash leaves the previous
    export whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "triage",
        help="set, list and export the staff's triage (relevant, not relevant, follow-up)",
    )
    actions = parser.add_subparsers(dest="triage_command", metavar="ACTION", required=True)
    setting = actions.add_parser("set", help="change the triage of items")
    setting.add_argument("ids", nargs="+", metavar="ID", help="item ids (see search --json)")
    setting.add_argument(
        "--state", help="relevant, not_relevant, follow_up, or untriaged to clear it"
    )
    seen = setting.add_mutually_exclusive_group()
    seen.add_argument("--seen", dest="seen", action="store_true", default=None)
    seen.add_argument("--unseen", dest="seen", action="store_false")
    setting.add_argument("--note", help='the note ("" removes it)')
    setting.add_argument("--by", help="who decided (default: cli:<your account>)")
    setting.set_defaults(handler=_set)
    listing = actions.add_parser("list", help="every triaged item, oldest change first")
    listing.add_argument("--state", action="append", default=[], metavar="STATE")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=_list)
    show = actions.add_parser("show", help="one item's triage and its history")
    show.add_argument("id", metavar="ID")
    show.set_defaults(handler=_show)
    export = actions.add_parser(
        "export",
        help="the relevant / not relevant decisions as labelled cases (JSON lines in the "
        "format of tests/pipelines/cases)",
    )
    export.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    export.set_defaults(handler=_export)
