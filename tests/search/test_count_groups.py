"""``count_groups``: matching items per group of place names in one pass, on every backend
(the map's counts per province and country). Each count equals the total of the search that
filters on the group's names."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from search.backend import SearchBackend, SearchRequest
from search.sqlite_backend import SqliteBackend
from tests.search.conftest import corpus, make_doc

GROUPS = {
    "Hà Nội": ["Hà Nội", "Nội Bài"],  # one item names both: counted once
    "Quảng Ninh": ["Quảng Ninh", "Móng Cái"],
    "VN": ["Đắk Lắk", "Quảng Ninh", "Móng Cái", "Đà Nẵng", "Hà Nội", "Nội Bài", "Đắk Nông"],
    "NG": ["Nigeria"],
    "TH": ["Bangkok"],
    "Cà Mau": ["Cà Mau"],  # no item names it
    "empty": [],
}


def test_each_group_counts_its_items_once(loaded: SearchBackend) -> None:
    counts = loaded.count_groups(SearchRequest(), GROUPS)
    assert counts == {
        "Hà Nội": 1,
        "Quảng Ninh": 1,
        "VN": 5,
        "NG": 1,
        "TH": 1,
        "Cà Mau": 0,
        "empty": 0,
    }


def test_counts_equal_the_totals_of_the_searches_they_stand_for(loaded: SearchBackend) -> None:
    for request in (
        SearchRequest(),
        SearchRequest(species=("elephant",)),
        SearchRequest(query="ivory"),
        SearchRequest(enforcement=("seizure",), lang=("vi",)),
        SearchRequest(location=("Nigeria",)),  # the request's own filters stay
    ):
        counts = loaded.count_groups(request, GROUPS)
        for group, names in GROUPS.items():
            expected = _total(loaded, request, names)
            assert counts[group] == expected, (request, group)


def _total(backend: SearchBackend, request: SearchRequest, names: list[str]) -> int:
    """Items of ``request`` naming any of ``names``: each item's locations checked by hand."""
    if not names:
        return 0
    response = backend.search(replace(request, limit=100, facets=False))
    return sum(1 for hit in response["hits"] if set(hit.get("locations") or []) & set(names))


def test_filters_narrow_the_counts(loaded: SearchBackend) -> None:
    elephants = loaded.count_groups(SearchRequest(species=("elephant",)), GROUPS)
    assert elephants["VN"] == 2 and elephants["NG"] == 1 and elephants["Quảng Ninh"] == 0
    assert loaded.count_groups(SearchRequest(query="pangolin scales"), {"TH": ["Bangkok"]}) == {
        "TH": 1
    }
    assert loaded.count_groups(SearchRequest(), {}) == {}


def test_cached_counts_follow_every_write(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "index.sqlite")
    backend.upsert(corpus())
    asked = {"NG": ["Nigeria"], "VN": GROUPS["VN"]}
    assert backend.count_groups(SearchRequest(), asked) == {"NG": 1, "VN": 5}
    assert backend.count_groups(SearchRequest(), asked) == {"NG": 1, "VN": 5}  # cached
    backend.upsert([make_doc("ivory-lagos", title="Ivory from Lagos", locations=["Nigeria"])])
    assert backend.count_groups(SearchRequest(), asked) == {"NG": 2, "VN": 5}
    backend.close()
