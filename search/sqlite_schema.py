"""The SQLite index file: schema and connection settings.

Reads nothing but the database path; creates or opens ``WILDWATCH_HOME/index.sqlite``. Layout,
chosen so that filters and facet counts stay fast at hundreds of thousands of items:

- ``items``: one narrow row per item (dates as epoch seconds, single-valued facet fields,
  simhash bands, and ``facet_ids``: the item's facet values as packed integer ids). Narrow rows
  make a scan over every match cheap; facets of a whole result set are counted from one
  aggregate query over ``facet_ids`` instead of one GROUP BY per facet.
- ``item_docs``: the full document, zlib-compressed JSON, read only for the page of hits shown.
- ``item_values``: list fields (species, enforcement, locations) one row per value, keyed for
  filters (``field, key``) and for deletes (``item``).
- ``facet_values``: the dictionary behind ``facet_ids``.
- ``facet_counts``: how many items have each (field, value), changed by the backend in the
  same transaction as the items (inserts, updates that change a value, deletes). The landing
  page (no query, no filter) reads its facets here instead of counting 100,000 ``facet_ids``
  blobs.
- ``index_state``: one row whose ``generation`` every writing transaction increments, so
  cached search results (in any process) know when they are stale.
- ``items_fts``: a contentless FTS5 index of the accent-folded title and text (the text itself
  is kept once, in ``item_docs``). ``unicode61`` splits words and lower-cases; folding đ → d
  before indexing is what makes "Dak Lak" find "Đắk Lắk", which the tokenizer alone does not.

WAL mode lets the web UI and the scheduler read while a crawl writes; ``busy_timeout`` makes a
second writer wait instead of failing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 4
# Versions this code upgrades in place: 1 lacked facet_counts (rebuilt from the rows); 2 and 3
# (development builds) kept the counts with triggers, which are dropped and the counts rebuilt.
_UPGRADABLE_VERSIONS = (0, 1, 2, 3)

# Triggers of development versions 2 and 3, which kept facet_counts row by row and halved the
# indexing speed; the backend now applies one batch's changes at once.
_OLD_TRIGGERS = [
    f"facet_counts_{table}_{event}"
    for table in ("item", "value")
    for event in ("insert", "delete", "update")
]

# Recount from the rows: fills facet_counts when an index of version 1 is upgraded.
_RECOUNT = [
    "DELETE FROM facet_counts",
    *(
        f"INSERT INTO facet_counts (field, value, n) SELECT '{name}', {name}, count(*) "
        f"FROM items WHERE {name} != '' GROUP BY {name}"
        for name in ("kind", "lang", "source", "country")
    ),
    "INSERT INTO facet_counts (field, value, n) SELECT 'wildlife_trade', "
    "CASE wildlife_trade WHEN 1 THEN 'true' ELSE 'false' END, count(*) FROM items GROUP BY 2",
    "INSERT INTO facet_counts (field, value, n) SELECT field, value, count(*) "
    "FROM item_values GROUP BY field, value",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    source TEXT NOT NULL,
    country TEXT NOT NULL,
    wildlife_trade INTEGER NOT NULL,
    relevance REAL NOT NULL,
    item_ts INTEGER NOT NULL,
    fetched_ts INTEGER NOT NULL,
    simhash TEXT,
    band0 INTEGER, band1 INTEGER, band2 INTEGER, band3 INTEGER,
    duplicate_of TEXT,
    facet_ids BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS items_item_ts ON items (item_ts);
CREATE INDEX IF NOT EXISTS items_fetched_ts ON items (fetched_ts);
CREATE INDEX IF NOT EXISTS items_source ON items (source, item_ts);
CREATE INDEX IF NOT EXISTS items_band0 ON items (band0);
CREATE INDEX IF NOT EXISTS items_band1 ON items (band1);
CREATE INDEX IF NOT EXISTS items_band2 ON items (band2);
CREATE INDEX IF NOT EXISTS items_band3 ON items (band3);
CREATE INDEX IF NOT EXISTS items_duplicate_of ON items (duplicate_of)
    WHERE duplicate_of IS NOT NULL;

CREATE TABLE IF NOT EXISTS item_docs (
    rowid INTEGER PRIMARY KEY,
    doc BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS item_values (
    field TEXT NOT NULL,
    key TEXT NOT NULL,
    item INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (field, key, item)
) WITHOUT ROWID;
-- Covering (value included): histograms group by value without a second lookup per row.
CREATE INDEX IF NOT EXISTS item_values_by_item ON item_values (item, field, value);

CREATE TABLE IF NOT EXISTS facet_values (
    id INTEGER PRIMARY KEY,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (field, value)
);

CREATE TABLE IF NOT EXISTS facet_counts (
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (field, value)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS index_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT OR IGNORE INTO index_state (id, generation) VALUES (1, 0);

CREATE VIRTUAL TABLE IF NOT EXISTS items_fts USING fts5 (
    title, text,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);
"""


class IndexFileError(RuntimeError):
    """The index file cannot be used (wrong version, not a wildwatch index, corrupt)."""


def connect(path: Path, *, busy_timeout_ms: int) -> sqlite3.Connection:
    """Open (creating if needed) the index at ``path`` in autocommit mode; callers open their
    own transactions (``BEGIN IMMEDIATE`` for writes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        connection.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable across application crashes in WAL mode; only a power cut can lose
        # the last transactions, which the next crawl fetches again.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA temp_store = MEMORY")
        connection.execute("PRAGMA cache_size = -65536")  # 64 MiB
        connection.execute("PRAGMA mmap_size = 268435456")
        _ensure_schema(connection, path)
    except sqlite3.DatabaseError as error:
        connection.close()
        raise IndexFileError(f"{path}: cannot open the search index: {error}") from error
    return connection


def _ensure_schema(connection: sqlite3.Connection, path: Path) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version not in _UPGRADABLE_VERSIONS:
        raise IndexFileError(
            f"{path}: index schema version {version}, this wildwatch reads version "
            f"{SCHEMA_VERSION}; move the file away and re-import"
        )
    connection.execute("BEGIN IMMEDIATE")
    try:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if tables and "items" not in tables:
            raise IndexFileError(f"{path}: not a wildwatch index (tables: {sorted(tables)})")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        for trigger in _OLD_TRIGGERS:
            connection.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for statement in _RECOUNT:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
