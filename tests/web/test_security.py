"""Scraped content is hostile: everything is escaped, nothing scraped becomes a live link
or script, and every page carries a strict Content-Security-Policy."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from search.backend import SearchRequest
from search.factory import open_backend
from web.rendering import http_url, safe_snippet

PAYLOAD_MARKERS = (
    "<script>alert",
    "<img src=x onerror",
    "<svg onload",
    "<svg/onload",
    "<b onmouseover",
    "</textarea><script>",
    'href="javascript:',
)


def assert_no_live_payload(html: str) -> None:
    for marker in PAYLOAD_MARKERS:
        assert marker not in html, marker


def test_backend_snippet_is_escaped_before_the_ui_trusts_it(ids: dict[str, str]) -> None:
    backend = open_backend()
    try:
        hits = backend.search(SearchRequest(query="te te", ids=(ids["hostile"],)))["hits"]
    finally:
        backend.close()
    snippet = hits[0]["snippet"]
    assert "<mark>" in snippet
    bare = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare
    assert "&lt;script&gt;" in snippet or "&lt;/textarea&gt;" in snippet


def test_search_page_escapes_every_scraped_field(client: TestClient) -> None:
    page = client.get("/", params={"q": "ban te te"})
    assert page.status_code == 200
    html = page.text
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&#39;price&#39;)&gt;" in html
    assert "&lt;b onmouseover=alert(&#39;place&#39;)&gt;" in html
    assert_no_live_payload(html)
    # the javascript: URL of the hostile item is not turned into a link
    assert "javascript:alert(&#39;url&#39;)" not in html


def test_item_page_escapes_every_field(client: TestClient, ids: dict[str, str]) -> None:
    html = client.get(f"/items/{ids['hostile']}").text
    assert_no_live_payload(html)
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&#39;text&#39;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;script&gt;alert(&#34;author&#34;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;svg/onload=alert(&#34;contact&#34;)&gt;" in html
    # shown as text, never as a link
    assert not re.search(r'href="\s*javascript:', html, re.IGNORECASE)


def test_hostile_values_in_query_parameters_are_escaped(client: TestClient) -> None:
    attack = '"><script>alert(1)</script>'
    html = client.get("/", params={"q": attack, "location": attack}).text
    assert "<script>alert(1)" not in html
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_carry_a_strict_csp_and_no_script(client: TestClient, ids: dict[str, str]) -> None:
    for path in ("/", "/trends", "/coverage", f"/items/{ids['pangolin']}", "/api/docs", "/login"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'none'" in csp and "default-src 'none'" in csp, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "<script" not in response.text.lower(), path


def test_csv_cells_cannot_become_formulas(client: TestClient) -> None:
    text = client.get("/export.csv", params={"source": "evil-site"}).content.decode("utf-8-sig")
    assert "'<script>" not in text  # '<' is harmless, left as written
    assert ",=" not in text and ",+" not in text and ",@" not in text


def test_only_http_urls_become_links() -> None:
    assert http_url("https://vnexpress.net/a.html") == "https://vnexpress.net/a.html"
    assert http_url("HTTP://example.vn/x") == "HTTP://example.vn/x"
    for bad in (
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<b>",
        "//evil",
        "vbscript:x",
        "https://",
        "https://ok.vn/\nx",
        None,
        42,
    ):
        assert http_url(bad) is None, bad


def test_safe_snippet_refuses_unescaped_markup() -> None:
    assert str(safe_snippet("v&#7843;y <mark>tê tê</mark>")) == "v&#7843;y <mark>tê tê</mark>"
    broken = safe_snippet("<mark>tê</mark><img src=x onerror=alert(1)>")
    assert "<img" not in str(broken) and "&lt;img" in str(broken)
