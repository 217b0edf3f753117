"""Marketplaces and classifieds: listing pages → ad pages → ``extract_ad``.

Reads ad pages; writes raw page items (``SourceSpider.page_item``) whose ad is extracted by
``crawlers.spiders.pages.extract_page`` in the analysis worker (schema.org JSON-LD or
microdata, OpenGraph, else the source's CSS ``selectors``; relative dates counted from the
fetch). The item text carries the ad's price and place when the description itself does not
state them (``ad_text``), so analysis and search see what the buyer sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawlers.spiders.listing import ListingSpider
from crawlers.spiders.pages import ad_text

__all__ = ["MarketplaceSpider", "ad_text"]


class MarketplaceSpider(ListingSpider):
    def parse_item(self, response: Response) -> Iterator[dict[str, Any]]:
        html = self.decode(response)
        if html is not None:
            yield self.page_item(response, html)
