"""Fetch: Scrapy spiders driven by sources declared as data (``crawlers/sources.toml``).

Adding a source is one ``[[sources]]`` table; see README "Adding a source".
"""
