"""The hotspot and route map page, ``/map``.

Reads query parameters (the search filters, a quick range as on the trends page, default one
year) and the index through ``web.map_figures``; writes HTML: a map of Việt Nam's provinces
with border gates, seaports and airports, a map of the region's countries with routes, and
tables of the same counts, every mark and row linking to its search.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request

from web.api import search_params
from web.i18n import Translator
from web.map_figures import ROUTE_ITEMS, Links, country_label, figures, map_counts, words
from web.params import ENFORCEMENT, KINDS, SearchParams, species_choices
from web.rendering import render
from web.trends import RANGES
from web.trends_pages import chosen_window
from wildwatch.env import timezone_name

router = APIRouter(include_in_schema=False)
Params = Annotated[SearchParams, Depends(search_params)]
DEFAULT_RANGE = "1y"  # hotspots need more than a quarter of reports to stand out
FORM_FILTERS = ("species", "enforcement", "kind", "since", "until")


def window(params: SearchParams, range_key: str, default: str = DEFAULT_RANGE) -> Any:
    today = datetime.now(ZoneInfo(timezone_name())).date()
    base = params.request
    since = base.since.date() if isinstance(base.since, datetime) else base.since
    until = base.until.date() if isinstance(base.until, datetime) else base.until
    key = range_key if range_key in RANGES else default
    return chosen_window(key, since, until, today)


@router.get("/map")
def map_page(
    request: Request, params: Params, range_key: Annotated[str, Query(alias="range")] = ""
) -> Any:
    t = Translator(request.state.ui)
    w = words(t)
    selected, first, last = window(params, range_key)
    search = replace(params.request, since=first, until=last, facets=False)
    with request.app.state.services.backend() as backend:
        counts = map_counts(backend, search)
    # "All" links to every item, not to those up to today (an item may be dated tomorrow).
    links = Links(params.pairs, first, last if first or params.request.until else None)
    kept = [(k, v) for k, v in params.pairs if k not in ("since", "until", "page", "per_page")]
    quick = [
        {
            "key": key,
            "href": "/map?" + urlencode([*kept, ("range", key)]),
            "current": key == selected,
        }
        for key in RANGES
    ]
    maps = figures(counts, t, links)
    return render(
        request,
        "map.html",
        {
            "w": w,
            "params": params,
            "counts": counts,
            "maps": maps,
            "links": links,
            "quick_ranges": quick,
            "range_key": selected if selected != "custom" else "",
            "first": first,
            "last": last,
            "route_items_cap": ROUTE_ITEMS,
            "species_choices": species_choices(t),
            "action_choices": [(a, t.label("enforcement", a)) for a in ENFORCEMENT],
            "kind_choices": [(k, t.label("kind", k)) for k in KINDS],
            "hidden": [(k, v) for k, v in params.pairs if k not in (*FORM_FILTERS, "page")],
            "provinces": sorted(counts.provinces.items(), key=lambda kv: (-kv[1], kv[0])),
            "countries": [
                (code, country_label(t, code), n)
                for code, n in sorted(counts.countries.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "points": maps["vietnam"].dots,
            "routes": maps["world"].routes,
            "all_routes": sum(counts.routes.values()),
        },
    )
