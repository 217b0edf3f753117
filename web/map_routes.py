"""Trafficking routes read from the places an item names.

Pure: reads an item's ``locations`` (canonical gazetteer names, in order of first mention);
writes a ``Route`` (origin → transit... → destination, ISO 3166-1
alpha-2 codes) or None when fewer than two countries are named.

The rule, as the map's legend states it:

1. every named place counts for its country ("Lagos" for Nigeria, "Nội Bài" for Việt Nam);
   regions ("Africa", "Đông Nam Á") and places without a country do not;
2. the destination is Việt Nam when a Vietnamese place is named (wildwatch watches the trade
   into and through Việt Nam, and its seizures are reported where the goods arrive); else the
   country named last ("... seized in Thailand, shipped from Nigeria and bound for Laos");
3. the origin is the first other country named in Africa or the Americas (where ivory, rhino
   horn and pangolin scales seized in Asia come from; continents from CLDR, see
   ``web/map_shapes.continents``), else the first other country named;
4. the remaining countries are transit countries, in the order the text names them.

Known limit: goods seized in Việt Nam on their way to China are drawn as ending in Việt Nam,
with China as a transit country (the tags do not say which way the goods moved).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from pipelines.places import Place, all_places, place_info
from web.map_shapes import continents

HOME = "VN"
SUPPLY_CONTINENTS = ("Africa", "America")


@dataclass(frozen=True)
class Route:
    origin: str
    transit: tuple[str, ...]
    destination: str

    @property
    def stops(self) -> tuple[str, ...]:
        return (self.origin, *self.transit, self.destination)


@cache
def country_places() -> dict[str, Place]:
    """ISO code → the gazetteer's row for the country (its point: the capital)."""
    found: dict[str, Place] = {}
    for place in all_places():
        if place.kind == "country" and place.country:
            found.setdefault(place.country, place)
    return found


def countries_named(locations: Iterable[str]) -> list[str]:
    """Countries of the named places, each once, in order of first mention."""
    countries: list[str] = []
    for name in locations:
        place = place_info(name)
        if place is None or place.kind == "region" or not place.country:
            continue
        if place.country not in countries:
            countries.append(place.country)
    return countries


def item_route(locations: Sequence[str]) -> Route | None:
    countries = countries_named(locations)
    if len(countries) < 2:
        return None
    destination = HOME if HOME in countries else countries[-1]
    others = [code for code in countries if code != destination]
    of = continents()
    origin = next((c for c in others if of.get(c) in SUPPLY_CONTINENTS), others[0])
    return Route(origin, tuple(c for c in others if c != origin), destination)
