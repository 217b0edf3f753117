"""In Debian's headless chromium, in Vietnamese: prices once each with ≈ đồng per kg or per
animal, weights in kilograms, foreign places in Vietnamese, dates typed dd/mm/yyyy, and
errors (a bad date, a bad query, a missing item) in Vietnamese (issue 13 items 5 and 6).

Screenshots go to a temporary directory, or to WILDWATCH_SCREENSHOTS when set
(``WILDWATCH_SCREENSHOTS=docs/img pytest tests/web/test_browser_numbers.py`` refreshes the
ones the docs show).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pipelines.analysis import analyze
from search.sqlite_backend import SqliteBackend
from tests.web.seed import _doc
from tests.web.test_browser import base_url  # noqa: F401  (fixture)
from tests.web.test_browser_alerts import browser  # noqa: F401  (fixture)
from tests.web.test_numbers import AD_TEXT

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

REPORTS = [
    ("https://www.chotot.com/vay-te-te-campuchia-350k-lang-778800.htm", "marketplace", AD_TEXT),
    (
        "https://www.chotot.com/rua-nui-vang-1-5tr-con-778801.htm",
        "marketplace",
        "Cần bán vảy tê tê và rùa núi vàng 1,5tr/con, lô 20 con, giao Hà Nội và Lào.",
    ),
    (
        "https://vnexpress.net/mong-cai-thu-giu-500-kg-vay-te-te-tu-campuchia-4800001.html",
        "news",
        "Hải quan cửa khẩu Móng Cái thu giữ 500 kg vảy tê tê và ngà voi từ Campuchia, trị giá "
        "khoảng 15 tỷ đồng. Tài xế bị bắt giữ.",
    ),
]


@pytest.fixture
def reports(home: Path, ids: dict[str, str]) -> None:
    docs = []
    for n, (url, kind, text) in enumerate(REPORTS):
        found = analyze(text)
        docs.append(
            _doc(
                url,
                kind=kind,
                source="chotot" if kind == "marketplace" else "vnexpress",
                title=text.split(",")[0],
                text=text,
                species=found["species"],
                enforcement=found["enforcement"],
                prices=found["prices"],
                quantities=found["quantities"],
                locations=found["locations"],
                published_at=f"2024-03-1{n + 5}T08:30:00+07:00",
            )
        )
    backend = SqliteBackend(home / "index.sqlite")
    try:
        backend.upsert(docs)
    finally:
        backend.close()


def test_numbers_places_dates_and_errors_in_vietnamese(
    reports: None,
    base_url: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="en-US")
    page.goto(base_url + "/?ui=vi")
    page.fill("#q", "vay te te")
    page.press("#q", "Enter")
    page.wait_for_url("**q=vay+te+te**")
    ad = page.locator(".hit", has_text="350k/lạng")
    prices = ad.locator(".tag.price").all_inner_texts()
    assert prices.count("350k/lạng = 3.500.000 ₫/kg") == 1 and len(prices) == 3
    assert "50 - 250 triệu đồng/kg = 50.000.000–250.000.000 ₫/kg" in prices
    assert any(p.startswith("US$1,200 per animal ≈ ") and p.endswith(" ₫/cá thể") for p in prices)
    assert ad.locator(".tag.quantity").inner_text() == "7 tấn = 7.000 kg"
    assert set(ad.locator(".tag.place").all_inner_texts()) >= {"Campuchia", "Thái Lan"}
    turtles = page.locator(".hit", has_text="rùa núi vàng")
    assert turtles.locator(".tag.price").inner_text() == "1,5tr/con = 1.500.000 ₫/cá thể"
    assert "Lào" in turtles.locator(".tag.place").all_inner_texts()
    assert "Cambodia" not in page.locator("main").inner_text()

    # dates typed day first, whatever the browser's own locale (en-US here)
    page.locator("details.filters summary").click()
    page.fill("input[name=since]", "01/03/2024")
    page.fill("input[name=until]", "16/03/2024")
    assert page.locator("input[name=since]").get_attribute("placeholder") == "dd/mm/yyyy"
    page.press("input[name=until]", "Enter")
    # the clean URL (shared, bookmarked) carries the unambiguous form
    page.wait_for_url("**since=2024-03-01&until=2024-03-16**")
    assert page.locator("input[name=since]").input_value() == "01/03/2024"
    titles = page.locator(".hit-title a").all_inner_texts()
    assert "Bán vảy tê tê hàng Campuchia 350k/lạng" in titles
    assert not any("Hải quan cửa khẩu Móng Cái" in title for title in titles)  # 17/03
    page.locator(".hit-title a", has_text="350k/lạng").click()
    page.wait_for_selector("table.prices")
    rows = page.locator("table.prices tbody tr").all_inner_texts()
    assert len(rows) == 3
    assert any("50.000.000–250.000.000 ₫" in row and "₫/kg" in row for row in rows)
    quantities = page.locator("table.quantities tbody tr").inner_text()
    assert "7 tấn" in quantities and "7.000 kg" in quantities
    page.screenshot(path=str(tmp_path / "item-numbers.png"), full_page=True)

    page.goto(base_url + "/?q=vay+te+te+campuchia+OR+rua&ui=vi")
    page.screenshot(path=str(tmp_path / "search-numbers.png"), full_page=False)

    # errors in Vietnamese: a day that does not exist, a query cut short, a missing item
    page.goto(base_url + "/?since=31%2F02%2F2024")
    alert = page.locator("[role=alert]").inner_text()
    assert alert.startswith("Từ ngày: “31/02/2024” không phải ngày hợp lệ")
    page.goto(base_url + "/?q=t%C3%AA+t%C3%AA+AND")
    assert "AND cần một từ khóa sau nó" in page.locator("[role=alert]").inner_text()
    page.screenshot(path=str(tmp_path / "error-vi.png"), full_page=False)
    page.goto(base_url + "/items/0000000000000000dead")
    assert page.locator("[role=alert]").inner_text() == "Không có trang hoặc mục nào ở địa chỉ này."
