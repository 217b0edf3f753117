"""Settings of the service, alerts, digests and spike checks, all from ``WILDWATCH_*``
environment variables (read through wildwatch/env.py so a bad value names its variable).

Reads the environment only; writes nothing except the directories under ``WILDWATCH_HOME``
that the returned paths point into.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wildwatch.env import (
    SettingError,
    env_float,
    env_int,
    env_optional,
    env_str,
    home,
    timezone_name,
)

SECURITY_MODES = ("none", "starttls", "ssl")


def state_db_path() -> Path:
    """Rules, outbox, sent-items ledger, spikes, crawl runs: ``WILDWATCH_HOME/schedules.sqlite``."""
    return home() / "schedules.sqlite"


def jobstore_url() -> str:
    """APScheduler's persistent job store: ``WILDWATCH_HOME/jobs.sqlite``."""
    return f"sqlite:///{home() / 'jobs.sqlite'}"


def locks_dir() -> Path:
    """Per-source crawl locks (flock) that hold across threads and processes."""
    path = home() / "locks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def crawl_logs_dir() -> Path:
    """stdout/stderr of each child crawl, so a failed crawl can be read after the fact."""
    path = home() / "logs" / "crawls"
    path.mkdir(parents=True, exist_ok=True)
    return path


def tz() -> ZoneInfo:
    """``WILDWATCH_TZ`` (default Asia/Ho_Chi_Minh) as a zone object."""
    name = timezone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"WILDWATCH_TZ={name!r}: unknown time zone") from None


def digest_at() -> time:
    """``WILDWATCH_DIGEST_AT`` (default 07:00): local time of the daily digest."""
    raw = env_str("WILDWATCH_DIGEST_AT", "07:00")
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw)
    if not match:
        raise SettingError(f"WILDWATCH_DIGEST_AT={raw!r}: expected HH:MM, e.g. 07:00")
    return time(int(match.group(1)), int(match.group(2)))


def crawl_command() -> list[str]:
    """``WILDWATCH_CRAWL_COMMAND``: the program started for one crawl, before
    ``--source NAME --json`` (default: this Python running ``wildwatch crawl``)."""
    raw = env_optional("WILDWATCH_CRAWL_COMMAND")
    if raw is None:
        return [sys.executable, "-m", "wildwatch", "crawl"]
    try:
        parts = shlex.split(raw)
    except ValueError as error:
        raise SettingError(f"WILDWATCH_CRAWL_COMMAND={raw!r}: {error}") from None
    if not parts:
        raise SettingError("WILDWATCH_CRAWL_COMMAND is empty")
    return parts


def crawl_timeout_seconds() -> float:
    """``WILDWATCH_CRAWL_TIMEOUT_MINUTES`` (default 60): a crawl still running after this is
    killed."""
    minutes = env_float("WILDWATCH_CRAWL_TIMEOUT_MINUTES", 60.0)
    if minutes <= 0:
        raise SettingError(f"WILDWATCH_CRAWL_TIMEOUT_MINUTES={minutes}: must be positive")
    return minutes * 60.0


def misfire_grace_seconds() -> int:
    """``WILDWATCH_MISFIRE_GRACE_MINUTES`` (default 360): a run missed while the service was
    down still happens (once: runs coalesce) if the service is back within this time."""
    return env_int("WILDWATCH_MISFIRE_GRACE_MINUTES", 360, minimum=1) * 60


def max_parallel_crawls() -> int:
    """``WILDWATCH_MAX_PARALLEL_CRAWLS`` (default 2): crawls running at the same time."""
    return env_int("WILDWATCH_MAX_PARALLEL_CRAWLS", 2, minimum=1)


def immediate_min_relevance() -> float:
    """``WILDWATCH_IMMEDIATE_MIN_RELEVANCE`` (default 0.8): relevance from which items of
    ``immediate`` rules are sent right after the crawl that found them."""
    value = env_float("WILDWATCH_IMMEDIATE_MIN_RELEVANCE", 0.8)
    if not 0.0 <= value <= 1.0:
        raise SettingError(f"WILDWATCH_IMMEDIATE_MIN_RELEVANCE={value}: must be in 0..1")
    return value


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def public_url_set() -> bool:
    """Whether ``WILDWATCH_PUBLIC_URL`` is set: without it, links in e-mails point at this
    machine's loopback address, which no recipient can open."""
    return env_optional("WILDWATCH_PUBLIC_URL") is not None


def public_url_warning() -> str:
    return (
        "WILDWATCH_PUBLIC_URL is not set: links in digests (items, 'see all', manage) point "
        f"at {DEFAULT_PUBLIC_URL}, which recipients cannot open; set it to the address staff "
        "use for the web UI, e.g. https://wildwatch.example.org"
    )


def public_url() -> str:
    """``WILDWATCH_PUBLIC_URL`` (default http://127.0.0.1:8000): base of links to archived
    copies in e-mails (``/items/<id>``)."""
    return env_str("WILDWATCH_PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/")


