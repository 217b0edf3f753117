"""Figures behind the trends and coverage pages and their JSON twins.

Pure functions: read histogram buckets and search hits from the backend; write tables of
numbers (dates × series) that the pages draw and ``/api/trends`` / ``/api/coverage`` return.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.units import load_units, unit_form
from search.backend import Bucket
from web.charts import date_axis
from web.params import ENFORCEMENT


@dataclass(frozen=True)
class Table:
    """Counts (or amounts) per date for named series, dates complete and ascending."""

    dates: list[str]
    series: dict[str, list[float | None]]

    def as_json(self) -> dict[str, Any]:
        return {"dates": self.dates, "series": self.series}


def split_buckets(
    buckets: Iterable[Bucket],
    key: str,
    interval: str,
    *,
    top: int | None = None,
    order: Sequence[str] = (),
) -> Table:
    """Buckets grouped by ``key`` into one series per value: the ``top`` largest, or the
    values of ``order`` in that order when given."""
    counts: dict[str, dict[str, float]] = defaultdict(dict)
    totals: Counter[str] = Counter()
    dates: list[str] = []
    for bucket in buckets:
        value = bucket["keys"].get(key)
        dates.append(bucket["date"])
        if value is None:
            continue
        counts[value][bucket["date"]] = counts[value].get(bucket["date"], 0) + bucket["count"]
        totals[value] += bucket["count"]
    axis = date_axis(dates, interval)
    if order:
        names = [name for name in order if name in totals]
    else:
        names = [name for name, _ in totals.most_common(top)]
    return Table(axis, {name: [counts[name].get(d, 0) for d in axis] for name in names})


@dataclass(frozen=True)
class CoverageMatrix:
    sources: list[str]  # most actions first
    actions: list[str]  # seizure → sentence
    cells: dict[str, dict[str, int]]  # source → action → items
    maximum: int

    def heat(self, source: str, action: str) -> int:
        """0..5 shade for the heatmap (classes heat-0 … heat-5)."""
        value = self.cells.get(source, {}).get(action, 0)
        if not value or not self.maximum:
            return 0
        return max(1, round(5 * value / self.maximum))

    def as_json(self) -> dict[str, Any]:
        return {"sources": self.sources, "actions": self.actions, "cells": self.cells}


def coverage_matrix(buckets: Iterable[Bucket]) -> CoverageMatrix:
    """Items per (source, enforcement action) from buckets split by both."""
    cells: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ENFORCEMENT, 0))
    for bucket in buckets:
        source, action = bucket["keys"].get("source"), bucket["keys"].get("enforcement")
        if source is None or action is None:
            continue
        row = cells[source]
        row[action] = row.get(action, 0) + bucket["count"]
    sources = sorted(cells, key=lambda s: (-sum(cells[s].values()), s))
    maximum = max((v for row in cells.values() for v in row.values()), default=0)
    return CoverageMatrix(sources, list(ENFORCEMENT), {s: dict(cells[s]) for s in sources}, maximum)


# Weights are all charted per kg: sellers quote rhino horn per gram or lạng (100 g) and pangolin
# scales per kg, and mixing those on one line would be meaningless.
_CHARTED = {"g": ("kg", 0.001), "kg": ("kg", 1.0), "t": ("kg", 1000.0)}
# Where the quoted text names the unit of a price without a `per` ("3 triệu/kg", "$300 per kg").
_PER_IN_TEXT = re.compile(r"(?:/|\bper\b|\bmỗi\b|\bmột\b|\b1)\s*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _quoted_units() -> dict[str, tuple[str, float]]:
    """The pipeline's unit vocabulary (pipelines/vocab/units.toml): every ``per`` value and
    written form → (charted unit, how many charted units one of it is)."""
    table = load_units()
    known: dict[str, tuple[str, float]] = {}
    for form in [*table.forms.values(), *table.singulars.values()]:
        unit, scale = _CHARTED.get(form.unit, (form.unit, 1.0))
        known.setdefault(form.per, (unit, form.factor * scale))
        known.setdefault(form.form, (unit, form.factor * scale))
    return known


def _unit_in_text(text: str) -> str | None:
    table = load_units()
    for separator in _PER_IN_TEXT.finditer(text):
        written = table.singular_pattern.match(text, separator.end())
        if written:
            return unit_form(table, written.group("unit"), singular=True).per
    return None


def price_per_unit(price: Mapping[str, Any]) -> tuple[str, float] | None:
    """(unit, VND per unit) of a price quoted per unit ("2,5 triệu/kg", "$300 per kg"), from
    the pipeline's ``per`` when present and the quoted text otherwise; None for totals
    ("bán cả lô 50 triệu") and prices without a VND value."""
    vnd = price.get("vnd")
    if not isinstance(vnd, int | float) or vnd <= 0:
        return None
    per = price.get("per") or _unit_in_text(str(price.get("text", "")))
    known = _quoted_units().get(str(per).lower()) if per else None
    if known is None:
        return None
    unit, amount = known
    return unit, float(vnd) / amount


def item_date(hit: Mapping[str, Any], tz: str) -> date | None:
    raw = hit.get("published_at") or hit.get("fetched_at")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(tz))
    return moment.date()


def bucket_start(day: date, interval: str) -> date:
    return day - timedelta(days=day.weekday()) if interval == "week" else day


def price_table(hits: Iterable[Mapping[str, Any]], interval: str, tz: str) -> Table:
    """Median VND per unit per bucket, one series per unit (kg, individuals, ...)."""
    samples: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    dates: list[str] = []
    for hit in hits:
        day = item_date(hit, tz)
        if day is None:
            continue
        key = bucket_start(day, interval).isoformat()
        for price in hit.get("prices") or []:
            per_unit = price_per_unit(price)
            if per_unit:
                samples[per_unit[0]][key].append(per_unit[1])
                dates.append(key)
    axis = date_axis(dates, interval)
    series = {
        unit: [statistics.median(by_date[d]) if d in by_date else None for d in axis]
        for unit, by_date in sorted(samples.items(), key=lambda kv: -len(kv[1]))
    }
    return Table(axis, series)


# ---- the trends page: a range, one shared axis, top species plus "other", price spread ----

# Quick ranges of the trends page → days back from today (None: the whole index).
RANGES: dict[str, int | None] = {"7d": 7, "30d": 30, "90d": 90, "1y": 365, "all": None}
DEFAULT_RANGE = "90d"
OTHER = "other"
# A price point resting on fewer quotes than this is drawn open: one ad can swing a median.
FEW_PRICES = 3


def range_axis(start: date, end: date, interval: str) -> list[str]:
    """Every bucket start from the bucket of ``start`` to that of ``end``: the one x axis
    all charts of the page share."""
    step = timedelta(days=7 if interval == "week" else 1)
    current, last = bucket_start(start, interval), bucket_start(end, interval)
    axis: list[str] = []
    while current <= last and len(axis) < 2000:
        axis.append(current.isoformat())
        current += step
    return axis


def top_with_other(buckets: Iterable[Bucket], key: str, axis: Sequence[str], *, top: int) -> Table:
    """The ``top`` values of ``key`` by total as their own series, every other value summed
    into ``OTHER``, on ``axis`` (missing buckets are zero). An item tagged with two minor
    species counts once in each, as it does in their own series."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for bucket in buckets:
        value = bucket["keys"].get(key)
        if value is None:
            continue
        counts[value][bucket["date"]] += bucket["count"]
        totals[value] += bucket["count"]
    names = [name for name, _ in totals.most_common(top)]
    series: dict[str, list[float | None]] = {
        name: [counts[name].get(d, 0) for d in axis] for name in names
    }
    rest = [name for name in totals if name not in names]
    if rest:
        series[OTHER] = [sum(counts[name].get(d, 0) for name in rest) for d in axis]
    return Table(list(axis), series)


