"""Commands contributed by ``crawlers`` to the ``wildwatch`` command line (see wildwatch/cli.py).

``crawl`` lives in crawlers/crawl_command.py; ``sources`` and ``archive`` in
crawlers/catalog_commands.py.
"""

from __future__ import annotations

import argparse
from typing import Any

from crawlers import catalog_commands, crawl_command


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    crawl_command.register(subparsers)
    catalog_commands.register(subparsers)
