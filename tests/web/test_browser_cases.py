"""In Debian's headless chromium, over every labelled real case (tests/cases): a journalist
opens the case list, narrows it to one province, opens a case and reads its timeline and who
never reported the sentence; the item page leads back to the case.

Screenshots go to a temporary directory, or to WILDWATCH_SCREENSHOTS when set
(``WILDWATCH_SCREENSHOTS=docs/img pytest tests/web/test_browser_cases.py`` refreshes
docs/img/cases.png and docs/img/case.png).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.cases_bench import load_split
from tests.cases.seed import seed_cases
from tests.web.test_browser import ARGS, CHROMIUM, base_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def ids(home: Path) -> dict[str, str]:
    """Every labelled report indexed, and the cases rebuilt (what `base_url` serves)."""
    return seed_cases(home, [row for split in ("tune", "dev") for row in load_split(split)])


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    keep = os.environ.get("WILDWATCH_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in tmp_path.glob("case*.png"):
            (Path(keep) / shot.name).write_bytes(shot.read_bytes())


def test_a_journalist_follows_a_case_from_seizure_to_sentence(
    ids: dict[str, str],
    base_url: str,  # noqa: F811
    shots: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(base_url + "/")
            page.locator(".mainnav a", has_text="Vụ việc").click()
            page.wait_for_url("**/cases")
            main = page.locator("main")
            assert "Vụ việc" in main.locator("h1").inner_text()
            rows = page.locator("table.cases tbody tr")
            assert rows.count() >= 30

            page.select_option("select[name=province]", "Nghệ An")
            page.locator("form.inline-filters button[type=submit]").click()
            page.wait_for_url("**/cases?*province=*")
            cells = page.locator("table.cases tbody td:first-child").all_inner_texts()
            titles = [cell.strip().lower() for cell in cells]
            assert any("8 con hổ thu giữ" in t for t in titles)  # the 17 tigers of Yên Thành
            assert any("hổ con" in t for t in titles)  # the 7 cubs: another case, same week
            page.screenshot(path=str(shots / "cases.png"), full_page=False)

            page.locator("table.cases a", has_text="Hổ con").first.click()
            page.wait_for_url("**/cases/c*")
            page.locator(".langswitch a[lang=en]").click()
            page.wait_for_load_state()
            timeline = page.locator("ol.steps").inner_text()
            assert "Seizure" in timeline or "seizure" in timeline.lower()
            assert "Sentence" in timeline or "sentence" in timeline.lower()
            coverage = page.locator("section.coverage table").inner_text()
            assert "Never" in coverage  # an outlet reported the seizure but not the sentence
            page.screenshot(path=str(shots / "case.png"), full_page=True)

            page.locator("section.articles tbody a").first.click()
            page.wait_for_url("**/items/*")
            page.locator("a.case-link").click()
            page.wait_for_url("**/cases/c*")
            assert page.locator("ol.steps").count() == 1
        finally:
            browser.close()
