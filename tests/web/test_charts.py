"""Chart geometry: axes, ticks, gaps and stacking as a reader would check them."""

from __future__ import annotations

from web.charts import (
    Series,
    date_axis,
    format_count,
    format_vnd,
    line_chart,
    nice_ticks,
    spread_chart,
    stacked_bar_chart,
)


def test_date_axis_fills_empty_weeks_and_days() -> None:
    assert date_axis(["2024-03-18", "2024-03-04"], "week") == [
        "2024-03-04",
        "2024-03-11",
        "2024-03-18",
    ]
    assert date_axis(["2024-02-28", "2024-03-01"], "day") == [
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
    ]
    assert date_axis([], "day") == []


def test_ticks_are_round_and_cover_the_maximum() -> None:
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(2_600_000) == [0, 1_000_000, 2_000_000, 3_000_000]
    assert nice_ticks(3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0, 1]


def test_line_chart_puts_higher_values_higher_and_labels_dates() -> None:
    chart = line_chart(
        ["2024-03-04", "2024-03-11", "2024-03-18"],
        [Series("tê tê", [1, 5, None]), Series("<b>rùa</b>", [0, 0, 2])],
        width=600,
        height=300,
    )
    first = chart.lines[0]
    assert len(first.dots) == 2  # no dot for a missing value
    assert first.dots[1].y < first.dots[0].y
    assert chart.x_ticks[0][1] == "4/3/2024" and chart.x_ticks[1][1] == "11/3"
    assert [label for _, label in chart.y_ticks] == ["0", "1", "2", "3", "4", "5"]
    assert chart.legend[1][0] == "<b>rùa</b>"  # escaped by the template, not here
    assert first.dots[1].title == "tê tê · 2024-03-11: 5"


def test_stacked_bars_stack_and_skip_zeros() -> None:
    chart = stacked_bar_chart(
        ["2024-03-04", "2024-03-11"], [Series("seizure", [2, 1]), Series("arrest", [1, 0])]
    )
    assert len(chart.bars) == 3
    seizure, _, arrest = chart.bars
    assert abs(arrest.y + arrest.height - seizure.y) < 0.2  # arrest sits on top of seizure
    assert stacked_bar_chart(["2024-03-04"], [Series("x", [0])]).empty


def test_vnd_is_compact() -> None:
    assert format_vnd(25_000_000) == "25M"
    assert format_vnd(2_500_000) == "2.5M"
    assert format_vnd(800_000) == "800k"


def test_money_is_compact_in_the_chart_language() -> None:
    assert format_vnd(150_000_000, "vi") == "150 tr ₫"
    assert format_vnd(1_500_000, "vi") == "1,5 tr ₫"
    assert format_vnd(2_500_000_000, "vi") == "2,5 tỷ ₫"
    assert format_vnd(800_000, "vi") == "800 nghìn ₫"
    assert format_vnd(999_950, "vi") == "1 tr ₫"  # rounded up into the next magnitude
    assert format_vnd(1_500_000, "en") == "1.5M"
    assert format_count(1500, "vi") == "1.500" and format_count(1500, "en") == "1,500"


def test_price_chart_axis_and_tooltips_read_in_vietnamese_and_english() -> None:
    dates = ["2026-01-05", "2026-01-12", "2026-01-19"]
    median, low, high = [3e6, 150e6, 1.5e6], [2.5e6, 100e6, 1.2e6], [3.5e6, 180e6, 1.8e6]

    def chart(lang: str) -> tuple[list[str], list[str]]:
        drawn = spread_chart(
            dates, median, low, high, [5, 4, 3], label="median", band_label="Q1–Q3",
            few=3, lang=lang, interval="week", count_word="giá" if lang == "vi" else "prices",
        )  # fmt: skip
        return [text for _, text in drawn.y_ticks], [d.title for d in drawn.lines[0].dots]

    ticks, titles = chart("vi")
    assert ticks[:2] == ["0 ₫", "50 tr ₫"] and ticks[-1] == "200 tr ₫"
    assert titles[1].endswith(": 150 tr ₫ (4 giá; 100 tr ₫–180 tr ₫)")
    assert titles[2].endswith(": 1,5 tr ₫ (3 giá; 1,2 tr ₫–1,8 tr ₫)")
    ticks, titles = chart("en")
    assert ticks[:2] == ["0", "50M"] and titles[2].endswith(": 1.5M (3 prices; 1.2M–1.8M)")


def test_count_chart_groups_counts_in_the_chart_language() -> None:
    drawn = line_chart(["2026-01-05"], [Series("tê tê", [1500])], lang="vi")
    assert "1.500" in [text for _, text in drawn.y_ticks]
    assert drawn.lines[0].dots[0].title.endswith(": 1.500")
