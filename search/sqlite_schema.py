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
- ``facet_counts``: how many items have each (field, value), kept exact by triggers on
  ``items`` and ``item_values`` in the writing transaction (inserts, updates that change a
  value, deletes, whoever runs them). The landing page (no query, no filter) reads its facets
  here instead of counting 100,000 ``facet_ids`` blobs.
- ``index_state``: one row whose ``generation`` the same triggers increment on every change to
  an item, so cached search results know when they are stale.
- ``items_fts``: a contentless FTS5 index of the accent-folded title and text (the text itself
  is kept once, in ``item_docs``). ``unicode61`` splits words and lower-cases; folding đ → d
  before indexing is what makes "Dak Lak" find "Đắk Lắk", which the tokenizer alone does not.

WAL mode lets the web UI and the scheduler read while a crawl writes; ``busy_timeout`` makes a
second writer wait instead of failing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA_VERSION = 3
# Versions this code upgrades in place: 1 lacked facet_counts (rebuilt from the rows), 2 (a
# development build) lacked index_state.
_UPGRADABLE_VERSIONS = (0, 1, 2)

# The single-valued facets of an item row as (field, value) pairs, for the count triggers;
# ROW is NEW or OLD. Empty values are not facet values (Indexed.facet_values skips them).
_ROW_FACETS = """
    SELECT field, value FROM (
        SELECT 'kind' AS field, ROW.kind AS value
        UNION ALL SELECT 'lang', ROW.lang
        UNION ALL SELECT 'source', ROW.source
        UNION ALL SELECT 'country', ROW.country
        UNION ALL SELECT 'wildlife_trade',
            CASE ROW.wildlife_trade WHEN 1 THEN 'true' ELSE 'false' END
    ) WHERE value != ''
"""


# Every change to an item moves the generation, which tells cached search results that they
# are stale (search/sqlite_backend.py keeps them until it moves).
_BUMP = "UPDATE index_state SET generation = generation + 1 WHERE id = 1;"


def _add(source: str) -> str:
    return (
        f"INSERT INTO facet_counts (field, value, n) SELECT field, value, 1 FROM ({source}) "
        f"WHERE true ON CONFLICT (field, value) DO UPDATE SET n = n + 1;{_BUMP}"
    )


def _remove(source: str) -> str:
    # Rows that drop to zero go away, so the table only lists values some item has.
    return (
        f"UPDATE facet_counts SET n = n - 1 WHERE (field, value) IN ({source});"
        f"DELETE FROM facet_counts WHERE n <= 0 AND (field, value) IN ({source});{_BUMP}"
    )


_ITEM_VALUE_NEW = "SELECT NEW.field AS field, NEW.value AS value"
_ITEM_VALUE_OLD = "SELECT OLD.field AS field, OLD.value AS value"
_COUNT_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS facet_counts_item_insert AFTER INSERT ON items BEGIN
    {_add(_ROW_FACETS.replace("ROW.", "NEW."))}
END;
CREATE TRIGGER IF NOT EXISTS facet_counts_item_delete AFTER DELETE ON items BEGIN
    {_remove(_ROW_FACETS.replace("ROW.", "OLD."))}
END;
CREATE TRIGGER IF NOT EXISTS facet_counts_item_update
AFTER UPDATE OF kind, lang, source, country, wildlife_trade ON items BEGIN
    {_remove(_ROW_FACETS.replace("ROW.", "OLD."))}
    {_add(_ROW_FACETS.replace("ROW.", "NEW."))}
END;
CREATE TRIGGER IF NOT EXISTS facet_counts_value_insert AFTER INSERT ON item_values BEGIN
    {_add(_ITEM_VALUE_NEW)}
END;
CREATE TRIGGER IF NOT EXISTS facet_counts_value_delete AFTER DELETE ON item_values BEGIN
    {_remove(_ITEM_VALUE_OLD)}
END;
CREATE TRIGGER IF NOT EXISTS facet_counts_value_update AFTER UPDATE ON item_values BEGIN
    {_remove(_ITEM_VALUE_OLD)}
    {_add(_ITEM_VALUE_NEW)}
END;
"""

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
        # Trigger bodies contain semicolons: executescript-free, one CREATE at a time.
        for trigger in _COUNT_TRIGGERS.split("END;"):
            if trigger.strip():
                connection.execute(trigger + "END")
        for statement in _RECOUNT:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
