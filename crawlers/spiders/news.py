"""News sites: feeds, sitemaps and listing pages → article pages → ``extract_article``.

Reads article pages; writes raw page items (``SourceSpider.page_item``) whose article (title,
main text without navigation, related stories, comments and footers, author, publication date,
``rel=canonical`` URL) is extracted by ``crawlers.spiders.pages.extract_page`` in the analysis
worker, not on the reactor thread.
"""

from __future__ import annotations

from crawlers.spiders.listing import ListingSpider


class NewsSpider(ListingSpider):
    """Feeds, sitemaps and listing pages of a news source; article pages as raw page items."""
