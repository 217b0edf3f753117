"""The token stream of the embedded index, for Elasticsearch to index and query.

Reads folded text (``search.indexed.Indexed.folded_title`` / ``folded_text``) or the words of a
query phrase; writes the terms SQLite FTS5's ``unicode61 remove_diacritics 2`` tokenizer makes
of them (search/sqlite_schema.py), in order. The terms come from SQLite itself, an in-memory
FTS5 table read back through ``fts5vocab``, so both backends see the same terms by
construction: numbers with separators, phone numbers, e-mail addresses, possessives and
``a_b`` split where the embedded index splits them, and Chinese or Thai runs kept whole as
FTS5 keeps them. Elasticsearch stores the terms joined by spaces in fields analysed with the
built-in ``whitespace`` analyzer (search/mapping.json).

Bulk indexing takes a faster route to the same terms: FTS5's tokenizer treats each character
on its own (a separator, or a token character folded to zero or more characters), so SQLite is
asked once per process what it makes of each character it has not seen yet, and texts are then
translated with that table. A text holding a character no table can describe goes the exact
route. tests/search/test_index_tokens.py checks both routes agree.
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


_UNSURE = "\x00"  # what the table maps a character to when only SQLite can say
_table: dict[int, str] = {0: " "}  # str.translate table of the characters probed so far
_probed: set[str] = {"\x00"}
_table_lock = threading.Lock()


def _probe(characters: set[str]) -> None:
    """Ask SQLite what FTS5 makes of each character between two letters, and record it in
    ``_table``: " " for a separator, the folded form of a token character when it differs."""
    probes = sorted(characters - _probed)
    if not probes:
        return
    found = terms_of_texts([f"q{character}q" for character in probes])
    with _table_lock:
        for character, got in zip(probes, found, strict=True):
            if got == ["q", "q"]:
                _table[ord(character)] = " "
            elif len(got) == 1 and got[0].startswith("q") and got[0].endswith("q"):
                folded = got[0][1:-1]
                if folded != character:
                    _table[ord(character)] = folded
            else:
                _table[ord(character)] = _UNSURE
            _probed.add(character)


def fast_terms(texts: Sequence[str]) -> list[list[str] | None]:
    """The FTS5 terms of each text by translating it character by character (FTS5 treats each
    character on its own); None for a text only SQLite can split."""
    _probe(set().union(*texts) if texts else set())
    found: list[list[str] | None] = []
    for text in texts:
        translated = text.translate(_table)
        found.append(None if _UNSURE in translated else translated.split())
    return found


def indexed_text(texts: Sequence[str]) -> list[str]:
    """Each text as the space-separated FTS5 terms Elasticsearch indexes."""
    found = fast_terms(texts)
    unsure = [n for n, terms_found in enumerate(found) if terms_found is None]
    for n, exact in zip(unsure, terms_of_texts([texts[n] for n in unsure]), strict=True):
        found[n] = exact
    return [" ".join(terms_found or ()) for terms_found in found]
