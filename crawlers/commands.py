"""Commands contributed by ``crawlers`` to the ``wildwatch`` command line (see wildwatch/cli.py):
``sources`` and ``archive`` (crawlers/catalog_commands.py). ``crawl`` needs the index (recovery,
commits) and so lives in the ingest layer (ingest/crawl_command.py).
"""

from __future__ import annotations

import argparse
from typing import Any

from crawlers import catalog_commands


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    catalog_commands.register(subparsers)
