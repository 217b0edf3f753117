"""Compile a ``SearchRequest`` into Elasticsearch query DSL (fields of search/mapping.json).

Pure apart from asking SQLite's tokenizer for terms (search/index_tokens.py): reads a request
and its parsed query; writes the ``query``, ``sort`` and ``aggs`` parts of a search body.

Matching is the embedded index's: every phrase is turned into FTS5 terms, searched as a
phrase on ``title_terms`` or ``text_terms`` (a phrase never spans the title and the text, as
in FTS5), ``x*`` is a ``prefix`` query on the last term (every expansion, no cap), and
AND/OR/NOT are ``bool`` clauses over whole items. Filters compare the keys
``search.indexed.normalise_key`` computed at indexing time, dates are epoch seconds.

Ranking resembles the SQLite backend (exact agreement is not promised): BM25 with the title
weighted 4×, multiplied by ``1 + recency`` where recency decays from 1 (today) to 0.5 at
``WILDWATCH_SEARCH_RECENCY_DAYS`` days; ties fall to the newer item, then the higher id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from search import es_triage
from search.backend import SearchRequest
from search.dates import end_of, start_of
from search.facet_ids import FACET_LIMIT
from search.filter_values import places_within
from search.index_tokens import terms
from search.indexed import FACET_FIELDS, normalise_key
from search.query_language import And, Node, Not, Or, Phrase

TITLE_FIELD = "title_terms"
TEXT_FIELD = "text_terms"
TITLE_BOOST = 4.0
# Plain words typed side by side also score as a phrase (as search.query_language does for
# FTS5): "sung te giac" ranks the item saying "sừng tê giác" first. Elasticsearch computes idf
# per field, so one rare word in a short title outscores a phrase in the text unless the
# phrase weighs this much (FTS5's idf is per row, and its phrase is repeated 4 times).
PHRASE_BOOST = 25.0

# Request attribute -> field of normalised keys (search.indexed.normalise_key).
_KEY_FILTERS = {
    "species": "species",
    "kind": "kind",
    "lang": "lang",
    "source": "source",
    "enforcement": "enforcement",
    "country": "country",
    "location": "locations",
}

MATCH_NONE: dict[str, Any] = {"match_none": {}}


def _field_phrase(field: str, found: list[str], prefix: bool, boost: float) -> dict[str, Any]:
    if prefix and len(found) == 1:
        return {"prefix": {field: {"value": found[0], "boost": boost}}}
    if prefix:
        spans: list[dict[str, Any]] = [{"span_term": {field: term}} for term in found[:-1]]
        spans.append({"span_multi": {"match": {"prefix": {field: {"value": found[-1]}}}}})
        return {"span_near": {"clauses": spans, "slop": 0, "in_order": True, "boost": boost}}
    # The field's own analyzer (whitespace) splits the query as it split the indexed terms.
    return {"match_phrase": {field: {"query": " ".join(found), "boost": boost}}}


def phrase_clause(phrase: Phrase, boost: float = 1.0) -> dict[str, Any]:
    """One word or phrase of the query: its FTS5 terms in the title or in the text."""
    found = terms(" ".join(phrase.words))
    if not found:
        return MATCH_NONE  # FTS5 matches nothing for a phrase without terms
    return {
        "bool": {
            "should": [
                _field_phrase(TITLE_FIELD, found, phrase.prefix, TITLE_BOOST * boost),
                _field_phrase(TEXT_FIELD, found, phrase.prefix, boost),
            ],
            "minimum_should_match": 1,
        }
    }


def _typed_together(children: Sequence[Node]) -> Phrase | None:
    if len(children) < 2:
        return None
    words: list[str] = []
    for child in children:
        if not isinstance(child, Phrase) or len(child.words) != 1 or child.prefix:
            return None
        words.extend(child.words)
    return Phrase(tuple(words))


def text_clause(node: Node) -> dict[str, Any]:
    """The query clause matching the items FTS5 matches for ``node``."""
    if isinstance(node, Phrase):
        return phrase_clause(node)
    if isinstance(node, Not):
        return {"bool": {"must_not": [text_clause(node.child)]}}
    if isinstance(node, Or):
        return {
            "bool": {
                "should": [text_clause(child) for child in node.children],
                "minimum_should_match": 1,
            }
        }
    assert isinstance(node, And)
    positives = [child for child in node.children if not isinstance(child, Not)]
    negatives = [child.child for child in node.children if isinstance(child, Not)]
    clause: dict[str, Any] = {}
    if positives:
        clause["must"] = [text_clause(child) for child in positives]
    together = _typed_together(positives)
    if together is not None:  # ranking only: "must" decides what matches
        clause["should"] = [phrase_clause(together, PHRASE_BOOST)]
    if negatives:
        clause["must_not"] = [text_clause(child) for child in negatives]
    return {"bool": clause}


def filters(request: SearchRequest) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    for attribute, name in _KEY_FILTERS.items():
        values = getattr(request, attribute)
        if values:
            keys = sorted({normalise_key(name, value) for value in values})
            clauses.append({"terms": {f"keys.{name}": keys}})
    for place in request.place:  # each value must match (search.backend.SearchRequest.place)
        keys = sorted({normalise_key("locations", name) for name in places_within(place)})
        clauses.append({"terms": {"keys.locations": keys}} if keys else MATCH_NONE)
    if request.wildlife_trade is not None:
        clauses.append({"term": {"wildlife_trade": bool(request.wildlife_trade)}})
    if request.min_relevance is not None:
        clauses.append({"range": {"relevance": {"gte": float(request.min_relevance)}}})
    item_range: dict[str, Any] = {}
    if request.since is not None:
        item_range["gte"] = start_of(request.since)
    if request.until is not None:
        item_range["lte"] = end_of(request.until)
    if item_range:
        item_range["format"] = "epoch_second"
        clauses.append({"range": {"item_date": item_range}})
    fetched_range: dict[str, Any] = {}
    if request.fetched_since is not None:
        fetched_range["gte"] = start_of(request.fetched_since)
    if request.fetched_until is not None:
        fetched_range["lt"] = start_of(request.fetched_until)
    if fetched_range:
        fetched_range["format"] = "epoch_second"
        clauses.append({"range": {"fetched_date": fetched_range}})
    if request.ids:
        clauses.append({"ids": {"values": list(request.ids)}})
    clauses.extend(es_triage.filter_clauses(request.triage, request.seen, request.noted))
    return clauses


def window_end(request: SearchRequest) -> int | None:
    """Epoch seconds where the request's time window ends, if it has an end."""
    ends = []
    if request.until is not None:
        ends.append(end_of(request.until))
    if request.fetched_until is not None:
        ends.append(start_of(request.fetched_until))
    return max(ends) if ends else None


