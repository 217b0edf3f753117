"""The ``wildwatch`` command line.

Each package contributes its commands through ``<package>/commands.py``, which defines
``register(subparsers)`` adding one argparse sub-parser per command with
``set_defaults(handler=...)``; a handler takes the parsed arguments and returns the exit code.
Command modules import heavy libraries (Scrapy, underthesea) inside their handlers so that
``wildwatch --help`` and ``wildwatch search`` start fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from wildwatch import __version__
from wildwatch.env import SettingError

# In data-flow order: the order of the commands in --help.
COMMAND_MODULES = (
    "ingest.commands",  # crawl, import, reindex
    "crawlers.commands",  # sources, archive
    "pipelines.commands",  # analyze
    "search.commands",  # search
    "search.index_commands",  # index status, index reindex (Elasticsearch)
    "search.triage_commands",  # triage set, list, show, export
    "cases.commands",  # cases (enforcement cases across articles)
    "web.commands",  # serve, users
    "schedules.commands",  # alerts
    "wildwatch.run_command",  # run (scheduler + web UI: above both layers)
)


# Commands after which the case store takes in what they indexed (cases/ sits above ingest,
# so the command line, above both, runs the update).
CASE_UPDATING_COMMANDS = ("crawl", "import", "reindex")


def _update_cases(*, full: bool) -> None:
    """Regroup the enforcement cases with what a crawl or import just indexed. A failure here
    is logged, never turned into a failed crawl: everything indexed stays indexed."""
    from cases.rebuild import update
    from cases.store import CaseStore
    from search.factory import open_backend

    try:
        backend = open_backend()
        try:
            summary = update(backend, CaseStore.from_settings(), full=full)
        finally:
            backend.close()
        logging.getLogger("wildwatch.cases").info("%s", summary.line())
    except Exception:  # the crawl's own result stands
        logging.getLogger("wildwatch.cases").exception(
            "cases: update after indexing failed; run `wildwatch cases rebuild`"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wildwatch",
        description="Watch the open web for wildlife-trafficking signals.",
    )
    parser.add_argument("--version", action="version", version=f"wildwatch {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        status = int(args.handler(args) or 0)
        if args.command in CASE_UPDATING_COMMANDS and status in (0, 1):
            # The command's report is out before the update: a scheduler that stops a crawl
            # at its time limit reads it even if it has to kill the update.
            sys.stdout.flush()
            _update_cases(full=args.command == "reindex")
        return status
    except SettingError as error:
        print(f"wildwatch: setting error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `wildwatch search ... | head`: the reader left; not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
