"""The real server in Debian's headless chromium: what a user sees and clicks.

Starts ``web.server.build_server`` on 127.0.0.1 with an ephemeral port over a seeded index,
then searches without diacritics, clicks a facet, opens an item and checks that no scraped
payload ran. Skips when chromium is missing, except in CI (env CI set), where it fails.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from web.server import build_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: `make browser` installs it")
    pytest.skip("Debian's chromium is not installed (make browser)", allow_module_level=True)


@pytest.fixture
def base_url(ids: dict[str, str]) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = build_server("127.0.0.1", port)
    server.config.log_level = "warning"
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_search_facet_item_and_nothing_injected_runs(
    base_url: str, ids: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import Dialog, sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})

            def on_dialog(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(base_url + "/")
            assert page.locator("html").get_attribute("lang") == "vi"

            # typed without diacritics, found with them
            page.fill("#q", "te te")
            page.press("#q", "Enter")
            page.wait_for_url("**/?q=te+te")
            titles = page.locator(".hit-title a").all_inner_texts()
            assert "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh" in titles
            assert "Vảy tê tê rừng loại 1" in titles
            assert page.locator(".total strong").inner_text() == "5"
            marks = page.locator(".snippet mark").all_inner_texts()
            assert marks and set(marks) <= {"tê", "Tê"}
            page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

            # the hostile item is listed as text; none of its payloads became DOM or ran
            hostile = page.locator(".hit-title a", has_text="alert(")
            assert hostile.inner_text().startswith('<script>alert("title")</script>')
            injected = page.evaluate(
                'document.querySelectorAll(\'main script, main img[src="x"], main svg[onload],'
                ' main [onerror], main [onmouseover], main a[href^="javascript"]\').length'
            )
            assert injected == 0

            # a facet click narrows the results
            page.locator(".facet-value", has_text="báo chí").click()
            page.wait_for_url("**kind=news**")
            assert page.locator(".total strong").inner_text() == "2"
            assert page.locator(".facet-value.selected").count() == 1
            assert sorted(page.locator(".hit-title a").all_inner_texts()) == [
                "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh",
                "Quảng Ninh: bắt xe chở 120kg vảy tê tê",
            ]

            # open an item: its fields, its copy elsewhere, the sandboxed archive
            page.locator(".hit-title a", has_text="Bắt giữ xe tải").click()
            page.wait_for_url(f"**/items/{ids['pangolin']}")
            assert page.locator("h1").inner_text() == (
                "Bắt giữ xe tải chở 120 kg vảy tê tê tại Quảng Ninh"
            )
            fields = page.locator(".fields").inner_text()
            for expected in ("tê tê", "thu giữ", "bắt giữ", "Móng Cái", "120 kg"):
                assert expected in fields
            assert "Quảng Ninh: bắt xe chở 120kg vảy tê tê" in fields  # also reported by
            frame = page.frame_locator("iframe.archived")
            # the windows-1258 page keeps its tones as combining marks, hence NFC
            heading = unicodedata.normalize("NFC", frame.locator("h1").inner_text())
            assert heading == "Bắt giữ 120 kg vảy tê tê"
            page.screenshot(path=str(tmp_path / "item.png"), full_page=True)

            page.goto(f"{base_url}/items/{ids['hostile']}")
            assert (
                "</textarea><script>alert('text')</script>"
                in page.locator(".extracted").inner_text()
            )
            assert page.evaluate("document.querySelectorAll('main script, main svg').length") == 0

            page.set_viewport_size({"width": 400, "height": 800})
            page.goto(base_url + "/trends?ui=en&range=all")  # the seeded items are from 2024
            assert page.locator("figure.chart svg[role=img]").count() == 3
            page.screenshot(path=str(tmp_path / "trends-phone.png"), full_page=True)
            page.wait_for_timeout(200)  # let any (wrongly) scheduled dialog fire
        finally:
            browser.close()
    assert dialogs == []
    keep = os.environ.get("WILDWATCH_SCREENSHOTS")
    if keep:  # for looking at the pages: WILDWATCH_SCREENSHOTS=/tmp/shots pytest -m browser
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in tmp_path.glob("*.png"):
            (Path(keep) / shot.name).write_bytes(shot.read_bytes())
