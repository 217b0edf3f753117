"""The alert jobs: daily digests, immediate alerts, spike checks, and what runs after a crawl.

Reads alert rules and the ledger (schedules.sqlite) and the index (search.backend); writes
messages to the outbox together with the ledger rows saying which items and spikes they
cover, then asks the outbox to deliver. Paused rules (schedules/rule_admin.py) are skipped.

What is new for a digest: items stored since the rule's last digest (fetched window, with
an overlap the ledger de-duplicates) AND published no earlier than the period's start minus
WILDWATCH_DIGEST_PUBLISHED_GRACE_HOURS (items without a date count by when they were
fetched). An archive import of two-year-old articles is therefore not mailed as news.

Each function is safe to run twice: the ledger is checked and written in the same IMMEDIATE
transaction that queues the message, so an item reaches a rule's recipients at most once
(per queued message; delivery itself is at-least-once, see schedules/outbox.py).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from pipelines.places import place_info
from schedules import db, outbox, settings
from schedules.briefing import Summary, search_link, summarise
from schedules.digest import DigestContent, build_content
from schedules.render import build_message, render_digest, render_spikes
from schedules.rule_admin import paused_rules
from schedules.rules import AlertRule, RuleStore
from schedules.spikes import Spike, counts_from_buckets, describe, find_spikes
from search.backend import Hit, SearchBackend, SearchRequest

log = logging.getLogger(__name__)

PAGE = 200
# Hard cap on hits read for one window, so a rule matching everything cannot exhaust memory;
# the digest then says how many more matched.
MAX_HITS_READ = 5000
SPIKE_AUDIENCE_ALL = "*"


@dataclass
class RunReport:
    queued: list[str] = field(default_factory=list)  # rule names with a message queued
    empty: list[str] = field(default_factory=list)  # rules with nothing new
    skipped: list[str] = field(default_factory=list)  # rules already done for that day
    spikes: list[Spike] = field(default_factory=list)
    case_messages: int = 0  # followers told that a case they follow moved on
    delivery: outbox.DeliveryReport = field(default_factory=outbox.DeliveryReport)


def _open_backend(backend: SearchBackend | None) -> SearchBackend:
    if backend is not None:
        return backend
    from search.factory import open_backend

    return open_backend()


def _read_hits(backend: SearchBackend, request: SearchRequest) -> tuple[list[Hit], int]:
    """Every hit of ``request`` (up to MAX_HITS_READ), newest first, and the total."""
    hits: list[Hit] = []
    total = 0
    while len(hits) < MAX_HITS_READ:
        page = backend.search(
            replace(request, offset=len(hits), limit=PAGE, sort="newest", facets=False)
        )
        total = page["total"]
        hits.extend(page["hits"])
        if len(page["hits"]) < PAGE or len(hits) >= total:
            break
    return hits, total


def _already_sent(connection: sqlite3.Connection, rule: str, ids: Sequence[str]) -> set[str]:
    sent: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        rows = connection.execute(
            f"SELECT item_id FROM sent_items WHERE rule = ? AND item_id IN ({marks})",
            (rule, *chunk),
        ).fetchall()
        sent.update(row["item_id"] for row in rows)
    return sent


def _cursor(connection: sqlite3.Connection, rule: str, cadence: str) -> datetime | None:
    row = connection.execute(
        "SELECT until FROM rule_cursors WHERE rule = ? AND cadence = ?", (rule, cadence)
    ).fetchone()
    return db.from_iso(row["until"]) if row else None


def _set_cursor(connection: sqlite3.Connection, rule: str, cadence: str, until: datetime) -> None:
    connection.execute(
        "INSERT INTO rule_cursors (rule, cadence, until) VALUES (?, ?, ?) "
        "ON CONFLICT (rule, cadence) DO UPDATE SET until = excluded.until",
        (rule, cadence, db.to_iso(until)),
    )


def _ceil_second(moment: datetime) -> datetime:
    """Window ends are rounded up to a whole second: the index stores fetch times in whole
    seconds, so an item fetched at 12:41:54.4 has "12:41:54" and a window ending at
    12:41:54.6 must include it. What the rounding lets in early, the ledger keeps from being
    sent twice."""
    if moment.microsecond:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def _active(rules: Sequence[AlertRule]) -> list[AlertRule]:
    paused = paused_rules()
    return [rule for rule in rules if rule.name not in paused]


def _period_start(cursor: datetime | None, end: datetime) -> datetime:
    """Where the period a digest reports on starts: the previous digest, or a day ago."""
    return end - timedelta(hours=24) if cursor is None else min(cursor, end)


def _news_request(
    rule: AlertRule, start: datetime, end: datetime, period_start: datetime, **extra: Any
) -> SearchRequest:
    """Items stored in [start, end) and published recently enough to be news. No upper
    bound on the publication date: a site giving a wrong time zone must not hide a story."""
    grace = timedelta(hours=settings.digest_published_grace_hours())
    return rule.to_search_request(
        fetched_since=start, fetched_until=end, since=period_start - grace, **extra
    )


def _summary(
    rule: AlertRule,
    backend: SearchBackend,
    current: Sequence[Hit],
    period_start: datetime,
    end: datetime,
) -> Summary:
    """Counts of this period's new items against the items published in the period of the
    same length before it."""
    length = max(end - period_start, timedelta(hours=1))
    previous, _ = _read_hits(
        backend,
        rule.to_search_request(
            since=period_start - length, until=period_start - timedelta(seconds=1)
        ),
    )
    return summarise(current, previous, rule.email_lang)


def _links(rule: AlertRule, period_start: datetime, day: date) -> tuple[str, Callable[[str], str]]:
    """The "see all in wildwatch" search of the whole digest, and of one species group."""
    grace = timedelta(hours=settings.digest_published_grace_hours())
    since = (period_start - grace).astimezone(settings.tz()).date()
    base = settings.public_url()
    filters = rule.to_json()

    def group_url(species: str) -> str:
        return search_link(base, filters, since=since, until=day, species=species)

    return search_link(base, filters, since=since, until=day), group_url


def _window_start(cursor: datetime | None, end: datetime) -> datetime:
    if cursor is None:
        return end - timedelta(hours=24)
    # Items are stored with the time they were fetched, and a crawl running across the
    # window's end commits some of them afterwards: look back over one crawl's length. The
    # ledger drops those already sent.
    overlap = min(timedelta(seconds=settings.crawl_timeout_seconds()), timedelta(hours=24))
    return min(cursor, end) - overlap


def _stored_spikes(
    connection: sqlite3.Connection, rule: AlertRule, first: date, last: date
) -> list[Spike]:
    rows = connection.execute(
        "SELECT s.* FROM spikes s WHERE s.day BETWEEN ? AND ? AND NOT EXISTS ("
        "SELECT 1 FROM spike_alerts a WHERE a.day = s.day AND a.species = s.species "
        "AND a.province = s.province AND a.audience = ?) ORDER BY s.p_value",
        (first.isoformat(), last.isoformat(), f"digest:{rule.name}"),
    ).fetchall()
    spikes = [_spike_from_row(row) for row in rows]
    return [s for s in spikes if not rule.species or s.species in rule.species]


def _spike_from_row(row: sqlite3.Row) -> Spike:
    return Spike(
        day=date.fromisoformat(row["day"]),
        species=row["species"],
        province=row["province"],
        count=row["count"],
        baseline=row["baseline"],
        p_value=row["p_value"],
    )


def _content(
    rule: AlertRule,
    hits: Sequence[Hit],
    total: int,
    *,
    day: date,
    period_start: datetime,
    spikes: Sequence[Spike] = (),
    summary: Summary | None = None,
) -> DigestContent:
    search_url, group_url = _links(rule, period_start, day)
    content = build_content(
        hits,
        rule_name=rule.name,
        rule_species=rule.species,
        lang=rule.email_lang,
        day=day,
        zone=settings.tz(),
        public_url=settings.public_url(),
        spikes=spikes,
        max_entries=settings.digest_max_items(),
        search_url=search_url,
        per_group=settings.digest_items_per_group(),
        group_url=group_url,
        summary=summary,
    )
    unread = max(0, total - len(hits))
    if unread:
        content = replace(content, more=content.more + unread)
    return content


def _queue_rule_message(
    rule: AlertRule,
    *,
    cadence: str,
    start: datetime,
    end: datetime,
    day: date,
    backend: SearchBackend,
    min_relevance: float | None = None,
    with_spikes: bool = False,
) -> str:
    """Search the window, then in one transaction: drop what the rule already received,
    queue the message, record its items and spikes, move the cursor. Returns queued, empty
    or skipped."""
    overrides: dict[str, Any] = {}
    if min_relevance is not None:
        overrides["min_relevance"] = max(rule.min_relevance or 0.0, min_relevance)
    with db.connect() as connection:
        period_start = _period_start(_cursor(connection, rule.name, cadence), end)
    hits, total = _read_hits(backend, _news_request(rule, start, end, period_start, **overrides))
    with db.connect() as connection:
        sent = _already_sent(connection, rule.name, [hit["id"] for hit in hits])
    fresh = [hit for hit in hits if hit["id"] not in sent]
    # The summary's comparison searches the index: outside the write lock, like the search.
    daily = cadence == "daily" and bool(fresh)  # no summary for immediate alerts, or nothing
    summary = _summary(rule, backend, fresh, period_start, end) if daily else None
    with db.connect() as connection:
        cursor = _cursor(connection, rule.name, cadence)
        if cursor is not None and cursor >= end:
            return "skipped"  # another run covered this window while we searched
        # Read again under the lock: another run may have sent some of these meanwhile.
        sent = _already_sent(connection, rule.name, [hit["id"] for hit in hits])
        fresh = [hit for hit in hits if hit["id"] not in sent]
        local = settings.tz()
        spikes = (
            _stored_spikes(connection, rule, start.astimezone(local).date(), day)
            if with_spikes
            else []
        )
        content = _content(
            rule,
            fresh,
            total - len(sent),
            day=day,
            period_start=period_start,
            spikes=spikes,
            summary=summary,
        )
        _set_cursor(connection, rule.name, cadence, end)
        if content.empty:
            return "empty"
        subject, text, html = render_digest(content, immediate=cadence == "immediate")
        message = build_message(
            subject=subject,
            text=text,
            html=html,
            recipients=rule.recipients,
            mail_from=settings.smtp().mail_from,
        )
        outbox_id = outbox.enqueue(
            connection,
            message,
            kind="digest" if cadence == "daily" else "immediate",
            rule=rule.name,
        )
        connection.executemany(
            "INSERT OR IGNORE INTO sent_items (rule, item_id, outbox_id) VALUES (?, ?, ?)",
            [(rule.name, item_id, outbox_id) for item_id in content.item_ids],
        )
        connection.executemany(
            "INSERT OR IGNORE INTO spike_alerts (day, species, province, audience, outbox_id) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (s.day.isoformat(), s.species, s.province, f"digest:{rule.name}", outbox_id)
                for s in spikes
            ],
        )
        log.info("queued %s for rule %r: %s", cadence, rule.name, subject)
        return "queued"


def digest_end(day: date | None, now: datetime) -> tuple[date, datetime]:
    """The digest date and the end of its window: ``now`` for today, the digest time of
    ``day`` for an earlier date (never later than now)."""
    zone = settings.tz()
    today = now.astimezone(zone).date()
    if day is None or day >= today:
        return today, _ceil_second(now)
    at = datetime.combine(day, settings.digest_at(), tzinfo=zone)
    return day, min(at, _ceil_second(now))


def digest_due_today(now: datetime, rules: Sequence[AlertRule] | None = None) -> bool:
    """True when it is past today's digest time and some rule has not had today's digest
    (what ``wildwatch run --once`` checks)."""
    zone = settings.tz()
    local = now.astimezone(zone)
    at = datetime.combine(local.date(), settings.digest_at(), tzinfo=zone)
    if local < at:
        return False
    rules = _active(RuleStore.from_settings().list() if rules is None else rules)
    with db.connect() as connection:
        return any(
            (_cursor(connection, rule.name, "daily") or at - timedelta(days=1)) < at
            for rule in rules
        )


def run_digests(
    day: date | None = None,
    *,
    backend: SearchBackend | None = None,
    now: datetime | None = None,
    rules: Sequence[AlertRule] | None = None,
    check_spikes_first: bool = True,
    send_all_pending: bool = False,
) -> RunReport:
    """Queue the daily digest of every rule for ``day`` (default today) and deliver what is
    due, or with ``send_all_pending`` (run by hand) every pending message, back-off or not."""
    now = now or db.utcnow()
    backend = _open_backend(backend)
    report = RunReport()
    if check_spikes_first:
        try:
            report.spikes = check_spikes(backend=backend, now=now)
        except Exception:
            # A broken spike check must not cost the partners their morning digest.
            log.exception("spike check failed; digests go out without it")
    day, end = digest_end(day, now)
    for rule in _active(RuleStore.from_settings().list() if rules is None else rules):
        with db.connect() as connection:
            cursor = _cursor(connection, rule.name, "daily")
        if cursor is not None and cursor >= end:
            report.skipped.append(rule.name)
            continue
        outcome = _queue_rule_message(
            rule,
            cadence="daily",
            start=_window_start(cursor, end),
            end=end,
            day=day,
            backend=backend,
            with_spikes=True,
        )
        getattr(report, outcome).append(rule.name)
    try:
        from schedules.case_alerts import queue_case_updates

        report.case_messages = queue_case_updates()
    except Exception:
        # Like the spike check: a broken case store must not cost anyone the digest.
        log.exception("case follow-up messages failed; digests go out without them")
    report.delivery = outbox.deliver_all_pending() if send_all_pending else outbox.deliver_due()
    return report


def run_immediate(
    *, backend: SearchBackend | None = None, now: datetime | None = None
) -> RunReport:
    """Queue, for each ``immediate`` rule, its new high-relevance items, and deliver."""
    now = _ceil_second(now or db.utcnow())
    report = RunReport()
    rules = [r for r in _active(RuleStore.from_settings().list()) if r.cadence == "immediate"]
    if not rules:
        return report
    backend = _open_backend(backend)
    threshold = settings.immediate_min_relevance()
    day = now.astimezone(settings.tz()).date()
    for rule in rules:
        with db.connect() as connection:
            cursor = _cursor(connection, rule.name, "immediate")
        outcome = _queue_rule_message(
            rule,
            cadence="immediate",
            start=_window_start(cursor, now),
            end=now,
            day=day,
            backend=backend,
            min_relevance=threshold,
        )
        getattr(report, outcome).append(rule.name)
    outbox.deliver_due()
    return report


def preview(
    rule: AlertRule, *, backend: SearchBackend | None = None, now: datetime | None = None
) -> tuple[str, str, str, int]:
    """What the rule's digest would contain if sent now: (subject, text, html, items), with
    nothing recorded or sent."""
    content = preview_content(rule, backend=backend, now=now)
    subject, text, html = render_digest(content)
    return subject, text, html, len(content.item_ids)


def preview_content(
    rule: AlertRule, *, backend: SearchBackend | None = None, now: datetime | None = None
) -> DigestContent:
    """The digest the rule would get if it ran now (the alerts page lists its items)."""
    now = _ceil_second(now or db.utcnow())
    backend = _open_backend(backend)
    # connect() holds the write lock: search outside it, as _queue_rule_message does.
    with db.connect() as connection:
        cursor = _cursor(connection, rule.name, "daily")
    start, period_start = _window_start(cursor, now), _period_start(cursor, now)
    hits, total = _read_hits(backend, _news_request(rule, start, now, period_start))
    day = now.astimezone(settings.tz()).date()
    with db.connect() as connection:
        sent = _already_sent(connection, rule.name, [hit["id"] for hit in hits])
        spikes = _stored_spikes(connection, rule, start.astimezone(settings.tz()).date(), day)
    fresh = [hit for hit in hits if hit["id"] not in sent]
    return _content(
        rule,
        fresh,
        total - len(sent),
        day=day,
        period_start=period_start,
        spikes=spikes,
        summary=_summary(rule, backend, fresh, period_start, now),
    )


# ---- spikes -----------------------------------------------------------------------------


def _province_map(names: set[str]) -> dict[str, str | None]:
    # Districts, border gates, airports and pre-2025 provinces roll up to today's province, so
    # "Móng Cái" and "Quảng Ninh" count together; countries and unknown names have none.
    provinces: dict[str, str | None] = {}
    for name in names:
        place = place_info(name)
        provinces[name] = place.province if place is not None and place.country == "VN" else None
    return provinces


def detect_spikes(backend: SearchBackend, today: date) -> list[Spike]:
    """Today's spikes per species and per species × province (wildlife-trade items only)."""
    baseline_days = settings.spike_baseline_days()
    request = SearchRequest(
        wildlife_trade=True,
        since=today - timedelta(days=baseline_days),
        until=today,
        facets=False,
    )
    options = {
        "baseline_days": baseline_days,
        "p_threshold": settings.spike_p(),
        "min_count": settings.spike_min_count(),
    }
    national = backend.histogram(request, "day", by=("species",))
    spikes = find_spikes(counts_from_buckets(national), today, **options)  # type: ignore[arg-type]
    local = backend.histogram(request, "day", by=("species", "locations"))
    names = {str(b["keys"].get("locations")) for b in local if b["keys"].get("locations")}
    province_of = _province_map(names)
    if province_of:
        series = counts_from_buckets(local, province_of=province_of)
        spikes += find_spikes(series, today, **options)  # type: ignore[arg-type]
    return spikes


