"""Extraction of one fetched item page into the fields of a raw item (pure, no Scrapy).

Reads a :class:`Page`: the decoded HTML of an article or ad page as the spider received it,
the URL it was fetched from, the source kind, the source's CSS ``selectors`` and allowed
domains, and the fetch time. Writes the item fields the spiders used to fill in their callbacks
(url, title, text, author, seller, published_at, page_language), or a :class:`PageFailure`
(``no_content`` / ``parse_error`` / ``mojibake``) for the spider's error counts.

Runs where the analysis runs (``ingest.analysis_pool``): in a worker process, so the ~13 ms
of ``extract_article`` / ``extract_ad`` per page no longer stalls Scrapy's reactor thread, or
inline when ``WILDWATCH_ANALYSIS_WORKERS=0``. A ``Page`` is what crosses the process boundary:
plain strings and tuples, small to pickle.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from pipelines.urls import is_valid_url

# Item key of the URL that makes the document id when it is not the fetched URL.
IDENTITY_KEY = "identity_url"


@dataclass(frozen=True)
class Page:
    """An article or ad page waiting for extraction."""

    html: str
    url: str  # as fetched (after redirects)
    kind: str  # "news" | "marketplace"
    fetched_at: str  # ISO 8601 UTC: relative dates on the page count from here
    selectors: tuple[tuple[str, str], ...] = ()
    allowed_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageFailure:
    """Why a page gave no item: the error kind counted in the crawl summary, and details."""

    kind: str  # "no_content" | "parse_error" | "mojibake"
    detail: str = ""


def extract_page(page: Page) -> dict[str, Any] | PageFailure:
    """The item fields of ``page`` or why there are none. Never raises on a broken page."""
    try:
        fields = _ad_fields(page) if page.kind == "marketplace" else _article_fields(page)
    except Exception as error:  # the extractor failed on broken markup: count it, go on
        return PageFailure("parse_error", f"{type(error).__name__}: {error}")
    if isinstance(fields, PageFailure):
        return fields
    garbled = mojibake_evidence(f"{fields.get('title') or ''}\n{fields['text']}")
    if garbled:
        return PageFailure("mojibake", f"text decoded with the wrong charset, e.g. {garbled!r}")
    return fields


# What UTF-8 Vietnamese looks like when decoded as windows-1252 or Latin-1 ("áº¡" for "ạ",
# "Ä‘" for "đ", "Æ°" for "ư", "Ã©" for "é"), and the replacement character of a lossy
# decoder. None of these pairs occurs in real Vietnamese or English text.
_MOJIBAKE = re.compile("á[º»]|Ã[\u0080-\u00bf]|Ä[\u0080-\u00bf‘’]|Æ[°¡]|Â[\u00a0-\u00bf]|\ufffd")
_MOJIBAKE_MIN = 3  # a stray "Ã©" in a quoted file name is not a garbled page


def mojibake_evidence(text: str) -> str | None:
    """A sample of the garbled sequences when ``text`` is mojibake, else None (pure)."""
    found = _MOJIBAKE.findall(text)
    if len(found) < _MOJIBAKE_MIN:
        return None
    return " ".join(dict.fromkeys(found[:_MOJIBAKE_MIN]))


def _article_fields(page: Page) -> dict[str, Any] | PageFailure:
    from crawlers.extract import extract_article

    article = extract_article(page.html, page.url)
    if article is None or not (article.text or "").strip():
        return PageFailure("no_content")
    return {
        "url": page.url,
        # The id comes from the page's own rel=canonical when it is a real page of the site
        # (AMP and mobile copies share one document); the URL stored stays the one fetched.
        IDENTITY_KEY: item_url(page.url, article.canonical_url, page.allowed_domains),
        "title": article.title or "",
        "text": article.text,
        "author": article.author,
        "seller": None,
        "published_at": iso_datetime(article.published_at),
        "page_language": article.lang,
    }


def _ad_fields(page: Page) -> dict[str, Any] | PageFailure:
    from crawlers.extract import extract_ad

    # "Đăng 2 giờ trước" counts from the fetch, not from when a busy worker got to the page.
    ad = extract_ad(
        page.html, page.url, dict(page.selectors), now=datetime.fromisoformat(page.fetched_at)
    )
    if ad is None or not ((ad.text or "").strip() or (ad.title or "").strip()):
        return PageFailure("no_content")
    return {
        "url": page.url,
        "title": ad.title or "",
        "text": ad_text(
            ad.text or "",
            price=ad.price_text,
            location=ad.location,
            contacts=[str(contact) for contact in ad.contacts or []],
        ),
        "author": None,
        "seller": ad.seller,
        "published_at": iso_datetime(ad.published_at),
    }


def item_url(fetched_url: str, declared: str | None, allowed_domains: Sequence[str]) -> str:
    """The page's own ``rel=canonical`` when it is a real page of the same site (AMP and
    mobile copies then share one id); some CMSs point every page at the home page, so a
    canonical URL without a path is ignored."""
    if declared and same_site(declared, allowed_domains) and urlsplit(declared).path.strip("/"):
        return declared
    return fetched_url


def same_site(url: str | None, allowed_domains: Sequence[str]) -> bool:
    """Whether ``url`` is on one of ``allowed_domains`` or their sub-domains (any port);
    False for a malformed URL (a page's own ``rel=canonical`` may be one)."""
    if not url or not is_valid_url(url):
        return False
    host = (urlsplit(url).hostname or "").rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in allowed_domains)


def ad_text(
    description: str,
    *,
    price: str | None,
    location: str | None,
    contacts: Sequence[str] = (),
) -> str:
    """The description, plus "Giá: …", "Khu vực: …" and "Liên hệ: …" lines for structured
    fields it omits (a phone number only in a ``tel:`` button is still a seller contact)."""
    lines = [description.strip()]
    if price and price.strip() and price.strip() not in description:
        lines.append(f"Giá: {price.strip()}")
    if location and location.strip() and location.strip() not in description:
        lines.append(f"Khu vực: {location.strip()}")
    digits = "".join(char for char in description if char.isdigit())
    missing = [
        contact.strip()
        for contact in contacts
        if contact.strip()
        and contact.strip() not in description
        # "0987 654 321" in the text and "0987654321" in a tel: link are the same number
        and ("".join(c for c in contact if c.isdigit()) or "-") not in digits
    ]
    if missing:
        lines.append("Liên hệ: " + ", ".join(dict.fromkeys(missing)))
    return "\n".join(line for line in lines if line)


def iso_datetime(value: object) -> str | None:
    """An extractor's date (datetime, date or ISO string) as ISO 8601; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
