"""Quantities seized or offered (pipelines/quantities.py)."""

from __future__ import annotations

import pytest

from pipelines.quantities import extract_quantities


def _found(text: str) -> list[tuple[float, str]]:
    return [(q["value"], q["unit"]) for q in extract_quantities(text)]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("thu giữ hơn 2 tấn vảy tê tê", 2, "t"),
        ("gần 500 kg ngà voi", 500, "kg"),
        ("1,2 tấn", 1.2, "t"),
        ("khoảng 30 kg", 30, "kg"),
        ("7 cá thể tê tê", 7, "individuals"),
        ("bảy con khỉ", 7, "individuals"),
        ("hai chiếc sừng", 2, "pieces"),
        ("mười lăm cá thể rùa", 15, "individuals"),
        ("eleven tusks", 11, "pieces"),
        ("a dozen bear paws", 12, "pieces"),
        ("two dozen live turtles", 24, "individuals"),
        ("12 rhino horns", 12, "pieces"),
        ("61 frozen pangolins", 61, "individuals"),
        ("3 lạng mật gấu", 300, "g"),
        ("2 tạ xương", 200, "kg"),
        ("1 yến thịt", 10, "kg"),
        ("150 lbs of bear bile", 68.04, "kg"),
        ("2.1 tonnes of ivory", 2.1, "t"),
        ("1,000 kg", 1000, "kg"),
        ("300kg", 300, "kg"),
        ("15 ký", 15, "kg"),
        ("10 khối gỗ trắc", 10, "m3"),
        ("12 m3 gỗ", 12, "m3"),
        ("5 m³", 5, "m3"),
        ("hai nghìn con", 2000, "individuals"),
        ("hai chục con", 20, "individuals"),
        ("3 trăm con", 300, "individuals"),
        ("1 cặp sừng", 2, "pieces"),
        ("rùa size 1kg2", 1.2, "kg"),
        ("2 tan vay te te", 2, "t"),
        ("3 con ran ho mang", 3, "individuals"),
    ],
)
def test_one_quantity(text: str, value: float, unit: str) -> None:
    assert _found(text) == [(pytest.approx(value), unit)]


def test_span_quotes_the_text_as_written() -> None:
    (quantity,) = extract_quantities("Thu giữ 3 frozen tiger carcasses")
    assert quantity["text"] == "3 frozen tiger carcasses"


def test_ranges_keep_the_bound_written_with_the_unit() -> None:
    assert _found("mỗi sừng nặng từ 1 đến 2,3 kg") == [(2.3, "kg")]


@pytest.mark.parametrize(
    "text",
    [
        "Mật gấu 500k/lạng",  # the unit of a price
        "sừng 35tr/1kg",
        "giá 500k 1 lạng",
        "mật gấu hai trăm nghìn một lạng",
        "cao hổ 20 triệu đồng/100g",
        "bé 3 tuổi",
        "bị tuyên phạt 12 năm tù",
        "theo Điều 244 Bộ luật Hình sự",
        "một con hổ",  # "a tiger"
        "2 con đường và 1 cây cầu",
        "bà có 2 con nhỏ",
        "5 cây số",
        "tăng 15%",
        "4G",
        "dài 3m",
        "hàng chục tấn ngà voi",
        "Two Chinese nationals were arrested",
    ],
)
def test_not_quantities(text: str) -> None:
    assert extract_quantities(text) == []


def test_news_report_lists_every_quantity_in_order() -> None:
    report = (
        "Bên trong thùng xe có 7 cá thể tê tê còn sống, tổng trọng lượng khoảng 42 kg, cùng "
        "hơn 30 kg vảy tê tê và 12 bàn chân gấu. Tài xế khai mua với giá 2,5 triệu đồng/kg."
    )
    assert _found(report) == [(7, "individuals"), (42, "kg"), (30, "kg"), (12, "pieces")]
