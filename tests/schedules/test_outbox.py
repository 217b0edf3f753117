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
from wildwatch.cli import main


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


# ─── by hand after an outage: `wildwatch alerts send` and `alerts outbox` ──────────────────


def queue_kinds() -> dict[int, str]:
    """A digest, an immediate alert and a spike alert, as the jobs queue them; their ids and
    the Message-IDs fixed at queueing."""
    ids = {}
    for kind, subject in (
        ("digest", "[wildwatch] 3 tin mới: Tê tê — 23/11/2026"),
        ("immediate", "[wildwatch] Tin khẩn: bắt giữ 2 tấn vảy tê tê"),
        ("spike", "[wildwatch] Tăng đột biến: tê tê ở Quảng Ninh"),
    ):
        message = build_message(
            subject=subject,
            text="Tin mới",
            html="<p>Tin mới</p>",
            recipients=["giamsat@ngo.example.org"],
            mail_from="wildwatch@ngo.example.org",
        )
        with db.connect() as connection:
            ids[outbox.enqueue(connection, message, kind=kind, rule="Tê tê")] = str(
                message["Message-ID"]
            )
    return ids


def test_mail_pending_after_an_outage_goes_out_with_one_alerts_send_exactly_once(
    smtp_server: RecordingHandler, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp_server.refuse = 1000  # the outage: every transaction refused with a 451
    start = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi
    with time_machine.travel(start, tick=False) as clock:
        queued = queue_kinds()
        assert outbox.deliver_due().retrying == 3
        clock.shift(timedelta(seconds=61))
        assert outbox.deliver_due().retrying == 3  # second attempt; next one in 120 s
        assert main(["alerts", "outbox"]) == 0
        listing = capsys.readouterr().out
        for outbox_id in queued:
            assert f"#{outbox_id}\tpending\t2 attempts\tnext attempt 2026-11-23 07:03:01 +07" in (
                listing
            )
        assert listing.count("last error: SMTP server said 451 4.3.0 Try again later") == 3

        smtp_server.refuse = 0  # the server is back
        clock.shift(timedelta(seconds=30))
        assert outbox.deliver_due().sent == 0  # the scheduler still waits for the back-off
        assert smtp_server.messages == []

        assert main(["alerts", "send"]) == 0  # by hand: everything pending, now
        out = capsys.readouterr().out
        assert "e-mails sent: 3; failed again, will be retried: 0; given up: 0" in out
        delivered = [
            message_from_bytes(bytes(e.original_content or b""))["Message-ID"]
            for e in smtp_server.messages
        ]
        assert delivered == list(queued.values())  # each once, in queue order, same Message-ID

        # nothing is sent twice: not by the scheduler, not by another run by hand
        clock.shift(timedelta(hours=1))
        assert outbox.deliver_due().sent == 0
        assert main(["alerts", "send"]) == 0
    assert len(smtp_server.messages) == 3
    assert [m.attempts for m in outbox.messages(("sent",))] == [3, 3, 3]
    assert main(["alerts", "outbox", "--all"]) == 0
    assert capsys.readouterr().out.count("\tsent\t3 attempts\tsent 2026-11-23 07:01:31 +07") == 3


def test_alerts_send_during_the_outage_tries_each_message_once(
    smtp_server: RecordingHandler, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp_server.refuse = 1000
    with time_machine.travel(datetime(2026, 11, 23, tzinfo=UTC), tick=False):
        queue_kinds()
        assert outbox.deliver_due().retrying == 3
        assert main(["alerts", "send"]) == 1  # still down: one more attempt each, no loop
    assert smtp_server.refuse == 1000 - 6
    out = capsys.readouterr().out
    assert "e-mails sent: 0; failed again, will be retried: 3" in out
    assert "3 e-mails not delivered yet (see: wildwatch alerts outbox)" in out
    pending = outbox.messages()
    assert [(m.status, m.attempts) for m in pending] == [("pending", 2)] * 3
    # the back-off goes on from the attempts made: 120 s after this second one
    assert {m.next_attempt_at for m in pending} == {"2026-11-23T00:02:00+00:00"}


def test_outbox_retry_requeues_failed_mail_and_sends_the_waiting_too(
    smtp_server: RecordingHandler,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WILDWATCH_MAIL_MAX_ATTEMPTS", "1")
    smtp_server.refuse = 1
    with time_machine.travel(datetime(2026, 11, 23, tzinfo=UTC), tick=False):
        queue_one()
        assert outbox.deliver_due().failed == 1  # gave up at once
        monkeypatch.setenv("WILDWATCH_MAIL_MAX_ATTEMPTS", "5")
        smtp_server.refuse = 1
        queue_one("[wildwatch] Tin khẩn")
        assert outbox.deliver_due().retrying == 1  # waiting for its back-off
        assert main(["alerts", "outbox"]) == 0
        assert "no next attempt (gave up; --retry re-queues it)" in capsys.readouterr().out
        assert main(["alerts", "outbox", "--retry"]) == 0
    assert "re-queued 1 failed; sent 2, failed again 0" in capsys.readouterr().out
    assert len(smtp_server.messages) == 2
    assert outbox.messages() == []
