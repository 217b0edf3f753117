"""extract_article on stored pages modeled on Vietnamese and regional news sites."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.extract import decode_body, extract_article
from tests.crawlers.extract.golden import StoredPage, stored_pages

ARTICLES = stored_pages("article")
LISTINGS = stored_pages("listing")


@pytest.mark.parametrize("page", ARTICLES, ids=lambda page: page.name)
def test_article_fields_and_text_match_the_golden_file(page: StoredPage) -> None:
    golden = page.golden
    article = extract_article(decode_body(page.body, golden.get("content_type")), golden["url"])
    assert article is not None
    assert article.title == golden["title"]
    expected_date = datetime.fromisoformat(golden["published_at"])
    assert article.published_at == expected_date
    assert article.published_at.utcoffset() == expected_date.utcoffset()
    for key in ("modified_at",):
        if key in golden:
            assert getattr(article, key) == datetime.fromisoformat(golden[key])
    for key in ("lang", "author", "section", "canonical_url"):
        if key in golden:
            assert getattr(article, key) == golden[key], key
    for sentence in golden["must_contain"]:
        assert sentence in article.text
    for boilerplate in golden["must_not_contain"]:
        assert boilerplate not in article.text
    assert "\n\n" in article.text and "\n\n\n" not in article.text


@pytest.mark.parametrize("page", LISTINGS, ids=lambda page: page.name)
def test_listing_pages_are_not_articles(page: StoredPage) -> None:
    html = decode_body(page.body, page.golden.get("content_type"))
    assert extract_article(html, page.golden["url"]) is None


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body></body></html>",
        "<html><head><title>404 - Không tìm thấy trang</title></head><body><h1>404</h1>"
        "<p>Trang bạn tìm không tồn tại hoặc đã bị xóa.</p><a href='/'>Về trang chủ</a>"
        "</body></html>",
        "<html><body><img src='a.jpg'><p>Ảnh: Reuters</p></body></html>",
    ],
    ids=["empty", "empty-body", "error-404", "photo-only"],
)
def test_pages_without_an_article_body_give_none(html: str) -> None:
    assert extract_article(html, "https://example.vn/x-123456.html") is None


def test_jsonld_article_body_is_used_when_the_page_renders_text_with_javascript() -> None:
    body = " ".join(["Lực lượng kiểm lâm thu giữ 30 cá thể rùa trên xe khách."] * 6)
    html = (
        '<html lang="vi"><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Thu giữ rùa",'
        f'"datePublished": "2023-06-12T08:00:00+07:00", "articleBody": "{body}"}}'
        '</script></head><body><div id="root"></div></body></html>'
    )
    article = extract_article(html, "https://example.vn/thu-giu-rua-123456.html")
    assert article is not None
    assert article.title == "Thu giữ rùa"
    assert "30 cá thể rùa" in article.text
    assert article.published_at == datetime.fromisoformat("2023-06-12T08:00:00+07:00")


def test_relative_canonical_url_is_made_absolute_and_defaults_to_the_page_url() -> None:
    paragraph = "<p>" + "Cảnh sát môi trường bắt giữ đối tượng buôn bán ngà voi. " * 6 + "</p>"
    head = '<head><link rel="canonical" href="/a-1234567.html"></head>'
    with_link = f"<html>{head}<body><article>{paragraph}</article></body></html>"
    without = f"<html><body><article>{paragraph}</article></body></html>"
    first = extract_article(with_link, "https://baomoi.example/a-1234567.html?utm_source=fb")
    second = extract_article(without, "https://baomoi.example/b-7654321.html")
    assert first is not None and first.canonical_url == "https://baomoi.example/a-1234567.html"
    assert second is not None and second.canonical_url == "https://baomoi.example/b-7654321.html"


def test_a_malformed_canonical_link_falls_back_to_the_page_url() -> None:
    paragraph = "<p>" + "Kiểm lâm thu giữ 12 cá thể rùa núi vàng tại Quảng Bình. " * 6 + "</p>"
    for href in ("http://[::1", "https://example.vn:99999/x", "javascript:alert(1)"):
        page = (
            f'<html><head><link rel="canonical" href="{href}"></head>'
            f"<body><article>{paragraph}</article></body></html>"
        )
        article = extract_article(page, "https://baoquangbinh.example/rua-1234.html")
        assert article is not None, href
        assert article.canonical_url == "https://baoquangbinh.example/rua-1234.html", href
