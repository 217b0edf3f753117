"""What the maps show: counts per province, country, point and route for a search, their
figures with search links, the small map of ``/trends`` and ``/coverage``, and the map of one
case's places (``render_case_map``). The ``/map`` page itself is web/map_pages.py.

Reads the search request and the index (item counts per place from one histogram, exact counts
per province and country from one ``count_groups``, the places of the newest items naming a
place abroad for routes); writes figures, and markup for a case. Every province, country,
point and route links to the search that lists its items; a table under each map gives the
same numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from pipelines.places import place_info
from search.backend import SearchBackend, SearchRequest
from web.i18n import Translator
from web.map_routes import Route, country_places, item_route
from web.maps import MapFigure, add_dots, add_routes, choropleth
from web.rendering import templates

# Routes are read from the places of the newest items naming a place abroad, up to this many
# (the page stays quick on a large index; the page says how many were read).
ROUTE_ITEMS = 2000


@dataclass
class MapCounts:
    provinces: dict[str, int] = field(default_factory=dict)  # current province → items
    countries: dict[str, int] = field(default_factory=dict)  # ISO alpha-2 → items
    places: dict[str, int] = field(default_factory=dict)  # canonical place name → items
    routes: Counter[Route] = field(default_factory=Counter)
    route_items: int = 0  # items read for routes
    route_capped: bool = False  # more items named a place abroad than were read


def _exact(
    backend: SearchBackend,
    request: SearchRequest,
    provinces: dict[str, set[str]],
    countries: dict[str, set[str]],
) -> tuple[dict[str, int], dict[str, int]]:
    """Items per province and per country, in one pass over the index: an item naming two
    places of one province counts once. Each region is asked for the names of it seen in the
    histogram, not every name of the gazetteer inside it (7,800 for Việt Nam): the items
    naming any of them are the items the ``place`` filter of its link finds."""
    groups = {f"province:{name}": sorted(names) for name, names in provinces.items()}
    groups.update({f"country:{code}": sorted(names) for code, names in countries.items()})
    counts = backend.count_groups(request, groups)
    return (
        {name: counts[f"province:{name}"] for name in provinces},
        {code: counts[f"country:{code}"] for code in countries},
    )


def map_counts(backend: SearchBackend, request: SearchRequest, *, routes: bool = True) -> MapCounts:
    result = MapCounts()
    per_place: Counter[str] = Counter()
    for bucket in backend.histogram(replace(request, facets=False), "week", ["locations"]):
        per_place[str(bucket["keys"]["locations"])] += bucket["count"]
    result.places = dict(per_place)
    province_names: dict[str, set[str]] = {}
    country_names: dict[str, set[str]] = {}
    for name in per_place:
        place = place_info(name)
        if place is None or not place.country:
            continue
        country_names.setdefault(place.country, set()).add(name)
        if place.country == "VN" and place.province:
            province_names.setdefault(place.province, set()).add(name)
    result.provinces, result.countries = _exact(
        backend, replace(request, facets=False), province_names, country_names
    )
    abroad = sorted(n for code, names in country_names.items() if code != "VN" for n in names)
    if routes and abroad:
        # One request for the newest items naming a place abroad (the names seen above).
        wanted = request if request.location else replace(request, location=tuple(abroad))
        page = backend.search(replace(wanted, sort="newest", facets=False, limit=ROUTE_ITEMS))
        for hit in page["hits"]:
            route = item_route(hit.get("locations") or [])
            if route is not None:
                result.routes[route] += 1
        result.route_items = len(page["hits"])
        result.route_capped = page["total"] > len(page["hits"])
    return result


class Links:
    """Search links of the marks: the page's filters and date window, plus the mark's."""

    def __init__(self, pairs: Iterable[tuple[str, str]], first: date | None, last: date | None):
        kept = [
            (k, v) for k, v in pairs if k not in ("since", "until", "page", "per_page", "range")
        ]
        if first:
            kept.append(("since", first.isoformat()))
        if last:
            kept.append(("until", last.isoformat()))
        self.pairs = kept

    def search(self, *extra: tuple[str, str]) -> str:
        return "/?" + urlencode([*self.pairs, *extra])

    def place(self, key: str) -> str:
        return self.search(("place", key))

    def location(self, name: str) -> str:
        return self.search(("location", name))

    def route(self, route: Route) -> str:
        return self.search(*(("place", code) for code in route.stops))

    def map(self) -> str:
        return "/map?" + urlencode(self.pairs)


def words(t: Translator) -> Callable[..., str]:
    def lookup(key: str, **values: object) -> str:
        text = t.label("map_page", key)
        return text.format(**values) if values else text

    return lookup


def country_label(t: Translator, code: str) -> str:
    """The catalogue's name of a country in the reader's language, else the gazetteer's
    canonical (English) name, else the code."""
    label = t.label("country", code)
    if label != code:
        return label
    place = country_places().get(code)
    return place.name if place is not None else code


def figures(
    counts: MapCounts, t: Translator, links: Links, *, world: bool = True
) -> dict[str, MapFigure]:
    w = words(t)

    def items(label: str, n: int) -> str:
        return w("mark_title", place=label, n=n)

    def country(code: str) -> str:
        return country_label(t, code)

    vietnam = choropleth(
        "vietnam",
        counts.provinces,
        label=lambda key: key,
        link=links.place,
        title=items,
        none_text=w("none"),
    )
    add_dots(
        vietnam,
        counts.places,
        link=links.location,
        title=lambda name, kind, n: w("dot_title", place=name, kind=kind, n=n),
        kind_label=lambda kind: w("kind_" + kind),
    )
    result = {"vietnam": vietnam}
    if world:
        region = choropleth(
            "world",
            counts.countries,
            label=country,
            link=links.place,
            title=items,
            none_text=w("none"),
        )
        add_routes(
            region,
            counts.routes,
            label=country,
            link=links.route,
            title=lambda text, n: w("route_title", route=text, n=n),
        )
        result["world"] = region
    return result


def small_map(
    backend: SearchBackend,
    request: SearchRequest,
    t: Translator,
    pairs: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """The Vietnam map of ``request`` for another page: provinces and points, no routes, the
    five top provinces, and a link to the full map. ``pairs`` are the query parameters that
    say ``request`` (its links repeat them)."""
    counts = map_counts(backend, request, routes=False)
    first = request.since.date() if isinstance(request.since, datetime) else request.since
    last = request.until.date() if isinstance(request.until, datetime) else request.until
    links = Links(pairs, first, last)
    figure = figures(counts, t, links, world=False)["vietnam"]
    top = sorted((a for a in figure.areas if a.count), key=lambda a: (-a.count, a.label))[:5]
    return {"figure": figure, "top": top, "href": links.map()}


def render_case_map(
    places: Sequence[str], lang: str, *, search_pairs: Sequence[tuple[str, str]] = ()
) -> Markup:
    """The places of one case as a map, ready to put into a page: the provinces and
    countries it names filled, its border gates, ports and airports as points, and its route
    when it names several countries. Each mark links to the search ``search_pairs`` (for
    example the case's species) narrowed to that place."""
    t = Translator(lang)
    counts = MapCounts()
    named = list(dict.fromkeys(places))
    for name in named:
        place = place_info(name)
        if place is None or not place.country:
            continue
        counts.places[name] = 1
        counts.countries[place.country] = 1
        if place.country == "VN" and place.province:
            counts.provinces[place.province] = 1
    route = item_route(named)
    if route is not None:
        counts.routes[route] = 1
    maps = figures(counts, t, Links(search_pairs, None, None), world=route is not None)
    macro = templates.env.get_template("_map.html").module.case_map  # type: ignore[attr-defined]
    return Markup(macro(maps, words(t), t))
