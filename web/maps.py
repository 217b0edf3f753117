"""Map geometry for the hotspot and route maps (``/map``, the small maps of ``/trends`` and
``/coverage``, and one case's places).

Pure functions: read counts per province, country, point place and route, and the boundary
data of ``web.map_shapes``; write ``MapFigure`` values (shapes with their fill, circles, lines,
legend, each mark with its title and its search link) that ``templates/_map.html`` draws as
inline SVG. Labels stay plain strings, escaped by the template.

Encoding: provinces and countries are a choropleth in five classes of one colour-blind-safe
sequential scale (grey: none); border gates, seaports and airports are circles whose area
grows with their count; routes are lines through the countries' points, thicker with more
items, ending in an arrow at the destination.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipelines.places import place_info
from web.charts import format_count
from web.map_routes import Route, country_places
from web.map_shapes import View, load_view

# ColorBrewer "Oranges" (sequential, safe for colour-vision deficiencies and in print).
SCALE = ("#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
NONE_FILL = "#e8e8e8"
CONTEXT_FILL = "#f4f4f4"
POINT_KINDS = ("border_gate", "seaport", "airport")
# Okabe-Ito colours for the point kinds, distinct from the orange scale.
POINT_COLORS = {"border_gate": "#0072B2", "seaport": "#009E73", "airport": "#CC79A7"}
ROUTE_COLOR = "#444444"
MAX_RADIUS = 11.0
MIN_RADIUS = 2.5
MAX_ROUTE_WIDTH = 7.0
MIN_ROUTE_WIDTH = 1.2


@dataclass
class Area:
    key: str  # province name or ISO 3166-1 alpha-2
    label: str
    path: str
    count: int
    fill: str
    title: str
    href: str | None


@dataclass
class Dot:
    key: str  # canonical place name
    label: str
    kind: str
    x: float
    y: float
    r: float
    count: int
    color: str
    title: str
    href: str | None


@dataclass
class RouteLine:
    stops: tuple[str, ...]  # ISO codes, origin first
    label: str
    points: str  # SVG polyline points
    width: float
    count: int
    title: str
    href: str | None


@dataclass
class MapFigure:
    view: str
    width: int
    height: int
    context: list[str] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    routes: list[RouteLine] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, text)
    dot_legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(a.count for a in self.areas)


def class_breaks(maximum: int, classes: int = len(SCALE)) -> list[int]:
    """Lower bounds of the colour classes, from 1: about evenly spread on a square-root
    scale (a few hotspots would otherwise leave every other province in the first class)."""
    if maximum <= 0:
        return []
    breaks = sorted({max(1, round(maximum * (i / classes) ** 2)) for i in range(classes)})
    return [1, *[b for b in breaks if b > 1]]


def fill_for(count: int, breaks: Sequence[int]) -> str:
    if count <= 0 or not breaks:
        return NONE_FILL
    index = max(i for i, low in enumerate(breaks) if count >= low)
    return SCALE[index]


def _legend(breaks: Sequence[int], maximum: int, none_text: str) -> list[tuple[str, str]]:
    legend = [(NONE_FILL, none_text)]
    for i, low in enumerate(breaks):
        high = breaks[i + 1] - 1 if i + 1 < len(breaks) else maximum
        text = format_count(low) if low == high else f"{format_count(low)}–{format_count(high)}"
        legend.append((SCALE[i], text))
    return legend


Labeler = Callable[[str], str]
Linker = Callable[[str], str | None]


def choropleth(
    view_name: str,
    counts: Mapping[str, int],
    *,
    label: Labeler,
    link: Linker,
    title: Callable[[str, int], str],
    none_text: str,
) -> MapFigure:
    """Every shape of the view, filled by its count (missing keys count 0)."""
    view = load_view(view_name)
    figure = MapFigure(view_name, view.width, view.height, context=list(view.context.values()))
    maximum = max((counts.get(key, 0) for key in view.areas), default=0)
    breaks = class_breaks(maximum)
    for key, path in view.areas.items():
        count = counts.get(key, 0)
        figure.areas.append(
            Area(
                key,
                label(key),
                path,
                count,
                fill_for(count, breaks),
                title(label(key), count),
                link(key) if count else None,
            )
        )
    # Smaller shapes last, so a small province is not hidden under a neighbour's outline.
    figure.areas.sort(key=lambda a: -len(a.path))
    figure.legend = _legend(breaks, maximum, none_text)
    return figure


def add_dots(
    figure: MapFigure,
    counts: Mapping[str, int],
    *,
    link: Linker,
    title: Callable[[str, str, int], str],
    kind_label: Labeler,
) -> None:
    """Circles for the border gates, seaports and airports among ``counts`` (canonical place
    names) that lie in the figure's view; area proportional to the count."""
    view = load_view(figure.view)
    found = []
    for name, count in counts.items():
        place = place_info(name)
        if place is None or place.kind not in POINT_KINDS or count <= 0:
            continue
        if view.contains(place.lat, place.lon):
            found.append((name, place.kind, place.lat, place.lon, count))
    maximum = max((f[-1] for f in found), default=0)
    for name, kind, lat, lon, count in sorted(found, key=lambda f: -f[-1]):
        x, y = view.project(lat, lon)
        r = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(count / maximum)
        figure.dots.append(
            Dot(
                name,
                name,
                kind,
                x,
                y,
                round(r, 1),
                count,
                POINT_COLORS[kind],
                title(name, kind_label(kind), count),
                link(name),
            )
        )
    kinds = [k for k in POINT_KINDS if any(d.kind == k for d in figure.dots)]
    figure.dot_legend = [(POINT_COLORS[k], kind_label(k)) for k in kinds]


def _anchor(view: View, code: str) -> tuple[float, float] | None:
    place = country_places().get(code)
    if place is None or not view.contains(place.lat, place.lon):
        return None
    return view.project(place.lat, place.lon)


def add_routes(
    figure: MapFigure,
    counts: Mapping[Route, int],
    *,
    label: Labeler,
    link: Callable[[Route], str | None],
    title: Callable[[str, int], str],
    limit: int = 25,
) -> None:
    """Lines for the ``limit`` most reported routes whose countries all lie in the view."""
    view = load_view(figure.view)
    top = sorted(counts.items(), key=lambda rc: (-rc[1], rc[0].stops))[:limit]
    maximum = max((n for _, n in top), default=0)
    for route, count in top:
        anchors = [_anchor(view, code) for code in route.stops]
        if any(a is None for a in anchors):
            continue
        points = " ".join(f"{a[0]},{a[1]}" for a in anchors if a is not None)
        text = " → ".join(label(code) for code in route.stops)
        width = MIN_ROUTE_WIDTH + (MAX_ROUTE_WIDTH - MIN_ROUTE_WIDTH) * count / maximum
        line = RouteLine(
            route.stops, text, points, round(width, 1), count, title(text, count), link(route)
        )
        figure.routes.append(line)
    # Thin lines on top of thick ones, so every route stays visible and clickable.
    figure.routes.sort(key=lambda line: -line.width)
