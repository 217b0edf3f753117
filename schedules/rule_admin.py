"""What the alerts page (and the CLI) does to stored rules besides adding them: edit, rename,
pause and resume, delete, and the delivery status of each rule's e-mails.

Reads and writes ``WILDWATCH_HOME/schedules.sqlite``: the ``rules`` table of
schedules/rules.py (through the same validation as ``RuleStore.add``), its own
``rule_pauses`` table, the digest cursors and the sent-items ledger (a renamed rule keeps
its record, so nothing is sent twice), and the ``outbox`` (status of a rule's messages;
"resend" re-queues one message, same Message-ID).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from schedules import db
from schedules.rules import NAME_TAKEN, NO_SUCH_RULE, AlertRule, RuleError, RuleStore, _cleaned

PAUSES_SCHEMA = """
CREATE TABLE IF NOT EXISTS rule_pauses (
    rule TEXT PRIMARY KEY,
    paused_at TEXT NOT NULL          -- ISO 8601 UTC; no row = the rule is active
);
"""
# Tables keyed by rule name whose rows follow a rename.
_RULE_TABLES = (("rule_cursors", "rule"), ("sent_items", "rule"), ("outbox", "rule"))


@dataclass(frozen=True)
class RuleDelivery:
    """One e-mail of a rule as the alerts page lists it."""

    id: int
    kind: str  # digest | immediate | spike
    subject: str
    status: str  # pending | sending | sent | failed
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None  # pending only
    last_error: str | None


@dataclass(frozen=True)
class RuleStatus:
    rule: AlertRule
    paused: bool
    last_sent: datetime | None
    pending: int
    failed: int


class RuleAdmin:
    """Operations on the stored rules; each call is its own transaction."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.store = RuleStore(path)

    # ---- pausing ----------------------------------------------------------------------

    def paused(self) -> set[str]:
        return paused_rules(self.path)

    def set_paused(self, name: str, paused: bool) -> None:
        """Pause or resume ``name``. A resumed rule starts again from the last 24 hours:
        what it matched while paused is not mailed in one flood."""
        with db.connect(self.path) as connection:
            _ensure(connection)
            if not connection.execute("SELECT 1 FROM rules WHERE name = ?", (name,)).fetchone():
                raise RuleError.of_rule(name, [NO_SUCH_RULE])
            if paused:
                connection.execute(
                    "INSERT OR IGNORE INTO rule_pauses (rule, paused_at) VALUES (?, ?)",
                    (name, db.to_iso(db.utcnow())),
                )
            else:
                cursor = connection.execute("DELETE FROM rule_pauses WHERE rule = ?", (name,))
                if cursor.rowcount:
                    connection.execute("DELETE FROM rule_cursors WHERE rule = ?", (name,))

    # ---- editing ----------------------------------------------------------------------

    def update(self, old_name: str, rule: AlertRule) -> AlertRule:
        """Replace the rule called ``old_name`` by ``rule`` (which may rename it), after the
        same validation as adding; ``RuleError`` when invalid, missing or the new name is
        taken. The digest cursor, the ledger, the pause and the mail history follow a rename."""
        rule = _cleaned(rule)
        rule.validate()
        with db.connect(self.path) as connection:
            _ensure(connection)
            if not connection.execute("SELECT 1 FROM rules WHERE name = ?", (old_name,)).fetchone():
                raise RuleError.of_rule(old_name, [NO_SUCH_RULE])
            if rule.name != old_name:
                if connection.execute(
                    "SELECT 1 FROM rules WHERE name = ?", (rule.name,)
                ).fetchone():
                    raise RuleError.of_rule(rule.name, [NAME_TAKEN])
                for table, column in (*_RULE_TABLES, ("rule_pauses", "rule")):
                    connection.execute(
                        f"UPDATE {table} SET {column} = ? WHERE {column} = ?",
                        (rule.name, old_name),
                    )
            connection.execute(
                "UPDATE rules SET name = ?, data = ? WHERE name = ?",
                (rule.name, json.dumps(rule.to_json(), ensure_ascii=False), old_name),
            )
        return rule

    def remove(self, name: str) -> bool:
        removed = self.store.remove(name)
        with db.connect(self.path) as connection:
            _ensure(connection)
            connection.execute("DELETE FROM rule_pauses WHERE rule = ?", (name,))
        return removed

    # ---- delivery ---------------------------------------------------------------------

    def statuses(self) -> list[RuleStatus]:
        """Every rule with its pause, when its last e-mail went out and what is waiting."""
        rules = self.store.list()
        with db.connect(self.path) as connection:
            _ensure(connection)
            paused = {row["rule"] for row in connection.execute("SELECT rule FROM rule_pauses")}
            rows = connection.execute(
                "SELECT rule, max(CASE WHEN status = 'sent' THEN sent_at END) AS last_sent, "
                "sum(status IN ('pending', 'sending')) AS pending, "
                "sum(status = 'failed') AS failed FROM outbox WHERE rule IS NOT NULL "
                "GROUP BY rule"
            ).fetchall()
        by_rule = {row["rule"]: row for row in rows}
        result: list[RuleStatus] = []
        for rule in rules:
            row = by_rule.get(rule.name)
            result.append(
                RuleStatus(
                    rule=rule,
                    paused=rule.name in paused,
                    last_sent=db.from_iso(row["last_sent"]) if row and row["last_sent"] else None,
                    pending=int(row["pending"] or 0) if row else 0,
                    failed=int(row["failed"] or 0) if row else 0,
                )
            )
        return result

    def deliveries(self, name: str, limit: int = 20) -> list[RuleDelivery]:
        """The rule's latest e-mails, newest first."""
        with db.connect(self.path) as connection:
            rows = connection.execute(
                "SELECT id, kind, subject, status, attempts, created_at, sent_at, "
                "next_attempt_at, last_error FROM outbox WHERE rule = ? ORDER BY id DESC "
                "LIMIT ?",
                (name, limit),
            ).fetchall()
        return [_delivery(row) for row in rows]

    def resend(self, outbox_id: int, *, rule: str | None = None) -> bool:
        """Queue a failed (or waiting) message to go out at the next delivery, attempts
        reset; the stored bytes and Message-ID are unchanged. ``rule`` restricts to that
        rule's messages. False when there is no such message or it was already sent."""
        where = "id = ? AND status IN ('failed', 'pending')"
        params: tuple[object, ...] = (db.to_iso(db.utcnow()), outbox_id)
        if rule is not None:
            where += " AND rule = ?"
            params += (rule,)
        with db.connect(self.path) as connection:
            cursor = connection.execute(
                "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, "
                f"last_error = NULL WHERE {where}",
                params,
            )
        return cursor.rowcount > 0


def paused_rules(path: Path | None = None) -> set[str]:
    """Names of the paused rules: their digests, immediate alerts and spike mail wait."""
    with db.connect(path) as connection:
        _ensure(connection)
        return {row["rule"] for row in connection.execute("SELECT rule FROM rule_pauses")}


def _ensure(connection: sqlite3.Connection) -> None:
    # One statement, inside the caller's transaction (executescript would commit it).
    connection.execute(PAUSES_SCHEMA)


def _delivery(row: sqlite3.Row) -> RuleDelivery:
    status = str(row["status"])
    return RuleDelivery(
        id=int(row["id"]),
        kind=str(row["kind"]),
        subject=str(row["subject"]),
        status=status,
        attempts=int(row["attempts"]),
        created_at=db.from_iso(row["created_at"]),
        sent_at=db.from_iso(row["sent_at"]) if row["sent_at"] else None,
        next_attempt_at=db.from_iso(row["next_attempt_at"]) if status == "pending" else None,
        last_error=row["last_error"],
    )
