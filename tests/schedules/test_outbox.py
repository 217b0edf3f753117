"""Delivery through a real SMTP server on 127.0.0.1: retries with back-off, exactly one copy
delivered, and messages abandoned mid-send picked up again."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
import time_machine

from schedules import db, outbox
from schedules.render import build_message
from tests.schedules.conftest import RecordingHandler, free_port


def queue_one(subject: str = "[wildwatch] 3 tin mới: tê tê 3 — 23/11/2026") -> int:
    message = build_message(
        subject=subject,
        text="Tin mới",
        html="<p>Tin mới</p>",
        recipients=["giamsat@ngo.example.org", "police@example.vn"],
        mail_from="wildwatch@ngo.example.org",
    )
    with db.connect() as connection:
        return outbox.enqueue(connection, message, kind="digest", rule="Tê tê")


def test_message_is_delivered_once_to_every_recipient(smtp_server: RecordingHandler) -> None:
    queue_one()
    report = outbox.deliver_due()
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["giamsat@ngo.example.org", "police@example.vn"]
    parsed = message_from_bytes(bytes(envelope.original_content or b""))
    assert "tê tê" in str(parsed["Subject"]) or "=?utf-8?" in str(parsed["Subject"])
    # nothing left to do: a second run sends nothing
    assert outbox.deliver_due().sent == 0
    assert len(smtp_server.messages) == 1
    assert outbox.messages() == []
    assert [m.status for m in outbox.messages(("sent",))] == ["sent"]


def test_refused_attempts_are_retried_with_backoff_then_delivered_once(
    smtp_server: RecordingHandler,
) -> None:
    smtp_server.refuse = 2
    start = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        queue_one()
        first = outbox.deliver_due()
        assert (first.sent, first.retrying) == (0, 1)
        [pending] = outbox.messages()
        assert pending.status == "pending" and pending.attempts == 1
        assert "451" in (pending.last_error or "")
        assert db.from_iso(pending.next_attempt_at) == start + timedelta(seconds=60)

        clock.shift(timedelta(seconds=30))  # not due yet: nothing is attempted
        assert outbox.deliver_due().retrying == 0
        clock.shift(timedelta(seconds=31))
        assert outbox.deliver_due().retrying == 1
        [pending] = outbox.messages()
        # the delay doubles: 60 s, then 120 s
        assert db.from_iso(pending.next_attempt_at) == start + timedelta(seconds=61 + 120)
        clock.shift(timedelta(seconds=120))
        assert outbox.deliver_due().sent == 1
    assert len(smtp_server.messages) == 1
    [sent] = outbox.messages(("sent",))
    assert sent.attempts == 3


def test_unreachable_server_keeps_the_message_and_gives_up_after_max_attempts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WILDWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WILDWATCH_SMTP_PORT", str(free_port()))  # nobody listens there
    monkeypatch.setenv("WILDWATCH_MAIL_MAX_ATTEMPTS", "2")
    with time_machine.travel(datetime(2026, 11, 23, tzinfo=UTC), tick=False) as clock:
        queue_one()
        assert outbox.deliver_due().retrying == 1
        clock.shift(timedelta(hours=1))
        assert outbox.deliver_due().failed == 1
    [failed] = outbox.messages()
    assert failed.status == "failed" and "cannot deliver" in (failed.last_error or "")
    assert outbox.retry_failed() == 1
    assert outbox.messages()[0].status == "pending"


def test_message_left_sending_by_a_crash_is_sent_after_its_lease(
    smtp_server: RecordingHandler,
) -> None:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        queue_one()

        def crash(raw: bytes, recipients: object) -> None:
            raise KeyboardInterrupt  # the process dies between claiming and finishing

        with contextlib.suppress(KeyboardInterrupt):
            outbox.deliver_due(crash)
        [stuck] = outbox.messages()
        assert stuck.status == "sending"
        # a concurrent run must not take over a live send
        assert outbox.deliver_due().sent == 0
        clock.shift(outbox.LEASE + timedelta(seconds=1))
        assert outbox.deliver_due().sent == 1
    assert len(smtp_server.messages) == 1
    message_id = outbox.messages(("sent",))[0].message_id
    delivered = message_from_bytes(bytes(smtp_server.messages[0].original_content or b""))
    assert delivered["Message-ID"] == message_id
