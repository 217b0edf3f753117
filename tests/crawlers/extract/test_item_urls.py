"""looks_like_item_url: default item-URL heuristics for sources without ``items`` regexes."""

from __future__ import annotations

import pytest

from crawlers.extract import looks_like_item_url


@pytest.mark.parametrize(
    "url",
    [
        "https://vnexpress.net/thu-giu-12-kg-sung-te-giac-giau-trong-thung-loa-4615421.html",
        "https://tuoitre.vn/bat-xe-tai-cho-vay-te-te-20230612143012345.htm",
        "https://cafef.vn/gia-go-trac-tang-manh-188230612101010123.chn",
        "https://laodong.vn/phap-luat/linh-12-nam-tu-vi-buon-ban-nga-voi-1201234.ldo",
        "https://tienphong.vn/bat-doi-tuong-buon-ho-post1545678.tpo",
        "https://www.vietnamplus.vn/thu-giu-vay-te-te-post876543.vnp",
        "https://dantri.com.vn/phap-luat/khoi-to-chu-co-so-nuoi-ho-20230612143000123.htm",
        "https://thanhnien.vn/phat-hien-kho-go-trac-lau-185230612.htm",
        "https://news.mongabay.com/2023/06/vietnams-pangolin-traders-move-online/",
        "https://www.bangkokpost.com/thailand/general/2590123/customs-seize-ivory-at-suvarnabhumi",
        "https://e.vnexpress.net/news/news/police-seize-rhino-horn-at-hanoi-airport-4615500.html",
        "https://www.traffic.org/news/wildlife-trade-in-southeast-asia-new-report-findings/",
    ],
)
def test_news_article_urls_are_items(url: str) -> None:
    assert looks_like_item_url(url, "news")


@pytest.mark.parametrize(
    "url",
    [
        "https://vnexpress.net/",
        "https://vnexpress.net/thoi-su/moi-truong",
        "https://vnexpress.net/thoi-su/moi-truong-p2",
        "https://vnexpress.net/chu-de/buon-lau-dong-vat-hoang-da-1234",
        "https://vnexpress.net/tag/sung-te-giac-123456",
        "https://tuoitre.vn/tac-gia/minh-chung-12345.htm",
        "https://tuoitre.vn/tim-kiem.htm?keywords=te%20giac",
        "https://dantri.com.vn/phap-luat/trang-3.htm",
        "https://dantri.com.vn/video/bat-giu-xe-cho-ho-2023061212345.htm",
        "https://news.mongabay.com/page/2/",
        "https://news.mongabay.com/list/wildlife-trade/",
        "https://news.mongabay.com/?s=pangolin",
        "https://vnexpress.net/login",
        "https://news.mongabay.com/2023/06/",
        "https://thanhnien.vn/thoi-su.htm?page=4",
    ],
)
def test_listing_and_utility_urls_are_not_items(url: str) -> None:
    assert not looks_like_item_url(url, "news")


def test_marketplace_and_social_items() -> None:
    assert looks_like_item_url(
        "https://www.chotot.com/ha-noi/mua-ban/vong-tay-go-trac-109876543.htm", "marketplace"
    )
    assert looks_like_item_url(
        "https://muaban.example/thu-cung/ban-chim-khuou-id445566", "marketplace"
    )
    assert not looks_like_item_url("https://www.chotot.com/ha-noi/mua-ban-do-go", "marketplace")
    assert looks_like_item_url("https://t.me/hangrung_taybac/1521", "social")
    assert not looks_like_item_url("https://t.me/s/hangrung_taybac", "social")
