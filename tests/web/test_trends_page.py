"""The trends page on its defaults, over half a year of recent items: the last 90 days week
by week, quick ranges, top species plus "other", filters, a price chart that counts its
quotes, shows the spread, resists outliers and breaks where there are no prices."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.web.recent import seed_recent
from web.app import create_app
from web.charts import Series as ChartSeries
from web.charts import day_label, line_chart, spread_chart
from web.trends import OTHER, price_spreads, quartiles, range_axis, top_with_other
from web.trends_pages import chosen_interval, chosen_window

TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


@pytest.fixture
def recent_client(home: Path) -> TestClient:
    seed_recent(home, TODAY)
    return TestClient(create_app(login_required=False))


def _points(svg_fragment: str) -> list[str]:
    return re.findall(r'<polyline class="series" points="([^"]+)"', svg_fragment)


def test_default_is_the_last_90_days_week_by_week(recent_client: TestClient) -> None:
    page = recent_client.get("/trends", params={"ui": "en"})
    assert page.status_code == 200
    first = date.fromordinal(TODAY.toordinal() - 89)
    assert f"{first.isoformat()} to {TODAY.isoformat()}, per week" in page.text
    assert 'aria-current="true">90 days</a>' in page.text
    # 13 or 14 weekly points on the species chart, not 26
    species_svg = page.text.split("<figure")[1]
    dots = species_svg.count("<circle")
    lines = species_svg.count('<polyline class="series"')
    assert lines == 6  # top 5 + other
    assert 13 * 6 <= dots <= 14 * 6
    assert ">other</li>" in species_svg

    week = recent_client.get("/trends", params={"ui": "en", "range": "7d"})
    assert 'aria-current="true">7 days</a>' in week.text and "per day" in week.text
    everything = recent_client.get("/trends", params={"range": "all", "ui": "vi"})
    assert "mỗi tuần" in everything.text and 'aria-current="true">Tất cả</a>' in everything.text


def test_filters_narrow_the_charts(recent_client: TestClient) -> None:
    page = recent_client.get(
        "/trends", params={"species": "rhino", "kind": "news", "country": "VN", "ui": "en"}
    )
    species_svg = page.text.split("<figure")[1]
    assert species_svg.count('<polyline class="series"') == 1 and ">rhino</li>" in species_svg
    assert '<option value="rhino" selected>' in page.text
    assert '<option value="news" selected>' in page.text
    place = recent_client.get("/trends", params={"location": "Lạng Sơn", "range": "30d"})
    assert place.status_code == 200 and 'value="Lạng Sơn"' in place.text


def test_price_chart_counts_quotes_breaks_gaps_and_ignores_outliers(
    recent_client: TestClient,
) -> None:
    page = recent_client.get("/trends", params={"range": "1y", "ui": "en"})
    prices_svg = page.text.split("<figure")[3]
    assert "pangolin prices per kg" in prices_svg
    assert '<polygon class="band"' in prices_svg  # the interquartile band
    assert 'class="count-label"' in prices_svg  # number of quotes per point
    # a month without ads: the line is cut in two, never drawn across it
    assert len(_points(prices_svg)) >= 2
    # y axis scaled to the band (about 3M), not to the 120M outliers
    ticks = re.findall(r'text-anchor="end">([\d.]+M)</text>', prices_svg)
    assert ticks and max(float(t[:-1]) for t in ticks) <= 10


def test_quartiles_and_spreads_resist_one_extreme_price() -> None:
    assert quartiles([3e6]) == (3e6, 3e6, 3e6)
    q1, median, q3 = quartiles([2.8e6, 3e6, 3.1e6, 3.2e6, 120e6])
    assert median == 3.1e6 and q3 == 3.2e6 and q1 == 3e6
    axis = range_axis(date(2026, 11, 2), date(2026, 11, 23), "week")
    assert axis == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    hits = [
        {"published_at": f"2026-11-{day:02d}T10:00:00+07:00", "prices": [price]}
        for day, price in [
            (3, {"vnd": 3e6, "per": "kg", "text": "3 triệu/kg"}),
            (4, {"vnd": 3.2e6, "per": "kg", "text": "3,2 triệu/kg"}),
            (5, {"vnd": 300e6, "per": "kg", "text": "300 triệu/kg"}),
            (24, {"vnd": 2.9e6, "per": "kg", "text": "2,9 triệu/kg"}),
        ]
    ]
    (spread,) = price_spreads(hits, "week", "Asia/Ho_Chi_Minh", axis)
    assert spread.unit == "kg" and spread.counts == [3, 0, 0, 1]
    assert spread.median == [3.2e6, None, None, 2.9e6]


def test_top_species_keep_their_lines_and_the_rest_is_other() -> None:
    axis = ["2026-11-16", "2026-11-23"]
    buckets = [
        {"date": "2026-11-16", "keys": {"species": "pangolin"}, "count": 9},
        {"date": "2026-11-23", "keys": {"species": "pangolin"}, "count": 4},
        {"date": "2026-11-16", "keys": {"species": "bear"}, "count": 1},
        {"date": "2026-11-23", "keys": {"species": "seahorse"}, "count": 2},
        {"date": "2026-11-23", "keys": {"species": "rhino"}, "count": 5},
    ]
    table = top_with_other(buckets, "species", axis, top=2)  # type: ignore[arg-type]
    assert table.series == {"pangolin": [9, 4], "rhino": [0, 5], OTHER: [1, 2]}


def test_lines_break_at_gaps_and_dates_read_in_the_ui_language() -> None:
    dates = ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]
    chart = line_chart(dates, [ChartSeries("kg", [1.0, 2.0, None, 3.0])], lang="en")
    assert len(chart.lines[0].segments) == 1  # the lone last point is a dot, not a line
    assert len(chart.lines[0].dots) == 3
    assert chart.x_ticks[0][1] == "5 Jan 2026"
    assert day_label("2026-01-26", "vi") == "26/1" and day_label("2026-01-26", "en") == "26 Jan"
    spread = spread_chart(
        dates,
        [3e6, 3.1e6, None, 2.9e6],
        [2.9e6, 3e6, None, 2.9e6],
        [3.2e6, 3.3e6, None, 2.9e6],
        [5, 2, 0, 1],
        label="median",
        band_label="Q1–Q3",
        few=3,
        lang="vi",
        interval="week",
        count_word="giá",
    )
    assert [d.hollow for d in spread.lines[0].dots] == [False, True, True]
    assert [text for _, _, text in spread.notes] == ["5", "2", "1"]
    assert len(spread.bands) == 1 and "tuần từ 5/1/2026" in spread.lines[0].dots[0].title


def test_window_and_interval_choice() -> None:
    today = date(2026, 12, 3)
    assert chosen_window("", None, None, today) == ("90d", date(2026, 9, 5), today)
    assert chosen_window("all", None, None, today) == ("all", None, today)
    assert chosen_window("7d", date(2026, 1, 1), None, today)[0] == "custom"
    assert chosen_interval("", date(2026, 11, 27), today) == "day"
    assert chosen_interval("", date(2026, 9, 5), today) == "week"
