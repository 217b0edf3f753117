"""Web users: names and scrypt password hashes in ``WILDWATCH_HOME/web/users.json``.

Reads and writes that one JSON file (atomically, so a crash never leaves it half written).
Managed with ``wildwatch users add|list|remove``; read by the login form.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
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


# Checked against when the user does not exist, so a wrong name costs as long as a wrong
# password and response times do not reveal which names exist.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


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

    def add(self, name: str, password: str) -> User:
        if not _NAME.match(name):
            raise UserError(f"user name {name!r}: use 1-64 letters, digits, '.', '_', '-' or '@'")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"password: use at least {MIN_PASSWORD_LENGTH} characters")
        users = self._load()
        if name in users:
            raise UserError(f"user {name!r} already exists (remove it first to reset)")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        users[name] = {"password": hash_password(password), "created_at": created}
        self._save(users)
        return User(name, created)

    def remove(self, name: str) -> None:
        users = self._load()
        if name not in users:
            raise UserError(f"no user named {name!r}")
        del users[name]
        self._save(users)

    def list(self) -> list[User]:
        return [
            User(name, str(entry.get("created_at", "")))
            for name, entry in sorted(self._load().items())
        ]

    def exists(self, name: str) -> bool:
        return name in self._load()

    def authenticate(self, name: str, password: str) -> bool:
        entry = self._load().get(name)
        stored = str(entry.get("password", "")) if entry else _DUMMY_HASH
        ok = verify_password(password, stored)
        return ok and entry is not None
