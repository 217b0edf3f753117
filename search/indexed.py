"""What both backends derive from a document before storing it.

Reads a ``search.document.Document`` as the pipelines or the import command built it; writes
an ``Indexed`` record: the validated document plus the values the index filters, sorts and
counts on (epoch dates, normalised facet values, folded text, simhash bands). A document the
index cannot store raises ``InvalidDocument`` naming the item and the field, before anything is
written.

Dates from the future: a ``published_at`` more than ``FUTURE_TOLERANCE`` after the moment of
indexing (a page dated 9999-12-31, a typo'd year) is stored as unknown (``None``, with a warning
in the log), so the item sorts by when it was fetched instead of pinning itself on top of every
"newest" list. Crawl and import both index through here. (Not compared with ``fetched_at``:
backends keep the first ``fetched_at`` of an item, and a re-dated article is legitimately
published after it was first seen.)
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, cast

from search.dates import epoch
from search.document import Document
from search.folding import fold

# Facet fields, in the order of SearchResponse["facets"]. Single-valued ones are columns of the
# item; list-valued ones live in a side table (SQLite) or keyword arrays (Elasticsearch).
FACET_FIELDS = (
    "species",
    "kind",
    "lang",
    "source",
    "enforcement",
    "country",
    "locations",
    "wildlife_trade",
)
LIST_FIELDS = ("species", "enforcement", "locations")
SINGLE_FIELDS = ("kind", "lang", "source", "country")

logger = logging.getLogger(__name__)

# Time zones run from UTC-12 to UTC+14 and server clocks drift: a page may honestly be dated
# "tomorrow" in UTC, but not next week.
FUTURE_TOLERANCE = 2 * 86400

SIMHASH_BANDS = 4
_BAND_BITS = 64 // SIMHASH_BANDS


class InvalidDocument(ValueError):
    """A document the index refuses; the message names the item id and the field."""


def normalise_key(field: str, value: str) -> str:
    """The form a filter value is compared in: folded for names people type with or without
    diacritics (places, species), upper-case country codes, lower-case slugs."""
    value = " ".join(str(value).split())
    if field == "country":
        return value.upper()
    if field in LIST_FIELDS:
        return fold(value)
    return value.lower()


def simhash_bands(simhash: str | None) -> tuple[int, ...] | None:
    """The four 16-bit bands of a 64-bit simhash (16 hex digits); any two hashes within 3 bits
    of each other share at least one band (pigeonhole), so a lookup by band finds them all."""
    if not simhash:
        return None
    value = int(simhash, 16)
    mask = (1 << _BAND_BITS) - 1
    return tuple((value >> (_BAND_BITS * band)) & mask for band in range(SIMHASH_BANDS))


# Up to this distance lookups probe the band indexes; beyond it they compare every item.
MAX_PROBED_DISTANCE = 11


def band_probes(simhash: str, max_distance: int) -> list[list[int]] | None:
    """For each band, the band values a hash within ``max_distance`` bits may have: d bits
    spread over 4 bands leave at least one band with at most d // 4 flipped bits (pigeonhole),
    so probing every value within that radius of each band finds every candidate. None when
    the radius makes probing pointless."""
    bands = simhash_bands(simhash)
    if bands is None or max_distance > MAX_PROBED_DISTANCE:
        return None
    radius = max(0, max_distance) // SIMHASH_BANDS
    flips = [0]
    for _ in range(radius):
        flips = sorted(
            {mask | (1 << bit) for mask in flips for bit in range(_BAND_BITS)} | set(flips)
        )
    return [sorted({band ^ mask for mask in flips}) for band in bands]


@dataclass
class Indexed:
    doc: Document
    id: str
    item_ts: int  # published_at, else fetched_at
    fetched_ts: int
    single: dict[str, str]  # kind, lang, source, country (normalised; "" when unknown)
    lists: dict[str, list[tuple[str, str]]]  # field -> [(key, display value)], deduplicated
    wildlife_trade: bool
    relevance: float
    folded_title: str
    folded_text: str
    simhash: str | None
    bands: tuple[int, ...] | None

    def facet_values(self) -> list[tuple[str, str]]:
        """(field, display value) pairs this item counts for in facets."""
        pairs = [(field, value) for field, value in self.single.items() if value]
        for field, entries in self.lists.items():
            pairs.extend((field, display) for _key, display in entries)
        pairs.append(("wildlife_trade", "true" if self.wildlife_trade else "false"))
        return pairs


def _text(doc: Document, field: str, doc_id: str, *, required: bool = False) -> str:
    value: Any = doc.get(field)
    if value is None:
        if required:
            raise InvalidDocument(f"item {doc_id}: field {field!r} is missing")
        return ""
    if not isinstance(value, str):
        raise InvalidDocument(f"item {doc_id}: field {field!r} must be text, not {value!r}")
    return value


def _list(doc: Document, field: str, doc_id: str) -> list[tuple[str, str]]:
    value: Any = doc.get(field) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidDocument(f"item {doc_id}: field {field!r} must be a list of text")
    entries: dict[str, str] = {}
    for item in value:
        display = " ".join(item.split())
        key = normalise_key(field, display)
        if key:
            entries.setdefault(key, display)
    return list(entries.items())


def prepare(doc: Document) -> Indexed:
    """Validate ``doc`` and derive what the index needs from it."""
    doc_id = doc.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise InvalidDocument(f"document for {doc.get('url')!r}: field 'id' is missing")
    _text(doc, "url", doc_id, required=True)
    fetched_at = _text(doc, "fetched_at", doc_id, required=True)
    published_at = _text(doc, "published_at", doc_id)
    try:
        fetched_ts = epoch(fetched_at, f"item {doc_id}: field 'fetched_at'")
        item_ts = (
            epoch(published_at, f"item {doc_id}: field 'published_at'")
            if published_at
            else fetched_ts
        )
    except ValueError as error:
        raise InvalidDocument(str(error)) from None
    if published_at and item_ts > time.time() + FUTURE_TOLERANCE:
        logger.warning(
            "item %s: published_at %r is in the future; stored as unknown", doc_id, published_at
        )
        doc = cast(Document, {**doc, "published_at": None})
        item_ts = fetched_ts
    simhash = doc.get("simhash") or None
    if simhash is not None:
        try:
            if len(simhash) != 16:
                raise ValueError
            bands = simhash_bands(simhash.lower())
        except (ValueError, TypeError):
            raise InvalidDocument(
                f"item {doc_id}: field 'simhash' must be 16 hex digits, not {simhash!r}"
            ) from None
        simhash = simhash.lower()
    else:
        bands = None
    relevance = doc.get("relevance", 0.0)
    if not isinstance(relevance, int | float) or isinstance(relevance, bool):
        raise InvalidDocument(f"item {doc_id}: field 'relevance' must be a number")
    single = {field: normalise_key(field, _text(doc, field, doc_id)) for field in SINGLE_FIELDS}
    return Indexed(
        doc=doc,
        id=doc_id,
        item_ts=item_ts,
        fetched_ts=fetched_ts,
        single=single,
        lists={field: _list(doc, field, doc_id) for field in LIST_FIELDS},
        wildlife_trade=bool(doc.get("wildlife_trade", False)),
        relevance=float(relevance),
        folded_title=fold(_text(doc, "title", doc_id)),
        folded_text=fold(_text(doc, "text", doc_id)),
        simhash=simhash,
        bands=bands,
    )


def content_unchanged(old: Document, new: Document) -> bool:
    """Same content as stored: the crawl's ``content_hash`` when both have one."""
    old_hash, new_hash = old.get("content_hash"), new.get("content_hash")
    if old_hash and new_hash:
        return bool(old_hash == new_hash)
    return old.get("title") == new.get("title") and old.get("text") == new.get("text")
