"""The trends page: what changed lately, readable at a glance.

Reads query parameters and the index (histograms, and the priced items of one species);
writes HTML. Defaults: the last 90 days, week by week; quick ranges 7 days to everything; the
top species as lines and the rest summed as "other"; enforcement actions as stacked bars;
the price of one species per unit as a median line over its interquartile band with the
number of quotes at each point. All charts share one date axis, labelled in the UI language.
``/api/trends`` (web/api.py) keeps returning the whole-index tables it always did.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request

from web.api import search_params
from web.charts import Series, bucket_title, format_vnd, line_chart, spread_chart
from web.charts import stacked_bar_chart as bar_chart
from web.i18n import Translator
from web.map_figures import small_map
from web.params import (
    ENFORCEMENT,
    KINDS,
    ParamError,
    SearchParams,
    parse_search_params,
    species_choices,
)
from web.queries import iter_hits
from web.rendering import render
from web.trends import (
    DEFAULT_RANGE,
    FEW_PRICES,
    OTHER,
    RANGES,
    PriceSpread,
    Table,
    on_axis,
    price_spreads,
    range_axis,
    split_buckets,
    top_with_other,
)
from wildwatch.env import timezone_name

router = APIRouter(include_in_schema=False)
Params = Annotated[SearchParams, Depends(search_params)]
TOP_SPECIES = 5
PRICED_ITEMS = 2000
# Up to this many days a day-by-day axis stays readable; beyond, weeks.
DAILY_UP_TO = 45
# Filters the page's form sets itself; any other filter in the URL is carried along hidden.
FORM_FILTERS = ("q", "species", "kind", "country", "location", "trade", "since", "until")
Interval = Literal["day", "week"]


def words(t: Translator) -> Any:
    def lookup(key: str, **values: object) -> str:
        text = t.label("trends_page", key)
        return text.format(**values) if values else text

    return lookup


def chosen_window(
    range_key: str, since: date | None, until: date | None, today: date
) -> tuple[str, date | None, date]:
    """(range shown as selected, first day or None for everything, last day). Dates given
    in the URL win over a quick range; with neither, the last 90 days."""
    if since or until:
        return "custom", since, until or today
    key = range_key if range_key in RANGES else DEFAULT_RANGE
    days = RANGES[key]
    return key, (today - timedelta(days=days - 1) if days else None), today


def chosen_interval(raw: str, first: date, last: date) -> Interval:
    if raw in ("day", "week"):
        return "day" if raw == "day" else "week"
    if raw:
        raise ParamError(
            "interval", f"{raw!r} is neither day nor week", code="bad_interval", value=raw
        )
    return "day" if (last - first).days < DAILY_UP_TO else "week"


def _as_date(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _series(table: Table, t: Translator, group: str) -> list[Series]:
    other = words(t)("other")
    return [
        Series(other if name == OTHER else t.label(group, name), values)
        for name, values in table.series.items()
    ]


@router.get("/trends")
def trends_page(
    request: Request,
    params: Params,
    range_key: Annotated[str, Query(alias="range")] = "",
    interval: Annotated[str, Query()] = "",
    price_species: Annotated[str, Query()] = "",
) -> Any:
    ui = request.state.ui
    t, w = Translator(ui), words(Translator(ui))
    zone = ZoneInfo(timezone_name())
    today = datetime.now(zone).date()
    base = params.request
    selected, first, last = chosen_window(
        range_key, _as_date(base.since), _as_date(base.until), today
    )
    search = replace(base, since=first, until=last, facets=False)
    services = request.app.state.services
    with services.backend() as backend:
        by_week = backend.histogram(search, "week", ["species"])
        start = first or min((date.fromisoformat(b["date"]) for b in by_week), default=last)
        chosen = chosen_interval(interval.strip().lower(), start, last)
        axis = range_axis(start, last, chosen)
        species_buckets = (
            by_week if chosen == "week" else backend.histogram(search, chosen, ["species"])
        )
        top = len(base.species) if base.species else TOP_SPECIES
        species = top_with_other(species_buckets, "species", axis, top=top)
        actions = on_axis(
            split_buckets(
                backend.histogram(search, chosen, ["enforcement"]),
                "enforcement",
                chosen,
                order=ENFORCEMENT,
            ),
            axis,
        )
        priced_species = _price_species(price_species, species)
        spreads: list[PriceSpread] = []
        if priced_species:
            priced = replace(search, species=(priced_species,), sort="newest")
            hits = iter_hits(backend, priced, PRICED_ITEMS)
            spreads = price_spreads(hits, chosen, timezone_name(), axis)
        hotspots = small_map(backend, search, t, params.pairs)
    spread = spreads[0] if spreads else None
    species_label = t.label("species", priced_species) if priced_species else ""
    charts = {
        "species": line_chart(
            axis,
            _series(species, t, "species"),
            y_label=t("items"),
            width=580,
            height=300,
            lang=ui,
            interval=chosen,
        ),
        "enforcement": bar_chart(
            axis,
            _series(actions, t, "enforcement"),
            y_label=t("items"),
            width=580,
            height=300,
            lang=ui,
            interval=chosen,
        ),
        "prices": _price_chart(spread, t, w, ui, chosen),
    }
    return render(
        request,
        "trends.html",
        {
            "w": w,
            "params": params,
            "charts": charts,
            "hotspots": hotspots,
            "species": species,
            "actions": actions,
            "spread": spread,
            "other_units": [t.label("unit", s.unit) for s in spreads[1:]],
            "species_label": lambda name: w("other") if name == OTHER else t.label("species", name),
            "action_label": lambda name: t.label("enforcement", name),
            "day_label": lambda iso: bucket_title(iso, chosen, ui),
            "few_prices": FEW_PRICES,
            "interval": chosen,
            "interval_raw": interval.strip().lower(),
            "range": selected,
            "first": start,
            "last": last,
            "quick_ranges": _quick_ranges(params, selected, price_species.strip()),
            "price_species": priced_species,
            "price_species_label": species_label,
            "species_choices": species_choices(t),
            "kind_choices": [(k, t.label("kind", k)) for k in KINDS],
            "country_choices": sorted(t.labels("country").items(), key=lambda kv: kv[1]),
            "hidden": [(k, v) for k, v in params.pairs if k not in (*FORM_FILTERS, "page")],
            "range_key": selected if selected != "custom" else "",
            "api_href": "/api/trends?" + params.query_string(drop=("page", "per_page")),
        },
    )


def _price_species(raw: str, species: Table) -> str | None:
    """The species whose prices are charted: the one asked for, else the most reported."""
    if raw.strip():
        return parse_search_params([("species", raw)]).request.species[0]
    return next((name for name in species.series if name != OTHER), None)


def _price_chart(spread: PriceSpread | None, t: Translator, w: Any, ui: str, interval: str) -> Any:
    if spread is None:
        return line_chart([], [])
    unit = t.label("unit", spread.unit)
    return spread_chart(
        spread.dates,
        spread.median,
        spread.q1,
        spread.q3,
        spread.counts,
        label=w("median_per", unit=unit),
        band_label=w("band"),
        few=FEW_PRICES,
        lang=ui,
        interval=interval,
        count_word=w("quotes"),
        fmt=format_vnd,
    )


def _quick_ranges(params: SearchParams, selected: str, price: str) -> list[dict[str, Any]]:
    # The interval is left out: each range gets the one that suits it.
    kept = [(k, v) for k, v in params.pairs if k not in ("since", "until", "page", "per_page")]
    if price:
        kept.append(("price_species", price))
    return [
        {
            "key": key,
            "href": "/trends?" + urlencode([*kept, ("range", key)]),
            "current": key == selected,
        }
        for key in RANGES
    ]
