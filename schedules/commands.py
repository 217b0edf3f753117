"""Commands contributed by this package to the ``wildwatch`` command line (wildwatch/cli.py):
``wildwatch alerts ...`` (rules, digests, outbox); ``wildwatch run`` sits above schedules
and web, in ``wildwatch/run_command.py``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

EPILOG_ADD = """\
--lang is the language of the e-mail (DESIGN.md); to filter the items' language use
--item-lang. Repeat a filter to accept several values (they are ORed); different filters
are ANDed. Example:
  wildwatch alerts add --name "Tê tê Quảng Ninh" --query '"vảy tê tê"' --species pangolin \\
      --location "Quảng Ninh" --to giamsat@ngo.example.org --to police@example.vn --lang vi
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this package's commands to ``subparsers``."""
    alerts = subparsers.add_parser(
        "alerts", help="alert rules (saved searches), digests by e-mail, the outbox"
    )
    actions = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="save a search as an alert rule",
        epilog=EPILOG_ADD,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("--name", required=True, help="unique name of the rule")
    add.add_argument("--query", default="", help='search query: words, "phrases", AND/OR/NOT')
    add.add_argument("--species", action="append", default=[], help="species id, e.g. pangolin")
    add.add_argument("--kind", action="append", default=[], help="news, marketplace or social")
    add.add_argument(
        "--item-lang", action="append", default=[], help="language of the items (ISO 639-1)"
    )
    add.add_argument("--source", action="append", default=[], help="source name")
    add.add_argument("--enforcement", action="append", default=[], help="e.g. seizure, arrest")
    add.add_argument("--country", action="append", default=[], help="ISO 3166-1 code, e.g. VN")
    add.add_argument("--location", action="append", default=[], help="place named in the item")
    add.add_argument(
        "--place",
        action="append",
        default=[],
        metavar="PROVINCE_OR_CODE",
        help="province (of the 34) or country code: items naming a place inside it; "
        "every --place must match",
    )
    add.add_argument("--trade", action="store_true", help="only items about wildlife trade")
    add.add_argument("--min-relevance", type=float, help="only items at least this relevant")
    add.add_argument(
        "--triage",
        action="append",
        default=[],
        metavar="STATE",
        help="only items in this triage state (untriaged, relevant, not_relevant, follow_up); "
        "repeat to accept several, e.g. leave out not_relevant",
    )
    add.add_argument(
        "--to", action="append", nargs="+", required=True, metavar="EMAIL", help="recipients"
    )
    add.add_argument(
        "--lang", choices=("vi", "en"), default="vi", help="language of the e-mail (default vi)"
    )
    add.add_argument(
        "--cadence",
        choices=("daily", "immediate"),
        default="daily",
        help="daily digest (default), or immediate for high-relevance items after each crawl",
    )
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="list the alert rules")
    listing.add_argument("--json", action="store_true", help="one JSON object per rule")
    listing.set_defaults(handler=_list)

    remove = actions.add_parser("remove", help="delete an alert rule")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)

    test = actions.add_parser(
        "test", help="print the digest a rule would send now (nothing is sent or recorded)"
    )
    test.add_argument("name")
    test.add_argument(
        "--html", action="store_true", help="write only the HTML part (a preview file)"
    )
    test.add_argument(
        "-o", "--output", type=Path, help="write the preview to this file instead of stdout"
    )
    test.set_defaults(handler=_test)

    for verb, paused in (("pause", True), ("resume", False)):
        toggle = actions.add_parser(
            verb,
            help="pause a rule (no digests, immediate or spike mail)"
            if paused
            else "resume a paused rule (from the last 24 hours)",
        )
        toggle.add_argument("name")
        toggle.set_defaults(handler=_pause, paused=paused)

    imports = actions.add_parser(
        "import", help="add the [[alerts]] rules of a TOML file (all or none)"
    )
    imports.add_argument("file", type=Path)
    imports.set_defaults(handler=_import)

    send = actions.add_parser(
        "send",
        help="run the daily digests now and send every pending e-mail, back-off or not",
    )
    send.add_argument(
        "--date",
        type=date.fromisoformat,
        help="the digest of that day (YYYY-MM-DD): items fetched up to its digest time",
    )
    send.set_defaults(handler=_send)

    box = actions.add_parser(
        "outbox",
        help="list e-mails waiting, being retried or failed: state, attempts, last error and "
        "next attempt (WILDWATCH_TZ)",
    )
    box.add_argument("--all", action="store_true", help="include sent messages")
    box.add_argument(
        "--retry",
        action="store_true",
        help="re-queue failed messages, then send every pending one now",
    )
    box.add_argument("--json", action="store_true", help="JSON output")
    box.set_defaults(handler=_outbox)


