"""extract_ad on stored marketplace pages: JSON-LD, microdata, and CSS selectors."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.extract import SelectorConfigError, decode_body, extract_ad
from crawlers.extract.ad_fields import find_contacts, parse_price
from tests.crawlers.extract.golden import StoredPage, stored_pages

ADS = stored_pages("ad")


@pytest.mark.parametrize("page", ADS, ids=lambda page: page.name)
def test_ad_fields_match_the_golden_file(page: StoredPage) -> None:
    golden = page.golden
    now = datetime.fromisoformat(golden["now"]) if "now" in golden else None
    html = decode_body(page.body, golden["content_type"])
    ad = extract_ad(html, golden["url"], golden.get("selectors"), now=now)
    assert ad is not None
    for key in ("title", "price_text", "price_amount", "currency", "location", "seller"):
        if key in golden:
            assert getattr(ad, key) == golden[key], key
    assert ad.published_at == datetime.fromisoformat(golden["published_at"])
    assert set(ad.contacts) == set(golden["contacts"])
    if "images" in golden:
        assert ad.images == golden["images"]
    for sentence in golden["text_contains"]:
        assert ad.text is not None and sentence in ad.text


def test_jsonld_wins_over_opengraph_and_selectors_field_by_field() -> None:
    html = """<html><head><meta property="og:title" content="OG title">
    <meta property="og:image" content="https://cdn.example/og.jpg">
    <script type="application/ld+json">{"@type": "Product", "name": "Sừng tê giác nguyên chiếc",
      "offers": {"@type": "AggregateOffer", "lowPrice": "150000000", "priceCurrency": "VND"}}
    </script></head><body><div class="desc">Hàng hiếm, liên hệ 0912345678</div>
    <span class="loc">Hà Nội</span></body></html>"""
    ad = extract_ad(html, "https://x.example/ad/1", {"body": ".desc", "location": ".loc"})
    assert ad is not None
    assert ad.title == "Sừng tê giác nguyên chiếc"
    assert ad.price_amount == 150_000_000 and ad.currency == "VND"
    assert ad.text == "Hàng hiếm, liên hệ 0912345678"  # JSON-LD has none: the selector fills it
    assert ad.location == "Hà Nội"
    assert ad.images == ["https://cdn.example/og.jpg"]
    assert ad.contacts == ["0912345678"]


def test_opengraph_product_price_tags() -> None:
    html = """<html><head><meta property="og:type" content="product">
    <meta property="og:title" content="Rượu ngâm tắc kè">
    <meta property="og:description" content="Bình 5 lít, ngâm 3 năm">
    <meta property="product:price:amount" content="1200000">
    <meta property="product:price:currency" content="VND"></head></html>"""
    ad = extract_ad(html, "https://shop.example/p/ruou-tac-ke")
    assert ad is not None
    assert (ad.title, ad.price_amount, ad.currency) == ("Rượu ngâm tắc kè", 1_200_000, "VND")


def test_price_on_request_keeps_the_text_without_an_amount() -> None:
    html = """<html><body><h1 class="t">Bán chim họa mi</h1><p class="b">Chim bẫy, hót hay</p>
    <span class="p">Thỏa thuận</span></body></html>"""
    ad = extract_ad(html, "https://x.example/1", {"title": ".t", "body": ".b", "price": ".p"})
    assert ad is not None
    assert (ad.price_text, ad.price_amount, ad.currency) == ("Thỏa thuận", None, None)


def test_pages_that_are_not_ads_give_none() -> None:
    category = """<html><head><meta property="og:title" content="Chợ Tốt - Mua bán">
    <meta property="og:description" content="Mua bán nhanh, giá tốt"></head>
    <body><a href="/a/1">Tin 1</a></body></html>"""
    assert extract_ad(category, "https://www.chotot.com/ha-noi/mua-ban") is None
    assert extract_ad("", "https://x.example/") is None


def test_bad_selectors_name_the_key() -> None:
    with pytest.raises(SelectorConfigError, match=r"selectors\.price"):
        extract_ad("<html></html>", "https://x.example/", {"price": "div[[["})
    with pytest.raises(SelectorConfigError, match=r"selectors\.phone: unknown key"):
        extract_ad("<html></html>", "https://x.example/", {"phone": ".p"})


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1.200.000 đ", 1_200_000, "VND"),
        ("2.500.000₫", 2_500_000, "VND"),
        ("1.200.000 VNĐ", 1_200_000, "VND"),
        ("2,5 triệu", 2_500_000, "VND"),
        ("15tr", 15_000_000, "VND"),
        ("2tr5", 2_500_000, "VND"),
        ("500k", 500_000, "VND"),
        ("1 tỷ 2", 1_000_000_000, "VND"),
        ("$150", 150, "USD"),
        ("1,200.50 USD", 1200.5, "USD"),
        ("3.000 baht", 3000, "THB"),
        ("Thỏa thuận", None, None),
        ("Liên hệ", None, None),
    ],
)
def test_prices_as_sellers_write_them(
    text: str, amount: float | None, currency: str | None
) -> None:
    assert parse_price(text) == (amount, currency)


def test_contacts_found_in_text_and_links() -> None:
    found = find_contacts(
        [
            "LH 0912 345 678 / 0903.111.222 hoặc +84 987 654 321, mail banhang@gmail.com",
            "fb: facebook.com/hangrung.taybac, zalo.me/0868123456, t.me/hangrung_vn",
        ]
    )
    assert found == [
        "banhang@gmail.com",
        "0912 345 678",
        "0903.111.222",
        "+84 987 654 321",
        "facebook.com/hangrung.taybac",
        "zalo.me/0868123456",
        "t.me/hangrung_vn",
    ]


def test_scrapy_style_selectors_read_text_and_attributes() -> None:
    # The sources file is validated with Scrapy's selector syntax, so the extractor accepts it
    # too: the number hides in a button attribute, the place in a text node beside an icon.
    html = """<html><head><title>Chợ Tốt</title></head><body>
      <nav>Trang chủ › Thú cưng › Chim</nav>
      <div class="ad"><h1 class="ad-title">Bán cặp vẹt xám châu Phi thuần tay</h1>
        <span class="price"><b>18.500.000</b> đ</span>
        <p class="place"><i class="icon-pin"></i> Quận 12, TP Hồ Chí Minh</p>
        <div class="desc"><p>Vẹt nhập khẩu, đủ giấy tờ.</p><p>Bao ăn, bao nói.</p></div>
        <button class="show-phone" data-phone="0909123456">Bấm để hiện số</button>
      </div><footer>© Chợ Tốt</footer></body></html>"""
    ad = extract_ad(
        html,
        "https://www.chotot.com/tp-ho-chi-minh/quan-12/thu-cung/113586241.htm",
        {
            "title": "h1.ad-title::text",
            "price": ".price",
            "location": "p.place::text",
            "body": ".desc p",
            "contact": "button.show-phone::attr(data-phone)",
        },
    )
    assert ad is not None
    assert ad.title == "Bán cặp vẹt xám châu Phi thuần tay"
    assert ad.price_amount == 18_500_000 and ad.currency == "VND"
    assert ad.location == "Quận 12, TP Hồ Chí Minh"
    assert ad.text == "Vẹt nhập khẩu, đủ giấy tờ.\n\nBao ăn, bao nói."
    assert any("0909123456" in contact for contact in ad.contacts)
