"""Sessions, CSRF tokens and login throttling for the web UI.

Reads (and creates on first use) the signing secret ``WILDWATCH_HOME/web/secret``; writes
nothing else. Sessions are signed cookies (HMAC-SHA256), so the server keeps no session
table; a session is only honoured while its user still exists in the users file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from pathlib import Path

SESSION_COOKIE = "ww_session"
CSRF_COOKIE = "ww_csrf"


def load_secret(path: Path) -> bytes:
    """The signing key at ``path``, generated (32 random bytes, mode 600) when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not overwrite each other's secret.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
    raw = path.read_text(encoding="ascii").strip()
    if len(raw) < 32:
        raise ValueError(f"{path}: secret too short; delete the file to generate a new one")
    return raw.encode("ascii")


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _same(expected: str, given: str) -> bool:
    # Constant-time comparison of bytes: compare_digest refuses non-ASCII str, and a forged
    # cookie or form field may hold anything.
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8", "surrogatepass"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Issues and checks session tokens and CSRF tokens with one secret."""

    def __init__(self, secret: bytes, session_seconds: int) -> None:
        self._secret = secret
        self.session_seconds = session_seconds

    def _mac(self, purpose: bytes, payload: bytes) -> str:
        return hmac.new(self._secret, purpose + b"|" + payload, hashlib.sha256).hexdigest()

    def issue_session(self, user: str, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + self.session_seconds)
        payload = f"{user}|{expires}|{secrets.token_hex(8)}".encode()
        return f"{_b64(payload)}.{self._mac(b'session', payload)}"

    def read_session(self, token: str, now: float | None = None) -> str | None:
        """The user name in a valid, unexpired token; None otherwise."""
        try:
            encoded, mac = token.split(".", 1)
            payload = _unb64(encoded)
        except ValueError:
            return None
        if not _same(mac, self._mac(b"session", payload)):
            return None
        try:
            user, expires, _nonce = payload.decode("utf-8").split("|")
            if int(expires) < (now if now is not None else time.time()):
                return None
        except ValueError:
            return None
        return user

    def csrf_token(self, client_secret: str) -> str:
        """The token forms must echo: bound to the browser's random CSRF cookie, so a page
        on another site can neither read nor forge it."""
        return self._mac(b"csrf", client_secret.encode("utf-8"))

    def check_csrf(self, client_secret: str | None, submitted: str | None) -> bool:
        if not client_secret or not submitted:
            return False
        return _same(self.csrf_token(client_secret), submitted)


class LoginThrottle:
    """At most ``max_failures`` failed logins per key (client address, user name) within
    ``window`` seconds; a success clears the key."""

    def __init__(self, max_failures: int = 5, window: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, keys: list[str], now: float | None = None) -> int:
        """Seconds until another attempt is allowed for all ``keys``; 0 when allowed now."""
        now = now if now is not None else time.time()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.max_failures:
                    wait = max(wait, failures[0] + self.window - now)
        return int(wait + 0.999)

    def failed(self, keys: list[str], now: float | None = None) -> None:
        now = now if now is not None else time.time()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


def safe_next(target: str | None) -> str:
    """A local path to return to after login; anything else (other hosts, ``//host``,
    ``javascript:``) becomes ``/``, so the login form cannot be used as an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
