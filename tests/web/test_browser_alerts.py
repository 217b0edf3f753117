"""In Debian's headless chromium, over half a year of recent items: a staff member manages an
alert on /alerts without a terminal (create, preview, edit, pause, resume, delivery status,
delete), the trends page reads at a glance on its defaults, and the morning briefing renders.

Screenshots go to a temporary directory, or to WILDWATCH_SCREENSHOTS when set
(``WILDWATCH_SCREENSHOTS=docs/img pytest tests/web/test_browser_alerts.py`` refreshes the
ones the docs show).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from tests.web.recent import seed_recent
from tests.web.test_browser import ARGS, CHROMIUM, base_url  # noqa: F401  (fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser
TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


@pytest.fixture
def recent(home: Path) -> int:
    return seed_recent(home, TODAY)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """Headless chromium; the screenshots taken into ``tmp_path`` are kept afterwards in
    WILDWATCH_SCREENSHOTS when set."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()
    keep = os.environ.get("WILDWATCH_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            (Path(keep) / shot.name).write_bytes(shot.read_bytes())


def _failed_delivery(rule: str) -> None:
    """A digest the mail server refused, as the outbox records it."""
    from schedules import db

    with db.connect() as connection:
        connection.execute(
            "INSERT INTO outbox (message_id, kind, rule, recipients, subject, raw, status, "
            "attempts, next_attempt_at, last_error, created_at) VALUES ('<m1@ngo.example>', "
            "'digest', ?, '[\"giamsat@ngo.example\"]', '[wildwatch] 14 tin mới: tê tê 9', "
            "x'00', 'failed', 8, '2026-01-01T00:00:00+00:00', "
            "'550 5.1.1 mailbox unavailable', '2026-01-01T00:00:00+00:00')",
            (rule,),
        )


def test_alerts_flow_in_the_browser(
    recent: int,
    base_url: str,  # noqa: F811
    browser: Browser,
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 850})
    page.goto(base_url + "/")
    page.locator(".mainnav a", has_text="Cảnh báo").click()
    page.wait_for_url("**/alerts")
    assert "Chưa có cảnh báo nào" in page.locator("main").inner_text()

    # create
    form = page.locator("form.ruleform")
    form.locator("input[name=name]").fill("Tê tê – buổi sáng")
    recipients = "giamsat@ngo.example, canhsat@police.example"
    form.locator("input[name=recipients]").fill(recipients)
    form.get_by_label("tê tê").check()
    form.locator("input[name=trade]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/alerts?done=created**")
    assert "Đã tạo cảnh báo “Tê tê – buổi sáng”" in page.locator(".notice.ok").inner_text()
    row = page.locator("tr.rule", has_text="Tê tê – buổi sáng")
    assert "Đang chạy" in row.inner_text() and "chưa gửi" in row.inner_text()

    # a refused address keeps what was typed and says why
    form = page.locator("form.ruleform")
    form.locator("input[name=name]").fill("Ngà voi")
    form.locator("input[name=recipients]").fill("bao@")
    form.locator("button[type=submit]").click()
    assert "“bao@” không phải địa chỉ e-mail" in page.locator(".notice.error").inner_text()
    assert page.locator("form.ruleform input[name=recipients]").input_value() == "bao@"
    form = page.locator("form.ruleform")
    form.locator("input[name=recipients]").fill("bao@paper.example.com")
    form.get_by_label("voi, ngà voi").check()
    form.locator("select[name=email_lang]").select_option("en")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**done=created**")

    # the rule page: preview of what it would send now, then edit
    page.locator("tr.rule", has_text="Tê tê – buổi sáng").locator("a").first.click()
    page.wait_for_url("**/alerts/rule?name=**")
    preview = page.locator("#preview").inner_text()
    assert "tin mới sẽ được gửi" in preview and "Vảy tê tê" in preview
    edit = page.locator("#edit form")
    edit.locator("input[name=recipients]").fill("giamsat@ngo.example")
    edit.locator("select[name=cadence]").select_option("immediate")
    edit.locator("button[type=submit]").click()
    page.wait_for_url("**done=saved**")
    assert "Ngay lập tức" in page.locator("main").inner_text()

    # pause from the rule page, resume from the list
    page.locator(".rowactions button", has_text="Tạm dừng").click()
    page.wait_for_url("**done=paused**")
    assert page.locator("h1 .state.paused").count() == 1
    page.goto(base_url + "/alerts")
    row = page.locator("tr.rule", has_text="Tê tê – buổi sáng")
    assert "Tạm dừng" in row.locator(".state").inner_text()
    row.locator("button", has_text="Chạy lại").click()
    page.wait_for_url("**done=resumed**")

    # a failed digest shows on the list and its reason on the rule page; resend
    _failed_delivery("Tê tê – buổi sáng")
    page.goto(base_url + "/alerts")
    page.locator("a.failed", has_text="1 thư gửi lỗi").click()
    deliveries = page.locator("#deliveries").inner_text()
    assert "Gửi lỗi sau 8 lần thử" in deliveries and "550 5.1.1" in deliveries
    page.goto(base_url + "/alerts")
    page.screenshot(path=str(tmp_path / "alerts.png"))
    page.locator("tr.rule", has_text="Tê tê – buổi sáng").locator("a").first.click()
    page.wait_for_url("**/alerts/rule?name=**")
    page.screenshot(path=str(tmp_path / "alert-rule.png"), full_page=False)
    page.locator("#deliveries button", has_text="Gửi lại").click()
    page.wait_for_url("**done=resent**")
    assert "Đang chờ" in page.locator("#deliveries").inner_text()

    # delete, behind a second click
    page.goto(base_url + "/alerts")
    row = page.locator("tr.rule", has_text="Ngà voi")
    row.locator("details.danger summary").click()
    row.locator("button.danger").click()
    page.wait_for_url("**done=deleted**")
    assert page.locator("tr.rule", has_text="Ngà voi").count() == 0
    assert page.locator("tr.rule").count() == 1


