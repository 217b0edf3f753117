"""parse_vietnamese_date and parse_published on the ways pages write dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crawlers.extract import parse_published, parse_vietnamese_date

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2023, 6, 12, 16, 30, tzinfo=HCM)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thứ Hai, 12/6/2023, 14:30 (GMT+7)", datetime(2023, 6, 12, 14, 30)),
        ("Thứ hai, ngày 12/06/2023 - 14:30", datetime(2023, 6, 12, 14, 30)),
        ("12/06/2023 14:30 GMT+7", datetime(2023, 6, 12, 14, 30)),
        ("14:30 12/6/2023", datetime(2023, 6, 12, 14, 30)),
        ("Cập nhật: 12-06-2023 14:30", datetime(2023, 6, 12, 14, 30)),
        ("12 tháng 6, 2023", datetime(2023, 6, 12)),
        ("ngày 12 tháng 06 năm 2023", datetime(2023, 6, 12)),
        ("Chủ nhật, 5/11/2023", datetime(2023, 11, 5)),  # day first: 5 November
        ("Đăng lúc 08h15 ngày 3.7.2023", datetime(2023, 7, 3, 8, 15)),
        ("June 12, 2023", datetime(2023, 6, 12)),
        ("12 Jun 2023", datetime(2023, 6, 12)),
        ("Published: 12 Jun 2023 at 14:30", datetime(2023, 6, 12, 14, 30)),
        ("Sept. 5, 2023 2:30 PM", datetime(2023, 9, 5, 14, 30)),
        ("2023-06-12 09:05", datetime(2023, 6, 12, 9, 5)),
    ],
)
def test_visible_dates_are_read_in_the_sources_zone(text: str, expected: datetime) -> None:
    parsed = parse_vietnamese_date(text)
    assert parsed == expected.replace(tzinfo=HCM)
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=7)


def test_explicit_offsets_are_honoured() -> None:
    parsed = parse_vietnamese_date("12/06/2023 14:30 GMT+8")
    assert parsed == datetime(2023, 6, 12, 14, 30, tzinfo=timezone(timedelta(hours=8)))
    assert parse_vietnamese_date("2023-06-12T07:30:00Z") == datetime(2023, 6, 12, 7, 30, tzinfo=UTC)


def test_other_zone_for_regional_sources() -> None:
    parsed = parse_vietnamese_date("12 Jun 2023 14:30", tz="Asia/Bangkok")
    assert parsed == datetime(2023, 6, 12, 14, 30, tzinfo=ZoneInfo("Asia/Bangkok"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 giờ trước", NOW - timedelta(hours=2)),
        ("Đăng 30 phút trước", NOW - timedelta(minutes=30)),
        ("3 ngày trước", NOW - timedelta(days=3)),
        ("1 tuần trước", NOW - timedelta(weeks=1)),
        ("hôm qua", NOW - timedelta(days=1)),
        ("Hôm qua lúc 08:15", datetime(2023, 6, 11, 8, 15, tzinfo=HCM)),
        ("hom qua", NOW - timedelta(days=1)),  # sellers often type without diacritics
        ("vừa xong", NOW),
        ("5 hours ago", NOW - timedelta(hours=5)),
        ("yesterday", NOW - timedelta(days=1)),
    ],
)
def test_relative_dates_count_back_from_now(text: str, expected: datetime) -> None:
    assert parse_vietnamese_date(text, now=NOW) == expected


@pytest.mark.parametrize(
    "text", ["", "Không có ngày", "31/02/2023", "99/99/2023", "Giá 12/6 triệu", "Số 2023"]
)
def test_no_date_gives_none(text: str) -> None:
    assert parse_vietnamese_date(text, now=NOW) is None


def test_published_from_jsonld_in_a_graph_and_a_list() -> None:
    html = """<html><head>
    <script type="application/ld+json">[{"@type": "Organization", "name": "Báo"},
      {"@context": "https://schema.org", "@graph": [{"@type": ["NewsArticle"],
       "datePublished": "2023-06-12T14:30:00+07:00"}]}]</script></head><body></body></html>"""
    assert parse_published(html) == datetime(2023, 6, 12, 14, 30, tzinfo=HCM)


def test_published_from_meta_tags_and_time_element() -> None:
    meta = '<meta property="article:published_time" content="2023-06-12T07:30:00Z">'
    assert parse_published(f"<html><head>{meta}</head></html>") == datetime(
        2023, 6, 12, 7, 30, tzinfo=UTC
    )
    itemprop = '<meta itemprop="datePublished" content="2023-06-12 14:30:00">'
    assert parse_published(f"<html><head>{itemprop}</head></html>") == datetime(
        2023, 6, 12, 14, 30, tzinfo=HCM
    )
    time = '<time datetime="2023-06-12T14:30:00+07:00">12/6</time>'
    assert parse_published(f"<html><body>{time}</body></html>") == datetime(
        2023, 6, 12, 14, 30, tzinfo=HCM
    )


def test_broken_jsonld_is_repaired_or_skipped_without_losing_the_meta_date() -> None:
    html = """<html><head>
    <script type="application/ld+json">{"@type": "NewsArticle", "datePublished":
      "2023-06-12T14:30:00+07:00", "headline": "Dòng 1
      dòng 2",}</script></head></html>"""
    assert parse_published(html) == datetime(2023, 6, 12, 14, 30, tzinfo=HCM)
    garbage = '<script type="application/ld+json">{not json</script>'
    meta = '<meta name="pubdate" content="2023-06-13T10:00:00+07:00">'
    assert parse_published(f"<html><head>{garbage}{meta}</head></html>") == datetime(
        2023, 6, 13, 10, 0, tzinfo=HCM
    )


def test_a_date_quoted_in_the_story_is_not_taken_for_the_publication_date() -> None:
    html = """<html><body><h1>Bắt giữ đối tượng</h1>
    <p>Ngày 5/11/2019, đối tượng đã từng bị xử phạt vì buôn bán ngà voi.</p></body></html>"""
    assert parse_published(html) is None