def check_spikes(
    *, backend: SearchBackend | None = None, now: datetime | None = None
) -> list[Spike]:
    """Detect today's spikes, store them, and queue one alert per audience for the spikes it
    was not told about yet today: WILDWATCH_SPIKE_RECIPIENTS and every rule whose species
    filter names the species. Returns today's spikes."""
    now = now or db.utcnow()
    backend = _open_backend(backend)
    today = now.astimezone(settings.tz()).date()
    spikes = detect_spikes(backend, today)
    rules = [rule for rule in _active(RuleStore.from_settings().list()) if rule.species]
    audiences: list[tuple[str, tuple[str, ...], str, tuple[str, ...] | None]] = []
    if settings.spike_recipients():
        audiences.append(
            (SPIKE_AUDIENCE_ALL, settings.spike_recipients(), settings.spike_email_lang(), None)
        )
    for rule in rules:
        audiences.append((f"rule:{rule.name}", rule.recipients, rule.email_lang, rule.species))
    with db.connect() as connection:
        for spike in spikes:
            connection.execute(
                "INSERT INTO spikes (day, species, province, count, baseline, p_value, "
                "detected_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, species, province) "
                "DO UPDATE SET count = excluded.count, baseline = excluded.baseline, "
                "p_value = excluded.p_value",
                (
                    spike.day.isoformat(),
                    spike.species,
                    spike.province,
                    spike.count,
                    spike.baseline,
                    spike.p_value,
                    db.to_iso(now),
                ),
            )
        for audience, recipients, lang, species in audiences:
            _queue_spike_alert(connection, spikes, audience, recipients, lang, species, today)
    if spikes:
        log.info("spikes today: %s", "; ".join(describe(s, "en", today=today) for s in spikes))
    return spikes


