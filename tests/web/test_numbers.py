"""Prices once each, in đồng and per unit; weights in kilograms; numbers, places and dates as
the UI language writes them (issue 13 items 5 and 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipelines.analysis import analyze
from pipelines.figures import distinct_prices, format_number, price_view, quantity_view
from pipelines.urls import document_id
from search.sqlite_backend import SqliteBackend
from tests.web.seed import _doc
from web.i18n import Translator

AD_URL = "https://www.chotot.com/vay-te-te-campuchia-350k-lang-778800.htm"
AD_TEXT = (
    "Bán vảy tê tê hàng Campuchia 350k/lạng, giá 350k, sừng 50 - 250 triệu đồng/kg, "
    "rùa US$1,200 per animal. Kho còn 7 tấn, giao tận nơi Thái Lan."
)
# What the analysis wrote before it merged a price repeated without its unit (kept in old
# indexes): the page must still show it once.
OLD_BARE_REPEAT = {"amount": 350000.0, "currency": "VND", "text": "350k", "vnd": 350000.0}


@pytest.fixture
def ad_id(home: Path, ids: dict[str, str]) -> str:
    analysis = analyze(AD_TEXT)
    doc = _doc(
        AD_URL,
        kind="marketplace",
        source="chotot",
        title="Vảy tê tê Campuchia 350k/lạng",
        text=AD_TEXT,
        species=["pangolin", "turtle"],
        prices=[*analysis["prices"], OLD_BARE_REPEAT],
        quantities=analysis["quantities"],
        locations=analysis["locations"],
        published_at="2024-03-18T08:30:00+07:00",
    )
    backend = SqliteBackend(home / "index.sqlite")
    try:
        backend.upsert([doc])
    finally:
        backend.close()
    return document_id(AD_URL)


def test_numbers_are_grouped_as_the_ui_language_writes_them() -> None:
    assert format_number(1_500_000, "vi") == "1.500.000"
    assert format_number(1_500_000, "en") == "1,500,000"
    assert format_number(0.5, "vi") == "0,5" and format_number(2.25, "en") == "2.25"
    assert format_number(7.0, "vi") == "7"


def test_price_views_give_dong_ranges_and_per_unit_values() -> None:
    t = Translator("vi")
    prices = analyze(AD_TEXT)["prices"]
    views = [price_view(p, "vi", lambda kind: t.label("per_unit", kind)) for p in prices]
    by_text = {view.written: view for view in views}
    assert by_text["350k/lạng"].per_unit == "3.500.000 ₫/kg"
    ranged = by_text["50 - 250 triệu đồng/kg"]
    assert ranged.is_range and ranged.per_unit == "50.000.000–250.000.000 ₫/kg"
    usd = next(view for view in views if "US$" in view.written)
    assert usd.amount == "1.200 USD" and usd.vnd.endswith(" ₫")
    assert usd.per_unit.endswith(" ₫/cá thể")
    english = price_view(prices[0], "en", lambda kind: Translator("en").label("per_unit", kind))
    assert english.per_unit == "3,500,000 VND/kg"


def test_a_price_repeated_without_its_unit_is_shown_once() -> None:
    unit_price = {**OLD_BARE_REPEAT, "text": "350k/lạng", "per": "100g", "vnd_per_kg": 3.5e6}
    total = {"amount": 30e9, "currency": "VND", "text": "30 tỷ đồng", "vnd": 30e9}
    shown = distinct_prices([OLD_BARE_REPEAT, unit_price, total, unit_price])
    assert [p["text"] for p in shown] == ["350k/lạng", "30 tỷ đồng"]


def test_weights_are_also_shown_in_kilograms() -> None:
    t = Translator("vi")
    tonnes = quantity_view(
        {"value": 7.0, "unit": "t", "text": "seven tonnes"}, "vi", lambda u: t.label("unit", u)
    )
    assert tonnes.written == "seven tonnes" and tonnes.value == "7 tấn"
    assert tonnes.kg == "7.000 kg"
    grams = quantity_view({"value": 500.0, "unit": "g", "text": "500g"}, "en", lambda u: u)
    assert grams.kg == "0.5 kg"
    animals = quantity_view({"value": 12.0, "unit": "individuals", "text": "12 con"}, "vi", str)
    assert animals.kg == ""


def test_results_show_each_price_once_with_dong_per_kg_and_places_in_vietnamese(
    client: TestClient, ad_id: str
) -> None:
    page = client.get("/", params={"q": "vay te te campuchia", "ui": "vi"}).text
    assert page.count('class="tag price') == 3  # 350k/lạng, the range, the US$ price
    assert '350k/lạng <span class="muted">= 3.500.000 ₫/kg</span>' in page
    assert "= 50.000.000–250.000.000 ₫/kg" in page
    assert 'US$1,200 per animal <span class="muted">≈ ' in page  # converted: approximate
    assert '7 tấn <span class="muted">= 7.000 kg</span>' in page
    assert ">Campuchia</span>" in page and ">Thái Lan</span>" in page
    assert ">Cambodia<" not in page and ">Thailand<" not in page
    english = client.get("/", params={"q": "vay te te campuchia", "ui": "en"}).text
    assert "= 3,500,000 VND/kg" in english and "= 7,000 kg" in english
    assert ">Cambodia</span>" in english


def test_item_page_tabulates_dong_and_per_unit_values(client: TestClient, ad_id: str) -> None:
    page = client.get(f"/items/{ad_id}", params={"ui": "vi"}).text
    assert "<th>Đồng mỗi kg, cá thể, cái</th>" in page
    assert '<td class="num">50.000.000–250.000.000 ₫</td>' in page
    assert '<td class="num">3.500.000 ₫/kg</td>' in page
    assert '<span class="muted">1.200 USD</span>' in page
    # converted at the rate of the day in pipelines/vocab/exchange_rates.toml
    assert re.search(r'<td class="num">≈ \d{1,3}(\.\d{3})+ ₫/cá thể</td>', page)
    assert '<td class="num">7.000 kg</td>' in page
    assert page.count("<td>350k") == 1


def test_api_carries_ranges_per_unit_values_and_kilograms(client: TestClient, ad_id: str) -> None:
    hits = client.get("/api/search", params={"q": "vay te te campuchia"}).json()["hits"]
    prices = {p["text"]: p for p in hits[0]["prices"]}
    assert prices["50 - 250 triệu đồng/kg"]["min"] == 50_000_000
    assert prices["50 - 250 triệu đồng/kg"]["max"] == 250_000_000
    assert prices["350k/lạng"]["per"] == "100g" and prices["350k/lạng"]["vnd_per_kg"] == 3.5e6
    assert hits[0]["quantities"] == [{"value": 7.0, "unit": "t", "text": "7 tấn", "kg": 7000.0}]
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"min", "max", "per", "vnd_per_kg", "vnd_per_individual", "vnd_per_piece"} <= set(
        schema["PriceModel"]["properties"]
    )


def test_dates_are_entered_and_shown_day_first_in_vietnamese(client: TestClient) -> None:
    page = client.get("/", params={"since": "04/03/2024", "until": "2024-03-20", "ui": "vi"})
    assert page.status_code == 200
    assert 'name="since" value="04/03/2024"' in page.text
    assert 'name="until" value="20/03/2024"' in page.text
    assert 'placeholder="dd/mm/yyyy"' in page.text
    # links and exports carry the unambiguous form
    assert "since=2024-03-04" in page.text and "until=2024-03-20" in page.text
    same = client.get("/api/search", params={"since": "04/03/2024", "until": "20/03/2024"})
    iso = client.get("/api/search", params={"since": "2024-03-04", "until": "2024-03-20"})
    assert same.json()["total"] == iso.json()["total"] > 0
    english = client.get("/", params={"since": "04/03/2024", "ui": "en"}).text
    assert 'name="since" value="2024-03-04"' in english


def test_csv_columns_give_dong_ranges_per_unit_values_and_kilograms(
    client: TestClient, ad_id: str
) -> None:
    import csv
    import io

    export = client.get("/export.csv", params={"q": "vay te te campuchia"})
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    written = row["prices"].split("; ")
    per_unit = dict(zip(written, row["prices_vnd_per_unit"].split("; "), strict=True))
    vnd = dict(zip(written, row["prices_vnd"].split("; "), strict=True))
    assert len(written) == 3 and "350k" not in written  # the bare repeat is not a price
    assert per_unit["350k/lạng"] == "3500000/kg"
    assert per_unit["50 - 250 triệu đồng/kg"] == "50000000-250000000/kg"
    assert vnd["50 - 250 triệu đồng/kg"] == "50000000-250000000"
    assert row["quantities"] == "7 tấn" and row["quantities_kg"] == "7000"
