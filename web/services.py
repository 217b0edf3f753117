"""What the web app needs from the other packages, behind one small seam.

Reads nothing itself: the defaults open the configured search backend (``search``), the
evidence archive (``crawlers.archive``) and the alert-rule store (``schedules.rules``), each
imported only when first used, so pages that never need them do not load them. Tests pass
fakes through ``Services``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from search.backend import SearchBackend

if TYPE_CHECKING:
    from schedules.rules import RuleError


class ArchiveLike(Protocol):
    def record(self, sha256: str) -> Any:
        """The fetch record (url, final_url, status, fetched_at, content_type, size, source)
        of a body, or None."""

    def body(self, sha256: str) -> bytes:
        """Raises an exception (OSError, ValueError, the archive's own) when unreadable."""

    def close(self) -> None: ...


class AlertSaveError(ValueError):
    """The alert could not be saved; the message is meant for the user. ``rule_error`` is the
    store's refusal, when it was one, so the page can say it in the reader's language."""

    def __init__(self, message: str, rule_error: RuleError | None = None) -> None:
        super().__init__(message)
        self.rule_error = rule_error


def _open_backend() -> SearchBackend:
    from search.factory import open_backend

    return open_backend()


def _open_archive() -> ArchiveLike | None:
    from crawlers.archive import EvidenceArchive

    archive: ArchiveLike = EvidenceArchive.from_settings()
    return archive


def _save_alert(fields: Mapping[str, Any]) -> None:
    from schedules.rules import AlertRule, RuleError, RuleStore

    try:
        RuleStore.from_settings().add(AlertRule(**fields))
    except RuleError as error:
        raise AlertSaveError(str(error), error) from None


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def fallback_decode(body: bytes, content_type: str | None) -> str:
    """Decode a raw page: charset from the Content-Type header, then from a <meta> tag,
    then UTF-8, then Windows-1258 (Vietnamese legacy pages); never raises."""
    candidates: list[str] = []
    if content_type and "charset=" in content_type.lower():
        candidates.append(content_type.lower().split("charset=")[1].split(";")[0].strip(" \"'"))
    match = _CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "replace"))
    for encoding in [*candidates, "utf-8", "cp1258"]:
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


def _decode_body(body: bytes, content_type: str | None) -> str:
    from crawlers.extract.encoding import decode_body

    try:
        return str(decode_body(body, content_type))
    except ValueError:
        # NotHtmlError (binary body) and friends: show what can be shown rather than fail.
        return fallback_decode(body, content_type)


@dataclass
class Services:
    open_backend: Callable[[], SearchBackend] = _open_backend
    open_archive: Callable[[], ArchiveLike | None] = _open_archive
    save_alert: Callable[[Mapping[str, Any]], None] = _save_alert
    decode_body: Callable[[bytes, str | None], str] = _decode_body
    timezone: str = field(default="")
    _shared: SearchBackend | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @contextmanager
    def backend(self) -> Iterator[SearchBackend]:
        """The app's backend, opened on first use and kept until ``close``: the index's result
        and facet caches only pay off in a backend that outlives one request (the SQLite
        backend gives each server thread a connection of its own)."""
        with self._lock:
            if self._shared is None:
                self._shared = self.open_backend()
            backend = self._shared
        yield backend

    def close(self) -> None:
        with self._lock:
            backend, self._shared = self._shared, None
        if backend is not None:
            backend.close()
