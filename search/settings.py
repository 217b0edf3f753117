"""Settings of the index, all from ``WILDWATCH_*`` environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from wildwatch.env import SettingError, env_float, env_int, env_optional, env_str, home


def elasticsearch_url() -> str | None:
    """``WILDWATCH_ELASTICSEARCH_URL``: when set, the index is Elasticsearch at this URL."""
    return env_optional("WILDWATCH_ELASTICSEARCH_URL")


def elasticsearch_index() -> str:
    """``WILDWATCH_ELASTICSEARCH_INDEX`` (default ``wildwatch-items``): the alias searched and
    written; the data lives in the versioned index ``<alias>-v<N>`` behind it."""
    return env_str("WILDWATCH_ELASTICSEARCH_INDEX", "wildwatch-items")


def elasticsearch_api_key() -> str | None:
    """``WILDWATCH_ELASTICSEARCH_API_KEY``: API key (the base64 ``id:key`` form) sent to
    Elasticsearch; none by default."""
    return env_optional("WILDWATCH_ELASTICSEARCH_API_KEY")


def elasticsearch_basic_auth() -> tuple[str, str] | None:
    """``WILDWATCH_ELASTICSEARCH_USERNAME`` and ``WILDWATCH_ELASTICSEARCH_PASSWORD``: basic
    authentication, when no API key is set."""
    user = env_optional("WILDWATCH_ELASTICSEARCH_USERNAME")
    if user is None:
        return None
    return user, os.environ.get("WILDWATCH_ELASTICSEARCH_PASSWORD", "")


def elasticsearch_ca_certs() -> str | None:
    """``WILDWATCH_ELASTICSEARCH_CA_CERTS``: path of a PEM bundle of the CAs that sign the
    cluster's HTTPS certificate (system CAs when unset)."""
    path = env_optional("WILDWATCH_ELASTICSEARCH_CA_CERTS")
    if path is not None and not Path(path).is_file():
        raise SettingError(f"WILDWATCH_ELASTICSEARCH_CA_CERTS={path!r}: no such file")
    return path


def elasticsearch_fingerprint() -> str | None:
    """``WILDWATCH_ELASTICSEARCH_FINGERPRINT``: SHA-256 fingerprint of the cluster's HTTPS
    certificate (hex, colons allowed), pinned instead of a CA bundle, e.g. for the
    self-signed certificate Elasticsearch generates at first start."""
    value = env_optional("WILDWATCH_ELASTICSEARCH_FINGERPRINT")
    if value is None:
        return None
    digits = value.replace(":", "").lower()
    if len(digits) != 64 or any(char not in "0123456789abcdef" for char in digits):
        raise SettingError(
            f"WILDWATCH_ELASTICSEARCH_FINGERPRINT={value!r}: not a SHA-256 fingerprint "
            "(64 hex digits)"
        )
    return digits


def elasticsearch_timeout() -> float:
    """``WILDWATCH_ELASTICSEARCH_TIMEOUT`` (default 30): seconds to wait for one request."""
    value = env_float("WILDWATCH_ELASTICSEARCH_TIMEOUT", 30.0)
    return value if value > 0 else 30.0


def elasticsearch_bulk_retries() -> int:
    """``WILDWATCH_ELASTICSEARCH_BULK_RETRIES`` (default 5): further attempts for items
    Elasticsearch rejected with 429 or 5xx (back-off 1 s, 2 s, 4 s... up to 30 s); items still
    rejected, or refused for good (a bad value), raise ``IndexingError`` naming them."""
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
