"""What each page and API route asks of the index, in one place.

Reads the search backend and the evidence archive (through ``web.services.Services``);
writes plain dictionaries and ``web.trends`` tables that pages render and the API returns.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from search.backend import SearchBackend, SearchRequest, SearchResponse
from search.document import Document, hit_json, public_fields
from web.params import ENFORCEMENT, Interval, with_paging
from web.services import Services
from web.trends import CoverageMatrix, Table, coverage_matrix, price_table, split_buckets
from wildwatch.env import timezone_name

logger = logging.getLogger(__name__)
PAGE_SIZE = 100  # rows asked of the backend per call when walking a whole result set
TOP_SPECIES = 8
TOP_SOURCES = 6


def design_json(response: SearchResponse) -> dict[str, Any]:
    """The DESIGN.md search JSON: exactly its keys, whatever extra the backend returns."""
    return {
        "total": response["total"],
        "hits": [hit_json(hit) for hit in response["hits"]],
        "facets": response.get("facets") or {},
    }


def iter_hits(backend: SearchBackend, request: SearchRequest, limit: int) -> Iterator[Any]:
    """Every hit of ``request`` up to ``limit``, fetched a page at a time."""
    offset = 0
    while offset < limit:
        size = min(PAGE_SIZE, limit - offset)
        page = backend.search(with_paging(request, size, offset))
        yield from page["hits"]
        offset += len(page["hits"])
        if len(page["hits"]) < size or offset >= page["total"]:
            return


def item_view(services: Services, doc_id: str) -> dict[str, Any] | None:
    """One item with its near-duplicate copies and archive record; None when unknown."""
    with services.backend() as backend:
        doc = backend.get(doc_id)
        if doc is None:
            return None
        duplicates = [d for d in backend.duplicates_of(doc_id) if d.get("id") != doc_id]
    record = None
    sha = doc.get("archive_sha256")
    archive = services.open_archive() if sha else None
    if sha and archive is not None:
        try:
            found = archive.record(sha)
        finally:
            archive.close()
        if found is not None:
            record = {
                "sha256": sha,
                "url": getattr(found, "url", None),
                "final_url": getattr(found, "final_url", None),
                "status": getattr(found, "status", None),
                "fetched_at": str(getattr(found, "fetched_at", "") or ""),
                "content_type": getattr(found, "content_type", None),
                "size": getattr(found, "size", None),
                "source": getattr(found, "source", None),
            }
    return {"item": doc, "duplicates": duplicates, "archive": record}


def item_json(view: dict[str, Any]) -> dict[str, Any]:
    doc: Document = view["item"]
    item = {key: value for key, value in doc.items() if key != "tokens"}
    return {
        "item": item,
        "duplicates": [public_fields(d) for d in view["duplicates"]],
        "archive": view["archive"],
    }


def archived_body(services: Services, doc_id: str) -> tuple[bytes, str] | None:
    """Raw archived page of an item and its content type; None when not archived."""
    with services.backend() as backend:
        doc = backend.get(doc_id)
    sha = doc.get("archive_sha256") if doc else None
    archive = services.open_archive() if sha else None
    if not sha or archive is None:
        return None
    try:
        record = archive.record(sha)
        if record is None:
            return None
        body = archive.body(sha)
    except Exception as error:  # the archive's own errors: missing or altered body
        logger.warning("archive body %s of item %s unreadable: %s", sha, doc_id, error)
        return None
    finally:
        archive.close()
    return body, str(getattr(record, "content_type", "") or "")


def trends(
    services: Services, request: SearchRequest, interval: Interval, price_species: str | None
) -> dict[str, Any]:
    """Items per species, enforcement actions per week, and price per unit of one species."""
    request = replace(request, facets=False)
    with services.backend() as backend:
        species = split_buckets(
            backend.histogram(request, interval, ["species"]),
            "species",
            interval,
            top=TOP_SPECIES,
        )
        enforcement = split_buckets(
            backend.histogram(request, "week", ["enforcement"]),
            "enforcement",
            "week",
            order=ENFORCEMENT,
        )
        if price_species is None and species.series:
            price_species = next(iter(species.series))
        prices = Table([], {})
        if price_species:
            priced = replace(request, species=(price_species,), sort="newest")
            prices = price_table(iter_hits(backend, priced, 2000), interval, timezone_name())
    return {
        "interval": interval,
        "species": species,
        "enforcement": enforcement,
        "price_species": price_species,
        "prices": prices,
    }


def coverage(services: Services, request: SearchRequest, interval: Interval) -> dict[str, Any]:
    """Enforcement actions by type and outlet, and over time."""
    if not request.enforcement:
        # Coverage is about enforcement: "any action" unless the user picked some.
        request = replace(request, enforcement=ENFORCEMENT)
    request = replace(request, facets=False)
    with services.backend() as backend:
        matrix: CoverageMatrix = coverage_matrix(
            backend.histogram(request, interval, ["enforcement", "source"])
        )
        actions = split_buckets(
            backend.histogram(request, interval, ["enforcement"]),
            "enforcement",
            interval,
            order=ENFORCEMENT,
        )
        outlets = split_buckets(
            backend.histogram(request, interval, ["source"]), "source", interval, top=TOP_SOURCES
        )
    return {"interval": interval, "matrix": matrix, "actions": actions, "outlets": outlets}
