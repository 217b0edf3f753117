"""The route rule (web/map_routes.py) on places as the tagger finds them in realistic
reports: origin, transit and destination."""

from __future__ import annotations

import pytest

from pipelines.places import extract_locations
from web.map_routes import Route, countries_named, item_route


@pytest.mark.parametrize(
    ("text", "route"),
    [
        (
            "Hải quan sân bay Nội Bài phát hiện 120 kg ngà voi trong hành lý của một hành khách "
            "bay từ Nigeria, quá cảnh Doha (Qatar) về Hà Nội.",
            Route("NG", ("QA",), "VN"),
        ),
        (
            "Cục Hải quan TP Hải Phòng thu giữ 7 tấn vảy tê tê tại cảng Đình Vũ, lô hàng nhập "
            "từ Cộng hòa Dân chủ Congo, trung chuyển qua Singapore.",
            Route("CD", ("SG",), "VN"),
        ),
        (
            "Bộ đội Biên phòng Hà Tĩnh bắt giữ đối tượng vận chuyển 3 cá thể hổ từ Lào về Việt "
            "Nam qua cửa khẩu Cầu Treo.",
            Route("LA", (), "VN"),
        ),
        (
            # Việt Nam named first, the African origin later: the origin is still Africa
            "Việt Nam và Malaysia phối hợp điều tra lô sừng tê giác xuất phát từ Mozambique.",
            Route("MZ", ("MY",), "VN"),
        ),
        (
            # no Vietnamese place: the country named last is the destination
            "Thai customs seized 200 kg of pangolin scales at Suvarnabhumi airport, shipped "
            "from Nigeria and bound for Laos.",
            Route("NG", ("TH",), "LA"),
        ),
    ],
)
def test_routes_of_realistic_reports(text: str, route: Route) -> None:
    assert item_route(extract_locations(text)) == route


def test_one_country_is_no_route_and_regions_do_not_count() -> None:
    assert (
        item_route(extract_locations("Công an Quảng Ninh bắt xe chở vảy tê tê ở Móng Cái.")) is None
    )
    assert item_route(["Quảng Ninh", "Africa"]) is None
    assert item_route(["Nội Bài", "Unknown place"]) is None
    assert countries_named(["Lagos", "Nigeria", "Nội Bài", "Hà Nội"]) == ["NG", "VN"]
