"""Commands contributed by this package to the ``wildwatch`` command line (wildwatch/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this package's commands to ``subparsers``."""
