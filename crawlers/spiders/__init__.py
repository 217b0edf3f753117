"""Scrapy spiders, one class per source kind; every crawl runs one spider per source.

Reads nothing itself; :func:`spider_class` picks the class for a source's ``kind``.
"""

from __future__ import annotations

from crawlers.sources import Source
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.marketplace import MarketplaceSpider
from crawlers.spiders.news import NewsSpider
from crawlers.spiders.social import SocialSpider

SPIDERS: dict[str, type[SourceSpider]] = {
    "news": NewsSpider,
    "marketplace": MarketplaceSpider,
    "social": SocialSpider,
}

__all__ = ["SPIDERS", "MarketplaceSpider", "NewsSpider", "SocialSpider", "spider_class"]


def spider_class(source: Source) -> type[SourceSpider]:
    return SPIDERS[source.kind]
