"""The service: job reconciliation with the sources file, what `run --once` finds due, and
`wildwatch run` as a real process (fake crawl command, real SMTP server, SIGTERM)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from schedules import crawl_jobs, db, service
from schedules.rules import AlertRule, RuleStore
from tests.schedules.conftest import RecordingHandler

ROOT = Path(__file__).resolve().parents[2]
FAKE_CRAWL = f"{sys.executable} {ROOT / 'tests' / 'schedules' / 'fake_crawl.py'}"
SOURCES = """
[[sources]]
name = "baomoi"
kind = "news"
feeds = ["https://baomoi.example/rss"]
schedule = "0 */6 * * *"

[[sources]]
name = "vnexpress"
kind = "news"
feeds = ["https://vnexpress.example/rss"]
schedule = "15 7 * * *"

[[sources]]
name = "chotot"
kind = "marketplace"
start_urls = ["https://chotot.example/"]
schedule = "30 * * * *"
enabled = false
"""


@dataclass(frozen=True)
class Src:
    name: str
    schedule: str | None
    enabled: bool = True


def stored_jobs() -> dict[str, tuple[str, str]]:
    scheduler = service.build_scheduler()
    scheduler.start(paused=True)
    try:
        return {job.id: (job.func_ref, repr(job.trigger)) for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


def reconcile(sources: list[Src]) -> service.Reconciliation:
    scheduler = service.build_scheduler()
    scheduler.start(paused=True)
    try:
        return service.reconcile(scheduler, sources)
    finally:
        scheduler.shutdown(wait=False)


def test_jobs_follow_the_sources_file_across_restarts() -> None:
    first = reconcile([Src("baomoi", "0 */6 * * *"), Src("vnexpress", "15 7 * * *")])
    assert sorted(first.added) == ["crawl:baomoi", "crawl:vnexpress", "digest", "outbox"]
    jobs = stored_jobs()
    assert jobs["crawl:baomoi"][0] == "schedules.crawl_jobs:run_scheduled_crawl"
    assert "hour='*/6'" in jobs["crawl:baomoi"][1] and "Asia/Ho_Chi_Minh" in jobs["crawl:baomoi"][1]
    assert "hour='7', minute='0'" in jobs["digest"][1]

    # next start: baomoi's schedule changed, vnexpress disabled, a new source, one unscheduled
    second = reconcile(
        [
            Src("baomoi", "0 */3 * * *"),
            Src("vnexpress", "15 7 * * *", enabled=False),
            Src("tuoitre", "45 * * * *"),
            Src("manual", None),
        ]
    )
    assert second.replaced == ["crawl:baomoi"]
    assert second.removed == ["crawl:vnexpress"]
    assert second.added == ["crawl:tuoitre"]
    assert sorted(second.kept) == ["digest", "outbox"]
    assert sorted(stored_jobs()) == ["crawl:baomoi", "crawl:tuoitre", "digest", "outbox"]
    assert "hour='*/3'" in stored_jobs()["crawl:baomoi"][1]
    # unchanged file: nothing touched, so missed runs keep their due time
    third = reconcile([Src("baomoi", "0 */3 * * *"), Src("tuoitre", "45 * * * *")])
    assert (third.added, third.replaced, third.removed) == ([], [], [])


def record_run(source: str, started: datetime, status: str = "ok") -> None:
    with db.connect() as connection:
        connection.execute(
            "INSERT INTO crawl_runs (source, started_at, status) VALUES (?, ?, ?)",
            (source, db.to_iso(started), status),
        )


def test_a_source_is_due_when_its_schedule_fired_since_its_last_crawl() -> None:
    # 23/11/2026 13:10 in Hanoi
    now = datetime(2026, 11, 23, 6, 10, tzinfo=UTC)
    sources = [
        Src("never", "0 */6 * * *"),
        Src("fired", "0 */6 * * *"),  # ran at 06:00 local, fired again at 12:00
        Src("fresh", "0 */6 * * *"),  # ran at 12:05 local
        Src("skipped-only", "0 0 1 1 *"),  # only a skipped attempt on record: never ran
        Src("off", "0 */6 * * *", enabled=False),
        Src("manual", None),
    ]
    record_run("fired", datetime(2026, 11, 22, 23, 0, tzinfo=UTC))
    record_run("fresh", datetime(2026, 11, 23, 5, 5, tzinfo=UTC))
    record_run("skipped-only", datetime(2026, 11, 23, 5, 5, tzinfo=UTC), status="skipped")
    with time_machine.travel(now, tick=False):
        due, not_due = service.due_sources(sources, now)
    assert due == ["never", "fired", "skipped-only"]
    assert not_due == ["fresh"]


def test_a_second_crawl_of_the_same_source_is_refused_while_one_runs() -> None:
    with crawl_jobs.source_lock("baomoi"):
        result = crawl_jobs.run_crawl("baomoi")
    assert (result.status, result.error) == ("skipped", "already running")


def test_a_crawl_over_its_time_limit_is_killed_with_its_group(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    monkeypatch.setenv("WILDWATCH_CRAWL_COMMAND", FAKE_CRAWL)
    monkeypatch.setenv("FAKE_CRAWL_MODE", "sleep")
    monkeypatch.setenv("FAKE_CRAWL_PIDS", str(pids))
    monkeypatch.setenv("WILDWATCH_CRAWL_TIMEOUT_MINUTES", "0.03")  # about 2 s
    result = crawl_jobs.run_crawl("baomoi")
    assert result.status == "timeout" and "killed after" in (result.error or "")
    pid = int(pids.read_text().split()[0])
    assert not _alive(pid)
    with db.connect() as connection:
        row = connection.execute("SELECT status FROM crawl_runs").fetchone()
    assert row["status"] == "timeout"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie not yet reaped by its parent counts as gone
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _today_vi() -> str:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")


def _env(home: Path, sources: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WILDWATCH_", "FAKE_"))}
    env.update(
        WILDWATCH_HOME=str(home),
        WILDWATCH_SOURCES=str(sources),
        WILDWATCH_CRAWL_COMMAND=FAKE_CRAWL,
        WILDWATCH_DIGEST_AT="00:00",  # the digest is always due today
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _wildwatch(*args: str) -> list[str]:
    return [sys.executable, "-m", "wildwatch", *args]


def test_run_once_crawls_what_is_due_then_mails_the_digest_once(
    tmp_path: Path, wildwatch_home: Path, smtp_server: RecordingHandler
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    calls = tmp_path / "calls"
    RuleStore.from_settings().add(
        AlertRule(name="Tê tê", species=("pangolin",), recipients=("giamsat@ngo.example.org",))
    )
    smtp = {
        k: v
        for k, v in os.environ.items()
        if k.startswith("WILDWATCH_SMTP") or k == "WILDWATCH_MAIL_FROM"
    }
    env = _env(wildwatch_home, sources, FAKE_CRAWL_CALLS=str(calls), **smtp)

    first = subprocess.run(
        _wildwatch("run", "--once"), env=env, capture_output=True, text=True, timeout=90
    )
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["crawled"] == {"baomoi": "ok", "vnexpress": "ok"}  # chotot is disabled
    assert report["digests"] == ["Tê tê"] and report["sent"] == 1, (report, first.stderr)
    assert len(smtp_server.messages) == 1
    raw = smtp_server.messages[0].original_content or b""
    mail = message_from_bytes(bytes(raw), policy=default)
    assert isinstance(mail, EmailMessage)
    assert mail["Subject"] == f"[wildwatch] 2 tin mới: tê tê 2 — {_today_vi()}"
    body = mail.get_body(("plain",))
    assert body is not None and "baomoi: thu giữ 120 kg vảy tê tê" in str(body.get_content())

    second = subprocess.run(
        _wildwatch("run", "--once"), env=env, capture_output=True, text=True, timeout=90
    )
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert report["crawled"] == {} and sorted(report["not_due"]) == ["baomoi", "vnexpress"]
    assert report["digests"] == []
    assert sorted(calls.read_text().split()) == ["baomoi", "vnexpress"]
    assert len(smtp_server.messages) == 1


def test_run_once_reports_a_failed_crawl_and_still_runs_the_rest(
    tmp_path: Path, wildwatch_home: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    env = _env(wildwatch_home, sources, FAKE_CRAWL_MODE="fail")
    done = subprocess.run(
        _wildwatch("run", "--once"), env=env, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["crawled"] == {"baomoi": "failed", "vnexpress": "failed"}
    assert "exit code 3" in report["errors"][0]
    assert (
        "pretend the site broke" in (wildwatch_home / "logs" / "crawls" / "baomoi.log").read_text()
    )


def test_sigterm_stops_run_once_and_its_crawls(tmp_path: Path, wildwatch_home: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    pids = tmp_path / "pids"
    env = _env(wildwatch_home, sources, FAKE_CRAWL_MODE="sleep", FAKE_CRAWL_PIDS=str(pids))
    process = subprocess.Popen(
        _wildwatch("run", "--once"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
            not pids.exists() or len(pids.read_text().split()) < 2
        ):
            time.sleep(0.1)
        children = [int(p) for p in pids.read_text().split()]
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, err
    assert json.loads(out)["crawled"] == {"baomoi": "failed", "vnexpress": "failed"}
    assert not any(_alive(pid) for pid in children)


def test_sigterm_stops_the_service_cleanly(tmp_path: Path, wildwatch_home: Path) -> None:
    from schedules.rules import AlertRule, RuleStore

    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    # digests are on (a rule exists) and WILDWATCH_PUBLIC_URL is unset: said at start
    RuleStore.from_settings().add(AlertRule(name="r", recipients=("a@ngo.example.org",)))
    process = subprocess.Popen(
        _wildwatch("run", "--no-web"),
        env=_env(wildwatch_home, sources),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (wildwatch_home / "jobs.sqlite").exists():
            time.sleep(0.1)
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "received SIGTERM" in err and "wildwatch run stopped" in err
    assert "WILDWATCH_PUBLIC_URL is not set: links in digests" in err
    assert sorted(stored_jobs()) == ["crawl:baomoi", "crawl:vnexpress", "digest", "outbox"]