def digest_max_items() -> int:
    """``WILDWATCH_DIGEST_MAX_ITEMS`` (default 500): items per digest; the rest wait for the
    next one (they are not marked as sent)."""
    return env_int("WILDWATCH_DIGEST_MAX_ITEMS", 500, minimum=1)


def digest_items_per_group() -> int:
    """``WILDWATCH_DIGEST_ITEMS_PER_GROUP`` (default 20): stories listed per species in a
    digest, most relevant first; the rest are counted, linked ("see all in wildwatch") and
    recorded as sent."""
    return env_int("WILDWATCH_DIGEST_ITEMS_PER_GROUP", 20, minimum=1)


def digest_published_grace_hours() -> int:
    """``WILDWATCH_DIGEST_PUBLISHED_GRACE_HOURS`` (default 24): how long before a digest's
    window an item may have been published and still count as news (a story published at
    06:50 and crawled at 08:00 belongs in the next morning's digest). Older items found
    later, e.g. an archive import, are not news and are never mailed."""
    return env_int("WILDWATCH_DIGEST_PUBLISHED_GRACE_HOURS", 24, minimum=0)


def spike_baseline_days() -> int:
    """``WILDWATCH_SPIKE_BASELINE_DAYS`` (default 28): trailing days the baseline averages."""
    return env_int("WILDWATCH_SPIKE_BASELINE_DAYS", 28, minimum=3)


def spike_p() -> float:
    """``WILDWATCH_SPIKE_P`` (default 0.001): one-sided Poisson p-value below which a day's
    count is a spike."""
    value = env_float("WILDWATCH_SPIKE_P", 0.001)
    if not 0.0 < value < 1.0:
        raise SettingError(f"WILDWATCH_SPIKE_P={value}: must be between 0 and 1")
    return value


def spike_min_count() -> int:
    """``WILDWATCH_SPIKE_MIN_COUNT`` (default 5): fewer items than this in a day never spike."""
    return env_int("WILDWATCH_SPIKE_MIN_COUNT", 5, minimum=1)


def spike_recipients() -> tuple[str, ...]:
    """``WILDWATCH_SPIKE_RECIPIENTS``: comma-separated addresses receiving every spike alert."""
    raw = env_str("WILDWATCH_SPIKE_RECIPIENTS", "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def spike_email_lang() -> str:
    """``WILDWATCH_SPIKE_LANG`` (default vi): language of spike e-mails to
    WILDWATCH_SPIKE_RECIPIENTS."""
    value = env_str("WILDWATCH_SPIKE_LANG", "vi")
    if value not in ("vi", "en"):
        raise SettingError(f"WILDWATCH_SPIKE_LANG={value!r}: expected vi or en")
    return value


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    security: str
    mail_from: str
    timeout: float


def smtp() -> SmtpSettings:
    """``WILDWATCH_SMTP_HOST`` (default localhost), ``WILDWATCH_SMTP_PORT`` (default 25, 465
    for ssl, 587 for starttls), ``WILDWATCH_SMTP_USER``, ``WILDWATCH_SMTP_PASSWORD``,
    ``WILDWATCH_SMTP_SECURITY`` (none|starttls|ssl, default none), ``WILDWATCH_MAIL_FROM``
    (default wildwatch@localhost), ``WILDWATCH_SMTP_TIMEOUT`` seconds (default 60)."""
    security = env_str("WILDWATCH_SMTP_SECURITY", "none").lower()
    if security not in SECURITY_MODES:
        raise SettingError(
            f"WILDWATCH_SMTP_SECURITY={security!r}: expected one of {', '.join(SECURITY_MODES)}"
        )
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[security]
    return SmtpSettings(
        host=env_str("WILDWATCH_SMTP_HOST", "localhost"),
        port=env_int("WILDWATCH_SMTP_PORT", default_port, minimum=1),
        user=env_optional("WILDWATCH_SMTP_USER"),
        password=env_optional("WILDWATCH_SMTP_PASSWORD"),
        security=security,
        mail_from=env_str("WILDWATCH_MAIL_FROM", "wildwatch@localhost"),
        timeout=env_float("WILDWATCH_SMTP_TIMEOUT", 60.0),
    )


def mail_max_attempts() -> int:
    """``WILDWATCH_MAIL_MAX_ATTEMPTS`` (default 12): after this many failed sends a message is
    marked failed (kept, listed by ``alerts outbox``, re-queued by ``alerts outbox --retry``)."""
    return env_int("WILDWATCH_MAIL_MAX_ATTEMPTS", 12, minimum=1)


def mail_retry_base_seconds() -> float:
    """``WILDWATCH_MAIL_RETRY_SECONDS`` (default 60): first retry delay, doubled after each
    failure (capped at 6 hours)."""
    return env_float("WILDWATCH_MAIL_RETRY_SECONDS", 60.0)
