"""Places and the gazetteer (pipelines/places.py, pipelines/vocab/gazetteer.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.places import (
    GazetteerError,
    all_places,
    extract_locations,
    load_gazetteer,
    place_info,
)

HEADER = "name,kind,country,province,lat,lon,aliases\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Công an tỉnh Nghệ An bắt giữ", ["Nghệ An"]),
        ("hang o nghe an, ship ha noi", ["Nghệ An", "Hà Nội"]),
        ("Lực lượng chức năng TP.HCM", ["TP Hồ Chí Minh"]),
        ("giao Sài Gòn, TP HCM, Tp. Hồ Chí Minh, HCMC", ["TP Hồ Chí Minh"]),
        ("shop ở HN", ["Hà Nội"]),
        ("Police in Nghe An province", ["Nghệ An"]),
        ("Hoà Bình và Khánh Hoà", ["Hòa Bình", "Khánh Hòa"]),
        ("HÀ TĨNH: BẮT GIỮ NGÀ VOI TỪ LÀO", ["Hà Tĩnh", "Laos"]),
        ("Bà Rịa - Vũng Tàu, Thừa Thiên - Huế", ["Bà Rịa - Vũng Tàu", "Thừa Thiên Huế"]),
        ("Đắc Lắc, Đăk Nông", ["Đắk Lắk", "Đắk Nông"]),
    ],
)
def test_vietnamese_provinces_in_many_writings(text: str, expected: list[str]) -> None:
    assert extract_locations(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("qua cửa khẩu Cầu Treo", ["Cầu Treo"]),
        ("cửa khẩu Hữu Nghị (Lạng Sơn)", ["Hữu Nghị", "Lạng Sơn"]),
        ("the Huu Nghi border gate", ["Hữu Nghị"]),
        ("sân bay Nội Bài, Tân Sơn Nhất", ["Nội Bài", "Tân Sơn Nhất"]),
        ("cảng Cát Lái và Đình Vũ", ["Cát Lái", "Đình Vũ"]),
        ("huyện Kỳ Sơn, Quế Phong, Tương Dương", ["Kỳ Sơn", "Quế Phong", "Tương Dương"]),
        ("Móng Cái, Mường Tè", ["Móng Cái", "Mường Tè"]),
    ],
)
def test_districts_gates_airports_ports(text: str, expected: list[str]) -> None:
    assert extract_locations(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("từ Lào, Campuchia, Cam-pu-chia, Thái Lan", ["Laos", "Cambodia", "Thailand"]),
        ("về Trung Quốc; hàng TQ", ["China"]),
        ("từ CHDC Congo, Cộng hòa Dân chủ Congo, DRC", ["DR Congo"]),
        ("Nam Phi và châu Phi", ["South Africa", "Africa"]),
        (
            "Viêng Chăn, Bolikhamxay, Tam giác vàng, Mong La",
            ["Vientiane", "Bolikhamxay", "Golden Triangle", "Mong La"],
        ),
        ("Vietnam, Viet Nam and Việt Nam", ["Việt Nam"]),
        ("Lagos, Mombasa, Dar es Salaam", ["Lagos", "Mombasa", "Dar es Salaam"]),
        ("Kenya Wildlife Service", ["Kenya"]),
        ("Lao authorities seized", ["Laos"]),
    ],
)
def test_foreign_places_get_english_names(text: str, expected: list[str]) -> None:
    assert extract_locations(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Anh Hà Giang và chị Thái Bình",  # people named after provinces
        "Nguyễn Thị Hà Nam dự lễ hội",
        "ông Hải, bà Bình, miền Nam",  # "Nam", "Bình" alone
        "đường Hồ Chí Minh, Chủ tịch Hồ Chí Minh",
        "cây cầu treo bắc qua suối",
        "ban ha nam tai, hoa binh la dieu quy nhat",  # everyday unaccented words
        "Báo Lao động đưa tin",  # "Lao" in an accented text
        "made in china",  # porcelain, not the country
        "Bệnh viện Hữu Nghị",  # the hospital, not the border gate
        "Follow us at facebook.com/ENV.Vietnam or mail info@vietnam.org",
        "Mỹ Tho",
    ],
)
def test_hard_negatives(text: str) -> None:
    assert extract_locations(text) == []


def test_place_info_gives_post_merger_province() -> None:
    ha_giang = place_info("Hà Giang")
    assert ha_giang is not None
    assert (ha_giang.kind, ha_giang.province) == ("province", "Tuyên Quang")
    assert place_info("Bình Dương").province == "TP Hồ Chí Minh"  # type: ignore[union-attr]
    assert place_info("Nghệ An").province == "Nghệ An"  # type: ignore[union-attr]
    gate = place_info("Cầu Treo")
    assert gate is not None and (gate.kind, gate.province, gate.country) == (
        "border_gate",
        "Hà Tĩnh",
        "VN",
    )
    laos = place_info("Laos")
    assert laos is not None and (laos.kind, laos.country, laos.province) == ("country", "LA", None)
    assert place_info("Atlantis") is None


def test_gazetteer_covers_old_and_new_provinces() -> None:
    provinces = [p for p in all_places() if p.kind in ("province", "city") and p.country == "VN"]
    current = {p.province for p in provinces if p.province}
    assert len(current) == 34  # after the 1 July 2025 merger
    old = [p for p in provinces if p.kind == "province" or p.province == p.name]
    assert len({p.name for p in old if p.name != "Huế"}) >= 63


def test_every_place_has_coordinates_and_resolves_by_its_name() -> None:
    for place in all_places():
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180
        if place.country == "VN" and place.kind != "country" and place.kind != "region":
            assert place.province is not None and place_info(place.province) is not None
        # Written as its canonical name, every place is found (unless it needs a place word).
        assert place.name in extract_locations(f"tại {place.name} và") or any(
            a.startswith("^") for a in place.aliases
        ), place.name


def test_gazetteer_errors_name_file_and_line(tmp_path: Path) -> None:
    bad_kind = tmp_path / "g1.csv"
    bad_kind.write_text(HEADER + "# comment\nHà Nội,capital,VN,Hà Nội,21,105,\n", "utf-8")
    with pytest.raises(GazetteerError, match=r"g1.csv:3: column 'kind' is 'capital'"):
        load_gazetteer(bad_kind)
    bad_lat = tmp_path / "g2.csv"
    bad_lat.write_text(HEADER + "Hà Nội,city,VN,Hà Nội,north,105,\n", "utf-8")
    with pytest.raises(GazetteerError, match=r"g2.csv:2: columns 'lat'/'lon'"):
        load_gazetteer(bad_lat)
    unknown = tmp_path / "g3.csv"
    unknown.write_text(HEADER + "Móng Cái,city,VN,Quảng Ninh,21.5,107.9,\n", "utf-8")
    with pytest.raises(GazetteerError, match="unknown province 'Quảng Ninh'"):
        load_gazetteer(unknown)
    no_header = tmp_path / "g4.csv"
    no_header.write_text("Hà Nội,city,VN,Hà Nội,21,105,\n", "utf-8")
    with pytest.raises(GazetteerError, match=r"g4\.csv: the first row must be the header"):
        load_gazetteer(no_header)
