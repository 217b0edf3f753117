"""Web users: names, scrypt password hashes and open sessions in ``WILDWATCH_HOME/web/users.json``.

Reads and writes that one JSON file (atomically, so a crash never leaves it half written; under
a lock, so the web server and ``wildwatch users`` never overwrite each other's changes).
Managed with ``wildwatch users add|list|passwd|remove``; read by the login form and, for the
session check, on every request.

Each user's open sessions are recorded as SHA-256 hashes of their ids with their expiry: logout
closes one, a password change and removal close them all, and a re-added user starts with none,
so no cookie issued before can come back to life.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from web import settings

# scrypt cost: ~50 ms per check on a small server, enough to make offline guessing expensive
# while keeping logins snappy. Stored with each hash so it can be raised later.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """A user name or password wildwatch refuses, or a damaged users file."""


@dataclass(frozen=True)
class User:
    name: str
    created_at: str


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt_hex$hash_hex`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(hash_hex)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=128 * int(n) * int(r) * 2 + 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password: use at least {MIN_PASSWORD_LENGTH} characters")


def _sessions(entry: dict[str, Any]) -> dict[str, float]:
    sessions = entry.get("sessions")
    if not isinstance(sessions, dict):
        sessions = entry["sessions"] = {}
    return sessions


# Checked against when the user does not exist, so a wrong name costs as long as a wrong
# password and response times do not reveal which names exist.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


def _session_key(session_id: str) -> str:
    # Only hashes are stored: a copy of the users file does not let anyone resume a session.
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


_THREAD_LOCK = threading.Lock()


class UserStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_settings(cls) -> UserStore:
        return cls(settings.users_path())

    def _load(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise UserError(f"{self.path}: cannot read users file: {error}") from None
        users = data.get("users") if isinstance(data, dict) else None
        if not isinstance(users, dict):
            raise UserError(f"{self.path}: expected an object with a 'users' table")
        return users

    def _save(self, users: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"users": users}, handle, indent=2, ensure_ascii=False)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Exclusive access for a read-modify-write of the file, across threads and processes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _THREAD_LOCK, open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _update(self, change: Callable[[dict[str, dict[str, Any]]], None]) -> None:
        with self._locked():
            users = self._load()
            change(users)
            self._save(users)

    def add(self, name: str, password: str) -> User:
        if not _NAME.match(name):
            raise UserError(f"user name {name!r}: use 1-64 letters, digits, '.', '_', '-' or '@'")
        _check_password(password)
        created = datetime.now(UTC).isoformat(timespec="seconds")

        def add(users: dict[str, dict[str, Any]]) -> None:
            if name in users:
                raise UserError(f"user {name!r} already exists (remove it first to reset)")
            users[name] = {"password": hash_password(password), "created_at": created}

        self._update(add)
        return User(name, created)

    def set_password(self, name: str, password: str) -> None:
        """Replace the password of ``name`` and end every session of that user."""
        _check_password(password)
        hashed = hash_password(password)

        def change(users: dict[str, dict[str, Any]]) -> None:
            if name not in users:
                raise UserError(f"no user named {name!r}")
            users[name]["password"] = hashed
            users[name]["sessions"] = {}

        self._update(change)

    def remove(self, name: str) -> None:
        """Delete the user; its sessions go with it."""

        def remove(users: dict[str, dict[str, Any]]) -> None:
            if name not in users:
                raise UserError(f"no user named {name!r}")
            del users[name]

        self._update(remove)

    # -- sessions -------------------------------------------------------------------------------

    def open_session(self, name: str, expires: int) -> str:
        """A new session id for ``name``, recorded until ``expires`` (epoch seconds); expired
        records of the user are dropped on the way."""
        session_id = secrets.token_urlsafe(24)
        now = time.time()

        def record(users: dict[str, dict[str, Any]]) -> None:
            if name not in users:
                raise UserError(f"no user named {name!r}")
            sessions = _sessions(users[name])
            kept = {
                key: end
                for key, end in sessions.items()
                if isinstance(end, int | float) and end > now
            }
            kept[_session_key(session_id)] = expires
            users[name]["sessions"] = kept

        self._update(record)
        return session_id

    def session_open(self, name: str, session_id: str, now: float | None = None) -> bool:
        """Whether ``session_id`` is an open, unexpired session of an existing user."""
        entry = self._load().get(name)
        if entry is None:
            return False
        end = _sessions(entry).get(_session_key(session_id))
        return isinstance(end, int | float) and end > (now if now is not None else time.time())

    def close_session(self, name: str, session_id: str) -> None:
        """End one session (logout); unknown users and sessions are ignored."""

        def close(users: dict[str, dict[str, Any]]) -> None:
            if name in users:
                _sessions(users[name]).pop(_session_key(session_id), None)

        self._update(close)

    def list(self) -> list[User]:
        return [
            User(name, str(entry.get("created_at", "")))
            for name, entry in sorted(self._load().items())
        ]

    def exists(self, name: str) -> bool:
        """Whether ``name`` is a user."""
        return name in self._load()

    def authenticate(self, name: str, password: str) -> bool:
        entry = self._load().get(name)
        stored = str(entry.get("password", "")) if entry else _DUMMY_HASH
        ok = verify_password(password, stored)
        return ok and entry is not None
