"""Marketplace ads: title, description, price, place, seller, contacts, date and images.

Reads the decoded HTML of an ad page, its URL and optionally the source's CSS ``selectors``
(keys ``title``, ``body``, ``price``, ``location``, ``seller``, ``contact``, ``published``);
writes an ``Ad`` or None when the page shows no ad. Each field takes the first source that has
it: schema.org JSON-LD (Product / Offer / AggregateOffer, ``@graph`` included), microdata
(``itemprop``), OpenGraph (``og:*``, ``product:price:*``), then the source's selectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeAlias

from cssselect import SelectorError
from lxml import etree
from lxml import html as lxml_html
from parsel.csstranslator import HTMLTranslator

from crawlers.extract.ad_fields import find_contacts, parse_price
from crawlers.extract.dates import parse_iso_date, parse_vietnamese_date
from crawlers.extract.jsonld import first_of_type, jsonld_objects, text_value
from crawlers.extract.metadata import meta_content
from crawlers.extract.tree import block_paragraphs, element_text, parse_html, remove_invisible
from pipelines.urls import join_url

SELECTOR_KEYS = ("title", "body", "price", "location", "seller", "contact", "published")
_PRODUCT_TYPES = {"Product", "Offer", "AggregateOffer", "Vehicle", "IndividualProduct"}


class SelectorConfigError(ValueError):
    """A source's ``selectors`` table holds an unknown key or an invalid CSS selector."""


# A compiled selector returns elements, or strings for Scrapy's ``::text`` / ``::attr(name)``.
Match: TypeAlias = lxml_html.HtmlElement | str
CompiledSelector = Callable[[lxml_html.HtmlElement], list[Match]]


@dataclass
class Ad:
    title: str | None
    text: str | None
    price_text: str | None
    price_amount: float | None
    currency: str | None
    location: str | None
    seller: str | None
    contacts: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    images: list[str] = field(default_factory=list)


# One source of ad fields: a mapping from field name to value (missing keys = not known).
Fields = dict[str, Any]


def extract_ad(
    html: str,
    url: str,
    selectors: Mapping[str, str] | None = None,
    *,
    now: datetime | None = None,
) -> Ad | None:
    """The ad on a page; None when no source yields a title together with a description or a
    price (category pages, search results, removed ads)."""
    compiled = _compiled(tuple(sorted((selectors or {}).items())))
    tree = parse_html(html)
    objects = jsonld_objects(tree)
    structured = [
        _from_jsonld(objects, url),
        _from_microdata(tree, url),
        _from_opengraph(tree, url),
    ]
    remove_invisible(tree)
    from_selectors = _from_selectors(tree, compiled, url, now)
    # OpenGraph title and description alone describe any page (often the site's slogan); an
    # ad needs product data or the source's own ad selectors matching.
    product_data = (
        bool(structured[0])
        or bool(structured[1])
        or "price_text" in structured[2]
        or (meta_content(tree, "og:type") or "").lower() in ("product", "og:product")
    )
    evidence = product_data or any(from_selectors.get(key) for key in ("text", "price_text"))
    # Without product data the page's OpenGraph tags are generic: the selectors the source
    # was given for this very case go before them.
    order = (
        [*structured, from_selectors]
        if product_data
        else [*structured[:2], from_selectors, structured[2]]
    )
    merged: Fields = {}
    for fields in order:
        for key, value in fields.items():
            if value not in (None, "", []) and key not in merged:
                merged[key] = value
    if not evidence or not merged.get("title"):
        return None
    if not (merged.get("text") or merged.get("price_text")):
        return None
    contacts = find_contacts(
        [merged.get("contact_text", ""), merged.get("text") or "", *_contact_links(tree)]
    )
    return Ad(
        title=merged["title"],
        text=merged.get("text"),
        price_text=merged.get("price_text"),
        price_amount=merged.get("price_amount"),
        currency=merged.get("currency"),
        location=merged.get("location"),
        seller=merged.get("seller"),
        contacts=contacts,
        published_at=merged.get("published_at"),
        images=list(dict.fromkeys(merged.get("images", []))),
    )


