"""Settings of the ingest layer (``WILDWATCH_*`` environment variables); nothing is written.

The batch size and worker count are the analysis stage's (``pipelines.settings``); this module
holds what decides how long a stopping crawl needs.
"""

from __future__ import annotations

from wildwatch.env import env_float


def download_timeout_seconds() -> float:
    """``WILDWATCH_DOWNLOAD_TIMEOUT`` (default 30), as the crawl reads it (crawlers/settings.py):
    a drained crawl waits at most this long for the downloads in flight."""
    return env_float("WILDWATCH_DOWNLOAD_TIMEOUT", 30.0)


def flush_seconds() -> float:
    """``WILDWATCH_FLUSH_SECONDS`` (default 15): time a drained crawl needs after its last
    download to analyse the items in flight and commit the last batch."""
    return env_float("WILDWATCH_FLUSH_SECONDS", 15.0)


def stop_grace_seconds() -> float:
    """How long a crawl told to stop (SIGTERM) may take before it is killed: the downloads in
    flight end (download timeout), then the items are analysed and committed (flush time)."""
    return download_timeout_seconds() + flush_seconds()


def progress_every_seconds() -> float:
    """``WILDWATCH_PROGRESS_EVERY`` (default 10): seconds between the progress lines ``crawl``
    and ``import`` write to stderr when it is not a terminal (a pipe, a log file)."""
    every = env_float("WILDWATCH_PROGRESS_EVERY", 10.0)
    return every if every > 0 else 10.0
