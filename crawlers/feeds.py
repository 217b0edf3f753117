"""Pure parsers for RSS 2.0 / RSS 1.0 / Atom feeds and XML sitemaps (news sitemaps included).

Reads the raw bytes of a feed or sitemap (gzip-compressed sitemaps too); writes the entries
found: item URLs with the date the feed or sitemap gives them. Nothing is fetched here: the
spiders in ``crawlers.spiders`` decide what to request. feedparser is not a dependency; lxml
with a recovering, network-free parser copes with the broken feeds Vietnamese CMSs publish
(unescaped ``&`` in titles, stray bytes before the XML declaration).
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

# Sitemaps are capped at 50 MB uncompressed by the protocol; anything bigger is not a sitemap.
MAX_XML_BYTES = 50 * 1024 * 1024

_PARSER_OPTIONS = {
    "recover": True,
    "resolve_entities": False,  # no XXE: entities are never expanded
    "no_network": True,
    "huge_tree": False,
    "remove_blank_text": True,
}


# "&" not starting an entity: CMSs put raw "&" in titles and in query strings of links, which
# the recovering parser would drop ("?id=1&page=2" → "?id=1page=2").
_BARE_AMPERSAND = re.compile(rb"&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")


class NotXmlError(ValueError):
    """The body is not a feed or a sitemap (an HTML error page, a binary file, nothing)."""


@dataclass(frozen=True)
class Entry:
    """One item URL listed by a feed or a sitemap."""

    url: str
    published_at: str | None = None  # ISO 8601 with offset
    title: str | None = None
    is_news: bool = False  # listed in a Google News sitemap (<news:news>): surely an article


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: child sitemaps (for an index) and the URLs it lists."""

    children: tuple[str, ...]
    entries: tuple[Entry, ...]


def _root(body: bytes) -> etree._Element:
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as compressed:
                # read at most the cap + 1: a decompression bomb stops here
                body = compressed.read(MAX_XML_BYTES + 1)
        except (OSError, EOFError, zlib.error) as error:
            raise NotXmlError(f"corrupt gzip data: {error}") from None
        if len(body) > MAX_XML_BYTES:
            raise NotXmlError("uncompressed sitemap larger than 50 MB")
    start = body.find(b"<")
    if start < 0:
        raise NotXmlError("no XML markup")
    try:
        xml = _BARE_AMPERSAND.sub(b"&amp;", body[start:])
        root = etree.fromstring(xml, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as error:
        raise NotXmlError(f"unreadable XML: {error}") from None
    if root is None:
        raise NotXmlError("unreadable XML")
    return root


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rsplit("}", 1)[-1].lower()


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _text(element: etree._Element, name: str) -> str | None:
    for child in _children(element, name):
        value = "".join(child.itertext()).strip()
        if value:
            return value
    return None


def parse_date(value: str | None) -> str | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) → ISO 8601 with offset; None if unreadable.

    A date without a zone is taken as UTC: feeds that omit it are rare and the error is at
    most the 7 hours of Asia/Ho_Chi_Minh.
    """
    if not value:
        return None
    value = value.strip()
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def is_feed(body: bytes) -> bool:
    """Whether ``body`` is an RSS or Atom document."""
    try:
        return _local(_root(body)) in {"rss", "feed", "rdf"}
    except NotXmlError:
        return False


def parse_feed(body: bytes) -> list[Entry]:
    """Item links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in feed order."""
    root = _root(body)
    if _local(root) not in {"rss", "feed", "rdf"}:
        raise NotXmlError(f"<{_local(root)}> is not an RSS or Atom root element")
    entries: list[Entry] = []
    for element in root.iter():
        name = _local(element)
        if name == "item":
            link = _text(element, "link")
            if not link:
                for guid in _children(element, "guid"):
                    if (guid.get("isPermaLink") or "true").lower() != "false" and guid.text:
                        link = guid.text.strip()
            date = _text(element, "pubdate") or _text(element, "date")
        elif name == "entry":
            link = None
            for candidate in _children(element, "link"):
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                    link = candidate.get("href", "").strip()
                    break
            date = _text(element, "published") or _text(element, "updated")
        else:
            continue
        if link:
            entries.append(Entry(link, parse_date(date), _text(element, "title")))
    return entries


def parse_sitemap(body: bytes) -> Sitemap:
    """Child sitemaps of a sitemap index, or the URLs of a (news) sitemap with their dates."""
    root = _root(body)
    kind = _local(root)
    if kind == "sitemapindex":
        children = [_text(child, "loc") for child in _children(root, "sitemap")]
        return Sitemap(tuple(url for url in children if url), ())
    if kind != "urlset":
        raise NotXmlError(f"<{kind}> is not a sitemap root element")
    entries: list[Entry] = []
    for url_element in _children(root, "url"):
        loc = _text(url_element, "loc")
        if not loc:
            continue
        news = _children(url_element, "news")
        if news:
            date = _text(news[0], "publication_date")
            title = _text(news[0], "title")
        else:
            # <lastmod> is when the page last changed, not when the story was published.
            date, title = None, None
        entries.append(Entry(loc, parse_date(date), title, is_news=bool(news)))
    return Sitemap((), tuple(entries))
