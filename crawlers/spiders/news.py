"""News sites: feeds, sitemaps and listing pages → article pages → ``extract_article``.

Reads article pages; writes raw page items (``SourceSpider.page_item``) whose article (title,
main text without navigation, related stories, comments and footers, author, publication date,
``rel=canonical`` URL) is extracted by ``crawlers.spiders.pages.extract_page`` in the analysis
worker, not on the reactor thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawlers.spiders.listing import ListingSpider


class NewsSpider(ListingSpider):
    def parse_item(self, response: Response) -> Iterator[dict[str, Any]]:
        html = self.decode(response)
        if html is not None:
            yield self.page_item(response, html)
