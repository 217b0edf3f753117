"""A small in-memory implementation of the search/backend.py contract, enough for digests and
spikes: filters, fetched_at windows, newest-first order and day histograms in WILDWATCH_TZ."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import product
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from search.backend import Bucket, Hit, SearchRequest, SearchResponse, UpsertOutcome
from search.document import Document
from search.triage import (
    TriageChange,
    TriageEvent,
    TriageRecord,
    UnknownItems,
    apply_change,
    now_iso,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def item(
    item_id: str,
    *,
    title: str,
    fetched_at: datetime,
    source: str = "vnexpress",
    species: Sequence[str] = (),
    published_at: str | None = None,
    **extra: Any,
) -> Document:
    doc: dict[str, Any] = {
        "id": item_id,
        "url": f"https://{source}.example.vn/{item_id}.html",
        "title": title,
        "text": extra.pop("text", title),
        "source": source,
        "kind": "news",
        "lang": "vi",
        "country": "VN",
        "published_at": published_at,
        "fetched_at": fetched_at.astimezone(UTC).isoformat(),
        "wildlife_trade": True,
        "relevance": 0.7,
        "species": list(species),
        "enforcement": [],
        "prices": [],
        "quantities": [],
        "locations": [],
        "contacts": [],
        "duplicate_of": None,
        "archive_sha256": None,
    }
    doc.update(extra)
    return Document(**doc)  # type: ignore[typeddict-item]


class FakeBackend:
    def __init__(self, docs: Iterable[Document] = ()) -> None:
        self.docs: dict[str, Document] = {}
        self.triage: dict[str, TriageRecord] = {}
        self.events: list[TriageEvent] = []
        self.upsert(docs)

    def upsert(self, docs: Iterable[Document]) -> list[UpsertOutcome]:
        outcomes: list[UpsertOutcome] = []
        for doc in docs:
            outcomes.append("updated" if doc["id"] in self.docs else "new")
            self.docs[doc["id"]] = doc
        return outcomes

    def get(self, doc_id: str) -> Document | None:
        return self.docs.get(doc_id)

    def _matches(self, doc: Document, request: SearchRequest) -> bool:
        if request.query:
            words = [w for w in request.query.lower().split() if w not in {"and", "or", "not"}]
            haystack = (doc.get("title", "") + " " + doc.get("text", "")).lower()
            if not any(word.strip('"') in haystack for word in words):
                return False
        for key in ("species", "enforcement", "locations"):
            wanted = getattr(request, "location" if key == "locations" else key)
            if wanted and not set(wanted) & set(cast(list[str], doc.get(key) or [])):
                return False
        for key in ("kind", "lang", "source", "country"):
            wanted = getattr(request, key)
            if wanted and doc.get(key) not in wanted:
                return False
        if request.ids and doc["id"] not in request.ids:
            return False
        record = self.triage.get(doc["id"], TriageRecord(item_id=doc["id"]))
        if request.triage and record.filter_state not in request.triage:
            return False
        if request.seen is not None and record.seen != request.seen:
            return False
        if request.noted is not None and bool(record.note) != request.noted:
            return False
        if request.wildlife_trade is not None and doc["wildlife_trade"] != request.wildlife_trade:
            return False
        if request.min_relevance is not None and doc["relevance"] < request.min_relevance:
            return False
        fetched = datetime.fromisoformat(doc["fetched_at"])
        if request.fetched_since and fetched < request.fetched_since:
            return False
        if request.fetched_until and fetched >= request.fetched_until:
            return False
        # A date bound means whole local days; a datetime bound, that instant (as the real
        # backends do).
        stamp = datetime.fromisoformat(doc.get("published_at") or doc["fetched_at"])
        since, until = request.since, request.until
        if isinstance(since, datetime):
            if stamp < since:
                return False
        elif since is not None and _item_day(doc) < since:
            return False
        if isinstance(until, datetime):
            return stamp <= until
        return not (until is not None and _item_day(doc) > until)

    def search(self, request: SearchRequest) -> SearchResponse:
        found = [d for d in self.docs.values() if self._matches(d, request)]
        if request.sort == "newest":
            found.sort(key=lambda d: d["fetched_at"], reverse=True)
        else:
            found.sort(key=lambda d: d["relevance"], reverse=True)
        page = found[request.offset : request.offset + request.limit]
        hits = [self._hit(d) for d in page]
        return {"total": len(found), "hits": hits, "facets": {}}

    def _hit(self, doc: Document) -> Hit:
        hit: dict[str, Any] = {k: v for k, v in doc.items() if k not in {"text", "tokens"}}
        hit["snippet"] = doc.get("text", "")[:200].replace("<", "&lt;").replace(">", "&gt;")
        return Hit(**hit)  # type: ignore[typeddict-item]

    def histogram(
        self,
        request: SearchRequest,
        interval: Literal["day", "week"] = "day",
        by: Sequence[str] = (),
    ) -> list[Bucket]:
        counts: Counter[tuple[str, tuple[tuple[str, str], ...]]] = Counter()
        for doc in self.docs.values():
            if not self._matches(doc, request):
                continue
            values = [list(doc.get(field) or []) for field in by]  # type: ignore[call-overload]
            for combination in product(*values):
                counts[(_item_day(doc).isoformat(), tuple(zip(by, combination, strict=True)))] += 1
        return [
            {"date": day, "keys": dict(keys), "count": count}
            for (day, keys), count in sorted(counts.items())
        ]

    def count_groups(
        self, request: SearchRequest, groups: Mapping[str, Sequence[str]]
    ) -> dict[str, int]:
        found = [
            set(d.get("locations") or []) for d in self.docs.values() if self._matches(d, request)
        ]
        return {
            group: sum(1 for names in found if names & set(wanted))
            for group, wanted in groups.items()
        }

    def near_duplicates(self, simhash: str, max_distance: int = 3) -> list[str]:
        return []

    def duplicates_of(self, doc_id: str) -> list[Document]:
        return []

    def count(self) -> int:
        return len(self.docs)

    def set_triage(
        self, doc_ids: Sequence[str], change: TriageChange, *, by: str
    ) -> list[TriageRecord]:
        missing = [doc_id for doc_id in doc_ids if doc_id not in self.docs]
        if missing:
            raise UnknownItems(missing)
        results = []
        for doc_id in doc_ids:
            record, event = apply_change(
                doc_id, self.triage.get(doc_id), change, by=by, at=now_iso()
            )
            self.triage[doc_id] = record
            if event is not None:
                self.events.append(event)
            results.append(record)
        return results

    def triage_of(self, doc_ids: Sequence[str]) -> dict[str, TriageRecord]:
        return {doc_id: self.triage[doc_id] for doc_id in doc_ids if doc_id in self.triage}

    def triage_history(self, doc_id: str, limit: int = 20) -> list[TriageEvent]:
        return [event for event in reversed(self.events) if event.item_id == doc_id][:limit]

    def triage_records(self) -> Iterator[TriageRecord]:
        return iter(sorted(self.triage.values(), key=lambda r: (r.at, r.item_id)))

    def close(self) -> None:
        pass


def _item_day(doc: Document) -> date:
    stamp = doc.get("published_at") or doc["fetched_at"]
    return datetime.fromisoformat(stamp).astimezone(TZ).date()


def _as_date(value: date | datetime) -> date:
    return value.astimezone(TZ).date() if isinstance(value, datetime) else value


def days_ago(now: datetime, days: int, hour: int = 10) -> datetime:
    local = now.astimezone(TZ) - timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)
