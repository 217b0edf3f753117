"""The token stream of the embedded index, for Elasticsearch to index and query.

Reads folded text (``search.indexed.Indexed.folded_title`` / ``folded_text``) or the words of a
query phrase; writes the terms SQLite FTS5's ``unicode61 remove_diacritics 2`` tokenizer makes
of them (search/sqlite_schema.py), in order. The terms come from SQLite itself, an in-memory
FTS5 table read back through ``fts5vocab``, so both backends see the same terms by
construction: numbers with separators, phone numbers, e-mail addresses, possessives and
``a_b`` split where the embedded index splits them, and Chinese or Thai runs kept whole as
FTS5 keeps them. Elasticsearch stores the terms joined by spaces in fields analysed with the
built-in ``whitespace`` analyzer (search/mapping.json).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

# The same tokenizer as the items_fts table of search/sqlite_schema.py.
TOKENIZER = "unicode61 remove_diacritics 2"

_local = threading.local()


def _connection() -> sqlite3.Connection:
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(":memory:", check_same_thread=True)
        connection.execute(
            f"CREATE VIRTUAL TABLE scratch USING fts5 (body, tokenize = '{TOKENIZER}')"
        )
        connection.execute(
            "CREATE VIRTUAL TABLE scratch_terms USING fts5vocab (scratch, 'instance')"
        )
        _local.connection = connection
    return connection


def terms_of_texts(texts: Sequence[str]) -> list[list[str]]:
    """The FTS5 terms of each text, in order of position."""
    if not texts:
        return []
    connection = _connection()
    found: list[list[str]] = [[] for _ in texts]
    with connection:
        connection.executemany(
            "INSERT INTO scratch (rowid, body) VALUES (?, ?)",
            [(row, text) for row, text in enumerate(texts, start=1) if text],
        )
        rows = connection.execute(
            "SELECT doc, term FROM scratch_terms ORDER BY doc, offset"
        ).fetchall()
        connection.execute("DELETE FROM scratch")
    for doc, term in rows:
        found[doc - 1].append(term)
    return found


def terms(text: str) -> list[str]:
    """The FTS5 terms of one text."""
    return terms_of_texts([text])[0]


def indexed_text(texts: Sequence[str]) -> list[str]:
    """Each text as the space-separated FTS5 terms Elasticsearch indexes."""
    return [" ".join(found) for found in terms_of_texts(texts)]
