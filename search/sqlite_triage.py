"""Triage for the SQLite index: its own file next to the index, ``triage.sqlite``, attached
to every index connection as the schema ``staff``, and the SQL that filters and counts items
by it.

A separate file because the two differ in kind: the index can be rebuilt from the evidence
archive (``wildwatch reindex``, even after the file is lost or moved away for a schema
change), the staff's decisions cannot. Records are keyed by document id, so re-crawling,
re-importing or re-indexing an item never touches them, and filters join them on
``items.id``. Tables: ``triage`` (one row per triaged item), ``triage_events`` (every change:
who, when, what) and ``triage_state`` (a generation moved by each write, added to the
index's own so that cached search results that filtered or counted by triage are dropped).
Reads the items table (to refuse unknown ids), writes only this file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from search.filter_values import TRIAGE_STATES, UNTRIAGED
from search.sqlite_schema import IndexFileError
from search.triage import (
    TriageChange,
    TriageEvent,
    TriageRecord,
    UnknownItems,
    apply_change,
    checked_actor,
    now_iso,
    triage_facets,
)

SCHEMA = "staff"
FILE_NAME = "triage.sqlite"
_RECORD_COLUMNS = "item, state, seen, note, changed_by, changed_at"
_TABLES = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.triage (
    item TEXT PRIMARY KEY,
    state TEXT,
    seen INTEGER NOT NULL,
    note TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {SCHEMA}.triage_state_index ON triage (state) WHERE state IS NOT NULL;
CREATE TABLE IF NOT EXISTS {SCHEMA}.triage_events (
    id INTEGER PRIMARY KEY,
    item TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS {SCHEMA}.triage_events_item ON triage_events (item, id);
CREATE TABLE IF NOT EXISTS {SCHEMA}.triage_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT OR IGNORE INTO {SCHEMA}.triage_state (id, generation) VALUES (1, 0);
"""
# Both files' generations: cached results are stale when either moved.
GENERATION_SQL = (
    "SELECT (SELECT generation FROM main.index_state WHERE id = 1) + "
    f"(SELECT generation FROM {SCHEMA}.triage_state WHERE id = 1)"
)


def attach(connection: sqlite3.Connection, path: Path) -> None:
    """Attach the triage file at ``path`` (created with its tables when missing);
    ``IndexFileError`` naming the file when it is not a usable database."""
    try:
        connection.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(path),))
        connection.execute(f"PRAGMA {SCHEMA}.journal_mode = WAL")
        # Decisions cannot be fetched again: a power cut must not lose the last ones either.
        connection.execute(f"PRAGMA {SCHEMA}.synchronous = FULL")
        ready = connection.execute(
            f"SELECT 1 FROM {SCHEMA}.sqlite_master WHERE name = 'triage_state'"
        ).fetchone()
        if ready is None:
            connection.execute("BEGIN IMMEDIATE")
            try:
                for statement in _TABLES.split(";"):
                    if statement.strip():
                        connection.execute(statement)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
    except sqlite3.DatabaseError as error:
        connection.close()
        raise IndexFileError(f"{path}: cannot open the triage store: {error}") from error


_CHUNK = 500  # ids per IN (...) list, below SQLite's bound-parameter limit


def _record(row: Sequence[Any]) -> TriageRecord:
    item, state, seen, note, by, at = row
    return TriageRecord(item_id=item, state=state, seen=bool(seen), note=note, by=by, at=at)


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def records_of(connection: sqlite3.Connection, ids: Sequence[str]) -> dict[str, TriageRecord]:
    found: dict[str, TriageRecord] = {}
    for chunk in _chunks(ids):
        marks = ", ".join("?" * len(chunk))
        rows = connection.execute(
            f"SELECT {_RECORD_COLUMNS} FROM {SCHEMA}.triage WHERE item IN ({marks})", chunk
        ).fetchall()
        found.update((row[0], _record(row)) for row in rows)
    return found