def _add(args: argparse.Namespace) -> int:
    from schedules.rules import AlertRule, RuleError, RuleStore

    rule = AlertRule(
        name=args.name,
        query=args.query,
        species=tuple(args.species),
        kind=tuple(args.kind),
        lang=tuple(args.item_lang),
        source=tuple(args.source),
        enforcement=tuple(args.enforcement),
        country=tuple(args.country),
        location=tuple(args.location),
        place=tuple(args.place),
        wildlife_trade=True if args.trade else None,
        min_relevance=args.min_relevance,
        triage=tuple(args.triage),
        recipients=tuple(address for group in args.to for address in group),
        email_lang=args.lang,
        cadence=args.cadence,
    )
    try:
        stored = RuleStore.from_settings().add(rule)
    except RuleError as error:
        print(f"wildwatch alerts add: {error}", file=sys.stderr)
        return 2
    print(f"saved alert rule {stored.name!r} → {', '.join(stored.recipients)}")
    return 0


def _describe(rule: Any) -> str:
    parts = [f"query={rule.query!r}"] if rule.query else []
    from search.filter_values import MULTI_VALUE_FILTERS

    for key in MULTI_VALUE_FILTERS:
        values = getattr(rule, key)
        if values:
            parts.append(f"{'item-lang' if key == 'lang' else key}={','.join(values)}")
    if rule.wildlife_trade is not None:
        parts.append(f"trade={str(rule.wildlife_trade).lower()}")
    if rule.min_relevance is not None:
        parts.append(f"min-relevance={rule.min_relevance:g}")
    return " ".join(parts) or "(everything)"


def _list(args: argparse.Namespace) -> int:
    from schedules.rule_admin import paused_rules
    from schedules.rules import RuleStore

    rules = RuleStore.from_settings().list()
    paused = paused_rules()
    for rule in rules:
        if args.json:
            print(json.dumps(rule.to_json(), ensure_ascii=False))
        else:
            state = " (paused)" if rule.name in paused else ""
            print(
                f"{rule.name}{state}\t{rule.cadence}/{rule.email_lang}\t"
                f"{', '.join(rule.recipients)}\t{_describe(rule)}"
            )
    if not rules and not args.json:
        print("no alert rules (add one with: wildwatch alerts add --name N --to EMAIL)")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from schedules.rule_admin import RuleAdmin

    if RuleAdmin().remove(args.name):
        print(f"removed alert rule {args.name!r}")
        return 0
    print(f"wildwatch alerts remove: no alert rule named {args.name!r}", file=sys.stderr)
    return 1


def _test(args: argparse.Namespace) -> int:
    from schedules.alerting import preview
    from schedules.rules import RuleStore

    rule = RuleStore.from_settings().get(args.name)
    if rule is None:
        print(f"wildwatch alerts test: no alert rule named {args.name!r}", file=sys.stderr)
        return 1
    subject, text, html, items = preview(rule)
    header = f"To: {', '.join(rule.recipients)}\nSubject: {subject}\n({items} items; not sent)"
    if args.html or args.output:
        # A preview file: only the message part, the envelope goes to stderr.
        body = html if args.html else text
        if args.output:
            args.output.write_text(body, encoding="utf-8")
            print(f"{header}\nwritten to {args.output}", file=sys.stderr)
        else:
            print(header, file=sys.stderr)
            sys.stdout.write(body)
        return 0
    print(_shown(f"{header}\n"))
    print(_shown(text))
    return 0


