"""Whether a URL is an item page (article, ad, post) when a source gives no ``items`` regexes.

Reads an absolute URL and the source kind (news, marketplace, social); writes a yes/no. The
rules follow how the CMSs of the region name their pages: Vietnamese news articles end in
``-<digits>.html`` / ``.htm`` / ``.chn`` / ``.ldo`` / ``.tpo`` / ``.vnp`` (VnExpress, Tuổi Trẻ,
CafeF, Lao Động, Tiền Phong, VietnamPlus) or carry a long slug with an id; English sites use
dated paths (``/2023/06/12/slug``) or long slugs. Category, tag, author, search, login,
video-only and pagination URLs are never items, whatever their shape.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

# Path segments that name a listing or a utility page, never an item.
_NOT_ITEM_SEGMENTS = frozenset(
    [
        "tag",
        "tags",
        "topic",
        "topics",
        "chu-de",
        "tu-khoa",
        "keyword",
        "keywords",
        "category",
        "categories",
        "chuyen-muc",
        "author",
        "authors",
        "tac-gia",
        "search",
        "tim-kiem",
        "timkiem",
        "login",
        "dang-nhap",
        "register",
        "dang-ky",
        "signup",
        "logout",
        "account",
        "user",
        "profile",
        "video",
        "videos",
        "clip",
        "podcast",
        "podcasts",
        "photo",
        "photos",
        "anh",
        "gallery",
        "multimedia",
        "emagazine",
        "e-magazine",
        "infographic",
        "rss",
        "feed",
        "feeds",
        "page",
        "trang",
        "amp",
        "lien-he",
        "contact",
        "about",
        "gioi-thieu",
        "privacy",
        "terms",
        "policy",
        "dieu-khoan",
        "cart",
        "gio-hang",
        "checkout",
    ]
)
_ITEM_SUFFIX = re.compile(r"-(?:[a-z]*\d{4,}|\d{4,}[a-z]*)\.(?:html?|chn|ldo|tpo|vnp|aspx)$")
_DOTTED_ID = re.compile(r"\.(?:\d{5,})\.html?$")  # e.g. "/slug.123456.html"
_ID_SEGMENT = re.compile(r"(?:^|[-_/])(?:[a-z]{0,3}\d{5,}|\d{5,}[a-z]{0,3})(?:$|[-_.])")
_DATED_PATH = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])(?:/(?:0?[1-9]|[12]\d|3[01]))?/[^/]+")
_PAGINATION = re.compile(r"(?:/|-)(?:page|trang|p)[-/]?\d+(?:\.html?)?/?$")
_PAGINATION_QUERY = ("page", "p", "trang", "paged", "offset", "start")
_SEARCH_QUERY = ("q", "s", "query", "keyword", "tu-khoa", "search")
_LONG_SLUG_WORDS = 5


def looks_like_item_url(url: str, kind: str) -> bool:
    """True when ``url`` looks like one article / ad / post of a ``kind`` source."""
    parts = urlsplit(url.strip())
    path = parts.path.lower()
    segments = [segment for segment in path.split("/") if segment]
    if not segments or _is_listing(segments, path, parts.query):
        return False
    last = segments[-1]
    if kind == "social":
        # Permalinks of public channels and pages: t.me/<channel>/<id>, /posts/<id>.
        return bool(re.fullmatch(r"\d+", last)) or "posts" in segments or "status" in segments
    if _ITEM_SUFFIX.search(path) or _DOTTED_ID.search(path):
        return True
    if _DATED_PATH.search(path) and _slug_words(last) >= 2:
        return True
    slug = re.sub(r"\.(?:html?|php|aspx?)$", "", last)
    if _ID_SEGMENT.search(slug) and _slug_words(slug) >= 3:
        return True
    if kind == "marketplace" and _ID_SEGMENT.search(path) and _slug_words(slug) >= 2:
        return True
    return _slug_words(slug) >= _LONG_SLUG_WORDS and len(segments) <= 4


def _is_listing(segments: list[str], path: str, query: str) -> bool:
    if any(segment in _NOT_ITEM_SEGMENTS for segment in segments[:-1]):
        return True
    if segments[-1] in _NOT_ITEM_SEGMENTS or _PAGINATION.search(path):
        return True
    params = {key.lower() for key in parse_qs(query, keep_blank_values=True)}
    return bool(params & set(_PAGINATION_QUERY) or params & set(_SEARCH_QUERY))


def _slug_words(slug: str) -> int:
    return len([word for word in re.split(r"[-_]+", slug) if word and not word.isdigit()])
