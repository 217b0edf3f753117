"""Settings of the analysis stage (``wildwatch analyze``), read from ``WILDWATCH_*`` variables.

Reads the environment; writes nothing.
"""

from __future__ import annotations

from wildwatch.env import env_int


def analyze_workers() -> int:
    """``WILDWATCH_ANALYZE_WORKERS`` (default 1): processes `wildwatch analyze` uses when
    ``--workers`` is not given. Word segmentation holds the GIL, so threads would not help."""
    return env_int("WILDWATCH_ANALYZE_WORKERS", 1, minimum=1)
