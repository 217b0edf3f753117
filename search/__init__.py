"""Store and find: the search-backend interface, SQLite FTS5 (default) and Elasticsearch.

Never imports scrapy, crawlers or schedules (DESIGN.md dependency rule)."""
