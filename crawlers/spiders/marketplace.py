"""Marketplaces and classifieds: listing pages → ad pages → ``extract_ad``.

Reads ad pages (schema.org JSON-LD or microdata, OpenGraph, else the source's CSS
``selectors``); writes raw items whose text carries the ad's price and place when the
description itself does not state them, so analysis and search see what the buyer sees.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from scrapy.http import Response

from crawlers.spiders.listing import ListingSpider


class MarketplaceSpider(ListingSpider):
    def parse_item(self, response: Response) -> Iterator[dict[str, Any]]:
        from crawlers.extract import extract_ad

        html = self.decode(response)
        if html is None:
            return
        try:
            ad = extract_ad(html, response.url, dict(self.source.selectors))
        except Exception as error:  # a broken page must not end the crawl; count and go on
            self.page_error("parse_error", response.url, f"{type(error).__name__}: {error}")
            return
        if ad is None or not ((ad.text or "").strip() or (ad.title or "").strip()):
            self.page_error("no_content", response.url)
            return
        yield self.raw_item(
            response,
            response.url,
            title=ad.title or "",
            text=ad_text(
                ad.text or "",
                price=ad.price_text,
                location=ad.location,
                contacts=[str(contact) for contact in ad.contacts or []],
            ),
            author=None,
            seller=ad.seller,
            published_at=ad.published_at,
        )


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
