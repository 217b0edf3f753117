"""Compile a ``SearchRequest`` into Elasticsearch query DSL (fields of search/mapping.json).

Pure: reads a request and the parsed query; writes the ``query``, ``sort`` and ``aggs`` parts of
a search body. Ranking mirrors the SQLite backend: BM25 (title weighted 3×) multiplied by
``1 + recency`` where recency decays exponentially from 1 (today) to 0.5 at
``WILDWATCH_SEARCH_RECENCY_DAYS`` days.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from search.backend import SearchRequest
from search.dates import end_of, start_of
from search.facet_ids import FACET_LIMIT
from search.indexed import FACET_FIELDS, normalise_key
from search.query_language import Node, to_elasticsearch

# Request attribute -> indexed field. Keyword normalizers in the mapping make lower/upper case
# irrelevant; locations are matched on their folded sub-field.
_TERM_FILTERS = {
    "species": "species",
    "kind": "kind",
    "lang": "lang",
    "source": "source",
    "enforcement": "enforcement",
    "country": "country",
    "location": "locations.key",
}
_NORMALISE_AS = {"location": "locations"}


def iso_utc(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()


def filters(request: SearchRequest) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    for attribute, field in _TERM_FILTERS.items():
        values = getattr(request, attribute)
        if values:
            kind = _NORMALISE_AS.get(attribute, attribute)
            clauses.append({"terms": {field: [normalise_key(kind, value) for value in values]}})
    if request.wildlife_trade is not None:
        clauses.append({"term": {"wildlife_trade": request.wildlife_trade}})
    if request.min_relevance is not None:
        clauses.append({"range": {"relevance": {"gte": request.min_relevance}}})
    item_range: dict[str, str] = {}
    if request.since is not None:
        item_range["gte"] = iso_utc(start_of(request.since))
    if request.until is not None:
        item_range["lte"] = iso_utc(end_of(request.until))
    if item_range:
        clauses.append({"range": {"item_date": item_range}})
    fetched_range: dict[str, str] = {}
    if request.fetched_since is not None:
        fetched_range["gte"] = iso_utc(start_of(request.fetched_since))
    if request.fetched_until is not None:
        fetched_range["lt"] = iso_utc(start_of(request.fetched_until))
    if fetched_range:
        clauses.append({"range": {"fetched_at": fetched_range}})
    if request.ids:
        clauses.append({"ids": {"values": list(request.ids)}})
    return clauses


def query(request: SearchRequest, node: Node | None, *, recency_days: float) -> dict[str, Any]:
    """The ``query`` of a search body: the text query (or match_all) filtered, with the
    recency boost when ranking by relevance."""
    text_query = to_elasticsearch(node) if node is not None else {"match_all": {}}
    boolean: dict[str, Any] = {"must": [text_query]}
    clauses = filters(request)
    if clauses:
        boolean["filter"] = clauses
    scored: dict[str, Any] = {"bool": boolean}
    if node is None or request.sort != "relevance":
        return scored
    return {
        "function_score": {
            "query": scored,
            "functions": [
                {
                    "exp": {
                        "item_date": {"origin": "now", "scale": f"{recency_days:g}d", "decay": 0.5}
                    }
                },
                {"weight": 1},
            ],
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


def sort(request: SearchRequest, node: Node | None) -> list[Any]:
    if request.sort == "relevance" and node is not None:
        return ["_score", {"item_date": "desc"}]
    return [{"item_date": "desc"}, {"id": "desc"}]


def facet_aggregations() -> dict[str, Any]:
    fields = {name: name for name in FACET_FIELDS}
    return {
        name: {"terms": {"field": field, "size": FACET_LIMIT}} for name, field in fields.items()
    }


def facets_from(aggregations: dict[str, Any]) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        buckets = aggregations.get(name, {}).get("buckets", [])
        facets[name] = {
            str(bucket.get("key_as_string", bucket["key"])): int(bucket["doc_count"])
            for bucket in buckets
        }
    return facets
