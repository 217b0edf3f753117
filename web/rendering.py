"""Jinja2 environment and page rendering shared by every HTML route.

Reads templates from ``web/templates``; writes HTML responses. Autoescaping is on for every
template; the only markup that bypasses it is the backend's search snippet, and only after
``safe_snippet`` has checked that it holds no tag other than ``<mark>``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChainableUndefined, Environment, FileSystemLoader
from markupsafe import Markup, escape

from pipelines.figures import (
    distinct_prices,
    format_number,
    format_vnd,
    price_view,
    quantity_view,
)
from web.i18n import UI_LANGUAGES, Translator, place_label
from wildwatch.env import timezone_name

TEMPLATES_DIR = Path(__file__).with_name("templates")


class LocalizedHTTPException(HTTPException):
    """An HTTP error whose page says ``message_key`` (of messages.toml) in the reader's
    language; ``detail`` stays the English text of JSON answers."""

    def __init__(self, status_code: int, detail: str, message_key: str) -> None:
        super().__init__(status_code=status_code, detail=detail)
        self.message_key = message_key


def http_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None: scraped ``javascript:`` or
    ``data:`` URLs must never become links."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(char) < 32 for char in candidate):
        return None
    return candidate


def safe_snippet(snippet: object) -> Markup:
    """The backend's snippet as markup when it is escaped text plus <mark> tags; escaped
    again otherwise, so a backend bug shows tags as text instead of running them."""
    text = str(snippet or "")
    bare = text.replace("<mark>", "").replace("</mark>", "")
    if "<" in bare or ">" in bare:
        return escape(text)
    return Markup(text)


def local_moment(value: object) -> datetime | None:
    """A stored ISO 8601 moment, in ``WILDWATCH_TZ`` when it has a zone (kept naive when it
    has none); None when it is empty or not a date."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(ZoneInfo(timezone_name())) if moment.tzinfo is not None else moment


def local_time(value: object, lang: str, *, with_time: bool = True) -> str:
    if not value:
        return ""
    moment = local_moment(value)
    if moment is None:
        return str(value)
    date_part = moment.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")
    if not with_time or (moment.hour == 0 and moment.minute == 0):
        return date_part
    return f"{date_part} {moment.strftime('%H:%M')}"


def input_date(value: object, lang: str) -> str:
    """A YYYY-MM-DD parameter as the date fields show it: DD/MM/YYYY in Vietnamese (typed
    back that way: ``web.params.parse_date`` reads both forms), YYYY-MM-DD in English."""
    text = str(value or "")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text  # shown as typed, next to the error that names it
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def money(value: object, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return format_vnd(value, lang)


def number(value: object, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value or "")
    return format_number(value, lang)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        # Documents are TypedDict(total=False): a missing optional field renders as nothing.
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["http_url"] = http_url
    env.filters["snippet"] = safe_snippet
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Any:
    lang: str = getattr(request.state, "ui", "vi")
    t = Translator(lang)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "ui"]
    ui_links = {
        code: f"{request.url.path}?{urlencode([*query, ('ui', code)])}" for code in UI_LANGUAGES
    }
    base: dict[str, Any] = {
        "t": t,
        "ui": lang,
        "ui_links": ui_links,
        "path": request.url.path,
        "user": getattr(request.state, "user", None),
        "login_required": request.app.state.login_required,
        "csrf_token": request.app.state.signer.csrf_token(request.state.csrf_client),
        "when": lambda value, with_time=True: local_time(value, lang, with_time=with_time),
        "money": lambda value: money(value, lang),
        "number": lambda value: number(value, lang),
        "prices": lambda stored: [
            price_view(p, lang, lambda kind: t.label("per_unit", kind))
            for p in distinct_prices(stored)
        ],
        "quantity": lambda stored: quantity_view(stored, lang, lambda unit: t.label("unit", unit)),
        "place": lambda name: place_label(name, lang),
        "date_value": lambda iso: input_date(iso, lang),
    }
    base.update(context)
    return templates.TemplateResponse(request, name, base, status_code=status_code)
