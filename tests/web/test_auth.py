"""Logins: users on disk, hashed passwords, signed sessions, CSRF, throttling, and the rule
that a server reachable from other machines needs a login."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from web.app import create_app
from web.auth import LoginThrottle, Signer, is_loopback, safe_next
from web.server import ServerConfigError, build_server
from web.users import UserError, UserStore, verify_password
from wildwatch.cli import main


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


@pytest.fixture
def users(home: Path) -> UserStore:
    store = UserStore.from_settings()
    store.add("lan", "mật-khẩu-dài")
    return store


def test_passwords_are_stored_as_salted_scrypt_hashes(users: UserStore) -> None:
    users.add("minh", "mật-khẩu-dài")
    data = json.loads(users.path.read_text(encoding="utf-8"))["users"]
    assert data["lan"]["password"].startswith("scrypt$")
    assert "mật-khẩu-dài" not in users.path.read_text(encoding="utf-8")
    assert data["lan"]["password"] != data["minh"]["password"]  # per-user salt
    assert verify_password("mật-khẩu-dài", data["lan"]["password"])
    assert not verify_password("mat-khau-dai", data["lan"]["password"])
    assert users.authenticate("lan", "mật-khẩu-dài")
    assert not users.authenticate("lan", "wrong password")
    assert not users.authenticate("nobody", "mật-khẩu-dài")
    assert users.path.stat().st_mode & 0o077 == 0


def test_user_store_rejects_bad_names_short_passwords_and_duplicates(users: UserStore) -> None:
    with pytest.raises(UserError, match="already exists"):
        users.add("lan", "another-password")
    with pytest.raises(UserError, match="at least 8"):
        users.add("hoa", "short")
    with pytest.raises(UserError, match="user name"):
        users.add("bad name", "long-enough-password")
    with pytest.raises(UserError, match="no user named"):
        users.remove("ghost")
    users.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match=r"users\.json"):
        users.list()


def test_sessions_are_signed_and_expire() -> None:
    signer = Signer(b"k" * 64, session_seconds=60)
    token = signer.issue_session("lan", now=1000)
    assert signer.read_session(token, now=1030) == "lan"
    assert signer.read_session(token, now=1061) is None
    payload, mac = token.split(".")
    assert signer.read_session(payload + "." + "0" * len(mac), now=1030) is None
    forged = Signer(b"x" * 64, 60).issue_session("lan", now=1000)
    assert signer.read_session(forged, now=1030) is None
    assert signer.read_session("garbage", now=1030) is None


def test_throttle_blocks_after_repeated_failures() -> None:
    throttle = LoginThrottle(max_failures=3, window=60)
    keys = ["ip:1.2.3.4", "user:lan"]
    for _ in range(3):
        assert throttle.retry_after(keys, now=100) == 0
        throttle.failed(keys, now=100)
    assert throttle.retry_after(keys, now=110) == 50
    assert throttle.retry_after(["user:lan"], now=161) == 0


def test_helpers() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert safe_next("/?q=te+te") == "/?q=te+te"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil", "javascript:x", None):
        assert safe_next(bad) == "/"


def test_login_flow(users: UserStore, ids: dict[str, str]) -> None:
    with TestClient(create_app(login_required=True)) as client:
        blocked = client.get("/?q=te+te", follow_redirects=False)
        assert blocked.status_code == 303
        assert blocked.headers["location"] == "/login?next=/%3Fq%3Dte%2Bte"
        assert client.get("/api/search").status_code == 401
        login = client.get(blocked.headers["location"])
        token = _csrf(login.text)
        wrong = client.post(
            "/login", data={"csrf_token": token, "username": "lan", "password": "nope"}
        )
        assert wrong.status_code == 401
        ok = client.post(
            "/login",
            data={
                "csrf_token": token,
                "username": "lan",
                "password": "mật-khẩu-dài",
                "next": "/?q=te+te",
            },
            follow_redirects=False,
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/?q=te+te"
        cookie = ok.headers["set-cookie"]
        assert "ww_session=" in cookie and "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        page = client.get("/?q=te+te")
        assert page.status_code == 200 and "Vảy tê tê rừng loại 1" in page.text
        assert client.get("/api/search").status_code == 200
        # removing the user ends their session at once
        users.remove("lan")
        assert client.get("/api/search").status_code == 401


def test_logout_needs_csrf_and_ends_the_session(users: UserStore, ids: dict[str, str]) -> None:
    with TestClient(create_app(login_required=True)) as client:
        token = _csrf(client.get("/login").text)
        client.post(
            "/login", data={"csrf_token": token, "username": "lan", "password": "mật-khẩu-dài"}
        )
        assert client.post("/logout", data={}).status_code == 403
        page = client.get("/")
        out = client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/api/search").status_code == 401


def test_login_form_rejects_missing_csrf_and_throttles(users: UserStore) -> None:
    with TestClient(create_app(login_required=True)) as client:
        no_token = client.post("/login", data={"username": "lan", "password": "mật-khẩu-dài"})
        assert no_token.status_code == 403
        token = _csrf(client.get("/login").text)
        for _ in range(5):
            client.post(
                "/login", data={"csrf_token": token, "username": "lan", "password": "guess"}
            )
        limited = client.post(
            "/login", data={"csrf_token": token, "username": "lan", "password": "mật-khẩu-dài"}
        )
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) > 0


def test_open_redirect_after_login_is_refused(users: UserStore) -> None:
    with TestClient(create_app(login_required=True)) as client:
        token = _csrf(client.get("/login").text)
        response = client.post(
            "/login",
            data={
                "csrf_token": token,
                "username": "lan",
                "password": "mật-khẩu-dài",
                "next": "//evil.example/phish",
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def _app(server: uvicorn.Server) -> FastAPI:
    app = server.config.app
    assert isinstance(app, FastAPI)
    return app


def test_server_refuses_public_address_without_users(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ServerConfigError, match="wildwatch users add"):
        build_server("0.0.0.0", 0)
    assert _app(build_server("127.0.0.1", 0)).state.login_required is False
    monkeypatch.setenv("WILDWATCH_WEB_REQUIRE_LOGIN", "true")
    with pytest.raises(ServerConfigError):
        build_server("127.0.0.1", 0)
    UserStore.from_settings().add("lan", "mật-khẩu-dài")
    assert _app(build_server("127.0.0.1", 0)).state.login_required is True
    monkeypatch.setenv("WILDWATCH_WEB_REQUIRE_LOGIN", "false")
    assert _app(build_server("0.0.0.0", 0)).state.login_required is False
    monkeypatch.setenv("WILDWATCH_WEB_REQUIRE_LOGIN", "sometimes")
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2


def test_users_cli(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("mật-khẩu-dài\n"))
    assert main(["users", "add", "lan", "--password-stdin"]) == 0
    assert UserStore.from_settings().authenticate("lan", "mật-khẩu-dài")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "hoa", "--password-stdin"]) == 1
    assert "at least 8" in capsys.readouterr().err
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.startswith("lan\t")
    assert main(["users", "remove", "lan"]) == 0
    assert main(["users", "remove", "lan"]) == 1
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "no user exists" in capsys.readouterr().err