def query(request: SearchRequest, node: Node | None, *, recency_days: float) -> dict[str, Any]:
    """The ``query`` of a search body: the text query (or match_all) filtered, with the
    recency boost when ranking by relevance."""
    boolean: dict[str, Any] = {
        "must": [text_clause(node) if node is not None else {"match_all": {}}]
    }
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
    """A total order (the id breaks every tie), so pages never overlap or skip."""
    newest = [{"item_date": "desc"}, {"id": "desc"}]
    if request.sort == "relevance" and node is not None:
        return [{"_score": "desc"}, *newest]
    return newest


def group_aggregation(groups: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """A ``filters`` aggregation with one bucket per group of place names (the backend's
    ``count_groups``): a bucket counts the items whose location keys include any of its
    names, each item once."""
    buckets: dict[str, Any] = {}
    for group, names in groups.items():
        keys = sorted({normalise_key("locations", name) for name in names})
        buckets[group] = {"terms": {"keys.locations": keys}} if keys else MATCH_NONE
    return {"filters": {"filters": buckets}}


def facet_aggregations() -> dict[str, Any]:
    """Terms per facet field, most frequent first, ties in value order (as SQLite's), and
    the triage counts (search/es_triage.py)."""
    return {
        **{
            name: {
                "terms": {
                    "field": f"facet.{name}",
                    "size": FACET_LIMIT,
                    "order": [{"_count": "desc"}, {"_key": "asc"}],
                }
            }
            for name in FACET_FIELDS
        },
        **es_triage.aggregations(),
    }


def facets_from(aggregations: dict[str, Any], total: int) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        buckets = aggregations.get(name, {}).get("buckets", [])
        facets[name] = {
            str(bucket.get("key_as_string", bucket["key"])): int(bucket["doc_count"])
            for bucket in buckets
        }
    facets.update(es_triage.facets_from(aggregations, total))
    return facets
