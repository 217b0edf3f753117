"""Trend tables and per-unit prices from buckets and hits."""

from __future__ import annotations

from web.trends import coverage_matrix, price_per_unit, price_table, split_buckets


def test_price_per_unit_reads_the_unit_from_the_pipeline_or_the_text() -> None:
    assert price_per_unit({"vnd": 3e6, "text": "3 triệu/kg"}) == ("kg", 3e6)
    assert price_per_unit({"vnd": 2.5e6, "text": "2,5 triệu/lạng"}) == ("kg", 2.5e7)
    assert price_per_unit({"vnd": 150_000, "text": "150k/gr"}) == ("kg", 1.5e8)
    assert price_per_unit({"vnd": 8e5, "text": "800k/con"}) == ("individuals", 8e5)
    assert price_per_unit({"vnd": 7.5e6, "text": "$300 per kg"}) == ("kg", 7.5e6)
    assert price_per_unit({"vnd": 1e6, "text": "1tr", "per": "kg"}) == ("kg", 1e6)
    assert price_per_unit({"vnd": 5e7, "text": "bán cả lô 50 triệu"}) is None
    assert price_per_unit({"vnd": None, "text": "3 triệu/kg"}) is None


def test_price_table_takes_the_median_per_week_in_local_time() -> None:
    hits = [
        {"published_at": "2024-03-04T10:00:00+07:00", "prices": [{"vnd": 3e6, "text": "3tr/kg"}]},
        {"published_at": "2024-03-05T10:00:00+07:00", "prices": [{"vnd": 5e6, "text": "5tr/kg"}]},
        {"published_at": "2024-03-06T10:00:00+07:00", "prices": [{"vnd": 4e6, "text": "4tr/kg"}]},
        # Sunday 20:00 UTC is already Monday in Hà Nội
        {"published_at": "2024-03-17T20:00:00+00:00", "prices": [{"vnd": 9e6, "text": "9tr/kg"}]},
    ]
    table = price_table(hits, "week", "Asia/Ho_Chi_Minh")
    assert table.dates == ["2024-03-04", "2024-03-11", "2024-03-18"]
    assert table.series == {"kg": [4e6, None, 9e6]}


def test_split_buckets_keeps_the_largest_series_and_fills_gaps() -> None:
    buckets = [
        {"date": "2024-03-04", "keys": {"species": "pangolin"}, "count": 3},
        {"date": "2024-03-04", "keys": {"species": "rhino"}, "count": 1},
        {"date": "2024-03-18", "keys": {"species": "pangolin"}, "count": 2},
        {"date": "2024-03-18", "keys": {"species": "bird"}, "count": 2},
    ]
    table = split_buckets(buckets, "species", "week", top=2)  # type: ignore[arg-type]
    assert table.dates == ["2024-03-04", "2024-03-11", "2024-03-18"]
    assert table.series == {"pangolin": [3, 0, 2], "bird": [0, 0, 2]}


def test_coverage_matrix_orders_outlets_by_volume() -> None:
    buckets = [
        {"date": "2024-03-04", "keys": {"enforcement": "seizure", "source": "tuoitre"}, "count": 1},
        {
            "date": "2024-03-04",
            "keys": {"enforcement": "seizure", "source": "vnexpress"},
            "count": 2,
        },
        {"date": "2024-03-11", "keys": {"enforcement": "trial", "source": "vnexpress"}, "count": 4},
    ]
    matrix = coverage_matrix(buckets)  # type: ignore[arg-type]
    assert matrix.sources == ["vnexpress", "tuoitre"]
    assert matrix.cells["vnexpress"] == {
        "seizure": 2,
        "arrest": 0,
        "prosecution": 0,
        "trial": 4,
        "sentence": 0,
    }
    assert matrix.heat("vnexpress", "trial") == 5
    assert matrix.heat("tuoitre", "seizure") == 1
    assert matrix.heat("tuoitre", "trial") == 0


def test_every_unit_the_pipeline_quotes_reaches_the_price_chart() -> None:
    # rhino horn per lạng, pangolin scales per yến, ivory per ounce, tusks per pair
    assert price_per_unit({"vnd": 5e8, "text": "500 triệu/lạng", "per": "100g"}) == ("kg", 5e9)
    assert price_per_unit({"vnd": 3e7, "text": "30 triệu một yến", "per": "10kg"}) == ("kg", 3e6)
    unit, per_kg = price_per_unit({"vnd": 7.5e6, "text": "$300 per ounce", "per": "oz"}) or ("", 0)
    assert unit == "kg" and round(per_kg) == round(7.5e6 / 0.028349523125)
    assert price_per_unit({"vnd": 2e6, "text": "2tr/đôi", "per": "pair"}) == ("pieces", 1e6)
