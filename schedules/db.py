"""The service's own SQLite database (``WILDWATCH_HOME/schedules.sqlite``).

Holds alert rules, each rule's digest cursor, the ledger of items already sent to each rule,
the outbox of e-mails, detected spikes and the history of crawl runs. The ledger and the outbox
live in the same file so that "message queued" and "items sent to rule" commit together.
Several threads and processes (the service, ``wildwatch alerts send``) use it at once: WAL mode
and a busy timeout serialise their writes instead of failing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from schedules.settings import state_db_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS rules (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL,              -- JSON of the AlertRule fields
    created_at TEXT NOT NULL
);
-- where the previous digest (or immediate check) of a rule stopped: the next one starts here
CREATE TABLE IF NOT EXISTS rule_cursors (
    rule TEXT NOT NULL,
    cadence TEXT NOT NULL,           -- daily | immediate
    until TEXT NOT NULL,             -- ISO 8601 UTC, exclusive end of the last window
    PRIMARY KEY (rule, cadence)
);
-- every item queued for a rule, so it never reaches that rule's recipients twice
CREATE TABLE IF NOT EXISTS sent_items (
    rule TEXT NOT NULL,
    item_id TEXT NOT NULL,
    outbox_id INTEGER NOT NULL,
    PRIMARY KEY (rule, item_id)
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,  -- the Message-ID header, stable across retries
    kind TEXT NOT NULL,               -- digest | immediate | spike
    rule TEXT,                        -- NULL for spike mail to WILDWATCH_SPIKE_RECIPIENTS
    recipients TEXT NOT NULL,         -- JSON list
    subject TEXT NOT NULL,
    raw BLOB NOT NULL,                -- the complete RFC 5322 message
    status TEXT NOT NULL,             -- pending | sending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT,                 -- a "sending" row whose lease expired was interrupted
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS spikes (
    day TEXT NOT NULL,               -- YYYY-MM-DD in WILDWATCH_TZ
    species TEXT NOT NULL,
    province TEXT NOT NULL,          -- '' for the species over all places
    count INTEGER NOT NULL,
    baseline REAL NOT NULL,          -- mean items a day over the trailing baseline
    p_value REAL NOT NULL,
    detected_at TEXT NOT NULL,
    PRIMARY KEY (day, species, province)
);
-- who was told about which spike: once per day per audience ('*' = WILDWATCH_SPIKE_RECIPIENTS)
CREATE TABLE IF NOT EXISTS spike_alerts (
    day TEXT NOT NULL,
    species TEXT NOT NULL,
    province TEXT NOT NULL,
    audience TEXT NOT NULL,
    outbox_id INTEGER NOT NULL,
    PRIMARY KEY (day, species, province, audience)
);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,            -- running | ok | failed | timeout | skipped
    exit_code INTEGER,
    summary TEXT,                    -- the crawl's --json output when it parsed
    error TEXT
);
CREATE INDEX IF NOT EXISTS crawl_runs_source ON crawl_runs (source, started_at);
"""


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """Aware datetimes as ISO 8601 UTC strings, which sort like the instants they name."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Database files whose schema this process has already created (WAL mode stays in the file).
_SET_UP: set[str] = set()


@contextmanager
def connect(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A connection whose block is one transaction: committed on success, rolled back on
    error, closed in both cases."""
    database = Path(path or state_db_path())
    fresh = not database.exists() or str(database) not in _SET_UP
    connection = sqlite3.connect(
        database, timeout=30.0, isolation_level=None, check_same_thread=False
    )
    connection.row_factory = sqlite3.Row
    try:
        if fresh:  # once per file and process: the outbox loop connects per message
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(SCHEMA)
            _SET_UP.add(str(database))
        # IMMEDIATE takes the write lock up front, so two processes running the same digest
        # serialise instead of both reading "not sent yet".
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.close()
