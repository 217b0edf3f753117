"""Settings of the case store, all from ``WILDWATCH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from wildwatch.env import home


def case_db_path() -> Path:
    """``WILDWATCH_HOME/cases.sqlite``: the cases, their articles, staff decisions, follows."""
    return home() / "cases.sqlite"