def test_trends_defaults_and_briefing_in_the_browser(
    recent: int,
    base_url: str,  # noqa: F811
    browser: Browser,
    tmp_path: Path,
) -> None:
    from schedules.alerting import preview
    from schedules.rules import AlertRule

    page = browser.new_page(viewport={"width": 1100, "height": 850})
    page.goto(base_url + "/trends?ui=en")
    assert page.locator(".quickranges a[aria-current=true]").inner_text() == "90 days"
    assert page.locator("figure.chart svg[role=img]").count() == 3
    species = page.locator("figure.chart").nth(0)
    assert species.locator("polyline.series").count() == 6  # top 5 + other
    assert species.locator(".legend li").last.inner_text() == "other"
    prices = page.locator("figure.chart").nth(2)
    assert prices.locator("polygon.band").count() >= 1
    assert prices.locator(".count-label").count() >= 10
    assert "per week" in page.locator(".showing").inner_text()
    page.screenshot(path=str(tmp_path / "trends.png"), full_page=True)

    page.locator(".quickranges a", has_text="30 days").click()
    page.wait_for_url("**range=30d**")
    assert "per day" in page.locator(".showing").inner_text()
    page.locator("select[name=species]").select_option("pangolin")
    page.locator(".inline-filters button[type=submit]").click()
    page.wait_for_url("**species=pangolin**")
    assert page.locator("figure.chart").nth(0).locator("polyline.series").count() == 1
    assert page.locator(".quickranges a[aria-current=true]").inner_text() == "30 days"

    # the morning briefing as a mail client shows it
    rule = AlertRule(name="Buổi sáng", wildlife_trade=True, recipients=("a@ngo.example",))
    _, _, html, items = preview(rule)
    assert items > 0
    mail = browser.new_page(viewport={"width": 780, "height": 900})
    mail.set_content(html)
    assert "Tóm tắt" in mail.locator("h2").first.inner_text()
    mail.screenshot(path=str(tmp_path / "digest.png"), full_page=False)
