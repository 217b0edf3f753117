"""The indexed document: one crawled or imported item after analysis.

This is the contract between ``pipelines`` (which fill it) and the search backends (which store
it). ``search/mapping.json`` (Elasticsearch) and the SQLite schema must both cover every key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from pipelines.fields import Contact, Price, Quantity

__all__ = [
    "HIT_JSON_KEYS",
    "PUBLIC_KEYS",
    "Contact",
    "Document",
    "Price",
    "Quantity",
    "hit_json",
    "public_fields",
]


class Document(TypedDict, total=False):
    # identity
    id: str  # pipelines.urls.document_id of the URL (or of its same-site rel=canonical)
    url: str  # as fetched (final URL after redirects) or given on import; never rewritten
    # where it came from
    source: str  # source slug, or the name given at import
    kind: str  # news | marketplace | social
    country: str | None  # ISO 3166-1 alpha-2 of the source
    # content
    title: str
    text: str
    author: str | None
    seller: str | None  # marketplaces and social posts
    published_at: str | None  # ISO 8601 with offset, None when the page gives no date
    fetched_at: str  # ISO 8601, UTC
    # analysis (DESIGN.md "Analysis of one text")
    lang: str
    wildlife_trade: bool
    relevance: float
    species: list[str]
    enforcement: list[str]
    prices: list[Price]
    quantities: list[Quantity]
    locations: list[str]
    contacts: list[Contact]
    tokens: str  # Vietnamese word segmentation, compounds joined by "_", space separated
    # evidence and duplicates
    content_hash: str  # SHA-256 of the normalised title + text: "unchanged" on re-crawl
    simhash: str  # 16 hex digits, for near-duplicate lookup
    duplicate_of: str | None  # id of the earliest item with near-identical text
    archive_sha256: str | None  # raw page in the evidence archive (crawlers.archive)
    # Set (true) only when the analysis read just the first WILDWATCH_ANALYSIS_MAX_CHARS
    # characters: the tags miss the rest, while ``text`` and the archive keep it whole.
    truncated: bool


# DESIGN.md "Search result": the keys of one hit, in order (snippet added by the backend).
PUBLIC_KEYS = (
    "id",
    "url",
    "title",
    "source",
    "kind",
    "lang",
    "published_at",
    "fetched_at",
    "wildlife_trade",
    "relevance",
    "species",
    "enforcement",
    "prices",
    "quantities",
    "locations",
    "contacts",
)
HIT_JSON_KEYS = (*PUBLIC_KEYS, "snippet")


def public_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The keys a search hit exposes (DESIGN.md "Search result"), snippet excluded."""
    return {key: doc.get(key) for key in PUBLIC_KEYS}


def hit_json(hit: Mapping[str, Any]) -> dict[str, Any]:
    """A hit trimmed to exactly DESIGN.md's keys, for ``search --json`` and ``/api/search``."""
    return {key: hit.get(key) for key in HIT_JSON_KEYS}
