"""The long-running service (``wildwatch run``) and its one-shot form (``--once``).

Reads the sources file (crawlers.sources) and the settings; writes APScheduler's job store
(``WILDWATCH_HOME/jobs.sqlite``). Jobs are stored as textual "module:function" references so
they survive restarts:

* ``crawl:NAME`` → schedules.crawl_jobs:run_scheduled_crawl, the source's cron schedule;
* ``digest``     → schedules.alerting:daily_digest_job, daily at WILDWATCH_DIGEST_AT;
* ``outbox``     → schedules.outbox:deliver_due_job, every minute (retries).

At start the crawl jobs are reconciled with the sources file: new sources added, removed or
disabled ones deleted, changed schedules replaced, unchanged ones kept (so a run missed while
the service was down still fires once, coalesced, within WILDWATCH_MISFIRE_GRACE_MINUTES).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor as Pool
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType
from typing import Any, Protocol

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from schedules import alerting, crawl_jobs, db, outbox, settings

log = logging.getLogger(__name__)

CRAWL_PREFIX = "crawl:"
CRAWL_FUNC = "schedules.crawl_jobs:run_scheduled_crawl"
DIGEST_FUNC = "schedules.alerting:daily_digest_job"
OUTBOX_FUNC = "schedules.outbox:deliver_due_job"


class ScheduledSource(Protocol):
    """What the scheduler needs of crawlers.sources.Source."""

    @property
    def name(self) -> str: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def schedule(self) -> str | None: ...


@dataclass
class Reconciliation:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def build_scheduler() -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=settings.jobstore_url())},
        executors={
            # Crawl threads only wait for their child process; their number is the number of
            # crawls at once. Alerts and retries have their own pool so a long crawl never
            # delays the morning digest.
            "crawls": ThreadPoolExecutor(settings.max_parallel_crawls()),
            "default": ThreadPoolExecutor(2),
        },
        job_defaults={
            "coalesce": True,
            "misfire_grace_time": settings.misfire_grace_seconds(),
            "max_instances": 1,
        },
        timezone=settings.tz(),
    )


def crawl_trigger(schedule: str) -> CronTrigger:
    return CronTrigger.from_crontab(schedule, timezone=settings.tz())


def _wanted_jobs(sources: Sequence[ScheduledSource]) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = {}
    for source in sources:
        if source.enabled and source.schedule:
            jobs[CRAWL_PREFIX + source.name] = {
                "func": CRAWL_FUNC,
                "trigger": crawl_trigger(source.schedule),
                "args": [source.name],
                "executor": "crawls",
                "name": f"crawl {source.name}",
            }
    at = settings.digest_at()
    jobs["digest"] = {
        "func": DIGEST_FUNC,
        "trigger": CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.tz()),
        "name": "daily digest",
    }
    jobs["outbox"] = {
        "func": OUTBOX_FUNC,
        "trigger": IntervalTrigger(minutes=1, timezone=settings.tz()),
        "name": "outbox retries",
    }
    return jobs


def _same(job: Any, spec: dict[str, Any]) -> bool:
    # repr of a trigger spells out its fields and zone; the start date of an interval
    # trigger is not part of what the user configures, so compare intervals by length only.
    if isinstance(spec["trigger"], IntervalTrigger):
        same_trigger = (
            isinstance(job.trigger, IntervalTrigger)
            and job.trigger.interval == spec["trigger"].interval
        )
    else:
        same_trigger = repr(job.trigger) == repr(spec["trigger"])
    return (
        same_trigger
        and job.func_ref == spec["func"]
        and list(job.args) == list(spec.get("args", []))
        and job.executor == spec.get("executor", "default")
    )


def reconcile(scheduler: BackgroundScheduler, sources: Sequence[ScheduledSource]) -> Reconciliation:
    """Make the stored jobs match the sources file and settings."""
    result = Reconciliation()
    wanted = _wanted_jobs(sources)
    existing = {job.id: job for job in scheduler.get_jobs()}
    for job_id in existing:
        if job_id not in wanted:
            scheduler.remove_job(job_id)
            result.removed.append(job_id)
    for job_id, spec in wanted.items():
        job = existing.get(job_id)
        if job is not None and _same(job, spec):
            result.kept.append(job_id)
            continue
        scheduler.add_job(id=job_id, replace_existing=True, **spec)
        (result.replaced if job is not None else result.added).append(job_id)
    return result


def load_enabled_sources() -> list[Any]:
    from crawlers.sources import load_sources

    return [source for source in load_sources() if source.enabled]


# ---- the long-running service -----------------------------------------------------------


def run_service(*, server: Any | None = None) -> int:
    """Run until SIGTERM or SIGINT: the scheduler in the background and, when given, the web
    UI's ``server`` (a uvicorn server, built by the command above schedules and web, so this
    layer never imports web) in the foreground."""
    sources = load_enabled_sources()
    scheduler = build_scheduler()
    scheduler.start(paused=True)
    changes = reconcile(scheduler, sources)
    log.warning(
        "wildwatch run: %d crawl jobs (added %s, replaced %s, removed %s)",
        sum(1 for job in scheduler.get_jobs() if job.id.startswith(CRAWL_PREFIX)),
        changes.added or "none",
        changes.replaced or "none",
        changes.removed or "none",
    )
    if not settings.public_url_set() and _digests_configured():
        log.warning("%s", settings.public_url_warning())
    scheduler.resume()
    # Whatever was left queued by a previous run goes out now rather than in a minute.
    scheduler.add_job(OUTBOX_FUNC, id="outbox-at-start", jobstore="default", replace_existing=True)

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.warning("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if server is not None:
            _serve_web(server, stop)
        else:
            while not stop.wait(1.0):
                pass
    finally:
        log.warning("stopping: terminating running crawls, waiting for jobs to finish")
        crawl_jobs.stop_all()
        scheduler.shutdown(wait=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.warning("wildwatch run stopped")
    return 0


def _digests_configured() -> bool:
    """Whether any mail with links will go out: an alert rule exists, or spike alerts have
    recipients."""
    from schedules.rules import RuleStore

    return bool(settings.spike_recipients()) or bool(RuleStore.from_settings().list())


def _serve_web(server: Any, stop: threading.Event) -> None:
    # uvicorn handles SIGTERM/SIGINT itself while it runs (graceful HTTP shutdown), then
    # re-raises the signal to the handler installed before it: ours, which sets ``stop``.

    def stop_server_when_asked() -> None:
        stop.wait()
        server.should_exit = True

    threading.Thread(target=stop_server_when_asked, daemon=True).start()
    server.run()
    stop.set()


# ---- wildwatch run --once ---------------------------------------------------------------


@dataclass
class OnceReport:
    crawled: dict[str, str] = field(default_factory=dict)  # source → status
    not_due: list[str] = field(default_factory=list)
    spikes: int = 0
    digests: list[str] = field(default_factory=list)
    immediate: list[str] = field(default_factory=list)
    sent: int = 0
    errors: list[str] = field(default_factory=list)


def due_sources(sources: Sequence[ScheduledSource], now: datetime) -> tuple[list[str], list[str]]:
    """(due, not due): a source is due when its schedule fired since its last crawl began,
    or when it was never crawled."""
    due: list[str] = []
    not_due: list[str] = []
    for source in sources:
        if not (source.enabled and source.schedule):
            continue
        last = crawl_jobs.last_started(source.name)
        if last is None:
            due.append(source.name)
            continue
        upcoming = crawl_trigger(source.schedule).get_next_fire_time(
            None, (last + timedelta(seconds=1)).astimezone(settings.tz())
        )
        (due if upcoming is not None and upcoming <= now else not_due).append(source.name)
    return due, not_due


def run_once(now: datetime | None = None) -> OnceReport:
    """Everything due now, then return: due crawls (in parallel up to
    WILDWATCH_MAX_PARALLEL_CRAWLS), immediate alerts, spike check, today's digests if due and
    not yet sent, outbox delivery."""
    now = now or db.utcnow()
    report = OnceReport()
    sent_before = outbox.count("sent")
    due, report.not_due = due_sources(load_enabled_sources(), now)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.warning("received %s: stopping crawls", signal.Signals(signum).name)
        threading.Thread(target=crawl_jobs.stop_all, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        with Pool(max_workers=settings.max_parallel_crawls()) as pool:
            for result in pool.map(crawl_jobs.run_crawl, due):
                report.crawled[result.source] = result.status
                if result.status in ("failed", "timeout"):
                    report.errors.append(f"crawl {result.source}: {result.error}")
    finally:
        signal.signal(signal.SIGTERM, previous)
    now = max(now, db.utcnow())  # the crawls took time: alert on what they stored
    try:
        report.immediate = alerting.run_immediate(now=now).queued
        report.spikes = len(alerting.check_spikes(now=now))
        if alerting.digest_due_today(now):
            report.digests = alerting.run_digests(now=now, check_spikes_first=False).queued
    except Exception as error:
        log.exception("alerts failed")
        report.errors.append(f"alerts: {error}")
    outbox.deliver_due()
    # The alert functions deliver as they go: count everything this run got out.
    report.sent = outbox.count("sent") - sent_before
    return report
