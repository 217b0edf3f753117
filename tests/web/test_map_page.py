"""The /map page through the app: its counts are the totals of the searches its marks link
to, filters narrow it, both languages read, and the small and case maps render."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.map_seed import seed_map_home
from web.map_figures import render_case_map


@pytest.fixture
def mapped(home: Path, ids: dict[str, str]) -> int:
    return len(seed_map_home(home))


def _marks(page: str) -> dict[str, tuple[int, str]]:
    """data-key → (count, link) of the linked shapes and points of the page."""
    found = re.findall(
        r'<a href="([^"]+)" class="(?:area|dot)" data-key="([^"]+)" data-count="(\d+)"', page
    )
    return {key: (int(count), html.unescape(href)) for href, key, count in found}


def _total(client: TestClient, href: str) -> int:
    assert href.startswith("/?")
    return int(client.get("/api/search?" + href[2:]).json()["total"])


def test_every_count_is_the_total_of_the_search_it_links_to(
    client: TestClient, mapped: int
) -> None:
    page = client.get("/map", params={"range": "all", "ui": "en"})
    assert page.status_code == 200
    marks = _marks(page.text)
    assert marks["Quảng Ninh"][0] == 4  # two seeded items, two map reports (Móng Cái)
    assert marks["Hải Phòng"][0] == 3  # Hải Phòng twice with its ports, Lạch Huyện once
    assert marks["Cầu Treo"][0] == 1
    assert marks["NG"][0] == 2  # Nội Bài's ivory and the Suvarnabhumi scales
    for key, (count, href) in marks.items():
        assert _total(client, href) == count, key
    routes = re.findall(r'<a href="([^"]+)" class="route" data-count="(\d+)"', page.text)
    assert len(routes) >= 6
    for href, count in routes:
        # the route's search lists items naming all its countries: at least the route's items
        assert _total(client, html.unescape(href)) >= int(count)
    assert "Nigeria → Qatar → Vietnam" in page.text
    assert "Routes read from 8 items naming a place abroad." in page.text
    # with a place-name filter of its own, the page counts through the place filter
    narrowed = client.get("/map", params={"range": "all", "location": "Móng Cái"})
    marks = _marks(narrowed.text)
    assert marks["Quảng Ninh"][0] == 3
    for key, (count, href) in marks.items():
        assert "location=M" in href and _total(client, href) == count, key


def test_filters_narrow_the_map(client: TestClient, mapped: int) -> None:
    page = client.get("/map", params={"range": "all", "species": "tiger"})
    marks = _marks(page.text)
    assert {key for key, (n, _) in marks.items() if n} == {"Hà Tĩnh", "Cầu Treo", "LA", "VN"}
    assert "species=tiger" in marks["Hà Tĩnh"][1]
    assert "Bản đồ điểm nóng và tuyến vận chuyển" in page.text  # Vietnamese by default
    sentenced = _marks(client.get("/map?range=all&enforcement=sentence").text)
    assert {key for key, (n, _) in sentenced.items() if n} == {"Quảng Ninh", "Hà Nội", "VN"}
    # the reports are from 2024 to October 2026: the last 7 days before today hold none
    recent = client.get("/map", params={"range": "7d"})
    assert recent.status_code == 200
    assert _marks(recent.text) == {}
    assert "No item names two or more countries." in client.get("/map?range=7d&ui=en").text


def test_a_bad_place_is_refused_with_a_suggestion(client: TestClient) -> None:
    page = client.get("/", params={"place": "Laos", "ui": "en"})
    assert page.status_code == 400
    assert "LA" in page.text
    assert client.get("/api/search", params={"place": "Nowhere"}).status_code == 400


def test_small_maps_on_trends_and_coverage_link_to_the_full_map(
    client: TestClient, mapped: int
) -> None:
    for path in ("/trends?range=all&species=pangolin", "/coverage?species=pangolin"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'class="smallmap' in page.text
        assert re.search(r'href="/map\?[^"]*species=pangolin', page.text), path
        assert 'data-key="Quảng Ninh" data-count="4"' in page.text, path


def test_the_case_map_shows_the_places_and_route_of_one_case(home: Path) -> None:
    markup = str(
        render_case_map(
            ["Nội Bài", "Nigeria", "Doha", "Qatar", "Hà Nội"],
            "en",
            search_pairs=[("species", "elephant")],
        )
    )
    assert 'data-key="Hà Nội" data-count="1"' in markup
    assert 'data-key="Nội Bài"' in markup and "Airport" in markup
    assert "Nigeria → Qatar → Vietnam" in markup
    assert "/?species=elephant&amp;place=H%C3%A0+N%E1%BB%99i" in markup
    alone = str(render_case_map(["Quảng Ninh", "Móng Cái"], "vi"))
    assert 'class="map map-world' not in alone  # one country: no route map
    assert "Các nơi của vụ việc" in alone


def test_a_search_with_a_place_filter_is_saved_as_an_alert_keeping_the_place(
    client: TestClient,
) -> None:
    from schedules.rules import RuleStore

    page = client.get("/", params={"place": ["quang ninh", "la"], "species": "pangolin"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {
        "csrf_token": token.group(1),
        "place": ["Quảng Ninh", "LA"],
        "species": "pangolin",
        "name": "quang-ninh-laos",
        "recipients": "bao@ngo.example",
        "email_lang": "en",
        "cadence": "daily",
    }
    saved = client.post("/alerts?ui=en", data=form, follow_redirects=False)
    assert saved.status_code == 303
    rule = RuleStore.from_settings().get("quang-ninh-laos")
    assert rule is not None and rule.place == ("Quảng Ninh", "LA")
    assert rule.to_search_request().place == ("Quảng Ninh", "LA")
    listed = client.get("/alerts?ui=en").text
    assert "Province or country named: Quảng Ninh, Laos" in listed


def test_a_new_query_keeps_the_place_filter_of_a_map_link(client: TestClient, mapped: int) -> None:
    page = client.get("/", params={"place": "Quảng Ninh", "ui": "en"})
    assert '<input type="hidden" name="place" value="Quảng Ninh">' in page.text
    assert "Province or country named" in page.text  # the chip that removes it
