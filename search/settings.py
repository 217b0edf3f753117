"""Settings of the index, all from ``WILDWATCH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from wildwatch.env import env_optional, home


def elasticsearch_url() -> str | None:
    """``WILDWATCH_ELASTICSEARCH_URL``: when set, the index is Elasticsearch at this URL."""
    return env_optional("WILDWATCH_ELASTICSEARCH_URL")


def sqlite_path() -> Path:
    """The embedded index: ``WILDWATCH_HOME/index.sqlite``."""
    return home() / "index.sqlite"
