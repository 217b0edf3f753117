"""The default search backend: SQLite FTS5 in ``WILDWATCH_HOME/index.sqlite``.

Reads and writes the index file described in search/sqlite_schema.py. Safe for one writing
process (the crawl, an import) and any number of reading processes (web UI, scheduler); within
one process each thread gets its own connection.

Re-indexing an item keeps the ``fetched_at`` of its first indexing: digests select items by
when wildwatch first saw them, and a re-crawl must not send an old item again.

Two fast paths, both exact: facets over the whole index are read from ``facet_counts`` (kept
by every write), and a search asked again before the index changes reuses its counts and its
scored matches (``_ResultCache``, re-ranked at the current time by ``rank_page``).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import zlib
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from pipelines.dedup import hamming
from search import settings, sqlite_triage
from search.backend import Bucket, Hit, SearchRequest, SearchResponse, UpsertOutcome
from search.dates import bucket_start, fixed_offset_seconds, local_day, now_epoch
from search.document import Document, public_fields
from search.facet_ids import FacetDictionary, apply_count_changes, pack, whole_index_counts
from search.indexed import (
    FACET_FIELDS,
    LIST_FIELDS,
    SINGLE_FIELDS,
    Indexed,
    band_probes,
    content_unchanged,
    normalise_key,
    prepare,
    simhash_bands,
)
from search.query_language import Node, highlight_terms, parse
from search.snippets import snippet
from search.sqlite_query import (
    BM25,
    CAN_RANK_CACHED,
    SqlPlan,
    group_rows_sql,
    order_by,
    plan_request,
    rank_page,
)
from search.sqlite_schema import connect
from search.triage import TriageChange, TriageEvent, TriageRecord

# Histogram rows are first grouped by quarter-hour in SQL, then assigned to local days in
# Python: every zone's midnight falls on a quarter-hour, and DST stays correct.
_HISTOGRAM_SLOT_SECONDS = 900
_HIT_EXTRA_FIELDS = ("duplicate_of", "archive_sha256", "country")
# A relevance search with at least this many matches keeps its scored matches for the next
# request (see _ResultCache); below it, SQLite ranks every match in a few milliseconds.
CACHE_MIN_MATCHES = 2_000
_CACHED_RANKINGS = 8  # up to ~24 bytes per match each: 8 searches of 100,000 matches = 19 MiB
_CACHED_COUNTS = 64


def _encode(doc: Document) -> bytes:
    return zlib.compress(json.dumps(doc, ensure_ascii=False).encode("utf-8"), 3)


def _decode(blob: bytes) -> Document:
    return cast(Document, json.loads(zlib.decompress(blob)))


_Key = tuple[str, str, tuple[Any, ...]]
_Counts = tuple[int, dict[str, dict[str, int]] | None]
_Matches = tuple[Any, Any, Any]  # numpy arrays: rowid, negated bm25, item_ts


class _ResultCache:
    """Results that stay exact until the index changes: totals and facet counts of a search,
    and the scored matches of a relevance search (ranked again per request by rank_page, since
    the recency boost moves with the clock). Keyed by the SQL asked; emptied whenever the
    ``index_state.generation`` the schema's triggers keep moves. Shared by the threads of one
    backend (the web server's), so callers hold the backend's lock."""

    def __init__(self) -> None:
        self.generation: int | None = None
        self.counts: OrderedDict[_Key, _Counts] = OrderedDict()
        self.matches: OrderedDict[_Key, _Matches] = OrderedDict()
        # count_groups answers (the maps), keyed by the query and the groups asked
        self.groups: OrderedDict[_Key, dict[str, int]] = OrderedDict()
        # Relevance searches asked once: a second request scores into the cache. The first
        # lets SQLite rank, which is faster than carrying every match into Python.
        self.asked: set[_Key] = set()

    def at(self, generation: int) -> None:
        if generation != self.generation:
            self.generation = generation
            self.counts.clear()
            self.matches.clear()
            self.groups.clear()
            self.asked.clear()


def _remember(store: OrderedDict[_Key, Any], key: _Key, value: Any, size: int) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > size:
        store.popitem(last=False)


def _unindex(
    connection: sqlite3.Connection, rowid: int, old: Indexed, counts: Counter[tuple[str, str]]
) -> None:
    """Take the stored version of an item out of the text index, the value rows and the
    facet counts (its ``items`` and ``item_docs`` rows are the caller's)."""
    # Contentless FTS5 deletes need the exact values indexed before.
    connection.execute(
        "INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)",
        (rowid, old.folded_title, old.folded_text),
    )
    connection.execute("DELETE FROM item_values WHERE item = ?", (rowid,))
    counts.subtract(old.facet_values())


def _finish_write(connection: sqlite3.Connection, counts: Counter[tuple[str, str]]) -> None:
    """Inside a writing transaction: apply its facet count changes and move the generation,
    which tells every process's cached results that they are stale."""
    apply_count_changes(connection, counts)
    connection.execute("UPDATE index_state SET generation = generation + 1 WHERE id = 1")


class SqliteBackend:
    def __init__(self, path: Path, *, busy_timeout_ms: int = 30_000, recency_days: float = 30.0):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.recency_days = recency_days
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._facets = FacetDictionary()
        self._results = _ResultCache()
        # create the file and schema now, so errors surface at open
        encoding = self._connection().execute("PRAGMA encoding").fetchone()[0]
        # In UTF-8 the concatenated blobs come back byte for byte (half the size of hex, and
        # no hex() per row); a UTF-16 file would re-encode them, so it gets hex.
        self._concatenated_facet_ids = (
            "CAST(group_concat(i.facet_ids, '') AS BLOB)"
            if encoding == "UTF-8"
            else "group_concat(hex(i.facet_ids), '')"
        )

    @classmethod
    def from_settings(cls) -> SqliteBackend:
        return cls(
            settings.sqlite_path(),
            busy_timeout_ms=settings.sqlite_busy_timeout_ms(),
            recency_days=settings.recency_days(),
        )

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = connect(self.path, busy_timeout_ms=self.busy_timeout_ms)
            sqlite_triage.attach(connection, self.path.with_name(sqlite_triage.FILE_NAME))
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    # --- writing ---------------------------------------------------------------------------

    def upsert(self, docs: Iterable[Document]) -> list[UpsertOutcome]:
        """Insert or replace by ``id`` in one transaction: all documents or none. A document
        the index cannot store raises ``InvalidDocument`` before anything is written."""
        prepared = [prepare(doc) for doc in docs]
        if not prepared:
            return []
        connection = self._connection()
        outcomes: list[UpsertOutcome] = []
        counts: Counter[tuple[str, str]] = Counter()  # facet_counts changes of the batch
        connection.execute("BEGIN IMMEDIATE")
        try:
            wrote = False
            for item in prepared:
                outcome, stored = self._upsert_one(connection, item, counts)
                outcomes.append(outcome)
                wrote = wrote or stored
            # A batch of unchanged items (a re-crawl) leaves cached results valid.
            if wrote:
                _finish_write(connection, counts)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            self._facets.forget_new()
            raise
        return outcomes

    def delete(self, doc_ids: Iterable[str]) -> int:
        """Remove items by id in one transaction (a takedown, a source dropped); returns how
        many existed. Not part of the SearchBackend contract."""
        connection = self._connection()
        counts: Counter[tuple[str, str]] = Counter()
        deleted = 0
        connection.execute("BEGIN IMMEDIATE")
        try:
            for doc_id in doc_ids:
                row = connection.execute(
                    "SELECT i.rowid, d.doc FROM items i JOIN item_docs d ON d.rowid = i.rowid "
                    "WHERE i.id = ?",
                    (doc_id,),
                ).fetchone()
                if row is None:
                    continue
                rowid, old = row[0], prepare(_decode(row[1]))
                _unindex(connection, rowid, old, counts)
                for table in ("items", "item_docs"):
                    connection.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
                deleted += 1
            _finish_write(connection, counts)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return deleted

    def _upsert_one(
        self, connection: sqlite3.Connection, item: Indexed, counts: Counter[tuple[str, str]]
    ) -> tuple[UpsertOutcome, bool]:
        """The outcome, and whether anything was written."""
        row = connection.execute(
            "SELECT i.rowid, i.fetched_ts, d.doc FROM items i JOIN item_docs d "
            "ON d.rowid = i.rowid WHERE i.id = ?",
            (item.id,),
        ).fetchone()
        if row is None:
            self._write(connection, None, item)
            counts.update(item.facet_values())
            return "new", True
        rowid, first_fetched_ts, old_blob = row
        old = _decode(old_blob)
        doc = json.loads(json.dumps(item.doc, ensure_ascii=False))  # compare as stored
        doc["fetched_at"] = old.get("fetched_at", doc.get("fetched_at"))
        item.doc = cast(Document, doc)
        item.fetched_ts = first_fetched_ts
        if not item.doc.get("published_at"):
            item.item_ts = first_fetched_ts
        unchanged = content_unchanged(old, item.doc)
        if unchanged and old == item.doc:
            return "unchanged", False
        _unindex(connection, rowid, prepare(old), counts)
        self._write(connection, rowid, item)
        counts.update(item.facet_values())
        return ("unchanged" if unchanged else "updated"), True

    def _write(self, connection: sqlite3.Connection, rowid: int | None, item: Indexed) -> None:
        bands: Sequence[int | None] = item.bands or (None,) * 4
        facet_blob = pack(self._facets.ids_for(connection, item.facet_values()))
        values = (
            item.id,
            *(item.single[name] for name in SINGLE_FIELDS),
            int(item.wildlife_trade),
            item.relevance,
            item.item_ts,
            item.fetched_ts,
            item.simhash,
            *bands,
            item.doc.get("duplicate_of") or None,
            facet_blob,
        )
        columns = (
            "id, kind, lang, source, country, wildlife_trade, relevance, item_ts, fetched_ts, "
            "simhash, band0, band1, band2, band3, duplicate_of, facet_ids"
        )
        marks = ", ".join("?" * len(values))
        if rowid is None:
            cursor = connection.execute(f"INSERT INTO items ({columns}) VALUES ({marks})", values)
            rowid = cast(int, cursor.lastrowid)
            connection.execute(
                "INSERT INTO item_docs (rowid, doc) VALUES (?, ?)", (rowid, _encode(item.doc))
            )
        else:
            connection.execute(
                f"UPDATE items SET ({columns}) = ({marks}) WHERE rowid = ?", (*values, rowid)
            )
            connection.execute(
                "UPDATE item_docs SET doc = ? WHERE rowid = ?", (_encode(item.doc), rowid)
            )
        connection.execute(
            "INSERT INTO items_fts (rowid, title, text) VALUES (?, ?, ?)",
            (rowid, item.folded_title, item.folded_text),
        )
        connection.executemany(
            "INSERT INTO item_values (field, key, item, value) VALUES (?, ?, ?, ?)",
            [
                (name, key, rowid, display)
                for name in LIST_FIELDS
                for key, display in item.lists[name]
            ],
        )

    # --- reading ---------------------------------------------------------------------------

    def get(self, doc_id: str) -> Document | None:
        row = (
            self._connection()
            .execute(
                "SELECT d.doc FROM items i JOIN item_docs d ON d.rowid = i.rowid WHERE i.id = ?",
                (doc_id,),
            )
            .fetchone()
        )
        return _decode(row[0]) if row else None

    def count(self) -> int:
        return int(self._connection().execute("SELECT count(*) FROM items").fetchone()[0])

    def search(self, request: SearchRequest) -> SearchResponse:
        """Raises ``QuerySyntaxError`` for a query that cannot be parsed."""
        node = parse(request.query)
        plan = plan_request(request, node)
        connection = self._connection()
        generation = self._at_current_generation(connection)
        key: _Key = (plan.source, plan.where_sql(), tuple(plan.params))
        if request.facets and plan.whole_index:
            # The landing page: counts kept by every write, not 100,000 blobs.
            total = connection.execute("SELECT count(*) FROM items").fetchone()[0]
            facets = whole_index_counts(connection, FACET_FIELDS)
            facets.update(sqlite_triage.facet_counts(connection, plan.source, "", [], total))
        else:
            with self._lock:
                total, counted = self._results.counts.get(key) or (None, None)
            if total is None or (request.facets and counted is None):
                total, counted = self._count(connection, plan, facets=request.facets)
                with self._lock:
                    if self._results.generation == generation:
                        _remember(self._results.counts, key, (total, counted), _CACHED_COUNTS)
            facets = (
                {name: dict(values) for name, values in counted.items()}  # callers may edit
                if request.facets and counted is not None
                else {}
            )
        hits = (
            self._hits(connection, plan, request, node, int(total), (generation, key))
            if total and request.limit > 0
            else []
        )
        return {"total": int(total), "hits": hits, "facets": facets}

    def forget_cached_results(self) -> None:
        """Drop cached counts and scored matches (benchmarks time the first request)."""
        with self._lock:
            self._results = _ResultCache()

    def _at_current_generation(self, connection: sqlite3.Connection) -> int:
        """Drop cached results if the index changed since they were computed (by any process:
        the generation is in the file). A result computed from an older generation is stored
        only if the cache is still at that generation: a write committed meanwhile may have
        made it stale."""
        generation = int(connection.execute(sqlite_triage.GENERATION_SQL).fetchone()[0])
        with self._lock:
            self._results.at(generation)
        return generation

    def _asked_before(self, key: _Key) -> bool:
        with self._lock:
            if key in self._results.matches or key in self._results.asked:
                return True
            self._results.asked.add(key)
            return False

    def _count(
        self, connection: sqlite3.Connection, plan: SqlPlan, *, facets: bool
    ) -> tuple[int, dict[str, dict[str, int]] | None]:
        if not facets:
            total = connection.execute(
                f"SELECT count(*) FROM {plan.source}{plan.where_sql()}", plan.params
            ).fetchone()[0]
            return int(total), None
        total, blobs = connection.execute(
            f"SELECT count(*), {self._concatenated_facet_ids} FROM {plan.source}"
            + plan.where_sql(),
            plan.params,
        ).fetchone()
        counted = self._facets.count(connection, blobs, FACET_FIELDS)
        counted.update(
            sqlite_triage.facet_counts(
                connection, plan.source, plan.where_sql(), plan.params, int(total)
            )
        )
        return int(total), counted

    def _scored_matches(
        self, connection: sqlite3.Connection, plan: SqlPlan, generation: int, key: _Key
    ) -> _Matches:
        with self._lock:
            matches = self._results.matches.get(key)
        if matches is None:
            import numpy  # CAN_RANK_CACHED: present

            rows = connection.execute(
                f"SELECT i.rowid, {BM25}, i.item_ts FROM {plan.source}{plan.where_sql()}",
                plan.params,
            ).fetchall()
            # float64 holds row ids and epoch seconds exactly (both far below 2**53).
            table = numpy.array(rows, dtype=numpy.float64).reshape(-1, 3)
            matches = (
                table[:, 0].astype(numpy.int64),
                table[:, 1].copy(),
                table[:, 2].astype(numpy.int64),
            )
            with self._lock:
                if self._results.generation == generation:
                    _remember(self._results.matches, key, matches, _CACHED_RANKINGS)
        return matches

    def _hits(
        self,
        connection: sqlite3.Connection,
        plan: SqlPlan,
        request: SearchRequest,
        node: Node | None,
        total: int,
        cached_as: tuple[int, _Key],  # generation and key of this search's cached results
    ) -> list[Hit]:
        generation, key = cached_as
        now = now_epoch()
        if (
            request.sort == "relevance"
            and plan.ranked
            and CAN_RANK_CACHED
            and total >= CACHE_MIN_MATCHES
            and self._asked_before(key)
        ):
            rowids, relevance, item_ts = self._scored_matches(connection, plan, generation, key)
            page = rank_page(
                rowids,
                relevance,
                item_ts,
                now=now,
                recency_days=self.recency_days,
                offset=max(0, int(request.offset)),
                limit=int(request.limit),
            )
        else:
            order = order_by(plan, request, now=now, recency_days=self.recency_days)
            # Rank row ids first and read the documents of the page only: joining the
            # documents before the sort would drag every matching document through the sorter.
            page = [
                row[0]
                for row in connection.execute(
                    f"SELECT i.rowid FROM {plan.source}{plan.where_sql()}{order} LIMIT ? OFFSET ?",
                    [*plan.params, int(request.limit), max(0, int(request.offset))],
                )
            ]
        blobs = dict(
            connection.execute(
                f"SELECT rowid, doc FROM item_docs WHERE rowid IN ({', '.join('?' * len(page))})",
                page,
            ).fetchall()
        )
        phrases = highlight_terms(node)
        hits: list[Hit] = []
        for rowid in page:
            doc = _decode(blobs[rowid])
            hit = cast(dict[str, Any], public_fields(doc))
            for name in _HIT_EXTRA_FIELDS:
                hit[name] = doc.get(name)
            hit["snippet"] = snippet(doc.get("text") or "", phrases)
            hits.append(cast(Hit, hit))
        return hits

    def histogram(
        self,
        request: SearchRequest,
        interval: Literal["day", "week"] = "day",
        by: Sequence[str] = (),
    ) -> list[Bucket]:
        """Items whose list field in ``by`` is empty are not counted (no species, no bucket)."""
        if interval not in ("day", "week"):
            raise ValueError(f"interval: {interval!r} is neither 'day' nor 'week'")
        plan = plan_request(request, parse(request.query))
        source = plan.source
        key_columns: list[str] = []
        join_params: list[Any] = []
        for position, name in enumerate(by):
            if name in LIST_FIELDS:
                alias = f"v{position}"
                source += (
                    f" JOIN item_values {alias} ON {alias}.item = i.rowid AND {alias}.field = ?"
                )
                join_params.append(name)
                key_columns.append(f"{alias}.value")
            elif name in SINGLE_FIELDS:
                key_columns.append(f"i.{name}")
            elif name == "wildlife_trade":
                key_columns.append("CASE i.wildlife_trade WHEN 1 THEN 'true' ELSE 'false' END")
            else:
                raise ValueError(f"histogram by: unknown field {name!r}")
        offset = fixed_offset_seconds()
        if offset is not None:
            slot_seconds, slot = 86_400, f"(i.item_ts + {offset}) / 86400"
        else:
            slot_seconds, slot = _HISTOGRAM_SLOT_SECONDS, f"i.item_ts / {_HISTOGRAM_SLOT_SECONDS}"
        selected = ", ".join([slot, *key_columns, "count(*)"])
        grouped = ", ".join(str(n) for n in range(1, len(key_columns) + 2))
        rows = (
            self._connection()
            .execute(
                f"SELECT {selected} FROM {source}{plan.where_sql()} GROUP BY {grouped}",
                [*join_params, *plan.params],
            )
            .fetchall()
        )
        counts: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
        buckets: dict[int, str] = {}
        for row in rows:
            bucket = buckets.get(row[0])
            if bucket is None:
                if offset is not None:  # row[0] counts local days since 1970-01-01
                    day = date(1970, 1, 1) + timedelta(days=row[0])
                else:
                    day = local_day(row[0] * slot_seconds)
                bucket = buckets[row[0]] = bucket_start(day, interval).isoformat()
            counts[(bucket, tuple(row[1:-1]))] += row[-1]
        return [
            {"date": day, "keys": dict(zip(by, keys, strict=True)), "count": number}
            for (day, keys), number in sorted(counts.items())
        ]

    def count_groups(
        self, request: SearchRequest, groups: Mapping[str, Sequence[str]]
    ) -> dict[str, int]:
        """Reads each matching (name, item) row once and counts the items per group here:
        SQLite's DISTINCT over (group, item) pairs took four times longer at 100,000 items. Kept
        with the other cached results until the index changes."""
        in_groups: dict[str, list[str]] = defaultdict(list)
        for group, names in groups.items():
            for key in {normalise_key("locations", name) for name in names}:
                in_groups[key].append(group)
        items: dict[str, set[int]] = {group: set() for group in groups}
        if not in_groups:
            return {group: 0 for group in groups}
        plan = plan_request(request, parse(request.query))
        sql, params = group_rows_sql(plan, list(in_groups))
        connection = self._connection()
        generation = self._at_current_generation(connection)
        asked = tuple(sorted((key, tuple(sorted(found))) for key, found in in_groups.items()))
        cache_key: _Key = (sql, repr(asked), tuple(params))
        with self._lock:
            cached = self._results.groups.get(cache_key)
        if cached is not None:
            return dict(cached)  # callers may edit
        for key, item in connection.execute(sql, params):
            for group in in_groups[key]:
                items[group].add(item)
        counts = {group: len(found) for group, found in items.items()}
        with self._lock:
            if self._results.generation == generation:
                _remember(self._results.groups, cache_key, dict(counts), _CACHED_COUNTS)
        return counts

    def near_duplicates(self, simhash: str, max_distance: int = 3) -> list[str]:
        """Ids by increasing distance. Up to 11 bits the lookup probes the band indexes
        (``band_probes``); beyond, it compares with every stored simhash."""
        if simhash_bands(simhash) is None:
            return []
        connection = self._connection()
        probes = band_probes(simhash, max_distance)
        if probes is not None:
            conditions = " OR ".join(
                f"band{band} IN ({', '.join('?' * len(values))})"
                for band, values in enumerate(probes)
            )
            params = [value for values in probes for value in values]
            rows = connection.execute(
                f"SELECT id, simhash FROM items WHERE {conditions}", params
            ).fetchall()
        else:
            rows = connection.execute(
                "SELECT id, simhash FROM items WHERE simhash IS NOT NULL"
            ).fetchall()
        found = [
            (distance, doc_id)
            for doc_id, other in rows
            if (distance := hamming(simhash, other)) <= max_distance
        ]
        return [doc_id for _distance, doc_id in sorted(found)]

    def duplicates_of(self, doc_id: str) -> list[Document]:
        connection = self._connection()
        row = connection.execute(
            "SELECT duplicate_of FROM items WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return []
        group = row[0] or doc_id
        rows = connection.execute(
            "SELECT d.doc FROM items i JOIN item_docs d ON d.rowid = i.rowid "
            "WHERE (i.id = ? OR i.duplicate_of = ?) AND i.id != ? "
            "ORDER BY i.fetched_ts, i.rowid",
            (group, group, doc_id),
        ).fetchall()
        return [_decode(blob) for (blob,) in rows]

    # --- triage (search/sqlite_triage.py) ------------------------------------------------

    def set_triage(
        self, doc_ids: Sequence[str], change: TriageChange, *, by: str
    ) -> list[TriageRecord]:
        return sqlite_triage.set_triage(self._connection(), doc_ids, change, by=by)

    def triage_of(self, doc_ids: Sequence[str]) -> dict[str, TriageRecord]:
        return sqlite_triage.records_of(self._connection(), doc_ids)

    def triage_history(self, doc_id: str, limit: int = 20) -> list[TriageEvent]:
        return sqlite_triage.history(self._connection(), doc_id, limit)

    def triage_records(self) -> Iterator[TriageRecord]:
        return sqlite_triage.all_records(self._connection())

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            # Fails when another process holds the lock; statistics can wait for next time.
            with contextlib.suppress(sqlite3.Error):
                connection.execute("PRAGMA optimize")
            connection.close()
        self._local = threading.local()

    def __enter__(self) -> SqliteBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
