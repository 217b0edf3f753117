"""The map's counts (web.map_figures.map_counts) on both backends: exact item counts per
province and country, equal to what the ``place`` filter of their links finds, and the routes
of the reports."""

from __future__ import annotations

from dataclasses import replace

from search.backend import SearchBackend, SearchRequest
from tests.search.conftest import backend  # noqa: F401  (fixture: SQLite, and Elasticsearch when set)
from tests.web.map_seed import seed_map
from web.map_figures import map_counts
from web.map_routes import Route


def test_counts_are_exact_and_match_the_place_filter(backend: SearchBackend) -> None:  # noqa: F811
    seed_map(backend)
    request = SearchRequest(facets=False)
    counts = map_counts(backend, request)
    assert counts.provinces == {
        "Hà Nội": 1,
        "Hải Phòng": 2,  # two reports, each naming the city and one of its ports
        "Quảng Ninh": 2,
        "Hà Tĩnh": 1,
        "Nghệ An": 1,
        "TP Hồ Chí Minh": 1,
        "An Giang": 1,
    }
    assert counts.countries["VN"] == 9 and counts.countries["NG"] == 2
    for region, number in (*counts.provinces.items(), *counts.countries.items()):
        narrowed = replace(request, place=(region,), limit=0)
        assert backend.search(narrowed)["total"] == number, region
    assert counts.places["Cầu Treo"] == 1
    assert counts.routes[Route("LA", (), "VN")] == 2
    assert counts.routes[Route("NG", ("TH",), "LA")] == 1
    assert counts.route_items == 8 and not counts.route_capped
    tigers = map_counts(backend, replace(request, species=("tiger",)))
    assert tigers.provinces == {"Hà Tĩnh": 1}
    assert dict(tigers.routes) == {Route("LA", (), "VN"): 1}
