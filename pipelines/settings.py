"""Settings of the analysis stage (``WILDWATCH_*`` environment variables).

Read by the ingest layer (``ingest``: crawl, import, recovery), ``wildwatch analyze`` and
``wildwatch import``; nothing is written.
"""

from __future__ import annotations

import os

from wildwatch.env import env_int


def analysis_workers() -> int:
    """``WILDWATCH_ANALYSIS_WORKERS`` (default: the number of CPUs): processes that run the
    analysis for ``crawl``, ``analyze`` and ``import`` (word segmentation holds the GIL, so
    threads would not help). ``0`` analyses in the calling process: during a crawl that is the
    reactor thread, which stalls downloads while a text is segmented; only useful for debugging
    and for the benchmark's comparison."""
    return env_int("WILDWATCH_ANALYSIS_WORKERS", os.cpu_count() or 1, minimum=0)


def index_batch_size() -> int:
    """``WILDWATCH_INDEX_BATCH`` (default 50): documents sent to the index per upsert. Larger
    batches are faster; at most this many analysed items are lost if the crawl is killed."""
    return env_int("WILDWATCH_INDEX_BATCH", 50, minimum=1)


def analysis_max_chars() -> int:
    """``WILDWATCH_ANALYSIS_MAX_CHARS`` (default 100 000): characters of one item's text that
    are analysed; the rest is left out of the tags (the result says ``"truncated": true``) but
    is still stored, searchable and archived. News articles and ads are a few thousand
    characters; item pages of up to 10 MB are accepted, and a hostile one must not hold a
    worker for minutes."""
    return env_int("WILDWATCH_ANALYSIS_MAX_CHARS", 100_000, minimum=1000)