def compile_selectors(selectors: Mapping[str, str]) -> dict[str, CompiledSelector]:
    """The source's selectors compiled; an unknown key or a bad selector is named. The syntax is
    Scrapy's (the sources file is validated with the same translator): CSS plus ``::text`` and
    ``::attr(name)``, e.g. ``.phone-button::attr(data-phone)``."""
    compiled = {}
    for key, css in selectors.items():
        if key not in SELECTOR_KEYS:
            raise SelectorConfigError(
                f"selectors.{key}: unknown key (expected one of {', '.join(SELECTOR_KEYS)})"
            )
        try:
            xpath = etree.XPath(_TRANSLATOR.css_to_xpath(css))
        except (SelectorError, ValueError, etree.XPathSyntaxError) as error:
            raise SelectorConfigError(f"selectors.{key} = {css!r}: {error}") from None
        compiled[key] = _selector_function(xpath)
    return compiled


_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=64)
def _compiled(selectors: tuple[tuple[str, str], ...]) -> dict[str, CompiledSelector]:
    # A source's selectors are the same for every ad page of a crawl: compile them once.
    return compile_selectors(dict(selectors))


def _selector_function(xpath: etree.XPath) -> CompiledSelector:
    def select(tree: lxml_html.HtmlElement) -> list[Match]:
        result = xpath(tree)
        if not isinstance(result, list):
            return []
        return [item if isinstance(item, lxml_html.HtmlElement) else str(item) for item in result]

    return select


def _match_text(match: Match) -> str:
    return " ".join(match.split()) if isinstance(match, str) else element_text(match)


def _price_fields(price: Any, currency: Any) -> Fields:
    if price in (None, ""):
        return {}
    text = f"{price} {currency}".strip() if currency else str(price)
    amount, parsed_currency = parse_price(str(price))
    if isinstance(price, int | float) and not isinstance(price, bool):
        amount = float(price)
    return {
        "price_text": text,
        "price_amount": amount,
        "currency": (str(currency).upper() if currency else parsed_currency),
    }


def _from_jsonld(objects: list[dict[str, Any]], url: str) -> Fields:
    product = first_of_type(objects, _PRODUCT_TYPES - {"Offer", "AggregateOffer"})
    offer = None
    if product is not None:
        offers = product.get("offers")
        offer_list = offers if isinstance(offers, list) else [offers]
        offer = next((o for o in offer_list if isinstance(o, dict)), None)
    offer = offer or first_of_type(objects, {"Offer", "AggregateOffer"})
    if product is None and offer is None:
        return {}
    product = product or {}
    offer = offer or {}
    price = offer.get("price", offer.get("lowPrice"))
    if isinstance(offer.get("priceSpecification"), dict) and price is None:
        price = offer["priceSpecification"].get("price")
    fields: Fields = {
        "title": text_value(product.get("name")) or text_value(offer.get("name")),
        "text": text_value(product.get("description")) or text_value(offer.get("description")),
        "location": _place(offer.get("availableAtOrFrom"))
        or _place(offer.get("areaServed"))
        or _place(product.get("itemLocation"))
        or _place(offer.get("itemLocation")),
        "seller": text_value(offer.get("seller")) or text_value(product.get("seller")),
        "images": [
            joined for image in _images(product.get("image")) if (joined := join_url(url, image))
        ],
    }
    published = text_value(product.get("datePublished")) or text_value(
        product.get("releaseDate") or offer.get("validFrom")
    )
    if published:
        fields["published_at"] = parse_iso_date(published)
    fields.update(_price_fields(price, offer.get("priceCurrency")))
    return fields


def _place(value: Any) -> str | None:
    if isinstance(value, dict):
        address = value.get("address")
        if isinstance(address, dict):
            parts = [
                text_value(address.get(key))
                for key in ("addressLocality", "addressRegion", "addressCountry")
            ]
            joined = ", ".join(part for part in parts if part)
            if joined:
                return joined
        return text_value(address) or text_value(value.get("name"))
    return text_value(value)


