"""Sessions, CSRF tokens and login throttling for the web UI.

Reads (and creates on first use) the signing secret ``WILDWATCH_HOME/web/secret``; writes
nothing else. A session cookie is signed (HMAC-SHA256) and names a user and a session id; the
id must also be one of that user's open sessions in the users file (``web.users``), so logout,
``wildwatch users passwd`` and ``wildwatch users remove`` end sessions on the server, not
only in the browser that held the cookie.
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
from collections.abc import Mapping
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

    def expiry(self, now: float | None = None) -> int:
        """When a session opened ``now`` ends (epoch seconds)."""
        return int((now if now is not None else time.time()) + self.session_seconds)

    def issue_session(self, user: str, session_id: str, expires: int) -> str:
        """The cookie value of session ``session_id`` of ``user``, valid until ``expires``."""
        payload = f"{user}|{expires}|{session_id}".encode()
        return f"{_b64(payload)}.{self._mac(b'session', payload)}"

    def read_session(self, token: str, now: float | None = None) -> tuple[str, str] | None:
        """``(user name, session id)`` of a valid, unexpired token; None otherwise. Whether
        the session is still open is the users file's to say (``UserStore.session_open``)."""
        try:
            encoded, mac = token.split(".", 1)
            payload = _unb64(encoded)
        except ValueError:
            return None
        if not _same(mac, self._mac(b"session", payload)):
            return None
        try:
            user, expires, session_id = payload.decode("utf-8").split("|")
            if int(expires) < (now if now is not None else time.time()):
                return None
        except ValueError:
            return None
        return user, session_id

    def csrf_token(self, client_secret: str) -> str:
        """The token forms must echo: bound to the browser's random CSRF cookie, so a page
        on another site can neither read nor forge it."""
        return self._mac(b"csrf", client_secret.encode("utf-8"))

    def check_csrf(self, client_secret: str | None, submitted: str | None) -> bool:
        if not client_secret or not submitted:
            return False
        return _same(self.csrf_token(client_secret), submitted)


# Failed logins allowed per window, by what they are counted against. One address may try one
# name 5 times and all names 20 times; a name may fail 100 times from everywhere together, so
# a guesser at one address cannot lock the real user out of another, and guessing from many
# addresses is still bounded.
THROTTLE_LIMITS: Mapping[str, int] = {"address+user": 5, "address": 20, "user": 100}


def throttle_keys(address: str, user: str) -> list[str]:
    # Names are at most 64 characters; a megabyte typed into the form is not kept whole.
    user = user.lower()[:100]
    return [f"address+user:{address}|{user}", f"address:{address}", f"user:{user}"]


class LoginThrottle:
    """At most ``limits[kind]`` failed logins per key ``"kind:value"`` (see ``throttle_keys``)
    within ``window`` seconds; a success clears that address's count for that user."""

    def __init__(self, limits: Mapping[str, int] = THROTTLE_LIMITS, window: float = 300.0) -> None:
        self.limits = dict(limits)
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _sweep(self, now: float) -> None:
        # Forget keys without recent failures, so names and addresses sent once (a spray of
        # random user names) do not pile up in memory.
        for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
            del self._failures[key]

    def retry_after(self, keys: list[str], now: float | None = None) -> int:
        """Seconds until another attempt is allowed for all ``keys``; 0 when allowed now."""
        now = now if now is not None else time.time()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                limit = self.limits[key.partition(":")[0]]
                if len(failures) >= limit:
                    wait = max(wait, failures[-limit] + self.window - now)
        return int(wait + 0.999)

    def failed(self, keys: list[str], now: float | None = None) -> None:
        now = now if now is not None else time.time()
        with self._lock:
            if len(self._failures) > 10_000:
                self._sweep(now)
            for key in keys:
                self._failures[key] = self._recent(key, now)
                self._failures[key].append(now)

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                if key.startswith("address+user:"):
                    self._failures.pop(key, None)


def safe_next(target: str | None) -> str:
    """A local path to return to after login; anything else (other hosts, ``//host``,
    ``javascript:``) becomes ``/``, so the login form cannot be used as an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
