"""Packed facet-value ids: how the SQLite index counts facets over large result sets.

Reads and writes ``facet_ids`` blobs (unsigned 32-bit ids, machine byte order) and the
``facet_values`` dictionary. One aggregate query concatenates the blobs of every matching item
(done inside SQLite, so Python receives one value instead of one row per match: raw bytes in
a UTF-8 database, whose text is the blob's bytes unchanged, hex otherwise), then
the ids are counted with numpy when available (py3langid brings it) or ``collections.Counter``.
Also writes ``facet_counts`` (items per value over the whole index, which the landing page
reads) from each write batch's changes.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

_numpy: Any
try:  # numpy counts a million ids in a few milliseconds; Counter needs ~50.
    import numpy as _numpy
except ImportError:  # pragma: no cover - numpy ships with py3langid
    _numpy = None

FACET_LIMIT = 50  # values per facet in a response, most frequent first


def pack(ids: Iterable[int]) -> bytes:
    return array("I", sorted(set(ids))).tobytes()


class FacetDictionary:
    """The ``facet_values`` table cached in memory; refreshed when an id is unknown (another
    process added values since)."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[str, str]] = {}
        self._by_value: dict[tuple[str, str], int] = {}

    def reload(self, connection: sqlite3.Connection) -> None:
        rows = connection.execute("SELECT id, field, value FROM facet_values").fetchall()
        self._by_id = {row[0]: (row[1], row[2]) for row in rows}
        self._by_value = {(row[1], row[2]): row[0] for row in rows}

    def ids_for(
        self, connection: sqlite3.Connection, pairs: Iterable[tuple[str, str]]
    ) -> list[int]:
        """Ids of (field, value) pairs, adding missing ones; call inside a write transaction."""
        ids = []
        for pair in pairs:
            known = self._by_value.get(pair)
            if known is None:
                connection.execute(
                    "INSERT OR IGNORE INTO facet_values (field, value) VALUES (?, ?)", pair
                )
                known = connection.execute(
                    "SELECT id FROM facet_values WHERE field = ? AND value = ?", pair
                ).fetchone()[0]
                self._by_value[pair] = known
                self._by_id[known] = pair
            ids.append(known)
        return ids

    def forget_new(self) -> None:
        """Drop the cache after a rolled-back transaction (its new ids no longer exist)."""
        self._by_id = {}
        self._by_value = {}

    def count(
        self,
        connection: sqlite3.Connection,
        blobs: bytes | str | None,
        fields: Iterable[str],
    ) -> dict[str, dict[str, int]]:
        """Facet counts from concatenated ``facet_ids`` blobs (bytes, or their hex)."""
        facets: dict[str, dict[str, int]] = {name: {} for name in fields}
        if not blobs:
            return facets
        ids = array("I")
        ids.frombytes(bytes.fromhex(blobs) if isinstance(blobs, str) else blobs)
        counts = _count(ids)
        if any(value_id not in self._by_id for value_id in counts):
            self.reload(connection)
        per_field: dict[str, list[tuple[int, str]]] = {name: [] for name in fields}
        for value_id, number in counts.items():
            entry = self._by_id.get(value_id)
            if entry is not None and entry[0] in per_field:
                per_field[entry[0]].append((number, entry[1]))
        return _top(per_field)


def apply_count_changes(
    connection: sqlite3.Connection, changes: Mapping[tuple[str, str], int]
) -> None:
    """Add a write batch's changes to ``facet_counts``: one statement per (field, value) that
    changed, not per item (per-item triggers halved the indexing speed). Values no item has
    any more are removed, so the table lists only live values."""
    changed = [(field, value, n) for (field, value), n in changes.items() if n]
    connection.executemany(
        "INSERT INTO facet_counts (field, value, n) VALUES (?, ?, ?) "
        "ON CONFLICT (field, value) DO UPDATE SET n = n + excluded.n",
        changed,
    )
    connection.executemany(
        "DELETE FROM facet_counts WHERE field = ? AND value = ? AND n <= 0",
        [(field, value) for field, value, n in changed if n < 0],
    )


def whole_index_counts(
    connection: sqlite3.Connection, fields: Iterable[str]
) -> dict[str, dict[str, int]]:
    """Facet counts over every item, read from the ``facet_counts`` table the schema's
    triggers keep exact: the same answer as counting every item's ``facet_ids``, in a few
    hundred rows instead of one blob per item."""
    per_field: dict[str, list[tuple[int, str]]] = {name: [] for name in fields}
    for name, value, number in connection.execute(
        "SELECT field, value, n FROM facet_counts WHERE n > 0"
    ):
        entries = per_field.get(name)
        if entries is not None:
            entries.append((number, value))
    return _top(per_field)


def _top(per_field: dict[str, list[tuple[int, str]]]) -> dict[str, dict[str, int]]:
    """The FACET_LIMIT most frequent values of each field; ties in value order, so both
    counting paths agree to the last entry."""
    facets: dict[str, dict[str, int]] = {}
    for name, entries in per_field.items():
        entries.sort(key=lambda item: (-item[0], item[1]))
        facets[name] = {value: number for number, value in entries[:FACET_LIMIT]}
    return facets


def _count(ids: array[Any]) -> dict[int, int]:
    if _numpy is not None:
        counts = _numpy.bincount(_numpy.frombuffer(ids, dtype=_numpy.uint32))
        present = _numpy.flatnonzero(counts)
        return dict(zip(present.tolist(), counts[present].tolist(), strict=True))
    return dict(Counter(ids))
