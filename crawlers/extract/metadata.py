"""Page metadata: title, dates, author, language, canonical URL, description, section.

Reads a parsed page (lxml tree) and its JSON-LD objects; writes plain values. Machine-readable
sources come first (JSON-LD, ``<meta>``, microdata, ``<time datetime>``) because they are exact;
visible text ("Thứ Hai, 12/6/2023, 14:30 (GMT+7)") is the fallback, read only in elements that
look like a date line so that dates quoted in the story are never taken for its publication.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html

from crawlers.extract.dates import DEFAULT_TZ, parse_iso_date, parse_vietnamese_date
from crawlers.extract.jsonld import first_of_type, jsonld_objects, text_value
from crawlers.extract.tree import BLOCK_TAGS, clean_space, element_text, parse_html
from pipelines.urls import is_valid_url

ARTICLE_TYPES = {
    "NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting", "TechArticle", "Report",
    "WebPage",
}  # fmt: skip
# WebPage last: its dates describe the page, used only when no article object exists.
_ARTICLE_ORDER = sorted(ARTICLE_TYPES - {"WebPage"})
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datePublished", "pubdate", "publishdate", "publish_date", "publish-date", "date",
    "dc.date.issued", "dc.date", "dcterms.created", "sailthru.date", "parsely-pub-date",
    "cXenseParse:recs:publishtime", "article.published",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "og:modified_time", "dateModified",
    "lastmod", "last-modified", "dcterms.modified", "article.updated",
)  # fmt: skip
# Class or id fragments of the visible date line on Vietnamese and regional CMSs.
_DATE_CLASS = re.compile(
    r"date|time|publish|posted|ngay|meta|byline|info-?post|detail-?info|source", re.IGNORECASE
)
_CLOCK = re.compile(r"\d{1,2}\s*[:h]\s*\d{2}")
_HEADLINE_CLASS = re.compile(r"title|tieu-?de|headline|heading", re.IGNORECASE)
_DATE_OR_TIME = re.compile(
    r"\d{1,2}[:h]\d{2}(?::\d{2})?|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\(?GMT[+-]\d+\)?"
)
_TITLE_SUFFIX = re.compile(r"\s+[-|–—:»]\s+[^-|–—:»]{2,40}$")
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")


def meta_content(tree: lxml_html.HtmlElement, *names: str) -> str | None:
    """The first non-empty ``content`` of ``<meta property|name|itemprop=NAME>`` in ``names``
    order (case-insensitive names)."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, content)
    for name in names:
        if name.lower() in found:
            return found[name.lower()]
    return None


