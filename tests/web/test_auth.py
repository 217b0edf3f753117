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
from web.auth import LoginThrottle, Signer, is_loopback, safe_next, throttle_keys
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
    token = signer.issue_session("lan", "s1", signer.expiry(now=1000))
    assert signer.read_session(token, now=1030) == ("lan", "s1")
    assert signer.read_session(token, now=1061) is None
    payload, mac = token.split(".")
    assert signer.read_session(payload + "." + "0" * len(mac), now=1030) is None
    assert signer.read_session(payload + ".ộ", now=1030) is None  # non-ASCII: no TypeError
    forged = Signer(b"x" * 64, 60).issue_session("lan", "s1", 1060)
    assert signer.read_session(forged, now=1030) is None
    assert signer.read_session("garbage", now=1030) is None


def test_throttle_blocks_after_repeated_failures() -> None:
    throttle = LoginThrottle({"address+user": 3, "address": 5, "user": 8}, window=60)
    keys = throttle_keys("1.2.3.4", "Lan")
    for _ in range(3):
        assert throttle.retry_after(keys, now=100) == 0
        throttle.failed(keys, now=100)
    assert throttle.retry_after(keys, now=110) == 50
    assert throttle.retry_after(keys, now=161) == 0
    # the same address guessing other names stops at its own limit
    for name in ("hoa", "minh", "tuan", "binh"):
        throttle.failed(throttle_keys("1.2.3.4", name), now=170)
    assert throttle.retry_after(throttle_keys("1.2.3.4", "an"), now=170) == 0
    throttle.failed(throttle_keys("1.2.3.4", "an"), now=171)
    assert throttle.retry_after(throttle_keys("1.2.3.4", "lan"), now=172) == 58
    # ... and the real user, elsewhere, is not locked out by it
    assert throttle.retry_after(throttle_keys("5.6.7.8", "lan"), now=172) == 0


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


def _log_in(client: TestClient, name: str = "lan", password: str = "mật-khẩu-dài") -> str:
    """Log in; the session cookie's value."""
    token = _csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": name, "password": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(client.cookies.get("ww_session"))


def _with_cookie(cookie: str) -> TestClient:
    other = TestClient(create_app(login_required=True))
    other.cookies.set("ww_session", cookie)
    return other


def test_logout_ends_the_session_on_the_server(users: UserStore, ids: dict[str, str]) -> None:
    with TestClient(create_app(login_required=True)) as client:
        cookie = _log_in(client)
        other_browser = _log_in(TestClient(create_app(login_required=True)))
        page = client.get("/")
        client.post("/logout", data={"csrf_token": _csrf(page.text)})
        # the cookie copied before logout no longer works anywhere
        assert _with_cookie(cookie).get("/api/search").status_code == 401
        # another browser's session of the same user goes on
        assert _with_cookie(other_browser).get("/api/search").status_code == 200


def test_removing_and_re_adding_a_user_does_not_revive_old_sessions(
    users: UserStore, ids: dict[str, str]
) -> None:
    with TestClient(create_app(login_required=True)) as client:
        cookie = _log_in(client)
        users.remove("lan")
        users.add("lan", "mật-khẩu-mới-dài")
        assert _with_cookie(cookie).get("/api/search").status_code == 401


def test_passwd_changes_the_password_and_ends_every_session(
    users: UserStore,
    ids: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with TestClient(create_app(login_required=True)) as client:
        cookie = _log_in(client)
        monkeypatch.setattr("sys.stdin", io.StringIO("mật-khẩu-mới-dài\n"))
        assert main(["users", "passwd", "lan", "--password-stdin"]) == 0
        assert "sessions have ended" in capsys.readouterr().out
        assert _with_cookie(cookie).get("/api/search").status_code == 401
        assert users.authenticate("lan", "mật-khẩu-mới-dài")
        assert not users.authenticate("lan", "mật-khẩu-dài")
        monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
        assert main(["users", "passwd", "lan", "--password-stdin"]) == 1
        monkeypatch.setattr("sys.stdin", io.StringIO("mật-khẩu-khác-dài\n"))
        assert main(["users", "passwd", "nobody", "--password-stdin"]) == 1
        assert "no user named 'nobody'" in capsys.readouterr().err


def test_failures_from_one_address_do_not_lock_the_user_out_of_another(
    users: UserStore, ids: dict[str, str]
) -> None:
    app = create_app(login_required=True)
    with TestClient(app, client=("203.0.113.9", 50000)) as attacker:
        token = _csrf(attacker.get("/login").text)
        for _ in range(30):
            attacker.post("/login", data={"csrf_token": token, "username": "lan", "password": "x"})
        blocked = attacker.post(
            "/login", data={"csrf_token": token, "username": "lan", "password": "mật-khẩu-dài"}
        )
        assert blocked.status_code == 429
    with TestClient(app, client=("198.51.100.7", 50000)) as real_user:
        _log_in(real_user)
        assert real_user.get("/api/search").status_code == 200


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (
            ["serve", "--port", "99999"],
            None,
            "argument --port: 99999 is not a port number (0-65535)",
        ),
        (["serve", "--port", "http"], None, "argument --port: 'http' is not a whole number"),
        (["serve"], "70000", "WILDWATCH_WEB_PORT=70000: not a port number (0-65535)"),
    ],
)
def test_serve_refuses_a_port_out_of_range_without_a_traceback(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: str | None,
    expected: str,
) -> None:
    if env is not None:
        monkeypatch.setenv("WILDWATCH_WEB_PORT", env)
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own usage error
        status = int(exit_.code or 0)
    assert status == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