def _queue_spike_alert(
    connection: sqlite3.Connection,
    spikes: Sequence[Spike],
    audience: str,
    recipients: Sequence[str],
    lang: str,
    species: Sequence[str] | None,
    today: date,
) -> None:
    told = {
        (row["species"], row["province"])
        for row in connection.execute(
            "SELECT species, province FROM spike_alerts WHERE day = ? AND audience = ?",
            (today.isoformat(), audience),
        )
    }
    news = [
        s
        for s in spikes
        if (s.species, s.province) not in told and (species is None or s.species in species)
    ]
    if not news:
        return
    subject, text, html = render_spikes(
        [describe(s, lang, today=today) for s in news], lang=lang, day=today
    )
    message = build_message(
        subject=subject,
        text=text,
        html=html,
        recipients=recipients,
        mail_from=settings.smtp().mail_from,
    )
    rule = audience.removeprefix("rule:") if audience.startswith("rule:") else None
    outbox_id = outbox.enqueue(connection, message, kind="spike", rule=rule)
    connection.executemany(
        "INSERT OR IGNORE INTO spike_alerts (day, species, province, audience, outbox_id) "
        "VALUES (?, ?, ?, ?, ?)",
        [(s.day.isoformat(), s.species, s.province, audience, outbox_id) for s in news],
    )


# ---- scheduler entry points ("module:function" references stored in the job store) ------


def daily_digest_job() -> None:
    report = run_digests()
    log.info(
        "daily digest: queued %s, nothing new for %s, already done %s",
        report.queued,
        report.empty,
        report.skipped,
    )


def after_crawl(summary: dict[str, Any] | None = None) -> None:
    """What follows every crawl: immediate alerts, the spike check, and delivery."""
    backend = _open_backend(None)
    try:
        run_immediate(backend=backend)
        check_spikes(backend=backend)
        outbox.deliver_due()
    finally:
        backend.close()
    if summary:
        log.debug("after crawl %s", json.dumps(summary)[:500])