def article_object(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    return first_of_type(objects, set(_ARTICLE_ORDER)) or first_of_type(objects, {"WebPage"})


def parse_published(page: str | lxml_html.HtmlElement, *, tz: str = DEFAULT_TZ) -> datetime | None:
    """When the page says it was published: JSON-LD ``datePublished``, meta tags, microdata,
    ``<time datetime>``, then a visible date line. None when the page gives no date."""
    tree = parse_html(page) if isinstance(page, str) else page
    return page_dates(tree, jsonld_objects(tree), tz=tz)[0]


def page_dates(
    tree: lxml_html.HtmlElement, objects: list[dict[str, Any]], *, tz: str = DEFAULT_TZ
) -> tuple[datetime | None, datetime | None]:
    """(published, modified)."""
    article = article_object(objects) or {}
    published = _first_date(
        [text_value(article.get("datePublished")), meta_content(tree, *_PUBLISHED_META)], tz
    )
    if published is None:
        published = _time_element(tree, tz) or visible_date(tree, tz=tz)
    modified = _first_date(
        [text_value(article.get("dateModified")), meta_content(tree, *_MODIFIED_META)], tz
    )
    return published, modified


def _first_date(values: list[str | None], tz: str) -> datetime | None:
    for value in values:
        if value:
            parsed = parse_iso_date(value, tz=tz)
            if parsed is not None:
                return parsed
    return None


def _time_element(tree: lxml_html.HtmlElement, tz: str) -> datetime | None:
    for element in tree.xpath("//time[@datetime] | //*[@itemprop='datePublished']"):
        value = element.get("datetime") or element.get("content") or element_text(element)
        parsed = parse_iso_date(value, tz=tz) if value else None
        if parsed is not None:
            return parsed
    return None


def visible_date(tree: lxml_html.HtmlElement, *, tz: str = DEFAULT_TZ) -> datetime | None:
    """A date line shown to readers, looked for only in elements whose class or id names a
    date, time or byline. Lines with a clock time win over bare dates, which are often the
    site header's "today" ("Thứ hai, 12/6/2023"); then document order."""
    candidates = []
    for element in tree.iter("span", "div", "p", "time", "li", "small", "em", "header", "td"):
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if not _DATE_CLASS.search(marker):
            continue
        text = element_text(element)
        if 6 <= len(text) <= 200:
            candidates.append(text)
    candidates.sort(key=lambda text: _CLOCK.search(text) is None)  # stable: keeps page order
    for text in candidates:
        parsed = parse_vietnamese_date(text, tz=tz)
        if parsed is not None and not _relative_only(text):
            return parsed
    return None


def _relative_only(text: str) -> bool:
    # "2 giờ trước" on a news page is relative to a crawl time we do not know here.
    return not re.search(r"\d{4}", text)


def page_title(tree: lxml_html.HtmlElement, article: dict[str, Any]) -> str | None:
    for value in (
        meta_content(tree, "og:title", "twitter:title"),
        text_value(article.get("headline")),
        _h1(tree),
        _marked_heading(tree),
    ):
        if value and len(value) >= 4:
            return _clean_space(value)
    title = tree.findtext(".//title")
    if title:
        title = _clean_space(title)
        return _TITLE_SUFFIX.sub("", title) or title
    return None


def _h1(tree: lxml_html.HtmlElement) -> str | None:
    for h1 in tree.iter("h1"):
        text = _own_text(h1)
        if 10 <= len(text) <= 300:
            return text
    return None


def _own_text(heading: lxml_html.HtmlElement) -> str:
    """A heading's text up to its first block child: an unclosed <h1> on a broken page
    swallows the date line and the body, which are not the title."""
    parts = [heading.text or ""]
    for child in heading:
        if isinstance(child.tag, str) and child.tag in BLOCK_TAGS:
            break
        parts.append(element_text(child) + " " + (child.tail or ""))
    return clean_space(" ".join(parts))


def _marked_heading(tree: lxml_html.HtmlElement) -> str | None:
    """An <h2>/<h3> styled as the headline (legacy portals with a site-wide <title>)."""
    for heading in tree.iter("h2", "h3"):
        parent = heading.getparent()
        markers = (
            f"{heading.get('class', '')} {parent.get('class', '') if parent is not None else ''}"
        )
        text = element_text(heading)
        if _HEADLINE_CLASS.search(markers) and len(text) >= 20:
            return text
    return None


def page_author(tree: lxml_html.HtmlElement, article: dict[str, Any]) -> str | None:
    value = text_value(article.get("author")) or meta_content(
        tree, "author", "article:author", "dc.creator", "byl", "parsely-author"
    )
    if value and not value.startswith(("http://", "https://")):
        return _clean_space(value.removeprefix("By ").removeprefix("by "))
    for element in tree.xpath(
        "//*[@rel='author' or @itemprop='author' or contains(@class, 'author')]"
    ):
        text = _DATE_OR_TIME.sub(" ", element_text(element))
        text = " ".join(text.split()).strip(" |-–—·,")
        if 2 <= len(text) <= 60:
            return text
    return None


def page_lang(tree: lxml_html.HtmlElement) -> str | None:
    """ISO 639-1 code from ``<html lang>``, ``og:locale`` or ``content-language``."""
    root = tree.getroottree().getroot()
    for value in (
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        meta_content(tree, "og:locale", "content-language", "language", "dc.language"),
    ):
        match = _LANG.match((value or "").strip())
        if match and len(match.group(1)) == 2:
            return match.group(1).lower()
    return None


def page_canonical(tree: lxml_html.HtmlElement, url: str) -> str:
    """The page's ``rel=canonical`` (else ``og:url``) made absolute, or ``url`` itself when the
    page declares none usable: a hostile page's ``href="http://[::1"`` must not lose the item."""
    declared = [
        link.get("href", "").strip()
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")
    ]
    og_url = meta_content(tree, "og:url")
    for candidate in [*declared[:1], *([og_url] if og_url else [])]:
        try:
            absolute = urljoin(url, candidate)
        except ValueError:  # "Invalid IPv6 URL" and the like
            continue
        if is_valid_url(absolute):
            return absolute
    return url


def page_section(
    tree: lxml_html.HtmlElement, article: dict[str, Any], objects: list[Any]
) -> str | None:
    section = text_value(article.get("articleSection")) or meta_content(
        tree, "article:section", "section", "category"
    )
    if section:
        return _clean_space(section)
    crumbs = first_of_type(objects, {"BreadcrumbList"})
    if crumbs:
        names = [
            text_value(item.get("name")) or text_value(item.get("item"))
            for item in crumbs.get("itemListElement", [])
            if isinstance(item, dict)
        ]
        names = [name for name in names if name and not name.startswith("http")]
        if len(names) >= 2:
            return names[1] if len(names) > 2 else names[-1]
    for element in tree.xpath("//*[contains(@class, 'breadcrumb')]//a"):
        text = element_text(element)
        if text and text.lower() not in {"trang chủ", "home"}:
            return text
    return None


def page_description(tree: lxml_html.HtmlElement, article: dict[str, Any]) -> str | None:
    value = meta_content(tree, "og:description", "description", "twitter:description")
    value = value or text_value(article.get("description"))
    return _clean_space(value) if value else None


def _clean_space(text: str) -> str:
    return " ".join(text.split())
