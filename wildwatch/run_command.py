"""``wildwatch run``: the long-running service, scheduler (``schedules``) plus web UI (``web``).

It sits above both layers (DESIGN.md: ``schedules`` never imports ``web``): this command builds
the web server and hands it to ``schedules.service.run_service``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from wildwatch.env import port_number


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``run`` to ``subparsers``."""
    run = subparsers.add_parser(
        "run",
        help="the long-running service: scheduled crawls, digests, spike alerts and web UI",
        description="Run the scheduler (a crawl per enabled source on its schedule, the daily "
        "digest at WILDWATCH_DIGEST_AT, spike checks after crawls, e-mail retries) and the "
        "web UI in one process. SIGTERM or Ctrl-C stops it cleanly.",
    )
    run.add_argument("--once", action="store_true", help="run what is due now, then exit")
    run.add_argument("--no-web", action="store_true", help="do not serve the web UI")
    run.add_argument(
        "--host", default=None, help="web UI address (default WILDWATCH_WEB_HOST, 127.0.0.1)"
    )
    run.add_argument(
        "--port",
        type=port_number,
        default=None,
        help="web UI port (default WILDWATCH_WEB_PORT, 8000)",
    )
    run.add_argument("--sources", type=Path, help="sources file (default WILDWATCH_SOURCES)")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from crawlers.sources import SourcesError
    from schedules import service

    if args.sources is not None:
        # Children (the crawls) read the same variable, so set it rather than pass it down.
        os.environ["WILDWATCH_SOURCES"] = str(args.sources.resolve())
    try:
        if args.once:
            report = service.run_once()
            print(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
            return 1 if report.errors else 0
        service.load_enabled_sources()  # a bad sources file stops here, before anything binds
        server = None if args.no_web else _build_server(args.host, args.port)
        return service.run_service(server=server)
    except SourcesError as error:
        print(f"wildwatch run: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:  # web.server.ServerConfigError: refused before starting
        print(f"wildwatch run: {error}", file=sys.stderr)
        return 2


def _build_server(host: str | None, port: int | None) -> Any:
    # Before the scheduler starts: a refused configuration (a public address without users)
    # stops here, with nothing started.
    from web import settings
    from web.server import build_server

    return build_server(
        host if host is not None else settings.default_host(),
        port if port is not None else settings.default_port(),
    )
