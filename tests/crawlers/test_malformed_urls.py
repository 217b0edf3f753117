"""Malformed URLs inside a hostile page cost that one value, never the page or the crawl."""

from __future__ import annotations

import json

from crawlers.extract import extract_ad
from pipelines.urls import InvalidURL, check_url, join_url

AD = """<html><head>
<meta property="og:title" content="Bán vảy tê tê">
<meta property="og:image" content="http://[::1/og.jpg">
<meta property="og:image" content="/anh/og-2.jpg">
<script type="application/ld+json">{jsonld}</script>
</head><body>
<div itemscope itemtype="https://schema.org/Product">
  <span itemprop="name">Vảy tê tê rừng</span>
  <img itemprop="image" src="https://cho.example:99999/a.jpg">
</div>
</body></html>"""


def test_an_ad_with_malformed_image_urls_is_still_extracted() -> None:
    product = {
        "@type": "Product",
        "name": "Vảy tê tê rừng loại 1",
        "description": "Hàng rừng, ib zalo",
        "image": ["http://[zz]/x.jpg", "https://cho.example/anh/1.jpg"],
        "offers": {"@type": "Offer", "price": "3000000", "priceCurrency": "VND"},
    }
    ad = extract_ad(AD.format(jsonld=json.dumps(product)), "https://cho.example/tin/1.htm")
    assert ad is not None
    assert ad.title == "Vảy tê tê rừng loại 1"
    assert ad.images == ["https://cho.example/anh/1.jpg"]


def test_join_url_drops_what_check_url_refuses() -> None:
    assert join_url("https://a.vn/tin/", "2.html") == "https://a.vn/tin/2.html"
    assert join_url("https://a.vn/", "http://[::1/x") is None
    assert join_url("https://a.vn/", "//a.vn:70000/") is None
    assert join_url("https://a.vn/", "mailto:x@a.vn") is None


def test_check_url_messages_say_what_is_wrong() -> None:
    cases = {
        "http://[::1/x": "a '[' in the host is never closed by ']'",
        "http://[zz]/": "the host in brackets is not an IPv6 address",
        "http://::1/": "IPv6 addresses must be written in brackets",
        "https://a.vn:99999/": "the port must be a whole number from 1 to 65535",
        "https://a.vn:0/": "the port must be a whole number from 1 to 65535",
        "ftp://a.vn/": "not an absolute http(s) URL",
        "https://a vn/": "contains spaces or control characters",
        "https:///x": "no host name",
        "https://-a.vn/": "is not a host name",
        "https://a.vn/" + "x" * 2100: "longer than 2048 characters",
    }
    for url, problem in cases.items():
        try:
            check_url(url)
        except InvalidURL as error:
            assert problem in str(error), (url, str(error))
        else:
            raise AssertionError(f"{url!r} was accepted")
    for good in ("http://[::1]:8080/x", "https://bücher.example/", "https://u:p@a.vn:8443/?q=1"):
        assert check_url(f" {good} ") == good
