"""News sites: feeds, sitemaps and listing pages → article pages → ``extract_article``.

Reads article pages; writes raw items with the article's title, main text (navigation, related
stories, comments and footers removed by the extractor), author and publication date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response

from crawlers.spiders.listing import ListingSpider


class NewsSpider(ListingSpider):
    def parse_item(self, response: Response) -> Iterator[dict[str, Any]]:
        from crawlers.extract import extract_article

        html = self.decode(response)
        if html is None:
            return
        try:
            article = extract_article(html, response.url)
        except Exception as error:  # a broken page must not end the crawl; count and go on
            self.page_error("parse_error", response.url, f"{type(error).__name__}: {error}")
            return
        if article is None or not (article.text or "").strip():
            self.page_error("no_content", response.url)
            return
        yield self.raw_item(
            response,
            self.item_url(response.url, getattr(article, "canonical_url", None)),
            title=article.title or "",
            text=article.text,
            author=getattr(article, "author", None),
            seller=None,
            published_at=getattr(article, "published_at", None),
            page_language=getattr(article, "lang", None),
        )

    def item_url(self, fetched_url: str, declared: str | None) -> str:
        """The page's own ``rel=canonical`` when it is a real page of the same site (AMP and
        mobile copies then share one id); some CMSs point every page at the home page, so a
        canonical URL without a path is ignored."""
        if declared and self.same_site(declared) and urlsplit(declared).path.strip("/"):
            return declared
        return fetched_url
