"""How spiders discover items: feed and sitemap parsing, link roles, retry backoff (pure)."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from crawlers.backoff import backoff_delay
from crawlers.feeds import NotXmlError, is_feed, parse_date, parse_feed, parse_sitemap
from crawlers.links import LinkRole, absolute_link, link_role
from crawlers.sources import Source

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>VnExpress RSS - Pháp luật</title>
<item><title>Bắt 2 người vận chuyển 200 kg vảy tê tê</title>
 <link>https://vnexpress.net/bat-2-nguoi-van-chuyen-200-kg-vay-te-te-4712345.html?a=1&b=2</link>
 <pubDate>Tue, 12 Mar 2024 09:30:00 +0700</pubDate></item>
<item><title>Tin & ảnh: thả rùa</title>
 <guid isPermaLink="true">https://vnexpress.net/tha-rua-4712300.html</guid>
 <pubDate>Mon, 11 Mar 2024 02:00:00 GMT</pubDate></item>
<item><title>Không có liên kết</title><guid isPermaLink="false">abc-123</guid></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Mongabay Vietnam</title>
<entry><title>Pangolin seizure</title>
 <link rel="enclosure" href="https://news.example/img/1.jpg"/>
 <link rel="alternate" href="https://news.example/2024/03/pangolin-seizure/"/>
 <published>2024-03-12T02:30:00Z</published></entry>
</feed>"""


def test_rss_links_dates_and_guid_permalinks() -> None:
    entries = parse_feed(RSS)
    assert [e.url for e in entries] == [
        "https://vnexpress.net/bat-2-nguoi-van-chuyen-200-kg-vay-te-te-4712345.html?a=1&b=2",
        "https://vnexpress.net/tha-rua-4712300.html",
    ]
    assert entries[0].published_at == "2024-03-12T09:30:00+07:00"
    assert entries[1].published_at == "2024-03-11T02:00:00+00:00"
    assert entries[1].title == "Tin & ảnh: thả rùa"  # the unescaped & did not break the feed


def test_atom_alternate_link_not_enclosure() -> None:
    (entry,) = parse_feed(ATOM)
    assert entry.url == "https://news.example/2024/03/pangolin-seizure/"
    assert entry.published_at == "2024-03-12T02:30:00+00:00"
    assert is_feed(ATOM) and not is_feed("<html><body>Trang chủ</body></html>".encode())


def test_html_error_page_or_binary_is_not_a_feed() -> None:
    with pytest.raises(NotXmlError):
        parse_feed(b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>")
    with pytest.raises(NotXmlError):
        parse_feed(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(NotXmlError):
        parse_sitemap(b"")


def test_sitemap_index_and_gzipped_news_sitemap() -> None:
    index = parse_sitemap(
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://baomoi.example/sitemaps/news.xml.gz</loc></sitemap>"
        b"<sitemap><loc> https://baomoi.example/sitemaps/2024-03.xml </loc></sitemap>"
        b"</sitemapindex>"
    )
    assert index.children == (
        "https://baomoi.example/sitemaps/news.xml.gz",
        "https://baomoi.example/sitemaps/2024-03.xml",
    )
    news = gzip.compress(
        '<?xml version="1.0" encoding="UTF-8"?><urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>https://baomoi.example/bat-xe-cho-ho-c12345.epi</loc><news:news>"
        "<news:publication_date>2024-03-12T09:30:00+07:00</news:publication_date>"
        "<news:title>Bắt xe chở hổ</news:title></news:news></url>"
        "<url><loc>https://baomoi.example/phap-luat.epi</loc><lastmod>2024-03-12</lastmod></url>"
        "</urlset>".encode()
    )
    sitemap = parse_sitemap(news)
    assert [(e.url, e.is_news, e.published_at) for e in sitemap.entries] == [
        ("https://baomoi.example/bat-xe-cho-ho-c12345.epi", True, "2024-03-12T09:30:00+07:00"),
        ("https://baomoi.example/phap-luat.epi", False, None),  # lastmod is not a publish date
    ]


def test_xml_entities_are_never_expanded() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url>'
        b"</urlset>"
    )
    assert all("root:" not in entry.url for entry in parse_sitemap(evil).entries)


def test_unreadable_dates_are_none() -> None:
    assert parse_date("hôm qua") is None
    assert parse_date("2024-03-12 09:30:00") == "2024-03-12T09:30:00+00:00"


NEWS = Source(
    name="bao",
    kind="news",
    start_urls=("https://bao.example/phap-luat/",),
    follow=(r"/phap-luat/trang-\d+$",),
    items=(r"/phap-luat/[a-z0-9-]+-\d{5,}\.html$",),
)


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        (
            "/phap-luat/bat-xe-cho-te-te-10234.html#binh-luan",
            "https://bao.example/phap-luat/bat-xe-cho-te-te-10234.html",
        ),
        ("trang-2", "https://bao.example/phap-luat/trang-2"),
        ("mailto:toasoan@bao.example", None),
        ("javascript:void(0)", None),
        ("tel:0912345678", None),
        ("#top", None),
        ("/img/anh-tang-vat.JPG", None),
        # malformed links a hostile page may carry cost one link, never the crawl
        ("http://[::1/x", None),
        ("https://bao.example:99999/tin-1.html", None),
        ("http://[zz]/tin", None),
        ("//bao.example:0/tin", None),
        ("/tin-" + "a" * 3000, None),
    ],
)
def test_absolute_links(href: str, expected: str | None) -> None:
    assert absolute_link("https://bao.example/phap-luat/", href) == expected


