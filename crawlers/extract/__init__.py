"""Extraction of fetched pages into fields: pure functions on bytes and strings.

Spiders call these from their callbacks; nothing here imports Scrapy, so the same functions run
in tests, in worker processes and on archived pages.

- ``decode_body``: bytes + Content-Type → NFC text (``NotHtmlError`` for binary bodies)
- ``extract_article``: news page → ``Article`` (main text without boilerplate, metadata) or None
- ``extract_ad``: marketplace page → ``Ad`` (JSON-LD, microdata, OpenGraph, CSS selectors)
- ``parse_telegram_channel``: ``t.me/s/<channel>`` page → ``SocialPost`` list + older-page id
- ``parse_published`` / ``parse_vietnamese_date``: dates of pages and of visible text
- ``looks_like_item_url``: default item-URL heuristic for sources without ``items`` regexes
"""

from crawlers.extract.ad import Ad, SelectorConfigError, extract_ad
from crawlers.extract.article import Article, extract_article
from crawlers.extract.dates import parse_vietnamese_date
from crawlers.extract.encoding import NotHtmlError, decode_body
from crawlers.extract.item_urls import looks_like_item_url
from crawlers.extract.metadata import parse_published
from crawlers.extract.telegram import SocialPost, parse_telegram_channel

__all__ = [
    "Ad",
    "Article",
    "NotHtmlError",
    "SelectorConfigError",
    "SocialPost",
    "decode_body",
    "extract_ad",
    "extract_article",
    "looks_like_item_url",
    "parse_published",
    "parse_telegram_channel",
    "parse_vietnamese_date",
]
