"""Running the web app with uvicorn: ``wildwatch serve`` and the UI inside ``wildwatch run``.

Reads WILDWATCH_WEB_REQUIRE_LOGIN and the users file to decide whether a login is needed for
the address given; writes nothing.
"""

from __future__ import annotations

import uvicorn

from web import settings
from web.auth import is_loopback
from web.services import Services
from web.users import UserStore


class ServerConfigError(RuntimeError):
    """The server must not start as configured (e.g. public address with no users)."""


def login_needed(host: str) -> bool:
    mode = settings.require_login()
    if mode == "auto":
        return not is_loopback(host)
    return mode == "true"


def build_server(host: str, port: int, services: Services | None = None) -> uvicorn.Server:
    """A configured, not yet started uvicorn server. Raises ``ServerConfigError`` when a
    login is required (non-loopback ``host`` or WILDWATCH_WEB_REQUIRE_LOGIN=true) and no user
    exists, because the index holds sellers' contacts and investigation leads."""
    from web.app import create_app

    required = login_needed(host)
    if required and not UserStore.from_settings().list():
        where = "" if is_loopback(host) else f" on {host} (not a loopback address)"
        raise ServerConfigError(
            f"refusing to serve{where}: a login is required but no user exists. "
            "Create one with `wildwatch users add NAME`, or listen on 127.0.0.1."
        )
    app = create_app(services, login_required=required)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
        # run() under the scheduler installs its own signal handling
        lifespan="off",
    )
    return uvicorn.Server(config)


def run_server(host: str, port: int) -> None:
    """Serve until interrupted (blocking)."""
    services = Services()
    try:
        build_server(host, port, services).run()
    finally:
        services.close()
