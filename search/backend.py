"""The search-backend interface: what every part outside ``search`` may ask of the index.

Two implementations pass the same contract tests (``tests/search/test_backend_contract.py``):
SQLite FTS5 under ``WILDWATCH_HOME`` (default) and Elasticsearch (``WILDWATCH_ELASTICSEARCH_URL``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol, TypedDict

from search.document import Document
from search.triage import TriageChange, TriageEvent, TriageRecord

UpsertOutcome = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True)
class SearchRequest:
    """A query plus filters. Empty tuples mean "no filter"; values inside one filter are ORed,
    different filters are ANDed."""

    query: str = ""  # query language of search.query_language: words, "phrases", AND/OR/NOT, -w
    species: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    enforcement: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    # Provinces of Vietnam (current, 34) or ISO country codes: items naming a place inside
    # EACH value (not any: two values ask for items linking both, as a route does).
    # search.filter_values.places_within says which place names each value covers.
    place: tuple[str, ...] = ()
    wildlife_trade: bool | None = None
    min_relevance: float | None = None
    # item date = published_at, or fetched_at when the page gave no date
    since: date | datetime | None = None  # inclusive
    until: date | datetime | None = None  # inclusive (a date means the whole day)
    # when wildwatch first stored the item: digests use this, so late-published items are sent
    fetched_since: datetime | None = None  # inclusive
    fetched_until: datetime | None = None  # exclusive
    ids: tuple[str, ...] = ()
    # triage (search/triage.py): decided states ORed, "untriaged" for items without one
    triage: tuple[str, ...] = ()
    seen: bool | None = None  # True: seen by staff; False: not yet
    noted: bool | None = None  # True: has a triage note
    sort: Literal["relevance", "newest"] = "relevance"
    limit: int = 20
    offset: int = 0
    facets: bool = True


class Hit(TypedDict, total=False):
    id: str
    url: str
    title: str
    source: str
    kind: str
    lang: str
    published_at: str | None
    fetched_at: str
    wildlife_trade: bool
    relevance: float
    species: list[str]
    enforcement: list[str]
    prices: list[Any]
    quantities: list[Any]
    locations: list[str]
    contacts: list[Any]
    snippet: str  # HTML-escaped text with <mark>…</mark> around matches
    duplicate_of: str | None
    archive_sha256: str | None
    country: str | None


class SearchResponse(TypedDict):
    total: int
    hits: list[Hit]
    # species, kind, lang, source, enforcement, country, ..., and triage, seen, noted
    facets: dict[str, dict[str, int]]


class Bucket(TypedDict):
    date: str  # YYYY-MM-DD, first day of the bucket, in WILDWATCH_TZ
    keys: dict[str, str]  # e.g. {"species": "pangolin", "locations": "Quảng Ninh"}; {} ungrouped
    count: int


class SearchBackend(Protocol):
    def upsert(self, docs: Iterable[Document]) -> list[UpsertOutcome]:
        """Insert or replace by ``id``; one outcome per input document, in order."""

    def get(self, doc_id: str) -> Document | None: ...

    def search(self, request: SearchRequest) -> SearchResponse: ...

    def histogram(
        self,
        request: SearchRequest,
        interval: Literal["day", "week"] = "day",
        by: Sequence[str] = (),
    ) -> list[Bucket]:
        """Counts of matching items per bucket of item date, split by the values of the list
        fields in ``by`` (species, enforcement, locations, source, ...)."""

    def count_groups(
        self, request: SearchRequest, groups: Mapping[str, Sequence[str]]
    ) -> dict[str, int]:
        """Matching items per group of place names, in one pass over the index: an item
        counts once in a group when its ``locations`` name any of the group's names (two
        names of one group count once; a name may sit in several groups). Every group is in
        the answer, 0 when no item names it. The map's counts per province and country."""

    def near_duplicates(self, simhash: str, max_distance: int = 3) -> list[str]:
        """Ids of stored items whose simhash differs from ``simhash`` in at most
        ``max_distance`` bits."""

    def duplicates_of(self, doc_id: str) -> list[Document]:
        """The other copies of an item: same ``duplicate_of`` group, oldest first."""

    def count(self) -> int: ...

    # --- triage (search/triage.py): stored next to the index, never replaced by upserts ---

    def set_triage(
        self, doc_ids: Sequence[str], change: TriageChange, *, by: str
    ) -> list[TriageRecord]:
        """Apply ``change`` to each item, in one write, recording ``by`` and the time in each
        item's history; the records after the change, in order. Raises ``UnknownItems``
        (nothing written) when an id is not in the index."""

    def triage_of(self, doc_ids: Sequence[str]) -> dict[str, TriageRecord]:
        """The stored records of those items that have one."""

    def triage_history(self, doc_id: str, limit: int = 20) -> list[TriageEvent]:
        """The item's triage changes, newest first."""

    def triage_records(self) -> Iterator[TriageRecord]:
        """Every stored record, oldest change first (exports, ``wildwatch triage list``)."""

    def close(self) -> None: ...


class IndexingError(RuntimeError):
    """Items the index refused after every retry; the others were written. ``failures`` maps
    each refused document id to the index's reason."""

    def __init__(self, failures: dict[str, str]):
        listed = "; ".join(f"{doc_id}: {reason}" for doc_id, reason in list(failures.items())[:10])
        super().__init__(f"{len(failures)} item(s) not indexed: {listed}")
        self.failures = failures
