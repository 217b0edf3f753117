"""Chart geometry for the trends and coverage pages.

Pure functions: read dated series of numbers; write ``Chart`` values (coordinates, ticks,
legend) that ``templates/_charts.html`` draws as inline SVG. Numbers on axes and in tooltips
are written in the chart's language (``pipelines.figures``: "1,5 tr ₫" in vi, "1.5M" in en).
Labels stay plain strings here and are escaped by the template like any other text, so a
source name from a crawled site cannot inject markup into a chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipelines.figures import format_compact, format_number

# Okabe-Ito: distinguishable for the common colour-vision deficiencies, readable on white.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#882255",
    "#444444",
)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per x position; None = no data


@dataclass
class Mark:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str  # tooltip: series, date, value
    hollow: bool = False  # a point resting on few observations (drawn as an open circle)


@dataclass
class Line:
    label: str
    color: str
    points: str  # SVG polyline points
    dots: list[Mark]
    # The same points cut where a value is missing: a line never bridges a gap in the data.
    segments: list[str] = field(default_factory=list)


@dataclass
class Chart:
    kind: str  # line | bar
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    bars: list[Mark] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    y_label: str = ""
    bands: list[tuple[str, str]] = field(default_factory=list)  # (polygon points, colour)
    notes: list[tuple[float, float, str]] = field(default_factory=list)  # small labels

    @property
    def empty(self) -> bool:
        return not self.lines and not self.bars


def date_axis(dates: Sequence[str], interval: str) -> list[str]:
    """Every bucket date from the first to the last (the backend omits empty buckets, and a
    chart with gaps silently closed would draw a trend that is not there)."""
    parsed = sorted({date.fromisoformat(d) for d in dates})
    if not parsed:
        return []
    step = timedelta(days=7 if interval == "week" else 1)
    axis: list[str] = []
    current = parsed[0]
    while current <= parsed[-1] and len(axis) < 2000:
        axis.append(current.isoformat())
        current += step
    # bucket dates off the regular step (backend week start differs) are kept as they come
    extra = {d.isoformat() for d in parsed} - set(axis)
    return sorted(set(axis) | extra)


def nice_ticks(maximum: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (1, 2, 2.5, 5 × 10^n steps);
    ``integer`` keeps steps whole (item counts have no 0.2)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw_step = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    if integer:
        step = max(1.0, float(math.ceil(step)))
    ticks = [0.0]
    while ticks[-1] < maximum:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def format_count(value: float, lang: str | None = None) -> str:
    """An item count grouped in the chart's language (1.500 in vi, 1,500 in en); with no
    language, by a thin space that reads the same in both (1 500)."""
    if lang is not None:
        return format_number(value, lang, decimals=1)
    return f"{value:,.0f}".replace(",", " ") if value == int(value) else f"{value:.1f}"


def format_vnd(value: float, lang: str | None = None) -> str:
    """Compact đồng amounts for axes and tooltips: 150.000.000 → "150 tr ₫" (vi), "150M" (en,
    as trade reports write it; the axis says VND)."""
    text = format_compact(value, lang or "en")
    return f"{text} ₫" if lang == "vi" else text


# A value formatter of the charts: (value, language) → label.
Formatter = Callable[[float, str | None], str]


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_label(iso: str, lang: str, *, with_year: bool = False) -> str:
    """A bucket date as readers write it: "20/3" (vi), "20 Mar" (en), year on demand."""
    year, month, day = (int(part) for part in iso.split("-"))
    if lang == "en":
        return f"{day} {_MONTHS_EN[month - 1]}" + (f" {year}" if with_year else "")
    return f"{day}/{month}" + (f"/{year}" if with_year else "")


def bucket_title(iso: str, interval: str, lang: str) -> str:
    """What one point stands for, for tooltips: a day, or the week starting that day."""
    text = day_label(iso, lang, with_year=True)
    if interval != "week":
        return text
    return f"tuần từ {text}" if lang == "vi" else f"week of {text}"


def _date_labels(
    dates: Sequence[str], max_labels: int, lang: str | None = None
) -> list[tuple[int, str]]:
    if not dates:
        return []
    every = max(1, math.ceil(len(dates) / max_labels))
    labels: list[tuple[int, str]] = []
    last_year = ""
    for index in range(0, len(dates), every):
        year, month, day = dates[index].split("-")
        if lang is not None:
            labels.append((index, day_label(dates[index], lang, with_year=year != last_year)))
            last_year = year
            continue
        text = f"{int(day)}/{int(month)}"
        if year != last_year:
            text += f"/{year}"
            last_year = year
        labels.append((index, text))
    return labels


def _frame(kind: str, width: int, height: int) -> Chart:
    return Chart(kind=kind, width=width, height=height, left=64, top=16, right=16, bottom=40)


def _y_axis(
    chart: Chart, maximum: float, fmt: Formatter, lang: str | None
) -> Callable[[float], float]:
    ticks = nice_ticks(maximum, integer=fmt is format_count)
    top_value = ticks[-1]
    plot_h = chart.height - chart.top - chart.bottom

    def y_of(value: float) -> float:
        return round(chart.top + plot_h * (1 - value / top_value), 1)

    chart.y_ticks = [(y_of(t), fmt(t, lang)) for t in ticks]
    return y_of


def line_chart(
    dates: Sequence[str],
    series: Sequence[Series],
    *,
    y_label: str = "",
    fmt: Formatter = format_count,
    width: int = 760,
    height: int = 280,
    lang: str | None = None,
    interval: str = "day",
) -> Chart:
    """One line per series; ``lang`` labels the dates in that language (tooltips name the
    day or the week), otherwise they read d/m/yyyy."""
    chart = _frame("line", width, height)
    chart.y_label = y_label
    values = [v for s in series for v in s.values if v is not None]
    if not dates or not values:
        return chart
    shown = lang
    y_of = _y_axis(chart, max(values), fmt, shown)
    x_of = _x_positions(chart, len(dates))
    chart.x_ticks = [(x_of(i), text) for i, text in _date_labels(dates, 8, lang)]
    for number, one in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        dots: list[Mark] = []
        segments: list[list[str]] = [[]]
        for i, v in enumerate(one.values):
            if v is None:
                if segments[-1]:
                    segments.append([])
                continue
            when = bucket_title(dates[i], interval, lang) if lang else dates[i]
            dots.append(
                Mark(x_of(i), y_of(v), 0, 0, color, f"{one.label} · {when}: {fmt(v, shown)}")
            )
            segments[-1].append(f"{dots[-1].x},{dots[-1].y}")
        points = " ".join(f"{d.x},{d.y}" for d in dots)
        cut = [" ".join(part) for part in segments if len(part) > 1]
        chart.lines.append(Line(one.label, color, points, dots, cut))
        chart.legend.append((one.label, color))
    return chart


def _x_positions(chart: Chart, n: int) -> Callable[[int], float]:
    plot_w = chart.width - chart.left - chart.right

    def x_of(index: int) -> float:
        return round(chart.left + (plot_w * index / (n - 1) if n > 1 else plot_w / 2), 1)

    return x_of


def spread_chart(
    dates: Sequence[str],
    median: Sequence[float | None],
    low: Sequence[float | None],
    high: Sequence[float | None],
    counts: Sequence[int],
    *,
    label: str,
    band_label: str,
    few: int,
    lang: str,
    interval: str,
    count_word: str,
    fmt: Formatter = format_vnd,
    width: int = 1160,
    height: int = 320,
) -> Chart:
    """A median line over a band from ``low`` to ``high`` (the interquartile range), the
    number of values under each point, and points resting on fewer than ``few`` values drawn
    open. The y axis is scaled to the band, not to single extreme prices."""
    chart = _frame("line", width, height)
    chart.y_label = "VND"
    tops = [v for v in (*high, *median) if v is not None]
    if not dates or not tops:
        return chart
    y_of = _y_axis(chart, max(tops), fmt, lang)
    x_of = _x_positions(chart, len(dates))
    chart.x_ticks = [(x_of(i), text) for i, text in _date_labels(dates, 8, lang)]
    color = PALETTE[0]
    runs: list[list[int]] = [[]]
    for i, value in enumerate(median):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(i)
    dots: list[Mark] = []
    segments: list[str] = []
    for run in (r for r in runs if r):
        if len(run) > 1:
            segments.append(" ".join(f"{x_of(i)},{y_of(median[i] or 0)}" for i in run))
        upper = [f"{x_of(i)},{y_of(high[i] or median[i] or 0)}" for i in run]
        lower = [f"{x_of(i)},{y_of(low[i] or median[i] or 0)}" for i in reversed(run)]
        if len(run) > 1:
            chart.bands.append((" ".join(upper + lower), color))
        for i in run:
            value = median[i] or 0
            title = (
                f"{label} · {bucket_title(dates[i], interval, lang)}: {fmt(value, lang)} "
                f"({counts[i]} {count_word}; "
                f"{fmt(low[i] or value, lang)}–{fmt(high[i] or value, lang)})"
            )
            dots.append(Mark(x_of(i), y_of(value), 0, 0, color, title, hollow=counts[i] < few))
            chart.notes.append((x_of(i), round(y_of(value) - 8, 1), str(counts[i])))
    points = " ".join(f"{d.x},{d.y}" for d in dots)
    chart.lines.append(Line(label, color, points, dots, segments))
    chart.legend.append((label, color))
    chart.legend.append((band_label, "#b3d4ea"))
    return chart


def stacked_bar_chart(
    dates: Sequence[str],
    series: Sequence[Series],
    *,
    y_label: str = "",
    fmt: Formatter = format_count,
    width: int = 760,
    height: int = 280,
    lang: str | None = None,
    interval: str = "day",
) -> Chart:
    chart = _frame("bar", width, height)
    chart.y_label = y_label
    n = len(dates)
    totals = [sum((s.values[i] or 0) for s in series) for i in range(n)]
    if not n or not any(totals):
        return chart
    shown = lang
    y_of = _y_axis(chart, max(totals), fmt, shown)
    plot_w = width - chart.left - chart.right
    slot = plot_w / n
    bar_w = max(1.0, round(slot * 0.7, 1))
    chart.x_ticks = [
        (round(chart.left + slot * (i + 0.5), 1), text) for i, text in _date_labels(dates, 8, lang)
    ]
    base = [0.0] * n
    for number, one in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        for i in range(n):
            value = one.values[i] or 0
            if not value:
                continue
            y_top, y_bottom = y_of(base[i] + value), y_of(base[i])
            x = round(chart.left + slot * i + (slot - bar_w) / 2, 1)
            when = bucket_title(dates[i], interval, lang) if lang else dates[i]
            title = f"{one.label} · {when}: {fmt(value, shown)}"
            chart.bars.append(Mark(x, y_top, bar_w, round(y_bottom - y_top, 1), color, title))
            base[i] += value
        chart.legend.append((one.label, color))
    return chart
