"""Both backends keep every field of a price and a quantity the analysis writes: ranges, the
unit of a unit price and the đồng per kilogram / individual / piece that the web UI and the
API show (issue 13 item 5)."""

from __future__ import annotations

from search.backend import SearchBackend, SearchRequest
from tests.search.conftest import make_doc

RANGE_PER_KG = {
    "amount": 250_000_000.0,
    "currency": "VND",
    "text": "50 - 250 triệu đồng/kg",
    "vnd": 250_000_000.0,
    "per": "kg",
    "min": 50_000_000.0,
    "max": 250_000_000.0,
    "vnd_per_kg": 250_000_000.0,
    "vnd_per_individual": None,
    "vnd_per_piece": None,
}
PER_LANG = {
    "amount": 350_000.0,
    "currency": "VND",
    "text": "350k/lạng",
    "vnd": 350_000.0,
    "per": "100g",
    "vnd_per_kg": 3_500_000.0,
    "vnd_per_individual": None,
    "vnd_per_piece": None,
}
PER_ANIMAL_USD = {
    "amount": 1200.0,
    "currency": "USD",
    "text": "US$1,200 per animal",
    "vnd": 30_480_000.0,
    "per": "individual",
    "vnd_per_kg": None,
    "vnd_per_individual": 30_480_000.0,
    "vnd_per_piece": None,
}
SEVEN_TONNES = {"value": 7.0, "unit": "t", "text": "7 tấn"}


def test_price_ranges_units_and_per_unit_values_are_stored(backend: SearchBackend) -> None:
    doc = make_doc(
        "scales-prices",
        title="Vảy tê tê rao bán 50 - 250 triệu đồng/kg",
        text="Vảy tê tê 50 - 250 triệu đồng/kg, sừng 350k/lạng; một lô 7 tấn.",
        species=["pangolin"],
        prices=[RANGE_PER_KG, PER_LANG, PER_ANIMAL_USD],
        quantities=[SEVEN_TONNES],
    )
    assert backend.upsert([doc]) == ["new"]
    stored = backend.get("scales-prices")
    assert stored is not None
    assert stored["prices"] == [RANGE_PER_KG, PER_LANG, PER_ANIMAL_USD]
    assert stored["quantities"] == [SEVEN_TONNES]
    hit = backend.search(SearchRequest(query="vay te te"))["hits"][0]
    assert hit["prices"][0]["min"] == 50_000_000.0 and hit["prices"][0]["max"] == 250_000_000.0
    assert hit["prices"][1]["vnd_per_kg"] == 3_500_000.0
    assert hit["prices"][2]["vnd_per_individual"] == 30_480_000.0
    assert hit["quantities"] == [SEVEN_TONNES]
