"""HTML pages: search, item, coverage, API docs; CSV export; saving alerts (the trends page
is web/trends_pages.py, the alerts page web/alerts_pages.py).

Reads query parameters, forms and the index; writes HTML, CSV and (for "save this search as
an alert") one alert rule through ``schedules.rules``.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import math
import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from bs4 import BeautifulSoup
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from pipelines.figures import quantity_kg
from search.filter_values import LIST_FILTERS, MULTI_VALUE_FILTERS
from search.query_language import QuerySyntaxError
from search.triage import TriageRecord
from web import settings
from web.api import search_params
from web.charts import Series, format_count, format_vnd, line_chart, stacked_bar_chart
from web.figures import csv_prices
from web.i18n import Translator
from web.login import checked_form
from web.map_figures import small_map
from web.params import (
    ENFORCEMENT,
    KINDS,
    MAX_PAGE,
    SCALAR_PARAMS,
    ParamError,
    SearchParams,
    localized_error,
    localized_query_error,
    parse_interval,
    parse_search_params,
    species_choices,
)
from web.queries import archived_body, coverage, item_view, iter_hits
from web.rendering import local_moment, render
from web.rule_messages import localized_rule_error
from web.services import AlertSaveError
from web.trends import Table
from web.triage_pages import (
    TRIAGE_FLAGS,
    facet_group,
    item_context,
    records_for,
    template_helpers,
)

router = APIRouter(include_in_schema=False)
Params = Annotated[SearchParams, Depends(search_params)]
# Facet names of the backend → the filter parameter a click on one of its values sets.
FACET_FILTERS = {"locations": "location", **{name: name for name in LIST_FILTERS}}
FACET_ORDER = ("species", "enforcement", "kind", "source", "lang", "country", "location")
_EMAIL_SPLIT = re.compile(r"[\s,;]+")


def _facets(params: SearchParams, facets: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    groups = []
    by_filter = {
        FACET_FILTERS[name]: counts for name, counts in facets.items() if name in FACET_FILTERS
    }
    for name in FACET_ORDER:
        counts = by_filter.get(name) or {}
        selected = set(params.values(name))
        values = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
        if not values and not selected:
            continue
        shown = {value for value, _ in values}
        values += [(value, 0) for value in sorted(selected - shown)]
        groups.append(
            {
                "name": name,
                "values": [
                    {
                        "value": value,
                        "count": count,
                        "selected": value in selected,
                        "href": "/?" + params.query_string(toggle=(name, value)),
                    }
                    for value, count in values
                ],
            }
        )
    return groups


def _pages(params: SearchParams, total: int) -> list[dict[str, Any]]:
    last = min(MAX_PAGE, max(1, math.ceil(total / params.per_page)))
    wanted = sorted({1, last, *range(max(1, params.page - 2), min(last, params.page + 2) + 1)})
    pages: list[dict[str, Any]] = []
    for number in wanted:
        if pages and number - pages[-1]["number"] > 1:
            pages.append({"number": None, "href": None, "current": False})
        pages.append(
            {
                "number": number,
                "href": "/?" + params.query_string(page=number if number > 1 else None),
                "current": number == params.page,
            }
        )
    return pages if last > 1 else []


def _search_context(request: Request, params: SearchParams) -> dict[str, Any]:
    chips = [
        {"name": name, "value": value, "href": "/?" + params.query_string(toggle=(name, value))}
        for name, value in params.pairs
        if name in MULTI_VALUE_FILTERS or name in TRIAGE_FLAGS
    ]
    t = Translator(request.state.ui)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        **template_helpers(t),
        "triage_records": {},
        "triage_facet": [],
        "triaged": request.query_params.get("triaged"),
        "here": here,
        "params": params,
        "chips": chips,
        "kinds": KINDS,
        "actions": ENFORCEMENT,
        "species_choices": species_choices(Translator(request.state.ui)),
        "response": None,
        "facet_groups": [],
        "pages": [],
        "error": None,
        "alert_error": None,
        "alert_form": {},
        "saved": request.query_params.get("saved"),
        "export_href": "/export.csv?" + params.query_string(drop=("page", "per_page")),
        "api_href": "/api/search?" + params.query_string(),
    }


def _run_search(request: Request, context: dict[str, Any]) -> int:
    """Fill the context with results; returns the HTTP status (400 for a bad query)."""
    params: SearchParams = context["params"]
    try:
        with request.app.state.services.backend() as backend:
            response = backend.search(params.request)
            context["triage_records"] = records_for(backend, response["hits"])
    except QuerySyntaxError as error:
        t = Translator(request.state.ui)
        context["error"] = f"{t('query_error')}: {localized_query_error(error, t)}"
        return 400
    context["response"] = response
    context["facet_groups"] = _facets(params, response.get("facets") or {})
    context["triage_facet"] = facet_group(params, response.get("facets") or {})
    context["pages"] = _pages(params, response["total"])
    return 200


@router.get("/")
def search_page(request: Request) -> Any:
    try:
        params = parse_search_params(request.query_params.multi_items())
    except ParamError as error:
        empty = parse_search_params([])
        context = _search_context(request, empty)
        context["error"] = localized_error(error, Translator(request.state.ui))
        return render(request, "search.html", context, status_code=400)
    if _has_blank_fields(request):
        # The filter form sends every field, empty or not; a clean URL is one people can
        # read, share and bookmark.
        saved = request.query_params.get("saved")
        query = params.query_string(saved=saved)
        return RedirectResponse("/?" + query if query else "/", status_code=303)
    context = _search_context(request, params)
    status = _run_search(request, context)
    return render(request, "search.html", context, status_code=status)


def _has_blank_fields(request: Request) -> bool:
    known = set(MULTI_VALUE_FILTERS) | set(SCALAR_PARAMS)
    return any(
        (name in known and not value.strip()) or (name, value) == ("sort", "relevance")
        for name, value in request.query_params.multi_items()
    )


@router.post("/alerts")
async def save_alert(request: Request) -> Any:
    form = await checked_form(request)
    pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    params = parse_search_params(pairs)
    field_values = {k: v for k, v in pairs if k in ("name", "recipients", "email_lang", "cadence")}
    req = params.request
    rule = {
        "name": field_values.get("name", "").strip(),
        "query": req.query,
        "species": req.species,
        "kind": req.kind,
        "lang": req.lang,
        "source": req.source,
        "enforcement": req.enforcement,
        "country": req.country,
        "location": req.location,
        "place": req.place,
        "wildlife_trade": req.wildlife_trade,
        "min_relevance": req.min_relevance,
        "triage": req.triage,
        "seen": req.seen,
        "noted": req.noted,
        "recipients": tuple(r for r in _EMAIL_SPLIT.split(field_values.get("recipients", "")) if r),
        "email_lang": field_values.get("email_lang", "vi"),
        "cadence": field_values.get("cadence", "daily"),
    }
    try:
        request.app.state.services.save_alert(rule)
    except AlertSaveError as error:
        context = _search_context(request, params)
        t = Translator(request.state.ui)
        context["alert_error"] = (
            localized_rule_error(error.rule_error, req.query, t) if error.rule_error else str(error)
        )
        context["alert_form"] = field_values
        _run_search(request, context)
        return render(request, "search.html", context, status_code=400)
    query = params.query_string(drop=("page",), saved=field_values.get("name", "").strip())
    return RedirectResponse("/?" + query, status_code=303)


@router.get("/items/{item_id}")
def item_page(request: Request, item_id: str) -> Any:
    services = request.app.state.services
    view = item_view(services, item_id)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no item with id {item_id!r}")
    triage = {
        **item_context(services, item_id),
        **template_helpers(Translator(request.state.ui)),
        "triaged": request.query_params.get("triaged"),
    }
    return render(request, "item.html", {**view, **triage})


@router.get("/items/{item_id}/archive/raw")
def archive_raw(request: Request, item_id: str) -> Response:
    """The archived page as fetched, for the item page's sandboxed frame only: the CSP
    sandbox keeps scripts, forms and plugins off even when opened directly."""
    found = archived_body(request.app.state.services, item_id)
    if found is None:
        raise HTTPException(status_code=404, detail="this item has no archived page")
    body, content_type = found
    media = content_type if "html" in content_type.lower() else "text/plain; charset=utf-8"
    if "html" not in content_type.lower():
        body = request.app.state.services.decode_body(body, content_type).encode("utf-8")
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "no-store",
        },
    )


@router.get("/items/{item_id}/archive.txt")
def archive_text(request: Request, item_id: str) -> Response:
    """The archived page reduced to its text, as plain text."""
    services = request.app.state.services
    found = archived_body(services, item_id)
    if found is None:
        raise HTTPException(status_code=404, detail="this item has no archived page")
    body, content_type = found
    decoded = services.decode_body(body, content_type)
    soup = BeautifulSoup(decoded, "lxml")
    for node in soup(["script", "style", "noscript", "template"]):
        node.decompose()
    lines = [line.strip() for line in soup.get_text("\n").splitlines()]
    text = "\n".join(line for line in lines if line)
    return Response(text, media_type="text/plain; charset=utf-8")


def _table_chart(
    table: Table,
    t: Translator,
    group: str | None,
    kind: str,
    y_label: str,
    *,
    money: bool = False,
    wide: bool = False,
) -> Any:
    """A chart of ``table``; the SVG view box roughly matches its width on screen, so the
    12px labels stay 12px."""
    series = [
        Series(t.label(group, name) if group else name, values)
        for name, values in table.series.items()
    ]
    builder = stacked_bar_chart if kind == "bar" else line_chart
    fmt = format_vnd if money else format_count
    width, height = (1160, 320) if wide else (580, 300)
    return builder(
        table.dates, series, y_label=y_label, fmt=fmt, width=width, height=height, lang=t.lang
    )


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query)


@router.get("/coverage")
def coverage_page(
    request: Request, params: Params, interval: Annotated[str, Query()] = "week"
) -> Any:
    t = Translator(request.state.ui)
    chosen = parse_interval(interval)
    data = coverage(request.app.state.services, params.request, chosen)
    # The map counts the items of the page's own filters, not only those reporting an action
    # (a filter on every action makes each of the map's count queries several times slower).
    with request.app.state.services.backend() as backend:
        hotspots = small_map(backend, params.request, t, params.pairs)
    charts = {
        "actions": _table_chart(data["actions"], t, "enforcement", "bar", t("items")),
        "outlets": _table_chart(data["outlets"], t, None, "line", t("items")),
    }
    query = params.query_string(drop=("page", "per_page"))
    return render(
        request,
        "coverage.html",
        {
            "params": params,
            "data": data,
            "charts": charts,
            "hotspots": hotspots,
            "interval": chosen,
            "search_base": query,
            "api_href": "/api/coverage?" + urlencode([*_pairs(query), ("interval", chosen)]),
        },
    )


# Spreadsheet programs run cells that start with these as formulas; scraped titles are
# attacker-controlled, so such cells get a leading apostrophe (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "published_at",
    "fetched_at",
    "source",
    "kind",
    "lang",
    "country",
    "title",
    "snippet",
    "url",
    "item_link",
    "wildlife_trade",
    "relevance",
    "species",
    "enforcement",
    "prices",
    "prices_vnd",
    "quantities",
    "locations",
    "contacts",
    "prices_vnd_per_unit",
    "quantities_kg",
    "triage_state",
    "triage_seen",
    "triage_note",
    "triage_by",
    "triage_at",
)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _local_iso(value: object) -> str:
    """An ISO 8601 moment in ``WILDWATCH_TZ`` with its offset (what the UI shows, still
    machine-readable); a value without a zone or not a date is kept as stored."""
    if not value:
        return ""
    moment = local_moment(value)
    if moment is None or moment.tzinfo is None:
        return str(value)
    return moment.isoformat(timespec="seconds")


def _plain_snippet(snippet: object) -> str:
    # The snippet is HTML made by search.snippets: escaped text and <mark> tags only.
    return html.unescape(re.sub(r"</?mark>", "", str(snippet or "")))


def _csv_row(hit: dict[str, Any], base_url: str, triage: TriageRecord | None = None) -> list[str]:
    quantities = hit.get("quantities") or []
    row = {
        **{key: hit.get(key) for key in CSV_COLUMNS},
        "triage_state": triage.filter_state if triage else "untriaged",
        "triage_seen": "1" if triage and triage.seen else "0",
        "triage_note": triage.note if triage else "",
        "triage_by": triage.by if triage else "",
        "triage_at": _local_iso(triage.at) if triage else "",
        "published_at": _local_iso(hit.get("published_at")),
        "fetched_at": _local_iso(hit.get("fetched_at")),
        "snippet": _plain_snippet(hit.get("snippet")),
        "item_link": f"{base_url}items/{quote(str(hit.get('id') or ''))}",
        "wildlife_trade": "1" if hit.get("wildlife_trade") else "0",
        "species": "; ".join(hit.get("species") or []),
        "enforcement": "; ".join(hit.get("enforcement") or []),
        **csv_prices(hit.get("prices")),
        "quantities": "; ".join(str(q.get("text", "")) for q in quantities),
        "quantities_kg": "; ".join(
            "" if (kg := quantity_kg(q)) is None else f"{kg:g}" for q in quantities
        ),
        "locations": "; ".join(hit.get("locations") or []),
        "contacts": "; ".join(
            f"{c.get('type')}:{c.get('value')}" for c in hit.get("contacts") or []
        ),
    }
    return [_cell(row[key]) for key in CSV_COLUMNS]


@router.get("/export.csv")
def export_csv(request: Request, params: Params) -> Response:
    """Every match of the search (up to WILDWATCH_WEB_EXPORT_LIMIT rows) as CSV in UTF-8
    with a byte-order mark, which Excel needs to show Vietnamese correctly; dates in
    WILDWATCH_TZ with their offset, the snippet as plain text, a link to each item's page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    with request.app.state.services.backend() as backend:
        hits = iter_hits(backend, params.request, settings.export_limit())
        while chunk := list(itertools.islice(hits, 100)):
            triage = records_for(backend, chunk)
            for hit in chunk:
                row = _csv_row(dict(hit), str(request.base_url), triage.get(hit["id"]))
                writer.writerow(row)
    name = f"wildwatch-{date.today():%Y%m%d}.csv"
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/docs")
def api_docs(request: Request) -> Any:
    """The API reference, drawn from the OpenAPI schema without any script or CDN."""
    schema = request.app.openapi()
    endpoints = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                }
            )
    return render(
        request,
        "api_docs.html",
        {
            "schema": schema,
            "endpoints": endpoints,
            "description": schema["info"].get("description", ""),
        },
    )
