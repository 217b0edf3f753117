"""The outbox: every e-mail is stored before it is sent, and sent until the server takes it.

Reads and writes the ``outbox`` table of ``WILDWATCH_HOME/schedules.sqlite``; sends through
``schedules.mailer``. Life of a message: ``pending`` → (claimed) ``sending`` → ``sent``; a
failed attempt goes back to ``pending`` with an exponential back-off, and after
WILDWATCH_MAIL_MAX_ATTEMPTS to ``failed`` (kept, listed, re-queued on demand).

Two ways to deliver: :func:`deliver_due` (the scheduler's retries, every minute) sends only the
messages whose back-off has run out; :func:`deliver_all_pending` (``wildwatch alerts send`` and
``alerts outbox --retry``, run by a person who knows the server is back) sends every pending
message now, each at most once per call, so a server still down costs one attempt per message.

Delivery is at-least-once: a process killed after the server accepted a message but before it
wrote ``sent`` leaves the row ``sending``; once its lease expires another run sends it again.
The Message-ID is fixed when the message is queued, so the copy is recognisable (and most
mail systems drop it as a duplicate). Losing an alert about a seizure is worse than a rare
duplicate, hence this side of the trade-off.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from schedules import db
from schedules.mailer import MailError, send_raw
from schedules.settings import mail_max_attempts, mail_retry_base_seconds

log = logging.getLogger(__name__)

# A "sending" row older than this was abandoned by a crashed or killed process. It exceeds the
# SMTP timeout by far, so a slow but live send is never taken over.
LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)

Sender = Callable[[bytes, Sequence[str]], None]


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    message_id: str
    kind: str
    rule: str | None
    recipients: tuple[str, ...]
    subject: str
    status: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    created_at: str
    sent_at: str | None
    lease_until: str | None = None  # a "sending" row: when another run may take it over


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def enqueue(
    connection: sqlite3.Connection,
    message: EmailMessage,
    *,
    kind: str,
    rule: str | None,
    now: datetime | None = None,
) -> int:
    """Queue ``message`` inside the caller's transaction (so the caller's own bookkeeping,
    e.g. the items it covers, commits or rolls back with it). Returns the outbox id."""
    now = now or db.utcnow()
    recipients = [address.strip() for address in str(message["To"]).split(",")]
    cursor = connection.execute(
        "INSERT INTO outbox (message_id, kind, rule, recipients, subject, raw, status, "
        "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
        (
            str(message["Message-ID"]),
            kind,
            rule,
            json.dumps(recipients),
            str(message["Subject"]),
            message.as_bytes(policy=SMTP),
            db.to_iso(now),
            db.to_iso(now),
        ),
    )
    return int(cursor.lastrowid or 0)


def _claim(
    now: datetime, path: Path | None, *, all_pending: bool, after_id: int
) -> sqlite3.Row | None:
    """Mark the next message to send ``sending`` and return it: the next one due (back-off
    over), or with ``all_pending`` the next pending one after ``after_id``, due or not. A
    ``sending`` row is taken only once its lease has expired (its sender died)."""
    pending = "status = 'pending'" + ("" if all_pending else " AND next_attempt_at <= :now")
    with db.connect(path) as connection:
        row: sqlite3.Row | None = connection.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = :lease "
            f"WHERE id = (SELECT id FROM outbox WHERE id > :after AND (({pending}) "
            "OR (status = 'sending' AND lease_until <= :now)) ORDER BY id LIMIT 1) "
            "RETURNING id, recipients, raw, attempts, message_id",
            {"lease": db.to_iso(now + LEASE), "now": db.to_iso(now), "after": after_id},
        ).fetchone()
    return row


def deliver_due(
    send: Sender | None = None,
    *,
    now: datetime | None = None,
    path: Path | None = None,
) -> DeliveryReport:
    """Send every message that is due now, one at a time; never raises for a failed send."""
    return _deliver(send, now=now, path=path, all_pending=False)


def deliver_all_pending(
    send: Sender | None = None,
    *,
    now: datetime | None = None,
    path: Path | None = None,
) -> DeliveryReport:
    """Send every pending message now, including those waiting for their back-off (what a
    person asks for after an SMTP outage). Each message is tried at most once per call, in
    queue order; one that fails again gets its next back-off, as in :func:`deliver_due`.
    Failed messages stay failed (:func:`retry_failed` re-queues them)."""
    return _deliver(send, now=now, path=path, all_pending=True)


def _deliver(
    send: Sender | None, *, now: datetime | None, path: Path | None, all_pending: bool
) -> DeliveryReport:
    sender: Sender = send or (lambda raw, recipients: send_raw(raw, recipients))
    report = DeliveryReport()
    max_attempts = mail_max_attempts()
    base = mail_retry_base_seconds()
    last_id = 0  # all_pending: ids only grow, so no message is tried twice in one call
    while True:
        moment = now or db.utcnow()
        row = _claim(moment, path, all_pending=all_pending, after_id=last_id)
        if row is None:
            return report
        if all_pending:
            last_id = int(row["id"])
        try:
            # The stored bytes, Message-ID included: a resend is the same message.
            sender(bytes(row["raw"]), json.loads(row["recipients"]))
        except MailError as error:
            _record_failure(row, str(error), error.permanent, moment, max_attempts, base, path)
            if error.permanent or row["attempts"] >= max_attempts:
                report.failed += 1
            else:
                report.retrying += 1
            # The back-off put this row's next attempt in the future: the loop moves on.
            continue
        # A crash here, after the server accepted the message and before this update, leaves
        # the row "sending": it is sent again, same Message-ID, once its lease expires.
        with db.connect(path) as connection:
            connection.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = NULL, "
                "last_error = NULL WHERE id = ?",
                (db.to_iso(db.utcnow()), row["id"]),
            )
        log.info("sent %s to %s", row["message_id"], row["recipients"])
        report.sent += 1


def _record_failure(
    row: sqlite3.Row,
    error: str,
    permanent: bool,
    now: datetime,
    max_attempts: int,
    base_seconds: float,
    path: Path | None,
) -> None:
    attempts = int(row["attempts"])
    give_up = permanent or attempts >= max_attempts
    delay = min(timedelta(seconds=base_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)
    log.warning(
        "sending %s failed (attempt %d%s): %s",
        row["message_id"],
        attempts,
        ", giving up" if give_up else f", retry in {delay}",
        error,
    )
    with db.connect(path) as connection:
        connection.execute(
            "UPDATE outbox SET status = ?, next_attempt_at = ?, lease_until = NULL, "
            "last_error = ? WHERE id = ?",
            ("failed" if give_up else "pending", db.to_iso(now + delay), error, row["id"]),
        )


def count(status: str, *, path: Path | None = None) -> int:
    """How many messages have ``status`` (the outbox keeps every sent message)."""
    with db.connect(path) as connection:
        (total,) = connection.execute(
            "SELECT count(*) FROM outbox WHERE status = ?", (status,)
        ).fetchone()
    return int(total)


def messages(
    statuses: Sequence[str] = ("pending", "sending", "failed"), *, path: Path | None = None
) -> list[OutboxMessage]:
    marks = ",".join("?" * len(statuses))
    with db.connect(path) as connection:
        rows = connection.execute(
            "SELECT id, message_id, kind, rule, recipients, subject, status, attempts, "
            f"next_attempt_at, last_error, created_at, sent_at, lease_until FROM outbox "
            f"WHERE status IN ({marks}) ORDER BY id",
            tuple(statuses),
        ).fetchall()
    return [
        OutboxMessage(**{**dict(row), "recipients": tuple(json.loads(row["recipients"]))})
        for row in rows
    ]


def retry_failed(*, path: Path | None = None) -> int:
    """Put every failed message back in the queue, due now, with its attempts reset."""
    with db.connect(path) as connection:
        cursor = connection.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
            "WHERE status = 'failed'",
            (db.to_iso(db.utcnow()),),
        )
    return cursor.rowcount


def deliver_due_job() -> None:
    """Scheduler entry point (``schedules.outbox:deliver_due_job``): retries what is due."""
    report = deliver_due()
    if report.sent or report.retrying or report.failed:
        log.info("outbox: %s", report)
