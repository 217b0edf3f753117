"""Scheduled crawls: one child process per crawl (``wildwatch crawl --source NAME --json``),
in its own process group, with a time limit, and never two at once for the same source.

Reads WILDWATCH_CRAWL_COMMAND / WILDWATCH_CRAWL_TIMEOUT_MINUTES; writes a row per run in
``crawl_runs`` (schedules.sqlite), the child's stderr to ``WILDWATCH_HOME/logs/crawls/NAME.log``
and takes ``WILDWATCH_HOME/locks/crawl-NAME.lock`` (flock) for the run. A child process is used
because the Twisted reactor cannot be restarted inside one process; flock (rather than a lock
in memory) also keeps out a second ``wildwatch run --once`` started by cron or by hand.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.settings import stop_grace_seconds
from schedules import db, settings

log = logging.getLogger(__name__)

# Children still running, so a SIGTERM of the service can stop them (they are in their own
# process groups and would not get the terminal's or the supervisor's signal).
_children: dict[int, subprocess.Popen[bytes]] = {}
_children_lock = threading.Lock()
_stopping = threading.Event()


def kill_grace_seconds() -> float:
    """Between SIGTERM and SIGKILL: what a crawl needs to drain (its download timeout) and
    commit (flush time); see ``ingest.settings.stop_grace_seconds``. A crawl killed anyway
    loses nothing: its archived pages are indexed at the next start."""
    return stop_grace_seconds()


@dataclass(frozen=True)
class CrawlResult:
    source: str
    status: str  # ok | failed | timeout | skipped
    exit_code: int | None
    summary: dict[str, Any] | None
    error: str | None
    seconds: float


class SourceBusy(Exception):
    """Another thread or process is crawling this source right now."""


@contextmanager
def source_lock(source: str) -> Iterator[None]:
    path = settings.locks_dir() / f"crawl-{source}.lock"
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SourceBusy(source) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the descriptor releases the flock


def _parse_summary(stdout: bytes) -> dict[str, Any] | None:
    """The crawl's JSON summary: the whole output, else its last line that parses."""
    text = stdout.decode("utf-8", "replace").strip()
    candidates = [text, *reversed(text.splitlines())]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
        if isinstance(value, list):
            return {"sources": value}
    return None


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the child's process group (the crawl drains and commits), SIGKILL if it lingers
    past the grace period."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=kill_grace_seconds())
    except subprocess.TimeoutExpired:
        log.warning("crawl pid %d ignored SIGTERM: killing it", process.pid)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group (browsers) too


def _record_start(source: str, started: datetime) -> int:
    with db.connect() as connection:
        cursor = connection.execute(
            "INSERT INTO crawl_runs (source, started_at, status) VALUES (?, ?, 'running')",
            (source, db.to_iso(started)),
        )
        return int(cursor.lastrowid or 0)


def _record_end(run_id: int, result: CrawlResult) -> None:
    with db.connect() as connection:
        connection.execute(
            "UPDATE crawl_runs SET finished_at = ?, status = ?, exit_code = ?, summary = ?, "
            "error = ? WHERE id = ?",
            (
                db.to_iso(db.utcnow()),
                result.status,
                result.exit_code,
                json.dumps(result.summary, ensure_ascii=False) if result.summary else None,
                result.error,
                run_id,
            ),
        )


def run_crawl(source: str) -> CrawlResult:
    """Crawl ``source`` once in a child process and wait for it (or its time limit)."""
    began = time.monotonic()
    if _stopping.is_set():
        return CrawlResult(source, "skipped", None, None, "service is stopping", 0.0)
    try:
        with source_lock(source):
            return _run_locked(source, began)
    except SourceBusy:
        log.warning("crawl of %s skipped: the previous one is still running", source)
        return CrawlResult(source, "skipped", None, None, "already running", 0.0)


def _run_locked(source: str, began: float) -> CrawlResult:
    command = [*settings.crawl_command(), "--source", source, "--json"]
    timeout = settings.crawl_timeout_seconds()
    run_id = _record_start(source, db.utcnow())
    log_path = settings.crawl_logs_dir() / f"{source}.log"
    with log_path.open("ab") as stderr:
        stderr.write(f"\n==== {db.to_iso(db.utcnow())} {' '.join(command)}\n".encode())
        stderr.flush()
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=stderr, start_new_session=True
            )
        except OSError as start_error:
            result = CrawlResult(source, "failed", None, None, f"cannot start: {start_error}", 0.0)
            _record_end(run_id, result)
            log.error("crawl of %s could not start: %s", source, start_error)
            return result
        with _children_lock:
            _children[process.pid] = process
        try:
            stdout, _ = process.communicate(timeout=timeout)
            status = "ok" if process.returncode == 0 else "failed"
            error: str | None = (
                None if status == "ok" else f"exit code {process.returncode}; see {log_path}"
            )
        except subprocess.TimeoutExpired:
            _stop_group(process)
            stdout, _ = process.communicate()
            status, error = "timeout", f"killed after {timeout / 60:g} minutes"
        finally:
            with _children_lock:
                _children.pop(process.pid, None)
    if _stopping.is_set() and status != "ok":
        status, error = "failed", "stopped with the service"
    result = CrawlResult(
        source,
        status,
        process.returncode,
        _parse_summary(stdout),
        error,
        time.monotonic() - began,
    )
    _record_end(run_id, result)
    if status == "ok":
        log.info("crawl of %s done in %.0f s: %s", source, result.seconds, result.summary)
    else:
        log.error("crawl of %s %s: %s", source, status, error)
    return result


def run_scheduled_crawl(source: str) -> None:
    """Scheduler entry point (``schedules.crawl_jobs:run_scheduled_crawl``): crawl, then the
    alerts that follow a crawl. Never raises: one failing source must not stop the others."""
    try:
        result = run_crawl(source)
    except Exception:
        log.exception("crawl of %s crashed", source)
        return
    if result.status == "skipped" or _stopping.is_set():
        return
    # Even a failed or killed crawl stored what it committed batch by batch: alert on that.
    try:
        from schedules.alerting import after_crawl

        after_crawl(result.summary)
    except Exception:
        log.exception("alerts after the crawl of %s failed", source)


def last_started(source: str) -> datetime | None:
    """When the last real (not skipped) crawl of ``source`` started."""
    with db.connect() as connection:
        row = connection.execute(
            "SELECT MAX(started_at) AS at FROM crawl_runs WHERE source = ? AND status != 'skipped'",
            (source,),
        ).fetchone()
    return db.from_iso(row["at"]) if row and row["at"] else None


def stop_all() -> None:
    """Refuse new crawls and stop the running ones (called on SIGTERM)."""
    _stopping.set()
    with _children_lock:
        running = list(_children.values())
    for process in running:
        log.warning("stopping crawl pid %d", process.pid)
        threading.Thread(target=_stop_group, args=(process,), daemon=True).start()
    deadline = time.monotonic() + kill_grace_seconds() + 2
    for process in running:
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))


def reset_for_tests() -> None:
    _stopping.clear()
