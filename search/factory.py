"""The factory that picks the configured search backend.

Kept apart from the interface (``search/backend.py``) so that the backends import the interface
and the interface never imports a backend: no import circle.
"""

from __future__ import annotations

from search.backend import SearchBackend
from search.settings import elasticsearch_url


def open_backend() -> SearchBackend:
    """The configured backend: Elasticsearch when ``WILDWATCH_ELASTICSEARCH_URL`` is set,
    else SQLite FTS5 under ``WILDWATCH_HOME``."""
    if elasticsearch_url():
        from search.elasticsearch_backend import ElasticsearchBackend

        return ElasticsearchBackend.from_settings()
    from search.sqlite_backend import SqliteBackend

    return SqliteBackend.from_settings()
