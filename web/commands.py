"""Commands contributed by ``web`` to the ``wildwatch`` command line (see wildwatch/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    """Add this package's commands to ``subparsers``."""
