"""Editing, renaming, pausing and resending alert rules (what the alerts page and the CLI
share), and `alerts test --html` as a preview file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from schedules import alerting, db
from schedules.rule_admin import RuleAdmin
from schedules.rules import AlertRule, RuleError, RuleStore
from tests.schedules.conftest import RecordingHandler
from tests.schedules.fakes import FakeBackend, item
from wildwatch.cli import main

DIGEST_TIME = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


@pytest.fixture
def rule() -> AlertRule:
    return RuleStore.from_settings().add(
        AlertRule(name="Tê tê", species=("pangolin",), recipients=("a@ngo.example.org",))
    )


def _news(backend: FakeBackend, now: datetime, ident: str) -> None:
    backend.upsert(
        [item(ident, title=f"Thu giữ vảy tê tê {ident}", fetched_at=now, species=["pangolin"])]
    )


def test_a_paused_rule_sends_nothing_and_resumes_from_the_last_day(
    smtp_server: RecordingHandler, backend: FakeBackend, rule: AlertRule
) -> None:
    admin = RuleAdmin()
    admin.set_paused(rule.name, True)
    _news(backend, DIGEST_TIME - timedelta(hours=2), "p1")
    with time_machine.travel(DIGEST_TIME, tick=False):
        report = alerting.run_digests(backend=backend)
    assert report.queued == [] and not smtp_server.messages
    assert [s.paused for s in admin.statuses()] == [True]

    # a week later: resumed, it mails the last day only, not the week it was paused
    later = DIGEST_TIME + timedelta(days=7)
    _news(backend, later - timedelta(hours=3), "p2")
    admin.set_paused(rule.name, False)
    with time_machine.travel(later, tick=False):
        assert alerting.run_digests(backend=backend).queued == ["Tê tê"]
    body = smtp_server.messages[0].content.decode()  # type: ignore[union-attr]
    assert "p2" in body and "p1" not in body
    status = admin.statuses()[0]
    assert not status.paused and status.last_sent is not None


def test_rename_keeps_the_ledger_so_nothing_is_sent_twice(
    smtp_server: RecordingHandler, backend: FakeBackend, rule: AlertRule
) -> None:
    _news(backend, DIGEST_TIME - timedelta(minutes=5), "p1")
    with time_machine.travel(DIGEST_TIME, tick=False):
        alerting.run_digests(backend=backend)
    admin = RuleAdmin()
    renamed = admin.update(
        "Tê tê", AlertRule(name="Vảy tê tê", species=("pangolin",), recipients=rule.recipients)
    )
    assert [r.name for r in RuleStore.from_settings().list()] == ["Vảy tê tê"]
    assert admin.deliveries(renamed.name)[0].status == "sent"
    with time_machine.travel(DIGEST_TIME + timedelta(minutes=30), tick=False):
        # the window overlaps the last digest's: the ledger, renamed too, drops p1
        assert alerting.run_digests(backend=backend).empty == ["Vảy tê tê"]

    with pytest.raises(RuleError, match="recipients"):
        admin.update("Vảy tê tê", AlertRule(name="Vảy tê tê", recipients=("not-an-address",)))
    RuleStore.from_settings().add(AlertRule(name="Ngà voi", recipients=rule.recipients))
    with pytest.raises(RuleError, match="already exists"):
        admin.update("Vảy tê tê", AlertRule(name="Ngà voi", recipients=rule.recipients))
    assert RuleStore.from_settings().get("Vảy tê tê") is not None  # nothing lost


def test_resend_requeues_a_failed_message_with_its_message_id(
    smtp_server: RecordingHandler, backend: FakeBackend, rule: AlertRule
) -> None:
    _news(backend, DIGEST_TIME - timedelta(minutes=5), "p1")
    smtp_server.refuse = 100
    with time_machine.travel(DIGEST_TIME, tick=False):
        alerting.run_digests(backend=backend)
    with db.connect() as connection:
        connection.execute("UPDATE outbox SET status = 'failed', last_error = '451 later'")
    admin = RuleAdmin()
    failed = admin.deliveries(rule.name)[0]
    assert (failed.status, failed.last_error) == ("failed", "451 later")
    assert admin.statuses()[0].failed == 1
    assert not admin.resend(failed.id, rule="another rule")
    assert admin.resend(failed.id, rule=rule.name)
    again = admin.deliveries(rule.name)[0]
    assert again.status == "pending" and again.attempts == 0 and again.next_attempt_at


def test_alerts_test_html_writes_only_the_html(
    backend: FakeBackend,
    rule: AlertRule,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from search import factory

    _news(backend, datetime.now(UTC) - timedelta(hours=1), "p1")
    monkeypatch.setattr(factory, "open_backend", lambda: backend)
    assert main(["alerts", "test", "Tê tê", "--html"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("<!DOCTYPE html>") and "Thu giữ vảy tê tê p1" in captured.out
    assert "Subject:" in captured.err and "To:" not in captured.out

    target = tmp_path / "preview.html"
    assert main(["alerts", "test", "Tê tê", "--html", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert capsys.readouterr().out == ""

    assert main(["alerts", "pause", "Tê tê"]) == 0
    assert main(["alerts", "list"]) == 0
    assert "Tê tê (paused)" in capsys.readouterr().out
    assert main(["alerts", "resume", "nothing"]) == 1


def test_alerts_test_escapes_control_characters_of_stored_titles(
    backend: FakeBackend,
    rule: AlertRule,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from search import factory

    hostile = "Vảy tê tê \x1b]0;owned\x07\x1b[2J giá rẻ"
    backend.upsert(
        [
            item(
                "h1",
                title=hostile,
                fetched_at=datetime.now(UTC) - timedelta(hours=1),
                species=["pangolin"],
            )
        ]
    )
    monkeypatch.setattr(factory, "open_backend", lambda: backend)
    assert main(["alerts", "test", "Tê tê"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b]0;owned" in out
    assert "\n" in out  # the preview keeps its lines