def test_link_roles_follow_the_source_regexes() -> None:
    item = "https://bao.example/phap-luat/bat-xe-cho-te-te-10234.html"
    assert link_role(item, NEWS) is LinkRole.ITEM
    assert link_role("https://bao.example/phap-luat/trang-3", NEWS) is LinkRole.FOLLOW
    assert link_role("https://bao.example/phap-luat/trang-3?sort=cu", NEWS) is None
    assert link_role("https://bao.example/the-thao/", NEWS) is None


def test_default_item_heuristics_apply_without_items_regexes() -> None:
    source = Source(name="bao2", kind="news", start_urls=("https://bao.example/",))
    article = "https://bao.example/thoi-su/bat-giu-xe-tai-cho-12-ca-the-te-te-20240312093000.htm"
    assert link_role(article, source) is LinkRole.ITEM
    assert link_role("https://bao.example/thoi-su/", source) is None


def test_retry_backoff_doubles_and_is_capped() -> None:
    assert [backoff_delay(1.0, attempt) for attempt in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert backoff_delay(1.0, 20) == 60.0
    assert backoff_delay(0, 3) == 0.0


def listing_spider() -> Any:
    from scrapy.utils.test import get_crawler

    from crawlers.spiders import NewsSpider

    source = Source(
        name="bao",
        kind="news",
        feeds=("https://bao.example/rss",),
        start_urls=("https://bao.example/phap-luat/",),
        follow=("/phap-luat/",),
        items=(r"/phap-luat/[a-z0-9-]+-\d{5,}\.html$",),
    )
    crawler = get_crawler(NewsSpider)
    crawler._apply_settings()
    return NewsSpider.from_crawler(crawler, source=source)


def listing_page(url: str, items: range, links: list[str], streak: int = 0) -> Any:
    from scrapy.http import HtmlResponse, Request

    anchors = [f'<a href="/phap-luat/bai-{n}-{10000 + n}.html">Bài {n}</a>' for n in items]
    anchors += [f'<a href="{link}">tiếp</a>' for link in links]
    body = f"<html><body>{''.join(anchors)}</body></html>".encode()
    request = Request(url, meta={"wildwatch_barren_streak": streak})
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return HtmlResponse(url, body=body, headers=headers, request=request)


def followed(requests: list[Any]) -> list[Any]:
    return [r for r in requests if r.callback.__name__ == "parse_listing"]


def test_pagination_repeating_a_long_feed_is_still_followed() -> None:
    spider = listing_spider()
    for n in range(80):  # the feed lists the 80 newest stories: listing pages 1-4
        spider.item_request(f"https://bao.example/phap-luat/bai-{n}-{10000 + n}.html")
    url, streak = "https://bao.example/phap-luat/trang-1", 0
    for page in range(1, 6):
        response = listing_page(
            url, range((page - 1) * 20, page * 20), [f"trang-{page + 1}"], streak
        )
        (next_page,) = followed(list(spider.parse_listing(response)))
        url, streak = next_page.url, next_page.meta["wildwatch_barren_streak"]
    assert url == "https://bao.example/phap-luat/trang-6"


def test_listing_chain_without_new_items_is_pruned() -> None:
    spider = listing_spider()
    page1 = listing_page("https://bao.example/phap-luat/", range(20), ["lich?thang=2024-03"])
    (calendar,) = followed(list(spider.parse_listing(page1)))
    pages = 0
    while calendar is not None and pages < 10:
        month = int(calendar.url[-2:])
        response = listing_page(
            calendar.url,
            range(5),
            [f"lich?thang=2024-{month + 1:02d}"],
            calendar.meta["wildwatch_barren_streak"],
        )
        next_pages = followed(list(spider.parse_listing(response)))
        calendar = next_pages[0] if next_pages else None
        pages += 1
    assert pages == 3  # the calendar only repeats items of page 1
    assert spider.crawler.stats.get_value("wildwatch/trap_pruned") == 1


def test_every_bundled_source_builds_its_spider_and_seed_requests() -> None:
    from scrapy.utils.test import get_crawler

    from crawlers.sources import bundled_sources_path, load_sources
    from crawlers.spiders import spider_class

    for source in load_sources(bundled_sources_path()):
        cls = spider_class(source)
        crawler = get_crawler(cls)
        crawler._apply_settings()
        spider = cls.from_crawler(crawler, source=source)
        seeds = list(spider.seed_requests())
        assert len(seeds) == len(source.seed_urls), source.name
        assert all(spider.same_site(request.url) for request in seeds), source.name
        assert all(
            request.meta.get("playwright") is (True if source.render_js else None)
            for request in seeds
        ), source.name
