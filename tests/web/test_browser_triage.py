"""In Debian's headless chromium: a staff member triages a morning's results without a
terminal: bulk-marks items relevant, flags one for follow-up, notes two at once, marks the page
seen, filters by state, then adds a note on an item's page and reads its history.

Screenshots go to a temporary directory, or to WILDWATCH_SCREENSHOTS when set
(``WILDWATCH_SCREENSHOTS=docs/img pytest tests/web/test_browser_triage.py`` refreshes the ones
the docs show).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web.test_browser import base_url  # noqa: F401  (fixture)
from tests.web.test_browser_alerts import browser  # noqa: F401  (fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Locator, Page

pytestmark = pytest.mark.browser
PANGOLIN = "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh"
COPY = "Quảng Ninh: bắt xe chở 120kg vảy tê tê"
SCALES_AD = "Vảy tê tê rừng loại 1"
RHINO_AD = "Bán sừng tê giác nguyên chất, bao test"
HOSTILE = '<script>alert("title")</script>'


def _hit(page: Page, title: str) -> Locator:
    return page.locator("li.hit", has=page.locator(".hit-title a", has_text=title))


def _titles(page: Page) -> list[str]:
    return page.locator(".hit-title a").all_inner_texts()


def test_triage_a_morning_in_the_browser(
    base_url: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    ids: dict[str, str],
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(base_url + "/?sort=newest")
    assert len(_titles(page)) == 8
    assert (
        page.locator(".triage-facet .facet-value", has_text="Chưa đánh giá")
        .locator(".count")
        .inner_text()
        == "8"
    )

    # two reports of the same seizure: ticked, then marked relevant in one go
    _hit(page, PANGOLIN).locator("input[name=ids]").check()
    _hit(page, COPY).locator("input[name=ids]").check()
    page.locator("#bulk button[value=relevant]").click()
    page.wait_for_url("**triaged=2**")
    assert page.locator(".notice.ok").inner_text() == "Đã cập nhật đánh giá của 2 tin."
    for title in (PANGOLIN, COPY):
        assert _hit(page, title).locator(".triage-state").inner_text() == "Liên quan"
        assert _hit(page, title).locator(".seen-flag").inner_text() == "Đã xem"

    # one ad's own button; the hostile item out of the way
    _hit(page, SCALES_AD).locator(".triage-buttons button", has_text="Cần theo dõi").click()
    page.wait_for_url("**triaged=1**")
    _hit(page, HOSTILE).locator(".triage-buttons button", has_text="Không liên quan").click()
    page.wait_for_url("**triaged=1**")
    assert _hit(page, HOSTILE).locator(".triage-state").inner_text() == "Không liên quan"

    # a note for two ads at once; Enter in the note field saves the note, nothing else
    _hit(page, SCALES_AD).locator("input[name=ids]").check()
    _hit(page, RHINO_AD).locator("input[name=ids]").check()
    page.fill("#bulk input[name=note]", "Cùng số Zalo 0912 345 678")
    page.press("#bulk input[name=note]", "Enter")
    page.wait_for_url("**triaged=2**")
    for title in (SCALES_AD, RHINO_AD):
        assert _hit(page, title).locator(".triage-note").inner_text() == (
            "Cùng số Zalo 0912 345 678"
        )
    assert _hit(page, RHINO_AD).locator(".triage-state").inner_text() == "Chưa đánh giá"
    assert _hit(page, SCALES_AD).locator(".triage-state").inner_text() == "Cần theo dõi"

    # the whole page seen
    page.locator("#bulk input[name=all_on_page]").check()
    page.locator("#bulk button[value=seen]").click()
    page.wait_for_url("**triaged=8**")
    assert page.locator(".seen-flag").count() == 8

    # filter by state with the facet, then by "has a note"
    page.locator(".triage-facet .facet-value", has_text="Cần theo dõi").click()
    page.wait_for_url("**triage=follow_up**")
    assert _titles(page) == [SCALES_AD]
    page.locator(".triage-facet .facet-value", has_text="Cần theo dõi").click()  # off again
    page.locator(".triage-facet .facet-value", has_text="Có ghi chú").click()
    page.wait_for_url("**noted=1**")
    assert sorted(_titles(page)) == sorted([SCALES_AD, RHINO_AD])

    # what is left to read: everything but the items marked not relevant
    page.goto(base_url + "/?sort=newest&triage=untriaged&triage=relevant&triage=follow_up")
    assert len(_titles(page)) == 7 and HOSTILE not in " ".join(_titles(page))
    page.screenshot(path=str(tmp_path / "triage.png"))

    # the item page: the decision, a note of its own, the history
    page.locator(".hit-title a", has_text=PANGOLIN).click()
    page.wait_for_url(f"**/items/{ids['pangolin']}")
    panel = page.locator("#triage")
    assert "Hiện tại: Liên quan · Đã xem" in panel.inner_text()
    panel.locator("textarea[name=note]").fill("Đã chuyển thông tin cho Hải quan Móng Cái")
    panel.locator("button", has_text="Lưu ghi chú").click()
    page.wait_for_url("**triaged=1**")
    assert page.locator("#triage .notice.ok").inner_text() == "Đã lưu đánh giá."
    history = page.locator(".triage-history li").all_inner_texts()
    assert len(history) == 2
    assert history[0].endswith(
        "người dùng không đăng nhập: ghi chú: Đã chuyển thông tin cho Hải quan Móng Cái"
    )
    assert history[1].endswith("người dùng không đăng nhập: Liên quan, Đã xem")
    page.locator("#triage").screenshot(path=str(tmp_path / "triage-item.png"))
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert dialogs == []
