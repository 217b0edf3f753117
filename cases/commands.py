"""``wildwatch cases list|show|merge|split|rebuild|export|follow|unfollow`` (wildwatch/cli.py).

Handlers open the index and the case store when run, so ``--help`` stays fast. ``rebuild``
without ``--full`` reads only items fetched since the previous run (``wildwatch crawl`` and
``wildwatch import`` run it for you after they index something).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from cases.steps import STEPS


def _store() -> Any:
    from cases.store import CaseStore

    return CaseStore.from_settings()


def _print_case_line(case: Any, today: date) -> None:
    waited = case.days_without_follow_up(today)
    print(
        f"{case.id}  {case.status or '-':<11} {case.last_activity or '-'}"
        f"  {len(case.articles):>3} art. {len(case.outlets):>2} outlets"
        f"  {', '.join(case.species) or '-'}  {', '.join(case.provinces[:2]) or '-'}"
        f"  {case.title}"
        + (f"  (quiet {waited} d)" if waited is not None and case.status != "sentence" else "")
    )


def _run_list(args: argparse.Namespace) -> int:
    from cases.queries import CaseFilter, FilterError, filter_cases

    wanted = CaseFilter(
        species=tuple(args.species),
        province=tuple(args.province),
        country=tuple(args.country),
        status=tuple(args.status),
        stale_days=args.no_follow_up_days,
        query=args.query or "",
    )
    today = date.today()
    try:
        cases = filter_cases(_store().all_cases(), wanted, today)
    except FilterError as error:
        print(f"wildwatch cases list: {error}", file=sys.stderr)
        return 2
    shown = cases[: args.limit] if args.limit else cases
    if args.json:
        print(
            json.dumps(
                {"total": len(cases), "cases": [c.to_json(with_articles=False) for c in shown]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for case in shown:
        _print_case_line(case, today)
    print(f"{len(cases)} case(s)", file=sys.stderr)
    return 0


def _run_show(args: argparse.Namespace) -> int:
    case = _store().get(args.case_id)
    if case is None:
        print(f"wildwatch cases show: no case {args.case_id}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(case.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"{case.title}\n{case.id} · {case.status or '-'} · {', '.join(case.species)}")
    print(f"places: {', '.join(case.places) or '-'}")
    for step in case.timeline:
        print(f"  {step.step:<11} {step.first_day or '-'}  {', '.join(step.outlets)}")
    print("articles:")
    for article in case.articles:
        print(f"  {article.day or '-'}  {article.source:<20} {article.title}\n      {article.url}")
    missing = {outlet: steps for outlet, steps in case.missing_steps().items() if steps}
    if missing:
        print("never reported:")
        for outlet, steps in missing.items():
            print(f"  {outlet}: {', '.join(steps)}")
    return 0


def _run_rebuild(args: argparse.Namespace) -> int:
    from cases.rebuild import update
    from search.factory import open_backend

    backend = open_backend()
    try:
        summary = update(backend, _store(), full=args.full)
    finally:
        backend.close()
    print(summary.line())
    return 0


def _run_merge(args: argparse.Namespace) -> int:
    from cases.rebuild import CaseError, merge

    try:
        case = merge(_store(), args.target, args.others, actor=args.by, note=args.note)
    except CaseError as error:
        print(f"wildwatch cases merge: {error}", file=sys.stderr)
        return 1
    print(f"{case.id}: {len(case.articles)} articles, status {case.status}")
    return 0


def _run_split(args: argparse.Namespace) -> int:
    from cases.rebuild import CaseError, split

    try:
        kept, created = split(_store(), args.case_id, args.article, actor=args.by, note=args.note)
    except CaseError as error:
        print(f"wildwatch cases split: {error}", file=sys.stderr)
        return 1
    print(f"{kept.id}: {len(kept.articles)} articles kept")
    print(f"{created.id}: {len(created.articles)} articles moved")
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from cases.queries import CaseFilter, csv_text, filter_cases

    cases = filter_cases(
        _store().all_cases(),
        CaseFilter(species=tuple(args.species), status=tuple(args.status)),
        date.today(),
    )
    if args.format == "json":
        text = json.dumps([c.to_json() for c in cases], ensure_ascii=False, indent=2) + "\n"
    else:
        text = csv_text(cases, args.public_url)
    if args.output == "-":
        sys.stdout.write(text.removeprefix("\ufeff"))
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{len(cases)} case(s) written to {args.output}", file=sys.stderr)
    return 0


def _run_follow(args: argparse.Namespace) -> int:
    store = _store()
    if store.get(args.case_id) is None:
        print(f"wildwatch cases follow: no case {args.case_id}", file=sys.stderr)
        return 1
    if args.stop:
        store.unfollow(args.case_id, args.email)
        print(f"{args.email} no longer follows {args.case_id}")
    else:
        store.follow(args.case_id, args.email, args.lang)
        print(f"{args.email} follows {args.case_id}: the digest says when it moves on")
    return 0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``wildwatch cases ...`` to ``subparsers``."""
    cases = subparsers.add_parser(
        "cases",
        help="enforcement cases: articles about one seizure, arrest, trial and sentence",
        description=(
            "Enforcement cases across articles: the reports of one seizure and its arrest, "
            "prosecution, trial and sentence, by every outlet. Staff merge and split cases by "
            "hand; those decisions survive rebuilds and re-analysis."
        ),
    )
    commands = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="list cases, latest activity first")
    listing.add_argument("query", nargs="?", default="", help="words of title, places, outlets")
    for option, meaning in (
        ("--species", "species group (tiger, pangolin, rhino, ...)"),
        ("--province", "province, as the gazetteer writes it (Nghệ An)"),
        ("--country", "country code (VN, TH, ...)"),
    ):
        listing.add_argument(option, action="append", default=[], help=meaning + "; repeatable")
    listing.add_argument("--status", action="append", default=[], choices=STEPS)
    listing.add_argument(
        "--no-follow-up-days",
        type=int,
        metavar="N",
        help="only cases with no new report for N days or more (and no sentence yet)",
    )
    listing.add_argument("--limit", type=int, default=0, help="show at most N (0: all)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_run_list)

    show = commands.add_parser("show", help="a case's timeline, articles and coverage")
    show.add_argument("case_id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_run_show)

    rebuild = commands.add_parser("rebuild", help="regroup the index's enforcement reports")
    rebuild.add_argument(
        "--full", action="store_true", help="re-read every item, not only new ones"
    )
    rebuild.set_defaults(handler=_run_rebuild)

    merge = commands.add_parser("merge", help="join cases into TARGET (kept over rebuilds)")
    merge.add_argument("target")
    merge.add_argument("others", nargs="+", metavar="CASE")
    merge.add_argument("--by", default="cli", help="who decided (kept with the decision)")
    merge.add_argument("--note", default="", help="why")
    merge.set_defaults(handler=_run_merge)

    split = commands.add_parser("split", help="move articles out into a new case")
    split.add_argument("case_id")
    split.add_argument(
        "--article", action="append", required=True, metavar="DOC_ID", help="repeatable"
    )
    split.add_argument("--by", default="cli")
    split.add_argument("--note", default="")
    split.set_defaults(handler=_run_split)

    export = commands.add_parser("export", help="every case as CSV (or JSON)")
    export.add_argument("-o", "--output", default="-", metavar="FILE")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--species", action="append", default=[])
    export.add_argument("--status", action="append", default=[], choices=STEPS)
    export.add_argument(
        "--public-url", default="", metavar="URL", help="prefix of the case links in the CSV"
    )
    export.set_defaults(handler=_run_export)

    follow = commands.add_parser("follow", help="be told in the digest when a case moves on")
    follow.add_argument("case_id")
    follow.add_argument("email")
    follow.add_argument("--lang", choices=("vi", "en"), default="vi")
    follow.add_argument("--stop", action="store_true", help="stop following")
    follow.set_defaults(handler=_run_follow)
