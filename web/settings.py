"""Settings of the web UI and JSON API, all from ``WILDWATCH_*`` environment variables.

Reads the environment; writes nothing except the files returned by the path helpers, which
live under ``WILDWATCH_HOME/web`` (users and the session secret).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from wildwatch.env import SettingError, env_int, env_port, env_str, home

LoginMode = Literal["auto", "true", "false"]


def require_login() -> LoginMode:
    """``WILDWATCH_WEB_REQUIRE_LOGIN`` (auto|true|false, default auto): ``auto`` asks for a
    login only when the server listens on a non-loopback address."""
    raw = env_str("WILDWATCH_WEB_REQUIRE_LOGIN", "auto").lower()
    aliases: dict[str, LoginMode] = {
        "auto": "auto",
        "true": "true",
        "yes": "true",
        "1": "true",
        "on": "true",
        "false": "false",
        "no": "false",
        "0": "false",
        "off": "false",
    }
    if raw not in aliases:
        raise SettingError(f"WILDWATCH_WEB_REQUIRE_LOGIN={raw!r}: expected auto, true or false")
    return aliases[raw]


def default_host() -> str:
    """``WILDWATCH_WEB_HOST`` (default 127.0.0.1): address ``serve`` and ``run`` listen on."""
    return env_str("WILDWATCH_WEB_HOST", "127.0.0.1")


def default_port() -> int:
    """``WILDWATCH_WEB_PORT`` (default 8000)."""
    return env_port("WILDWATCH_WEB_PORT", 8000)


def session_hours() -> int:
    """``WILDWATCH_WEB_SESSION_HOURS`` (default 12): how long a login lasts."""
    return env_int("WILDWATCH_WEB_SESSION_HOURS", 12, minimum=1)


def export_limit() -> int:
    """``WILDWATCH_WEB_EXPORT_LIMIT`` (default 10000): most rows one CSV export writes."""
    return env_int("WILDWATCH_WEB_EXPORT_LIMIT", 10000, minimum=1)


def web_home() -> Path:
    path = home() / "web"
    path.mkdir(parents=True, exist_ok=True)
    return path


def users_path() -> Path:
    """``WILDWATCH_HOME/web/users.json``: user names and password hashes."""
    return web_home() / "users.json"


def secret_path() -> Path:
    """``WILDWATCH_HOME/web/secret``: the key that signs session cookies and CSRF tokens,
    generated on first use so sessions survive restarts."""
    return web_home() / "secret"
