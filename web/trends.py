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
