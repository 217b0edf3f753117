"""Triage on Elasticsearch: the records in their own index, and their reflection on items.

The records (search/triage.py) live in the index ``<alias>-triage``, one document per item id
with its last 100 history events: the one source of truth. It is not behind the items' alias
and not versioned, so ``wildwatch index reindex`` (a new ``<alias>-v<N>``) never copies or
drops it. What searches filter and count on is a copy kept on each item document, the object
``triage`` (``state`` when decided, ``seen``, ``noted``): written with the record, and written
again by the backend on every upsert and every reindex from the records, so a re-crawled item
never comes back untriaged. Items indexed before this field existed simply lack it, which the
filters read as untriaged, unseen and without a note.

Reads and writes only the triage index and the ``triage`` field of items; pure helpers build
the query clauses and aggregations (search/es_query.py uses them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch.helpers import scan

from search.filter_values import TRIAGE_STATES, UNTRIAGED
from search.triage import TriageEvent, TriageRecord, triage_facets

HISTORY_KEPT = 100
TRIAGE_ITEM_FIELD = "triage"
# Added to an items index created before triage existed (its mapping is "dynamic": false).
ITEM_PROPERTIES: dict[str, Any] = {
    TRIAGE_ITEM_FIELD: {
        "properties": {
            "state": {"type": "keyword"},
            "seen": {"type": "boolean"},
            "noted": {"type": "boolean"},
        }
    }
}
_RECORDS_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "item": {"type": "keyword"},
        "state": {"type": "keyword"},
        "seen": {"type": "boolean"},
        "note": {"type": "text", "index": False},
        "by": {"type": "keyword"},
        "at": {"type": "keyword"},
        "history": {"type": "object", "enabled": False},
    },
}


def records_index(alias: str) -> str:
    return f"{alias}-triage"


def ensure_records_index(client: Elasticsearch, alias: str) -> None:
    name = records_index(alias)
    if client.indices.exists(index=name):
        return
    try:
        client.indices.create(
            index=name, settings={"number_of_shards": 1}, mappings=_RECORDS_MAPPING
        )
    except ApiError as error:  # another process created it a moment ago
        if "resource_already_exists" not in str(error):
            raise


def item_fields(record: TriageRecord | None) -> dict[str, Any]:
    """The ``triage`` object of an item document. ``state`` is always present (null when
    undecided): a partial update merges objects, and must clear a state taken back."""
    fields: dict[str, Any] = {"state": None, "seen": False, "noted": False}
    if record is not None:
        fields["state"] = record.state
        fields["seen"] = record.seen
        fields["noted"] = bool(record.note)
    return fields


def record_source(record: TriageRecord, history: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "item": record.item_id,
        "state": record.state,
        "seen": record.seen,
        "note": record.note,
        "by": record.by,
        "at": record.at,
        "history": history[-HISTORY_KEPT:],
    }


def read_sources(
    client: Elasticsearch, alias: str, ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The stored record documents (realtime: a write a moment ago is seen)."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    try:
        response = client.mget(index=records_index(alias), ids=unique, realtime=True)
    except NotFoundError:  # no triage index yet: nothing was ever triaged
        return {}
    return {
        entry["_id"]: entry["_source"]
        for entry in response["docs"]
        if entry.get("found") and "_source" in entry
    }


def to_record(item_id: str, source: Mapping[str, Any]) -> TriageRecord:
    return TriageRecord.from_json(item_id, source)


def read_records(client: Elasticsearch, alias: str, ids: Sequence[str]) -> dict[str, TriageRecord]:
    return {
        item_id: to_record(item_id, source)
        for item_id, source in read_sources(client, alias, ids).items()
    }


def events(item_id: str, source: Mapping[str, Any], limit: int) -> list[TriageEvent]:
    history = list(source.get("history") or [])[::-1][: max(0, limit)]
    return [
        TriageEvent(
            item_id=item_id,
            at=str(entry.get("at", "")),
            by=str(entry.get("by", "")),
            changes={k: v for k, v in entry.items() if k not in ("at", "by")},
        )
        for entry in history
    ]


def all_records(client: Elasticsearch, alias: str) -> Iterator[TriageRecord]:
    name = records_index(alias)
    if not client.indices.exists(index=name):
        return
    client.indices.refresh(index=name)
    found = [
        to_record(entry["_id"], entry["_source"])
        for entry in scan(
            client, index=name, query={"query": {"match_all": {}}}, _source_excludes=["history"]
        )
    ]
    yield from sorted(found, key=lambda record: (record.at, record.item_id))


# --- query parts (search/es_query.py) ------------------------------------------------------


def filter_clauses(
    states: Sequence[str], seen: bool | None, noted: bool | None
) -> list[dict[str, Any]]:
    """Filter clauses on the items' ``triage`` object; a missing field reads as untriaged,
    unseen, without a note."""
    clauses: list[dict[str, Any]] = []
    field = TRIAGE_ITEM_FIELD
    if states:
        # An item has at most one state: "these states or none" is "not the other states".
        named = [state for state in TRIAGE_STATES if state in states]
        if UNTRIAGED in states:
            others = [state for state in TRIAGE_STATES if state not in named]
            if others:
                clauses.append({"bool": {"must_not": [{"terms": {f"{field}.state": others}}]}})
        else:
            clauses.append({"terms": {f"{field}.state": named}})
    for name, wanted in (("seen", seen), ("noted", noted)):
        if wanted is None:
            continue
        term = {"term": {f"{field}.{name}": True}}
        clauses.append(term if wanted else {"bool": {"must_not": [term]}})
    return clauses


def aggregations() -> dict[str, Any]:
    field = TRIAGE_ITEM_FIELD
    return {
        "triage_state": {"terms": {"field": f"{field}.state", "size": len(TRIAGE_STATES)}},
        "triage_seen": {"filter": {"term": {f"{field}.seen": True}}},
        "triage_noted": {"filter": {"term": {f"{field}.noted": True}}},
    }


def facets_from(aggregations: Mapping[str, Any], total: int) -> dict[str, dict[str, int]]:
    states = {
        str(bucket["key"]): int(bucket["doc_count"])
        for bucket in aggregations.get("triage_state", {}).get("buckets", [])
    }
    seen = int(aggregations.get("triage_seen", {}).get("doc_count", 0))
    noted = int(aggregations.get("triage_noted", {}).get("doc_count", 0))
    return triage_facets(total, states, seen, noted)
