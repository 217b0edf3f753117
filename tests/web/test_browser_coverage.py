"""In Debian's headless chromium, over half a year of recent items: a journalist reads the
coverage page in Vietnamese (the outlet × action table, both charts with Vietnamese axis
labels, the small hotspot map) and opens a cell's search.

Screenshots go to a temporary directory, or to WILDWATCH_SCREENSHOTS when set
(``WILDWATCH_SCREENSHOTS=docs/img pytest tests/web/test_browser_coverage.py`` refreshes
docs/img/coverage.png).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.test_browser import base_url  # noqa: F401  (fixture)
from tests.web.test_browser_alerts import browser, recent  # noqa: F401  (fixtures)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_coverage_page_in_vietnamese(
    recent: int,  # noqa: F811
    base_url: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(base_url + "/")
    page.locator(".mainnav a", has_text="Theo dõi xử lý vi phạm").click()
    page.wait_for_url("**/coverage")
    assert page.locator("table.heat tbody tr").count() >= 2
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 2
    axis = " ".join(charts.nth(0).locator("text").all_text_contents())
    assert re.search(r"\d+/\d+", axis)  # days written d/m
    assert not re.search(r"\b\d+ (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", axis)
    page.screenshot(path=str(tmp_path / "coverage.png"), full_page=True)

    cell = page.locator("table.heat tbody td.num a").first
    count = int(cell.inner_text())
    cell.click()
    page.wait_for_url(re.compile(r".*enforcement=.*"))
    assert str(count) in page.locator("main").inner_text()
