"""The FastAPI application: HTML pages, the JSON API under /api, logins.

Reads the search index, the evidence archive and the alert rules through ``web.services``,
users and the signing secret under ``WILDWATCH_HOME/web``; writes alert rules (saved
searches) and, per response, security headers and cookies (session, CSRF, UI language).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import RequestResponseEndpoint

from search.query_language import QuerySyntaxError
from web import settings
from web.auth import CSRF_COOKIE, SESSION_COOKIE, LoginThrottle, Signer, load_secret
from web.i18n import UI_LANGUAGES, Translator, pick_language
from web.params import ParamError, localized_error, localized_query_error
from web.rendering import LocalizedHTTPException, render
from web.services import Services
from web.users import UserStore

STATIC_DIR = Path(__file__).with_name("static")
UI_COOKIE = "ww_ui"
# No script runs on any page: charts are server-drawn SVG, forms are plain HTML. A page that
# somehow carried injected markup still cannot execute it, load from elsewhere or post away.
PAGE_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self'"
)
PUBLIC_PATHS = ("/login", "/static/", "/healthz")

API_DESCRIPTION = """
Search, items, trends and coverage of wildlife-trafficking signals found by wildwatch.

Every endpoint takes the same filters as the search page: `q` (words, "phrases", AND/OR/NOT,
-word; diacritics optional), `species`, `kind`, `lang`, `source`, `enforcement`, `country`,
`location` (repeat the parameter or separate values with commas: values of one filter are
ORed, different filters ANDed), `trade=1`, `since`/`until` (YYYY-MM-DD, inclusive),
`min_relevance`, and the staff's triage: `triage` (untriaged, relevant, not_relevant, follow_up),
`seen=1|0`, `noted=1|0`. Bad parameters give HTTP 400 with `{"detail": "<parameter>: <problem>"}`.
When the server requires a login, send the session cookie of a browser login. Triage is set
with `POST /api/items/{id}/triage` or `POST /api/triage` and a JSON body.
"""


def _is_public(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PUBLIC_PATHS)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def create_app(services: Services | None = None, *, login_required: bool | None = None) -> FastAPI:
    """The app. ``login_required`` None means: as WILDWATCH_WEB_REQUIRE_LOGIN says, with
    ``auto`` treated as "loopback" (``web.server`` passes the answer for the bound address)."""
    from web import (
        alerts_pages,
        api,
        cases_pages,
        login,
        map_pages,
        pages,
        trends_pages,
        triage_api,
        triage_pages,
    )

    if login_required is None:
        login_required = settings.require_login() == "true"
    app_services = services or Services()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        app_services.close()

    app = FastAPI(
        lifespan=lifespan,
        title="wildwatch API",
        version="1",
        description=API_DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = app_services
    app.state.login_required = login_required
    app.state.signer = Signer(load_secret(settings.secret_path()), settings.session_hours() * 3600)
    app.state.users = UserStore.from_settings()
    app.state.throttle = LoginThrottle()

    @app.middleware("http")
    async def guard(request: Request, call_next: RequestResponseEndpoint) -> Response:
        client_secret = request.cookies.get(CSRF_COOKIE, "")
        fresh_secret = None
        if not 20 <= len(client_secret) <= 64:
            client_secret = fresh_secret = secrets.token_urlsafe(24)
        request.state.csrf_client = client_secret
        requested_ui = request.query_params.get("ui")
        request.state.ui = pick_language(requested_ui, request.cookies.get(UI_COOKIE))
        request.state.user = None
        request.state.session_id = None
        token = request.cookies.get(SESSION_COOKIE)
        if token and app.state.login_required:
            session = app.state.signer.read_session(token)
            if session and app.state.users.session_open(*session):
                request.state.user, request.state.session_id = session
        response: Response
        if (
            app.state.login_required
            and request.state.user is None
            and not _is_public(request.url.path)
        ):
            if _wants_json(request):
                response = JSONResponse({"detail": "login required"}, status_code=401)
            else:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        else:
            response = await call_next(request)
        if fresh_secret:
            response.set_cookie(CSRF_COOKIE, fresh_secret, httponly=True, samesite="lax", path="/")
        if requested_ui in UI_LANGUAGES:
            response.set_cookie(
                UI_COOKIE, str(requested_ui), max_age=365 * 86400, samesite="lax", path="/"
            )
        headers = response.headers
        headers.setdefault("Content-Security-Policy", PAGE_CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        # Clicking through to a trafficker's page must not tell it what staff searched for.
        headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(ParamError)
    async def bad_param(request: Request, error: ParamError) -> Response:
        # The API answers in English (scripts match on it), pages and their CSV export in the
        # reader's language; JSON answers list every valid value of the filter.
        api = _wants_json(request)
        message = str(error) if api else localized_error(error, Translator(request.state.ui))
        if error.unknown is not None and (api or request.url.path.endswith(".csv")):
            body = {"detail": message, "valid": list(error.unknown.valid)}
            return JSONResponse(body, status_code=400)
        return _error(request, 400, message, Translator(request.state.ui))

    @app.exception_handler(QuerySyntaxError)
    async def bad_query(request: Request, error: QuerySyntaxError) -> Response:
        if _wants_json(request):
            return _error(request, 400, f"q: {error}")
        t = Translator(request.state.ui)
        return _error(request, 400, f"{t('query')}: {localized_query_error(error, t)}", t)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        fields = [
            ".".join(str(p) for p in e.get("loc", ())[1:]) or "request" for e in error.errors()
        ]
        if not _wants_json(request):
            t = Translator(request.state.ui)
            return _error(request, 422, t("errors.invalid_fields", fields=", ".join(fields)), t)
        problems = "; ".join(
            f"{field}: {e.get('msg')}" for field, e in zip(fields, error.errors(), strict=True)
        )
        return _error(request, 422, problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        # The detail is English (for the API); pages say what the status means instead.
        if isinstance(error, LocalizedHTTPException) and not _wants_json(request):
            t = Translator(request.state.ui)
            response = _error(request, error.status_code, t(error.message_key), t)
        else:
            response = _error(request, error.status_code, str(error.detail), localized=False)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(login.router)
    app.include_router(api.router)
    app.include_router(triage_api.router)
    app.include_router(triage_pages.router)
    app.include_router(alerts_pages.router)
    app.include_router(trends_pages.router)
    app.include_router(cases_pages.router)
    app.include_router(cases_pages.api_router)
    app.include_router(map_pages.router)
    app.include_router(pages.router)
    return app


def _error(
    request: Request,
    status: int,
    message: str,
    t: Translator | None = None,
    *,
    localized: bool = True,
) -> Response:
    """JSON for the API and CSV export; else the error page, with ``message`` when it is in
    the reader's language (``localized``, or an English detail in the English UI) and what
    the status means otherwise."""
    if _wants_json(request) or request.url.path.endswith(".csv"):
        return JSONResponse({"detail": message}, status_code=status)
    t = t or Translator(request.state.ui)
    explained = t(f"errors.http_{status}")
    if explained == f"errors.http_{status}":
        explained = t("errors.http_other")
    response: Response = render(
        request,
        "error.html",
        # the English detail of an HTTPException is the reader's language only in English
        {
            "status": status,
            "message": message if localized or t.lang == "en" else "",
            "explained": explained,
        },
        status_code=status,
    )
    return response
