"""Spike detection: is today's count of items about a species (or a species in one province)
far above its recent normal? Pure functions; the job that reads the index and mails the
result is in schedules/alerting.py.

Test: a day's count k against a Poisson law whose mean is the trailing baseline (the mean of
the previous WILDWATCH_SPIKE_BASELINE_DAYS days). A spike is P(X ≥ k) < WILDWATCH_SPIKE_P and
k ≥ WILDWATCH_SPIKE_MIN_COUNT. The baseline is smoothed by one pseudo-item over one
pseudo-day — (sum + 1) / (days + 1) — so a species never seen before has a small positive
mean rather than zero: under a zero mean any single item would be "infinitely unlikely".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Spike:
    day: date
    species: str
    province: str  # "" when counted over all places
    count: int
    baseline: float  # smoothed mean items a day
    p_value: float


def poisson_tail(k: int, mean: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mean), accurate far into the tail (tiny p-values)."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if k <= mean:
        # Not in the upper tail: 1 - P(X ≤ k-1) loses nothing significant here.
        term = math.exp(-mean)
        cdf = 0.0
        for i in range(k):
            if i:
                term *= mean / i
            cdf += term
        return max(0.0, 1.0 - cdf)
    # Sum the tail upwards from k in log space; terms shrink geometrically once i > mean.
    log_term = -mean + k * math.log(mean) - math.lgamma(k + 1)
    total = 0.0
    i = k
    while True:
        term = math.exp(log_term)
        total += term
        i += 1
        log_term += math.log(mean) - math.log(i)
        if term < total * 1e-15 or i > k + 10_000:
            return min(1.0, total)


def smoothed_baseline(history: Sequence[int]) -> float:
    return (sum(history) + 1.0) / (len(history) + 1.0)


def test_day(
    count: int, history: Sequence[int], *, p_threshold: float, min_count: int
) -> tuple[bool, float, float]:
    """(is a spike, smoothed baseline, p-value) for one series."""
    baseline = smoothed_baseline(history)
    p_value = poisson_tail(count, baseline)
    return count >= min_count and p_value < p_threshold, baseline, p_value


def daily_series(
    counts: Mapping[date, int], day: date, baseline_days: int
) -> tuple[int, list[int]]:
    """The count of ``day`` and the counts of the ``baseline_days`` days before it (zeros
    for days without items)."""
    history = [
        counts.get(day - timedelta(days=offset), 0) for offset in range(1, baseline_days + 1)
    ]
    return counts.get(day, 0), history


def find_spikes(
    counts: Mapping[tuple[str, str], Mapping[date, int]],
    day: date,
    *,
    baseline_days: int,
    p_threshold: float,
    min_count: int,
) -> list[Spike]:
    """Spikes on ``day`` among series keyed (species, province); strongest first."""
    spikes = []
    for (species, province), series in counts.items():
        count, history = daily_series(series, day, baseline_days)
        fired, baseline, p_value = test_day(
            count, history, p_threshold=p_threshold, min_count=min_count
        )
        if fired:
            spikes.append(Spike(day, species, province, count, baseline, p_value))
    return sorted(spikes, key=lambda s: (s.p_value, -s.count, s.species, s.province))


def counts_from_buckets(
    buckets: Iterable[Mapping[str, object]],
    *,
    province_of: Mapping[str, str | None] | None = None,
) -> dict[tuple[str, str], dict[date, int]]:
    """Histogram buckets ({date, keys, count}) as series keyed (species, province). With
    ``province_of`` the buckets carry a ``locations`` key, mapped to provinces (places
    outside any province are dropped); without, the province is ""."""
    series: dict[tuple[str, str], dict[date, int]] = {}
    for bucket in buckets:
        keys = bucket.get("keys")
        if not isinstance(keys, Mapping) or not keys.get("species"):
            continue
        province = ""
        if province_of is not None:
            province = province_of.get(str(keys.get("locations"))) or ""
            if not province:
                continue
        day = date.fromisoformat(str(bucket["date"]))
        per_day = series.setdefault((str(keys["species"]), province), {})
        per_day[day] = per_day.get(day, 0) + int(str(bucket["count"]))
    return series


def describe(spike: Spike, lang: str, *, today: date | None = None) -> str:
    """The spike in one sentence a police partner can act on, e.g. "12 pangolin items today,
    baseline 2.1 a day" / "12 tin về tê tê hôm nay, trung bình 2,1 tin/ngày"."""
    from schedules.labels import label

    name = label("species", spike.species, lang)
    p_value = f"{spike.p_value:.1g}"
    if lang == "vi":
        baseline = f"{spike.baseline:.1f}".replace(".", ",")
        where = f" ở {spike.province}" if spike.province else ""
        when = "hôm nay" if spike.day == today else f"ngày {spike.day:%d/%m/%Y}"
        return (
            f"{spike.count} tin về {name}{where} {when}, "
            f"trung bình {baseline} tin/ngày (p = {p_value})"
        )
    where = f" in {spike.province}" if spike.province else ""
    noun = "item" if spike.count == 1 else "items"
    when = "today" if spike.day == today else f"on {spike.day.isoformat()}"
    return (
        f"{spike.count} {name} {noun}{where} {when}, "
        f"baseline {spike.baseline:.1f} a day (p = {p_value})"
    )