def set_triage(
    connection: sqlite3.Connection, ids: Sequence[str], change: TriageChange, *, by: str
) -> list[TriageRecord]:
    """Apply ``change`` to every item in one transaction; ``UnknownItems`` (nothing written)
    when an id is not indexed."""
    actor = checked_actor(by)
    at = now_iso()
    connection.execute("BEGIN IMMEDIATE")
    try:
        known: set[str] = set()
        for chunk in _chunks(ids):
            known.update(
                row[0]
                for row in connection.execute(
                    f"SELECT id FROM items WHERE id IN ({', '.join('?' * len(chunk))})", chunk
                )
            )
        missing = [doc_id for doc_id in dict.fromkeys(ids) if doc_id not in known]
        if missing:
            raise UnknownItems(missing)
        stored = records_of(connection, ids)
        results: dict[str, TriageRecord] = {}
        changed = False
        for doc_id in dict.fromkeys(ids):
            record, event = apply_change(doc_id, stored.get(doc_id), change, by=actor, at=at)
            results[doc_id] = record
            if event is None:
                continue
            changed = True
            connection.execute(
                f"INSERT OR REPLACE INTO {SCHEMA}.triage ({_RECORD_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (doc_id, record.state, int(record.seen), record.note, record.by, record.at),
            )
            connection.execute(
                f"INSERT INTO {SCHEMA}.triage_events (item, changed_by, changed_at, changes) "
                "VALUES (?, ?, ?, ?)",
                (doc_id, event.by, event.at, json.dumps(event.changes, ensure_ascii=False)),
            )
        if changed:
            connection.execute(
                f"UPDATE {SCHEMA}.triage_state SET generation = generation + 1 WHERE id = 1"
            )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return [results[doc_id] for doc_id in ids]


def history(connection: sqlite3.Connection, doc_id: str, limit: int) -> list[TriageEvent]:
    rows = connection.execute(
        f"SELECT changed_at, changed_by, changes FROM {SCHEMA}.triage_events WHERE item = ? "
        "ORDER BY id DESC LIMIT ?",
        (doc_id, max(0, int(limit))),
    ).fetchall()
    return [
        TriageEvent(item_id=doc_id, at=at, by=by, changes=json.loads(changes))
        for at, by, changes in rows
    ]


def all_records(connection: sqlite3.Connection) -> Iterator[TriageRecord]:
    cursor = connection.execute(
        f"SELECT {_RECORD_COLUMNS} FROM {SCHEMA}.triage ORDER BY changed_at, item"
    )
    for row in cursor:
        yield _record(row)


def filter_conditions(
    states: Sequence[str], seen: bool | None, noted: bool | None
) -> tuple[list[str], list[Any]]:
    """WHERE conditions on ``items i`` (and their parameters) for the triage filters."""
    where: list[str] = []
    params: list[Any] = []
    if states:
        # An item has at most one state: "these states or none" is "not the other states",
        # one set lookup per row instead of two.
        named = [state for state in TRIAGE_STATES if state in states]
        if UNTRIAGED in states:
            others = [state for state in TRIAGE_STATES if state not in named]
            if others:
                where.append(
                    f"i.id NOT IN (SELECT item FROM {SCHEMA}.triage "
                    f"WHERE state IN ({', '.join('?' * len(others))}))"
                )
                params.extend(others)
        else:
            where.append(
                f"i.id IN (SELECT item FROM {SCHEMA}.triage "
                f"WHERE state IN ({', '.join('?' * len(named))}))"
            )
            params.extend(named)
    if seen is not None:
        negation = "" if seen else "NOT "
        where.append(f"i.id {negation}IN (SELECT item FROM {SCHEMA}.triage WHERE seen = 1)")
    if noted is not None:
        negation = "" if noted else "NOT "
        where.append(f"i.id {negation}IN (SELECT item FROM {SCHEMA}.triage WHERE note != '')")
    return where, params


def facet_counts(
    connection: sqlite3.Connection, source: str, where_sql: str, params: Sequence[Any], total: int
) -> dict[str, dict[str, int]]:
    """The triage facets of the items ``source``/``where_sql`` select (``total`` of them):
    only the triaged ones are joined and counted, the rest are untriaged, unseen, unnoted."""
    if where_sql or source != "items i":
        joined = f"{source} JOIN {SCHEMA}.triage t ON t.item = i.id{where_sql}"
    else:  # every item: walk the (fewer) triaged ones and look each item up by id
        joined = f"{SCHEMA}.triage t CROSS JOIN items i ON i.id = t.item"
    rows = connection.execute(
        f"SELECT t.state, t.seen, t.note != '', count(*) FROM {joined} GROUP BY 1, 2, 3",
        list(params),
    ).fetchall()
    states: dict[str, int] = {}
    seen = noted = 0
    for state, was_seen, has_note, number in rows:
        if state:
            states[state] = states.get(state, 0) + number
        seen += number if was_seen else 0
        noted += number if has_note else 0
    return triage_facets(total, states, seen, noted)
