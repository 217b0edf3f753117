"""The one document builder of crawl, import and recovery (pure).

Reads a raw item: a dict with ``url`` (as fetched after redirects, or as given on import: stored
as is, never rewritten), optionally ``identity_url`` (the page's own rel=canonical, which makes
the id instead), source, kind, country, title, text, author, seller, published_at, fetched_at,
archive_sha256, page_contacts; and the ``pipelines.analysis`` result of its text. Writes a
``search.document.Document``. The worker-side functions (analysis, extraction, fingerprints)
live here too: they are what a pool worker runs for one item.
"""

from __future__ import annotations

from typing import Any

from crawlers.spiders.pages import IDENTITY_KEY, Page, PageFailure, extract_page
from pipelines.dedup import content_hash, simhash
from pipelines.fields import Analysis, Contact
from pipelines.urls import document_id
from search.document import Document

# A short Vietnamese sentence makes underthesea load its model in a worker before real texts.
WARM_UP_TEXT = "Cơ quan chức năng thu giữ 5 cá thể tê tê tại Quảng Ninh."


def analyze_item(text: str, title: str | None, url: str | None, lang_hint: str | None) -> Analysis:
    """The pure analysis of one item (runs in a worker process)."""
    from pipelines.analysis import analyze

    return analyze(text, title=title, url=url, lang_hint=lang_hint, segment=True)


def fingerprints(title: str | None, text: str) -> dict[str, str]:
    """``content_hash`` and ``simhash`` of an item: pure and CPU-bound, so computed in the
    worker next to the analysis."""
    return {"content_hash": content_hash(title, text), "simhash": simhash(text)}


def analyze_with_fingerprints(
    text: str, title: str | None, url: str | None, lang_hint: str | None
) -> tuple[dict[str, Any], Analysis]:
    """Worker call for an item that needs no extraction (Telegram posts, imported lines)."""
    return fingerprints(title, text), analyze_item(text, title, url, lang_hint)


def extract_and_analyze(
    page: Page, lang_hint: str | None
) -> tuple[dict[str, Any], Analysis] | PageFailure:
    """Worker call for an article or ad page: extraction, then the analysis of its text; only
    the page goes in, only the item fields (with fingerprints) and the analysis come back."""
    fields = extract_page(page)
    if isinstance(fields, PageFailure):
        return fields
    analysis = analyze_item(
        fields["text"],
        fields.get("title") or None,
        fields["url"],
        fields.get("page_language") or lang_hint,
    )
    return {**fields, **fingerprints(fields.get("title") or "", fields["text"])}, analysis


def build_document(item: dict[str, Any], analysis: Analysis) -> Document:
    """The indexed document of a raw item and its analysis."""
    document = Document(
        id=document_id(item.get(IDENTITY_KEY) or item["url"]),
        url=item["url"],
        source=item["source"],
        kind=item["kind"],
        country=item.get("country"),
        title=item.get("title") or "",
        text=item["text"],
        author=item.get("author"),
        seller=item.get("seller"),
        published_at=item.get("published_at"),
        fetched_at=item["fetched_at"],
        lang=analysis["lang"],
        wildlife_trade=analysis["wildlife_trade"],
        relevance=analysis["relevance"],
        species=list(analysis["species"]),
        enforcement=list(analysis["enforcement"]),
        prices=list(analysis["prices"]),
        quantities=list(analysis["quantities"]),
        locations=list(analysis["locations"]),
        contacts=merge_contacts(analysis["contacts"], item.get("page_contacts") or []),
        tokens=analysis.get("tokens", ""),
        # Computed in the worker when it could be; the duplicate linker fills what is missing.
        content_hash=item.get("content_hash") or "",
        simhash=item.get("simhash") or "",
        duplicate_of=None,
        archive_sha256=item.get("archive_sha256"),
    )
    if analysis.get("truncated"):
        document["truncated"] = True
    return document


def merge_contacts(found: list[Contact], on_page: list[Any]) -> list[Contact]:
    """Contacts the analysis found in the text, then those the page gives in its markup
    (``tel:`` links, seller boxes) that the text does not repeat."""
    merged: dict[tuple[str, str], Contact] = {(c["type"], c["value"]): c for c in found}
    for contact in on_page:
        if isinstance(contact, dict):
            kind, value = contact.get("type"), contact.get("value")
        else:
            kind, value = getattr(contact, "type", None), getattr(contact, "value", None)
        if kind and value and (kind, value) not in merged:
            merged[(str(kind), str(value))] = Contact(type=str(kind), value=str(value))
    return list(merged.values())
