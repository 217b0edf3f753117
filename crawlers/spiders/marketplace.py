"""Marketplaces and classifieds: listing pages → ad pages → ``extract_ad``.

Reads ad pages; writes raw page items (``SourceSpider.page_item``) whose ad is extracted by
``crawlers.spiders.pages.extract_page`` in the analysis worker (schema.org JSON-LD or
microdata, OpenGraph, else the source's CSS ``selectors``; relative dates counted from the
fetch). The item text carries the ad's price and place when the description itself does not
state them (``ad_text``), so analysis and search see what the buyer sees.
"""

from __future__ import annotations

from crawlers.spiders.listing import ListingSpider


class MarketplaceSpider(ListingSpider):
    """Listing pages of a marketplace; ad pages as raw page items."""
