"""The Elasticsearch backend (``WILDWATCH_ELASTICSEARCH_URL``), for indexes beyond one machine.

Reads and writes through an alias (``WILDWATCH_ELASTICSEARCH_INDEX``, default
``wildwatch-items``) in front of a versioned index ``<alias>-v<N>`` (settings and mappings in
search/mapping.json; search/es_versions.py creates versions and swaps the alias). Writes name
the alias with ``require_alias``, so a missing alias is an error, never a dynamic index.

Every searched or counted value is derived in Python exactly as the SQLite index derives it
(search/indexed.py, search/index_tokens.py), so both backends return the same items.

Bulk writes: items rejected with 429 or 5xx, or whole requests that failed, are sent again
after a back-off (1 s, 2 s, 4 s... capped at 30 s) up to ``retries`` times; the client's own
retries are off for bulk requests so retries never stack. Items still rejected, and items
refused for good, raise ``IndexingError`` naming them after every other item was written; the
caller has not marked them as known, so the next crawl or import sends them again.

Deep pages (beyond ``max_result_window``, 10,000) are read with ``search_after`` over a point
in time; a request for the next page continues from where the previous one stopped.

Triage records live in ``<alias>-triage``, outside the versioned items (search/es_triage.py);
every write of an item (upsert, reindex) copies its record's state onto the item, and checks
again after writing, so a triage change made meanwhile is not overwritten by a stale copy.

Searches whose time window ends within the last minute (alerts, spike checks: "until now")
refresh the index first, so they see what was indexed a moment ago.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from typing import Any, Literal, cast

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import scan, streaming_bulk

from pipelines.dedup import hamming
from search import es_query, es_triage, es_versions, settings
from search.backend import (
    Bucket,
    Hit,
    IndexingError,
    SearchRequest,
    SearchResponse,
    UpsertOutcome,
)
from search.dates import local_zone, now_epoch
from search.document import Document, public_fields
from search.index_tokens import indexed_text
from search.indexed import (
    LIST_FIELDS,
    SINGLE_FIELDS,
    Indexed,
    band_probes,
    content_unchanged,
    prepare,
    simhash_bands,
)
from search.query_language import Node, highlight_terms, parse
from search.snippets import snippet
from search.triage import (
    TriageChange,
    TriageEvent,
    TriageRecord,
    UnknownItems,
    apply_change,
    checked_actor,
    now_iso,
)

log = logging.getLogger(__name__)

DERIVED_FIELDS = (
    "title_terms",
    "text_terms",
    "item_date",
    "fetched_date",
    "band0",
    "band1",
    "band2",
    "band3",
    "keys",
    "facet",
    es_triage.TRIAGE_ITEM_FIELD,
)
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_HISTOGRAM_TERMS = 1000
_HIT_EXTRA_FIELDS = ("duplicate_of", "archive_sha256", "country")
_COPY_ORDER = [{"_shard_doc": "asc"}]  # the cheapest total order over a point in time
MAX_RESULT_WINDOW = 10_000  # index.max_result_window of search/mapping.json
MAX_BACKOFF = 30.0
PIT_KEEP_ALIVE = "2m"
_CURSORS = 8  # deep-paging positions kept for "the next page"
# A window ending later than this many seconds ago may miss items not refreshed yet.
REFRESH_WINDOW_SECONDS = 60


def load_mapping() -> dict[str, Any]:
    """search/mapping.json without its comment."""
    text = resources.files("search").joinpath("mapping.json").read_text(encoding="utf-8")
    body = json.loads(text)
    body.pop("_comment", None)
    return cast(dict[str, Any], body)


def index_body(
    item: Indexed, title_terms: str, text_terms: str, triage: TriageRecord | None = None
) -> dict[str, Any]:
    """The stored source of an item: the document plus the values searched and counted,
    its triage state included."""
    body: dict[str, Any] = dict(item.doc)
    body[es_triage.TRIAGE_ITEM_FIELD] = es_triage.item_fields(triage)
    body["title_terms"] = title_terms
    body["text_terms"] = text_terms
    body["item_date"] = item.item_ts
    body["fetched_date"] = item.fetched_ts
    for band, value in enumerate(item.bands or (None,) * 4):
        body[f"band{band}"] = value
    keys: dict[str, Any] = {}
    facet: dict[str, Any] = {}
    for name in SINGLE_FIELDS:
        if item.single[name]:
            keys[name] = facet[name] = item.single[name]
    for name in LIST_FIELDS:
        keys[name] = [key for key, _display in item.lists[name]]
        facet[name] = [display for _key, display in item.lists[name]]
    facet["wildlife_trade"] = "true" if item.wildlife_trade else "false"
    body["keys"] = keys
    body["facet"] = facet
    return body


def bodies(
    items: Sequence[Indexed], triage: Mapping[str, TriageRecord] | None = None
) -> list[dict[str, Any]]:
    """``index_body`` of each item, tokenizing all titles and texts in one pass."""
    terms = indexed_text([item.folded_title for item in items] + [i.folded_text for i in items])
    count = len(items)
    records = triage or {}
    return [
        index_body(item, terms[n], terms[count + n], records.get(item.id))
        for n, item in enumerate(items)
    ]


def _document(source: dict[str, Any]) -> Document:
    return cast(Document, {k: v for k, v in source.items() if k not in DERIVED_FIELDS})


def client_from_settings() -> Elasticsearch:
    """A client for ``WILDWATCH_ELASTICSEARCH_URL`` with the configured credentials and TLS."""
    url = settings.elasticsearch_url()
    if not url:
        raise ValueError("WILDWATCH_ELASTICSEARCH_URL is not set")
    options: dict[str, Any] = {"request_timeout": settings.elasticsearch_timeout()}
    api_key = settings.elasticsearch_api_key()
    basic = settings.elasticsearch_basic_auth()
    if api_key:
        options["api_key"] = api_key
    elif basic:
        options["basic_auth"] = basic
    ca_certs = settings.elasticsearch_ca_certs()
    if ca_certs:
        options["ca_certs"] = ca_certs
    fingerprint = settings.elasticsearch_fingerprint()
    if fingerprint:
        options["ssl_assert_fingerprint"] = fingerprint
    return Elasticsearch(url, **options)


class ElasticsearchBackend:
    def __init__(
        self,
        client: Elasticsearch,
        *,
        alias: str = "wildwatch-items",
        refresh: bool = False,
        retries: int = 5,
        initial_backoff: float = 1.0,
        recency_days: float = 30.0,
    ) -> None:
        self.client = client
        self.alias = alias
        self.refresh = refresh  # make writes visible at once (tests, small imports)
        self.retries = retries
        self.initial_backoff = initial_backoff
        self.recency_days = recency_days
        self._ready = False
        self._lock = threading.Lock()
        # (search key, offset) -> (point in time id, search_after of the hit before offset)
        self._cursors: OrderedDict[tuple[str, int], tuple[str, list[Any]]] = OrderedDict()

    @classmethod
    def from_settings(cls) -> ElasticsearchBackend:
        return cls(
            client_from_settings(),
            alias=settings.elasticsearch_index(),
            retries=settings.elasticsearch_bulk_retries(),
            recency_days=settings.recency_days(),
        )

    def ensure_index(self) -> None:
        """Create ``<alias>-v1`` behind the alias unless the alias exists."""
        if not self._ready:
            es_versions.ensure_alias(self.client, self.alias, load_mapping())
            # An index made before triage existed gets its fields (adding fields is allowed
            # on a live index; its items lack them, which reads as untriaged).
            self.client.indices.put_mapping(index=self.alias, properties=es_triage.ITEM_PROPERTIES)
            es_triage.ensure_records_index(self.client, self.alias)
            self._ready = True

    def refresh_index(self) -> None:
        """Make everything written so far visible to searches."""
        self.ensure_index()
        self.client.indices.refresh(index=self.alias)

    # --- writing ---------------------------------------------------------------------------

    def upsert(self, docs: Iterable[Document]) -> list[UpsertOutcome]:
        prepared = [prepare(doc) for doc in docs]
        if not prepared:
            return []
        self.ensure_index()
        stored = self._stored([item.id for item in prepared])
        outcomes: list[UpsertOutcome] = []
        changed: dict[str, Indexed] = {}
        for item in prepared:
            old = stored.get(item.id)
            if old is None:
                outcome: UpsertOutcome = "new"
            else:
                doc = json.loads(json.dumps(item.doc, ensure_ascii=False))
                doc["fetched_at"] = old.get("fetched_at", doc.get("fetched_at"))
                item = prepare(cast(Document, doc))  # item date may fall back on fetched_at
                unchanged = content_unchanged(old, item.doc)
                if unchanged and old == item.doc:
                    outcomes.append("unchanged")
                    continue
                outcome = "unchanged" if unchanged else "updated"
            stored[item.id] = item.doc
            changed[item.id] = item
            outcomes.append(outcome)
        items = list(changed.values())
        written = es_triage.read_records(self.client, self.alias, list(changed))
        self._bulk(
            [
                {"_op_type": "index", "_index": self.alias, "_id": item.id, "_source": body}
                for item, body in zip(items, bodies(items, written), strict=True)
            ]
        )
        self._reapply_triage(written, list(changed))
        return outcomes

    def _reapply_triage(self, written: Mapping[str, TriageRecord], ids: list[str]) -> None:
        """Copy again the triage of items whose record changed while they were being
        written (the copy written with them is stale)."""
        if not ids:
            return
        current = es_triage.read_records(self.client, self.alias, ids)
        stale = [doc_id for doc_id in ids if current.get(doc_id) != written.get(doc_id)]
        self._copy_triage({doc_id: current.get(doc_id) for doc_id in stale})

    def _stored(self, doc_ids: list[str]) -> dict[str, Document]:
        response = self.client.mget(index=self.alias, ids=list(dict.fromkeys(doc_ids)))
        return {
            entry["_id"]: _document(entry["_source"])
            for entry in response["docs"]
            if entry.get("found")
        }

    def _bulk(self, actions: list[dict[str, Any]], *, require_alias: bool = True) -> None:
        """Index ``actions``: items rejected with 429/5xx (or whole requests that failed) are
        sent again after a back-off; the rest are written whatever happens to those."""
        if not actions:
            return
        # One retry policy: ours, per item. The client's own retries would stack on it.
        client = self.client.options(max_retries=0, retry_on_status=())
        pending = actions
        refused: dict[str, str] = {}  # permanent: retrying cannot help (bad value, mapping)
        rejected: dict[str, str] = {}  # the last attempt's temporary failures
        for attempt in range(self.retries + 1):
            if attempt:
                delay = min(MAX_BACKOFF, self.initial_backoff * 2 ** (attempt - 1))
                log.warning(
                    "Elasticsearch rejected %d item(s); retrying in %.1f s", len(pending), delay
                )
                time.sleep(delay)
            by_id = {action["_id"]: action for action in pending}
            retry: list[dict[str, Any]] = []
            rejected = {}
            try:
                for ok, result in streaming_bulk(
                    client,
                    pending,
                    raise_on_error=False,
                    raise_on_exception=True,
                    max_retries=0,
                    require_alias=require_alias,
                ):
                    if ok:
                        continue
                    info: dict[str, Any] = next(iter(result.values()), {})
                    doc_id = str(info.get("_id"))
                    reason = json.dumps(info.get("error", info.get("status")), ensure_ascii=False)
                    if info.get("status") in _RETRY_STATUSES and doc_id in by_id:
                        rejected[doc_id] = reason
                        retry.append(by_id[doc_id])
                    else:
                        refused[doc_id] = reason
            except (TransportError, ApiError) as error:
                status = getattr(error, "status_code", None)
                if isinstance(error, ApiError) and status not in _RETRY_STATUSES:
                    raise
                # The request itself failed (connection lost, timeout, cluster busy): resend
                # the items not acknowledged yet; indexing by id makes a resend harmless.
                done = set(refused)
                retry = [action for action in pending if action["_id"] not in done]
                rejected = {action["_id"]: str(error) for action in retry}
            pending = retry
            if not pending:
                break
        if self.refresh:
            self.client.indices.refresh(index=self.alias)
        failures = {**refused, **rejected}
        if failures:
            raise IndexingError(failures)

    def reindex(self, *, delete_old: bool = False, batch: int = 500) -> tuple[str | None, str, int]:
        """Copy every item into a new version ``<alias>-v<N+1>`` (current mapping, searched
        fields derived again) and move the alias to it atomically. Returns (old index, new
        index, items copied). Writes made to the old index while copying are not carried
        over: pause crawls and imports first. Triage changes made while copying are (staff
        need not pause): the records live outside the versions, and every record changed
        since the copy began is applied to the new version once the alias points at it."""
        started = now_iso()
        source = es_versions.source_index(self.client, self.alias)
        target = es_versions.create_version(
            self.client,
            self.alias,
            es_versions.next_version(self.client, self.alias),
            load_mapping(),
        )
        copied = 0
        if source is not None:
            # Everything written so far must be in the copy, not only what the periodic
            # refresh has made searchable (a write a moment ago would be left behind).
            self.client.indices.refresh(index=source)
            pit = self.client.open_point_in_time(index=source, keep_alive=PIT_KEEP_ALIVE)["id"]
            after: list[Any] | None = None
            try:
                while True:
                    response = self._pit_search(
                        pit,
                        {"match_all": {}},
                        _COPY_ORDER,
                        after,
                        size=batch,
                        source=True,
                    )
                    pit = response.get("pit_id", pit)
                    found = response["hits"]["hits"]
                    if not found:
                        break
                    after = found[-1]["sort"]
                    items = [prepare(_document(entry["_source"])) for entry in found]
                    records = es_triage.read_records(
                        self.client, self.alias, [item.id for item in items]
                    )
                    self._bulk(
                        [
                            {"_op_type": "index", "_index": target, "_id": item.id, "_source": body}
                            for item, body in zip(items, bodies(items, records), strict=True)
                        ],
                        require_alias=False,
                    )
                    copied += len(items)
            finally:
                self._close_pit(pit)
        self.client.indices.refresh(index=target)
        es_versions.swap_alias(self.client, self.alias, source, target)
        self._ready = False  # the new version gets the triage mapping check too
        self.ensure_index()
        recent = {r.item_id: r for r in self.triage_records() if r.at >= started}
        if recent:
            present = self.client.mget(index=self.alias, ids=list(recent), source=False)
            self._copy_triage(
                {e["_id"]: recent[e["_id"]] for e in present["docs"] if e.get("found")}
            )
        if delete_old and source is not None and source != self.alias:
            self.client.indices.delete(index=source)
        return source, target, copied

    # --- triage (search/es_triage.py) ----------------------------------------------------

    def set_triage(
        self, doc_ids: Sequence[str], change: TriageChange, *, by: str
    ) -> list[TriageRecord]:
        actor = checked_actor(by)
        at = now_iso()
        self.ensure_index()
        unique = list(dict.fromkeys(doc_ids))
        if not unique:
            return []
        found = self.client.mget(index=self.alias, ids=unique, source=False)["docs"]
        missing = [entry["_id"] for entry in found if not entry.get("found")]
        if missing:
            raise UnknownItems(missing)
        sources = es_triage.read_sources(self.client, self.alias, unique)
        results: dict[str, TriageRecord] = {}
        writes: list[dict[str, Any]] = []
        for doc_id in unique:
            source = sources.get(doc_id)
            before = es_triage.to_record(doc_id, source) if source else None
            record, event = apply_change(doc_id, before, change, by=actor, at=at)
            results[doc_id] = record
            if event is None:
                continue
            history = [*((source or {}).get("history") or []), event.as_json()]
            writes.append(
                {
                    "_op_type": "index",
                    "_index": es_triage.records_index(self.alias),
                    "_id": doc_id,
                    "_source": es_triage.record_source(record, history),
                }
            )
        if writes:
            # The records first: they are the truth, the items' copy is derived from them.
            self._bulk(writes, require_alias=False)
            self._copy_triage({write["_id"]: results[write["_id"]] for write in writes})
        return [results[doc_id] for doc_id in doc_ids]

    def _copy_triage(self, records: Mapping[str, TriageRecord | None]) -> None:
        """Write each record's state onto its item and make it searchable now: staff filter
        by what they just marked."""
        if not records:
            return
        self._bulk(
            [
                {
                    "_op_type": "update",
                    "_index": self.alias,
                    "_id": doc_id,
                    "doc": {es_triage.TRIAGE_ITEM_FIELD: es_triage.item_fields(record)},
                }
                for doc_id, record in records.items()
            ]
        )
        self.client.indices.refresh(index=self.alias)

    def triage_of(self, doc_ids: Sequence[str]) -> dict[str, TriageRecord]:
        self.ensure_index()
        return es_triage.read_records(self.client, self.alias, doc_ids)

    def triage_history(self, doc_id: str, limit: int = 20) -> list[TriageEvent]:
        self.ensure_index()
        source = es_triage.read_sources(self.client, self.alias, [doc_id]).get(doc_id)
        return es_triage.events(doc_id, source, limit) if source else []

    def triage_records(self) -> Iterator[TriageRecord]:
        self.ensure_index()
        return es_triage.all_records(self.client, self.alias)

    # --- reading ---------------------------------------------------------------------------

    def get(self, doc_id: str) -> Document | None:
        self.ensure_index()
        try:
            response = self.client.get(index=self.alias, id=doc_id)
        except NotFoundError:
            return None
        return _document(response["_source"])

    def count(self) -> int:
        self.ensure_index()
        return int(self.client.count(index=self.alias)["count"])

    def _refresh_for(self, request: SearchRequest) -> None:
        end = es_query.window_end(request)
        if end is not None and end >= now_epoch() - REFRESH_WINDOW_SECONDS:
            self.client.indices.refresh(index=self.alias)

    def search(self, request: SearchRequest) -> SearchResponse:
        node = parse(request.query)
        self.ensure_index()
        self._refresh_for(request)
        offset, limit = max(0, int(request.offset)), max(0, int(request.limit))
        query = es_query.query(request, node, recency_days=self.recency_days)
        order = es_query.sort(request, node)
        if offset + limit <= MAX_RESULT_WINDOW:
            body: dict[str, Any] = {
                "query": query,
                "sort": order,
                "from": offset,
                "size": limit,
                "track_total_hits": True,
            }
            if request.facets:
                body["aggs"] = es_query.facet_aggregations()
            response = self.client.search(index=self.alias, **body).body
            entries = response["hits"]["hits"]
        else:
            response, entries = self._deep_page(request, query, order, offset, limit)
        total = int(response["hits"]["total"]["value"])
        aggregations = response.get("aggregations", {})
        facets = es_query.facets_from(aggregations, total) if request.facets else {}
        return {"total": total, "hits": self._hits(entries, node), "facets": facets}

    def _hits(self, entries: list[dict[str, Any]], node: Node | None) -> list[Hit]:
        phrases = highlight_terms(node)
        hits: list[Hit] = []
        for entry in entries:
            doc = _document(entry["_source"])
            hit = cast(dict[str, Any], public_fields(doc))
            for key in _HIT_EXTRA_FIELDS:
                hit[key] = doc.get(key)
            hit["snippet"] = snippet(doc.get("text") or "", phrases)
            hits.append(cast(Hit, hit))
        return hits

    def _deep_page(
        self,
        request: SearchRequest,
        query: dict[str, Any],
        order: list[Any],
        offset: int,
        limit: int,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A page beyond ``max_result_window``: ``search_after`` over a point in time, from
        the cursor the previous page left at ``offset`` when there is one, else walking
        there 10,000 sort keys at a time."""
        key = json.dumps([query, order], sort_keys=True, default=str)
        with self._lock:
            cursor = self._cursors.pop((key, offset), None)
        summary: dict[str, Any] = {"size": 0, "query": query, "track_total_hits": True}
        if request.facets:
            summary["aggs"] = es_query.facet_aggregations()
        if cursor is not None:
            try:
                return self._page_from(cursor, key, summary, query, order, offset, limit)
            except NotFoundError:  # the point in time expired: walk again
                pass
        pit = self.client.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE)["id"]
        after: list[Any] | None = None
        position = 0
        while position < offset:
            step = min(MAX_RESULT_WINDOW, offset - position)
            response = self._pit_search(pit, query, order, after, size=step, source=False)
            pit = response.get("pit_id", pit)
            found = response["hits"]["hits"]
            if not found:
                break
            after = found[-1]["sort"]
            position += len(found)
        if position < offset or after is None:  # fewer matches than the offset
            counted = self.client.search(index=self.alias, **summary).body
            self._close_pit(pit)
            return counted, []
        return self._page_from((pit, after), key, summary, query, order, offset, limit)

    def _page_from(
        self,
        cursor: tuple[str, list[Any]],
        key: str,
        summary: dict[str, Any],
        query: dict[str, Any],
        order: list[Any],
        offset: int,
        limit: int,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        pit, after = cursor
        response = self._pit_search(pit, query, order, after, size=limit, source=True)
        pit = response.get("pit_id", pit)
        counted = self._pit_search(pit, query, None, None, size=0, source=False, extra=summary)
        entries = response["hits"]["hits"]
        if len(entries) == limit and entries:
            self._remember((key, offset + len(entries)), (pit, entries[-1]["sort"]))
        else:
            self._close_pit(pit)
        return counted, entries

    def _pit_search(
        self,
        pit: str,
        query: dict[str, Any],
        order: list[Any] | None,
        after: list[Any] | None,
        *,
        size: int,
        source: bool,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = dict(extra or {})
        body.update(
            {
                "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE},
                "query": query,
                "size": size,
                "_source": source,
            }
        )
        if "track_total_hits" not in body:
            body["track_total_hits"] = False
        if order is not None:
            body["sort"] = order
        if after is not None:
            body["search_after"] = after
        return cast(dict[str, Any], self.client.search(**body).body)

    def _remember(self, at: tuple[str, int], cursor: tuple[str, list[Any]]) -> None:
        with self._lock:
            self._cursors[at] = cursor
            evicted = []
            while len(self._cursors) > _CURSORS:
                evicted.append(self._cursors.popitem(last=False)[1][0])
        live = {pit for pit, _after in self._cursors.values()}
        for pit in evicted:
            if pit not in live:
                self._close_pit(pit)

    def _close_pit(self, pit: str) -> None:
        try:
            self.client.close_point_in_time(id=pit)
        except (ApiError, TransportError) as error:  # it expires on its own anyway
            log.debug("closing a point in time failed: %s", error)

    def histogram(
        self,
        request: SearchRequest,
        interval: Literal["day", "week"] = "day",
        by: Sequence[str] = (),
    ) -> list[Bucket]:
        if interval not in ("day", "week"):
            raise ValueError(f"interval: {interval!r} is neither 'day' nor 'week'")
        for name in by:
            if name not in (*LIST_FIELDS, *SINGLE_FIELDS, "wildlife_trade"):
                raise ValueError(f"histogram by: unknown field {name!r}")
        self.ensure_index()
        self._refresh_for(request)
        inner: dict[str, Any] = {}
        for name in reversed(by):
            level: dict[str, Any] = {"terms": {"field": f"facet.{name}", "size": _HISTOGRAM_TERMS}}
            if inner:
                level["aggs"] = inner
            inner = {name: level}
        dates: dict[str, Any] = {
            "date_histogram": {
                "field": "item_date",
                "calendar_interval": interval,
                "time_zone": str(local_zone()),
                "min_doc_count": 1,
                "format": "yyyy-MM-dd",
            }
        }
        if inner:
            dates["aggs"] = inner
        response = self.client.search(
            index=self.alias,
            query=es_query.query(request, parse(request.query), recency_days=self.recency_days),
            size=0,
            aggs={"dates": dates},
        )
        buckets: list[Bucket] = []
        for date_bucket in response["aggregations"]["dates"]["buckets"]:
            for keys, number in _leaves(date_bucket, list(by), {}):
                if number:
                    buckets.append(
                        {"date": date_bucket["key_as_string"], "keys": keys, "count": number}
                    )
        return sorted(buckets, key=lambda b: (b["date"], tuple(b["keys"].values())))

    def count_groups(
        self, request: SearchRequest, groups: Mapping[str, Sequence[str]]
    ) -> dict[str, int]:
        if not groups:
            return {}
        self.ensure_index()
        self._refresh_for(request)
        response = self.client.search(
            index=self.alias,
            query=es_query.query(request, parse(request.query), recency_days=self.recency_days),
            size=0,
            track_total_hits=False,
            aggs={"groups": es_query.group_aggregation(groups)},
        )
        buckets = response["aggregations"]["groups"]["buckets"]
        return {group: int(buckets[group]["doc_count"]) for group in groups}

    def near_duplicates(self, simhash: str, max_distance: int = 3) -> list[str]:
        if simhash_bands(simhash) is None:
            return []
        self.ensure_index()
        probes = band_probes(simhash, max_distance)
        if probes is not None:
            should = [{"terms": {f"band{band}": values}} for band, values in enumerate(probes)]
            lookup: dict[str, Any] = {"bool": {"should": should, "minimum_should_match": 1}}
        else:
            lookup = {"exists": {"field": "simhash"}}
        found = []
        for entry in scan(
            self.client, index=self.alias, query={"query": lookup}, _source=["simhash"]
        ):
            other = entry["_source"].get("simhash")
            if other and (distance := hamming(simhash, other)) <= max_distance:
                found.append((distance, entry["_id"]))
        return [doc_id for _distance, doc_id in sorted(found)]

    def duplicates_of(self, doc_id: str) -> list[Document]:
        doc = self.get(doc_id)
        if doc is None:
            return []
        group = doc.get("duplicate_of") or doc_id
        response = self.client.search(
            index=self.alias,
            query={
                "bool": {
                    "should": [{"ids": {"values": [group]}}, {"term": {"duplicate_of": group}}],
                    "minimum_should_match": 1,
                    "must_not": [{"ids": {"values": [doc_id]}}],
                }
            },
            sort=[{"fetched_date": "asc"}, {"id": "asc"}],
            size=1000,
        )
        return [_document(entry["_source"]) for entry in response["hits"]["hits"]]

    def close(self) -> None:
        with self._lock:
            pits = {pit for pit, _after in self._cursors.values()}
            self._cursors.clear()
        for pit in pits:
            self._close_pit(pit)
        self.client.close()


def _leaves(
    bucket: dict[str, Any], by: list[str], keys: dict[str, str]
) -> Iterable[tuple[dict[str, str], int]]:
    if not by:
        yield dict(keys), int(bucket["doc_count"])
        return
    name = by[0]
    for sub in bucket.get(name, {}).get("buckets", []):
        value = str(sub.get("key_as_string", sub["key"]))
        yield from _leaves(sub, by[1:], {**keys, name: value})
