"""The Elasticsearch backend (``WILDWATCH_ELASTICSEARCH_URL``), for indexes beyond one machine.

Reads and writes the versioned index ``<alias>-v1`` (settings and mappings in
search/mapping.json) through its alias (``WILDWATCH_ELASTICSEARCH_INDEX``, default
``wildwatch-items``), so a future ``-v2`` can be built and swapped in without downtime.
Writes go through ``elasticsearch.helpers.streaming_bulk`` by item id; rejected items (429,
5xx) are retried with exponential backoff, and whatever still fails raises ``IndexingError``
naming the ids: nothing is dropped silently.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any, Literal, cast

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from elasticsearch.helpers import scan, streaming_bulk

from pipelines.dedup import hamming
from search import es_query, settings
from search.backend import Bucket, Hit, SearchRequest, SearchResponse, UpsertOutcome
from search.dates import local_zone
from search.document import Document, public_fields
from search.indexed import (
    LIST_FIELDS,
    SINGLE_FIELDS,
    Indexed,
    band_probes,
    content_unchanged,
    prepare,
    simhash_bands,
)
from search.query_language import highlight_terms, parse
from search.snippets import snippet

log = logging.getLogger(__name__)

INDEX_VERSION = 1
_DERIVED_FIELDS = ("item_date", "band0", "band1", "band2", "band3")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_HISTOGRAM_TERMS = 1000
_HIT_EXTRA_FIELDS = ("duplicate_of", "archive_sha256", "country")


class IndexingError(RuntimeError):
    """Items Elasticsearch refused after every retry."""

    def __init__(self, failures: dict[str, str]):
        listed = "; ".join(f"{doc_id}: {reason}" for doc_id, reason in list(failures.items())[:10])
        super().__init__(f"{len(failures)} item(s) not indexed: {listed}")
        self.failures = failures


def load_mapping() -> dict[str, Any]:
    """search/mapping.json without its comment."""
    text = resources.files("search").joinpath("mapping.json").read_text(encoding="utf-8")
    body = json.loads(text)
    body.pop("_comment", None)
    return cast(dict[str, Any], body)


def _body(item: Indexed) -> dict[str, Any]:
    body: dict[str, Any] = dict(item.doc)
    body["item_date"] = es_query.iso_utc(item.item_ts)
    for band, value in enumerate(item.bands or (None,) * 4):
        body[f"band{band}"] = value
    return body


def _document(source: dict[str, Any]) -> Document:
    return cast(Document, {k: v for k, v in source.items() if k not in _DERIVED_FIELDS})


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
        self.index = f"{alias}-v{INDEX_VERSION}"
        self.refresh = refresh  # make writes visible at once (tests, small imports)
        self.retries = retries
        self.initial_backoff = initial_backoff
        self.recency_days = recency_days
        self._ready = False

    @classmethod
    def from_settings(cls) -> ElasticsearchBackend:
        url = settings.elasticsearch_url()
        assert url, "from_settings needs WILDWATCH_ELASTICSEARCH_URL"
        api_key = settings.elasticsearch_api_key()
        client = Elasticsearch(url, api_key=api_key) if api_key else Elasticsearch(url)
        return cls(
            client,
            alias=settings.elasticsearch_index(),
            retries=settings.elasticsearch_bulk_retries(),
            recency_days=settings.recency_days(),
        )

    def ensure_index(self) -> None:
        """Create ``<alias>-v1`` with search/mapping.json and point the alias at it, unless
        the alias exists already."""
        if self._ready:
            return
        if not self.client.indices.exists_alias(name=self.alias):
            mapping = load_mapping()
            try:
                self.client.indices.create(
                    index=self.index,
                    settings=mapping["settings"],
                    mappings=mapping["mappings"],
                    aliases={self.alias: {"is_write_index": True}},
                )
            except ApiError as error:
                # Another process created it between the check and the create.
                if error.error != "resource_already_exists_exception":
                    raise
        self._ready = True

    # --- writing ---------------------------------------------------------------------------

    def upsert(self, docs: Iterable[Document]) -> list[UpsertOutcome]:
        prepared = [prepare(doc) for doc in docs]
        if not prepared:
            return []
        self.ensure_index()
        stored = self._stored([item.id for item in prepared])
        outcomes: list[UpsertOutcome] = []
        actions: dict[str, dict[str, Any]] = {}
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
            actions[item.id] = {
                "_op_type": "index",
                "_index": self.alias,
                "_id": item.id,
                "_source": _body(item),
            }
            outcomes.append(outcome)
        self._bulk(list(actions.values()))
        return outcomes

    def _stored(self, doc_ids: list[str]) -> dict[str, Document]:
        response = self.client.mget(index=self.alias, ids=list(dict.fromkeys(doc_ids)))
        return {
            entry["_id"]: _document(entry["_source"])
            for entry in response["docs"]
            if entry.get("found")
        }

    def _bulk(self, actions: list[dict[str, Any]]) -> None:
        """Index ``actions``; retry rejected items and failed requests with backoff."""
        pending = actions
        failures: dict[str, str] = {}
        for attempt in range(self.retries + 1):
            if not pending:
                break
            if attempt:
                delay = self.initial_backoff * 2 ** (attempt - 1)
                log.warning("retrying %d item(s) in %.1f s", len(pending), delay)
                time.sleep(delay)
            by_id = {action["_id"]: action for action in pending}
            retry: list[dict[str, Any]] = []
            failures = {}
            try:
                for ok, result in streaming_bulk(
                    self.client,
                    pending,
                    raise_on_error=False,
                    raise_on_exception=True,
                    max_retries=0,
                    refresh="wait_for" if self.refresh else False,
                ):
                    if ok:
                        continue
                    info = result.get("index", {})
                    doc_id = str(info.get("_id"))
                    failures[doc_id] = json.dumps(info.get("error", info.get("status")))
                    if info.get("status") in _RETRY_STATUSES and doc_id in by_id:
                        retry.append(by_id[doc_id])
            except TransportError as error:
                # The whole request failed (connection refused, timeout): retry everything.
                failures = {action["_id"]: str(error) for action in pending}
                continue
            except ApiError as error:
                if error.status_code not in _RETRY_STATUSES:
                    raise
                failures = {action["_id"]: str(error) for action in pending}
                continue
            if len(retry) < len(failures):
                break  # a refusal that retrying cannot fix (mapping error, bad value)
            pending = retry
        if failures:
            raise IndexingError(failures)

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

    def search(self, request: SearchRequest) -> SearchResponse:
        node = parse(request.query)
        self.ensure_index()
        body: dict[str, Any] = {
            "query": es_query.query(request, node, recency_days=self.recency_days),
            "sort": es_query.sort(request, node),
            "from": max(0, request.offset),
            "size": max(0, request.limit),
            "track_total_hits": True,
        }
        if request.facets:
            body["aggs"] = es_query.facet_aggregations()
        response = self.client.search(index=self.alias, **body)
        phrases = highlight_terms(node)
        hits: list[Hit] = []
        for entry in response["hits"]["hits"]:
            doc = _document(entry["_source"])
            hit = cast(dict[str, Any], public_fields(doc))
            for key in _HIT_EXTRA_FIELDS:
                hit[key] = doc.get(key)
            hit["snippet"] = snippet(doc.get("text") or "", phrases)
            hits.append(cast(Hit, hit))
        facets = es_query.facets_from(response.get("aggregations", {})) if request.facets else {}
        total = int(response["hits"]["total"]["value"])
        return {"total": total, "hits": hits, "facets": facets}

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
        inner: dict[str, Any] = {}
        for name in reversed(by):
            level: dict[str, Any] = {"terms": {"field": name, "size": _HISTOGRAM_TERMS}}
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
            sort=[{"fetched_at": "asc"}, {"id": "asc"}],
            size=1000,
        )
        return [_document(entry["_source"]) for entry in response["hits"]["hits"]]

    def close(self) -> None:
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