def _shown(text: str) -> str:
    """``text`` for a terminal: control characters from stored titles and snippets (ESC
    sequences that clear the screen or retitle the window, bidi overrides) written as escapes;
    line breaks kept."""
    from search.search_command import terminal_safe

    return "\n".join(terminal_safe(line) for line in text.split("\n"))


def _pause(args: argparse.Namespace) -> int:
    from schedules.rule_admin import RuleAdmin
    from schedules.rules import RuleError

    try:
        RuleAdmin().set_paused(args.name, args.paused)
    except RuleError as error:
        print(f"wildwatch alerts: {error}", file=sys.stderr)
        return 1
    print(f"{'paused' if args.paused else 'resumed'} alert rule {args.name!r}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from schedules.rules import RuleError, import_rules

    try:
        rules = import_rules(args.file)
    except RuleError as error:
        print(f"wildwatch alerts import: {error}", file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 2
    print(f"imported {len(rules)} alert rules: {', '.join(rule.name for rule in rules)}")
    return 0


def _send(args: argparse.Namespace) -> int:
    from schedules import outbox
    from schedules.alerting import run_digests

    # Run by hand, usually after an SMTP outage: everything pending goes now, back-off or not.
    report = run_digests(args.date, send_all_pending=True)
    print(
        f"digests queued: {len(report.queued)} {report.queued or ''}; nothing new: "
        f"{len(report.empty)}; already sent: {len(report.skipped)}; spikes: {len(report.spikes)}"
    )
    delivery = report.delivery
    print(
        f"e-mails sent: {delivery.sent}; failed again, will be retried: {delivery.retrying}; "
        f"given up: {delivery.failed}"
    )
    undelivered = outbox.messages(("pending", "sending", "failed"))
    if undelivered:
        print(f"{len(undelivered)} e-mails not delivered yet (see: wildwatch alerts outbox)")
        return 1
    return 0


def _outbox(args: argparse.Namespace) -> int:
    from schedules import outbox
    from schedules.settings import tz

    if args.retry:
        count = outbox.retry_failed()
        report = outbox.deliver_all_pending()
        print(
            f"re-queued {count} failed; sent {report.sent}, failed again {report.retrying}, "
            f"given up {report.failed}"
        )
    statuses = (
        ("pending", "sending", "failed", "sent") if args.all else ("pending", "sending", "failed")
    )
    zone = tz()
    messages = outbox.messages(statuses)
    for message in messages:
        if args.json:
            fields = dict(message.__dict__)
            fields["next_attempt_local"] = _local_time(message.next_attempt_at, zone)
            print(json.dumps(fields, ensure_ascii=False))
        else:
            print(
                f"#{message.id}\t{message.status}\t{message.attempts} attempts\t"
                f"{_outbox_next(message, zone)}\t{', '.join(message.recipients)}\t"
                + _shown(message.subject)
                + (f"\n\tlast error: {_shown(message.last_error)}" if message.last_error else "")
            )
    if not messages and not args.json:
        print("outbox empty: every e-mail was delivered")
    return 0


def _local_time(iso: str, zone: Any) -> str:
    """A stored UTC time as the staff's clock shows it, e.g. ``2026-11-23 07:01:00 +07``."""
    from datetime import datetime

    return datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def _outbox_next(message: Any, zone: Any) -> str:
    """What happens next to ``message``, in local time."""
    if message.status == "sent":
        return f"sent {_local_time(message.sent_at, zone)}"
    if message.status == "failed":
        return "no next attempt (gave up; --retry re-queues it)"
    if message.status == "sending":
        # a sender that died mid-send leaves the row so; its lease says when it is taken over
        lease = _local_time(message.lease_until, zone) if message.lease_until else "?"
        return f"being sent (if interrupted, sent again from {lease})"
    return f"next attempt {_local_time(message.next_attempt_at, zone)}"
