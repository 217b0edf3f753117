"""The map in Debian's headless chromium, over realistic enforcement reports: provinces,
points and routes are drawn with their counts, a click on a province, a border gate and a
route opens the matching search, the small map sits on /trends and /coverage, and the page
lays out on a phone.

Screenshots go to a temporary directory, or to WILDWATCH_SCREENSHOTS when set
(``WILDWATCH_SCREENSHOTS=docs/img pytest tests/web/test_browser_map.py`` refreshes
``docs/img/map.png``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.map_seed import seed_map_home
from tests.web.test_browser import base_url  # noqa: F401  (fixture)
from tests.web.test_browser_alerts import browser  # noqa: F401  (fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture
def mapped(home: Path, ids: dict[str, str]) -> int:
    return len(seed_map_home(home))


def test_map_marks_link_to_their_searches(
    mapped: int,
    base_url: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + "/")
    page.locator(".mainnav a", has_text="Bản đồ").click()
    page.wait_for_url("**/map")
    page.goto(base_url + "/map?range=all&ui=en")
    # Quảng Ninh: two reports of the seizure and sentence, plus the two seeded ones.
    quang_ninh = page.locator('.map-vietnam a.area[data-key="Quảng Ninh"]')
    assert quang_ninh.get_attribute("data-count") == "4"
    assert quang_ninh.locator("title").text_content() == "Quảng Ninh: 4 items"
    # the same count in the table under the map
    row = page.locator("#provinces-table tr", has_text="Quảng Ninh")
    assert row.locator("td.num").inner_text() == "4"
    gate = page.locator('.map-vietnam a.dot[data-key="Cầu Treo"]')
    assert "Border gate" in (gate.locator("title").text_content() or "")
    routes = page.locator("#routes-table tbody tr")
    assert routes.count() >= 5
    assert "Nigeria → Qatar → Vietnam" in page.locator("#routes-table").inner_text()
    page.screenshot(path=str(tmp_path / "map.png"), full_page=True)

    quang_ninh.click()
    page.wait_for_url("**/?*place=*")
    assert "4" in page.locator("main").inner_text()
    titles = page.locator(".hit h2, .hit h3, article a").all_inner_texts()
    assert any("Quảng Ninh" in title for title in titles)

    page.goto(base_url + "/map?range=all&ui=en")
    page.locator('.map-vietnam a.dot[data-key="Cầu Treo"]').click()
    page.wait_for_url("**/?*location=*")
    assert "Cầu Treo" in page.locator("main").inner_text()

    page.goto(base_url + "/map?range=all&ui=en")
    page.locator("#routes-table a", has_text="Angola").click()
    page.wait_for_url("**/?*place=AO*")
    assert "Lạch Huyện" in page.locator("main").inner_text()

    for path in ("/trends?range=all", "/coverage"):
        page.goto(base_url + path)
        small = page.locator(".smallmap .map-vietnam a.area")
        assert small.count() >= 5, path
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + "/map?range=all")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the map page scrolls sideways on a phone ({width}px)"
    # kept out of WILDWATCH_SCREENSHOTS (only the top directory's PNGs are copied there)
    page.screenshot(path=str(tmp_path / "phone" / "map-phone.png"), full_page=True)
