"""Settings of the index, all from ``WILDWATCH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from wildwatch.env import env_float, env_int, env_optional, env_str, home


def elasticsearch_url() -> str | None:
    """``WILDWATCH_ELASTICSEARCH_URL``: when set, the index is Elasticsearch at this URL."""
    return env_optional("WILDWATCH_ELASTICSEARCH_URL")


def elasticsearch_index() -> str:
    """``WILDWATCH_ELASTICSEARCH_INDEX`` (default ``wildwatch-items``): the alias searched and
    written; the data lives in the versioned index ``<alias>-v1`` behind it."""
    return env_str("WILDWATCH_ELASTICSEARCH_INDEX", "wildwatch-items")


def elasticsearch_api_key() -> str | None:
    """``WILDWATCH_ELASTICSEARCH_API_KEY``: API key sent to Elasticsearch (none by default)."""
    return env_optional("WILDWATCH_ELASTICSEARCH_API_KEY")


def elasticsearch_bulk_retries() -> int:
    """``WILDWATCH_ELASTICSEARCH_BULK_RETRIES`` (default 5): attempts for a rejected bulk item
    (429, 5xx) before the upsert fails with its id."""
    return env_int("WILDWATCH_ELASTICSEARCH_BULK_RETRIES", 5, minimum=0)


def sqlite_path() -> Path:
    """The embedded index: ``WILDWATCH_HOME/index.sqlite``."""
    return home() / "index.sqlite"


def sqlite_busy_timeout_ms() -> int:
    """``WILDWATCH_SQLITE_BUSY_TIMEOUT_MS`` (default 30000): how long a writer or reader waits
    for another process's write lock before giving up."""
    return env_int("WILDWATCH_SQLITE_BUSY_TIMEOUT_MS", 30_000, minimum=0)


def recency_days() -> float:
    """``WILDWATCH_SEARCH_RECENCY_DAYS`` (default 30): ranking boost half-point: an item this
    many days old gets half the boost of one published today (see search/sqlite_query.py)."""
    value = env_float("WILDWATCH_SEARCH_RECENCY_DAYS", 30.0)
    return value if value > 0 else 30.0
