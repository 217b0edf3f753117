"""Which links a crawl follows: pure rules over absolute URLs and a source's regexes.

Reads a link found on a page (href, feed link, sitemap loc); writes its role: an item to extract
(article, ad, post), a listing page to follow (category, pagination), or nothing. Crawler traps
(endless calendars, search facets) are bounded here by the source's ``follow`` and ``items``
regexes and, in the spiders, by ``max_pages``.
"""

from __future__ import annotations

from enum import Enum
from urllib.parse import urldefrag, urljoin, urlsplit

from crawlers.sources import Source
from pipelines.urls import is_valid_url

# Links that are never pages: downloads a listing links to, and media.
_NOT_PAGES = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".mp4", ".mp3", ".zip", ".rar", ".exe",
    ".apk", ".css", ".js", ".ico", ".woff", ".woff2",
)  # fmt: skip


class LinkRole(Enum):
    ITEM = "item"
    FOLLOW = "follow"


def absolute_link(base_url: str, href: str) -> str | None:
    """``href`` made absolute against ``base_url``, fragment dropped; None for links that are
    not web pages (mailto:, tel:, javascript:, zalo:, media files) and for malformed ones
    (``http://[::1/x``, port 99999: ``pipelines.urls.check_url``), which a hostile page may
    carry and which must cost one link, not the crawl."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url, _fragment = urldefrag(urljoin(base_url, href))
    except ValueError:
        return None
    if not is_valid_url(url):
        return None
    parts = urlsplit(url)
    if parts.path.lower().endswith(_NOT_PAGES):
        return None
    return url


def is_item_url(url: str, source: Source) -> bool:
    """The source's ``items`` regexes when given, else the extractor's URL heuristics."""
    if source.item_patterns:
        return any(pattern.search(url) for pattern in source.item_patterns)
    from crawlers.extract import looks_like_item_url

    return bool(looks_like_item_url(url, source.kind))


def link_role(url: str, source: Source) -> LinkRole | None:
    """ITEM when the URL is an item of the source, FOLLOW when it matches a ``follow`` regex,
    else None. An URL matching both is an item: item pages are never crawled for links, which
    keeps "related stories" boxes from turning every article into a listing."""
    if is_item_url(url, source):
        return LinkRole.ITEM
    if any(pattern.search(url) for pattern in source.follow_patterns):
        return LinkRole.FOLLOW
    return None