def on_axis(table: Table, axis: Sequence[str]) -> Table:
    """``table`` re-laid on ``axis``: counts missing from it are zero."""
    index = {d: i for i, d in enumerate(table.dates)}
    return Table(
        list(axis),
        {
            name: [values[index[d]] if d in index else 0 for d in axis]
            for name, values in table.series.items()
        },
    )


@dataclass(frozen=True)
class PriceSpread:
    """Prices per unit of one unit (kg, individuals, ...) per bucket of the axis."""

    unit: str
    dates: list[str]
    median: list[float | None]
    q1: list[float | None]
    q3: list[float | None]
    counts: list[int]

    def as_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "dates": self.dates,
            "median": self.median,
            "q1": self.q1,
            "q3": self.q3,
            "counts": self.counts,
        }


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile); one value is all three."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def price_spreads(
    hits: Iterable[Mapping[str, Any]], interval: str, tz: str, axis: Sequence[str]
) -> list[PriceSpread]:
    """Median and interquartile range of VND per unit per bucket, for each unit with prices,
    most quoted unit first. Buckets without a price stay None (the chart breaks its line
    there instead of joining points months apart)."""
    samples: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    wanted = set(axis)
    for hit in hits:
        day = item_date(hit, tz)
        if day is None:
            continue
        key = bucket_start(day, interval).isoformat()
        if key not in wanted:
            continue
        for price in hit.get("prices") or []:
            per_unit = price_per_unit(price)
            if per_unit:
                samples[per_unit[0]][key].append(per_unit[1])
    spreads: list[PriceSpread] = []
    for unit, by_date in sorted(samples.items(), key=lambda kv: -sum(map(len, kv[1].values()))):
        stats = {d: quartiles(sorted(v)) for d, v in by_date.items()}
        spreads.append(
            PriceSpread(
                unit=unit,
                dates=list(axis),
                median=[stats[d][1] if d in stats else None for d in axis],
                q1=[stats[d][0] if d in stats else None for d in axis],
                q3=[stats[d][2] if d in stats else None for d in axis],
                counts=[len(by_date.get(d, [])) for d in axis],
            )
        )
    return spreads
