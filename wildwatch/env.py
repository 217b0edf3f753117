"""Typed readers for ``WILDWATCH_*`` environment variables.

Each package reads its own settings in one ``settings`` module through these helpers, so a
bad value fails with the variable's name instead of a stack trace deep inside a crawl.
"""

from __future__ import annotations

import os
from pathlib import Path


class SettingError(ValueError):
    """An environment variable holds a value wildwatch cannot use."""


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def env_optional(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name}={raw!r}: must be at least {minimum}")
    return value


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r}: expected a number") from None


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name}={raw!r}: expected true or false")


def home() -> Path:
    """``WILDWATCH_HOME`` (default ``./var``): every file wildwatch writes lives below it."""
    path = Path(env_str("WILDWATCH_HOME", "var")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def timezone_name() -> str:
    """``WILDWATCH_TZ``: the zone of source schedules, digest time and day boundaries."""
    return env_str("WILDWATCH_TZ", "Asia/Ho_Chi_Minh")


def port_number(raw: str) -> int:
    """A TCP port to listen on, 0-65535 (0: any free port), from a command-line argument
    (``argparse`` type: a bad value exits with status 2 and this message instead of a
    traceback when the server binds)."""
    import argparse

    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535)")
    return value


def env_port(name: str, default: int) -> int:
    """A TCP port to listen on, 0-65535, from ``name``."""
    value = env_int(name, default, minimum=0)
    if value > 65535:
        raise SettingError(f"{name}={value}: not a port number (0-65535)")
    return value