def _images(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [image for element in value for image in _images(element)]
    if isinstance(value, dict):
        return _images(value.get("url") or value.get("contentUrl"))
    return []


def _from_microdata(tree: lxml_html.HtmlElement, url: str) -> Fields:
    scopes = tree.xpath("//*[@itemscope and contains(@itemtype, 'schema.org/Product')]")
    if not scopes:
        return {}
    values: dict[str, list[Any]] = {}
    for element in scopes[0].xpath(".//*[@itemprop]"):
        for prop in (element.get("itemprop") or "").split():
            values.setdefault(prop, []).append(_itemprop_value(element, url))
    first = {key: found[0] for key, found in values.items() if found}
    seller = tree.xpath("//*[@itemprop='seller']")
    fields: Fields = {
        "title": first.get("name"),
        "text": first.get("description"),
        "location": first.get("addressLocality") or first.get("availableAtOrFrom"),
        "seller": element_text(seller[0]) if seller else None,
        "images": [value for value in values.get("image", []) if value],
    }
    price_elements = scopes[0].xpath(".//*[@itemprop='price' or @itemprop='lowPrice']")
    if price_elements:
        written = element_text(price_elements[0])
        machine = price_elements[0].get("content")
        amount, currency = parse_price(machine or written)
        fields.update(
            {
                "price_text": written or machine,
                "price_amount": amount,
                "currency": first.get("priceCurrency") or currency,
            }
        )
    if first.get("datePublished"):
        fields["published_at"] = parse_iso_date(first["datePublished"])
    return fields


def _itemprop_value(element: lxml_html.HtmlElement, url: str) -> str | None:
    if element.get("itemscope") is not None:
        names = element.xpath(".//*[@itemprop='name']")
        return element_text(names[0]) if names else element_text(element)
    if element.tag == "meta":
        return element.get("content")
    # a malformed address on a hostile page must cost this value, not the whole ad
    if element.tag in ("img", "source", "video"):
        return join_url(url, element.get("src", ""))
    if element.tag in ("a", "link") and element.get("itemprop") in ("image", "url"):
        return join_url(url, element.get("href", ""))
    if element.tag == "time":
        return element.get("datetime") or element_text(element)
    return element.get("content") or "\n".join(block_paragraphs(element))


def _from_opengraph(tree: lxml_html.HtmlElement, url: str) -> Fields:
    fields: Fields = {
        "title": meta_content(tree, "og:title"),
        "text": meta_content(tree, "og:description"),
        "images": [
            joined
            for meta in tree.xpath("//meta[@property='og:image' or @name='og:image']")
            if (joined := join_url(url, meta.get("content", "")))
        ],
    }
    fields.update(
        _price_fields(
            meta_content(tree, "product:price:amount", "og:price:amount"),
            meta_content(tree, "product:price:currency", "og:price:currency"),
        )
    )
    published = meta_content(tree, "article:published_time", "og:published_time")
    if published:
        fields["published_at"] = parse_iso_date(published)
    return fields


def _from_selectors(
    tree: lxml_html.HtmlElement,
    selectors: Mapping[str, CompiledSelector],
    url: str,
    now: datetime | None,
) -> Fields:
    def text_of(key: str, *, paragraphs: bool = False) -> str | None:
        if key not in selectors:
            return None
        elements = selectors[key](tree)
        if not elements:
            return None
        if paragraphs:
            return "\n\n".join(
                p
                for element in elements
                for p in (
                    [_match_text(element)]
                    if isinstance(element, str)
                    else block_paragraphs(element)
                )
                if p
            )
        return _match_text(elements[0]) or None

    fields: Fields = {
        "title": text_of("title"),
        "text": text_of("body", paragraphs=True),
        "location": text_of("location"),
        "seller": text_of("seller"),
        "contact_text": " ".join(
            _element_contact(element) for element in selectors["contact"](tree)
        )
        if "contact" in selectors
        else None,
    }
    price = text_of("price")
    if price:
        amount, currency = parse_price(price)
        fields.update({"price_text": price, "price_amount": amount, "currency": currency})
    published = text_of("published")
    if published:
        fields["published_at"] = parse_vietnamese_date(published, now=now)
    return fields


def _element_contact(element: Match) -> str:
    if isinstance(element, str):
        return element.replace("tel:", " ")
    # Phone buttons often show "Bấm để hiện số" and keep the number in an attribute.
    attributes = [element.get(name, "") for name in ("href", "data-phone", "data-tel")]
    return " ".join([element_text(element), *attributes]).replace("tel:", " ")


def _contact_links(tree: lxml_html.HtmlElement) -> list[str]:
    links = []
    for link in tree.iter("a"):
        href = (link.get("href") or "").strip()
        if href.startswith(("tel:", "mailto:")):
            links.append(href.split(":", 1)[1])
        elif any(host in href for host in ("zalo.me", "t.me/", "m.me/", "telegram.me")):
            links.append(href)
    return links
