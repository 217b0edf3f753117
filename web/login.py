"""Login, logout and the CSRF check every POST form goes through.

Reads the users file (through ``app.state.users``) and the form posted; writes the session
cookie and the session record (``web.users``); logout closes that record. Failed logins are
throttled per address and user name together, per address, and per user name with a limit no
single address can reach (``web.auth.THROTTLE_LIMITS``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from web.auth import SESSION_COOKIE, safe_next, throttle_keys
from web.rendering import LocalizedHTTPException, render
from web.users import UserError

router = APIRouter(include_in_schema=False)


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token against the browser's CSRF cookie."""
    form = await request.form()
    token = form.get("csrf_token")
    signer = request.app.state.signer
    if not signer.check_csrf(request.state.csrf_client, token if isinstance(token, str) else None):
        raise LocalizedHTTPException(
            403,
            "The form has expired or did not come from this site (CSRF check failed). "
            "Reload the page and try again.",
            "errors.csrf",
        )
    return form


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Any:
    return render(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login")
async def login_submit(request: Request) -> Any:
    form = await checked_form(request)
    username = _text(form, "username")
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    target = safe_next(_text(form, "next"))
    client = request.client.host if request.client else "unknown"
    keys = throttle_keys(client, username)
    throttle = request.app.state.throttle
    context = {"next": target, "username": username}
    wait = throttle.retry_after(keys)
    t_error: str
    if wait:
        t_error = "login_throttled"
        response = render(
            request, "login.html", {**context, "error": t_error, "wait": wait}, status_code=429
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if not username or not request.app.state.users.authenticate(username, password):
        throttle.failed(keys)
        return render(request, "login.html", {**context, "error": "login_failed"}, 401)
    throttle.succeeded(keys)
    redirect = RedirectResponse(target, status_code=303)
    signer = request.app.state.signer
    expires = signer.expiry()
    try:
        session_id = request.app.state.users.open_session(username, expires)
    except UserError:  # removed between the password check and now
        return render(request, "login.html", {**context, "error": "login_failed"}, 401)
    redirect.set_cookie(
        SESSION_COOKIE,
        signer.issue_session(username, session_id, expires),
        max_age=signer.session_seconds,
        httponly=True,
        samesite="lax",
        path="/",
    )
    return redirect


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    if request.state.user and request.state.session_id:
        # Closed on the server: the same cookie, replayed, no longer opens anything.
        request.app.state.users.close_session(request.state.user, request.state.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
