from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from schedules.spikes import Spike, counts_from_buckets, describe, find_spikes, poisson_tail

DAY = date(2026, 11, 23)
OPTIONS: dict[str, Any] = {"baseline_days": 28, "p_threshold": 0.001, "min_count": 5}


def series(today: int, history: list[int]) -> dict[date, int]:
    counts = {DAY - timedelta(days=i + 1): n for i, n in enumerate(history)}
    counts[DAY] = today
    return counts


def test_poisson_tail_matches_known_values() -> None:
    assert abs(poisson_tail(1, 1.0) - 0.6321205588) < 1e-9
    assert abs(poisson_tail(5, 2.0) - 0.0526530173) < 1e-9
    assert poisson_tail(0, 3.0) == 1.0
    assert 0 < poisson_tail(200, 2.0) < 1e-200  # far tail stays positive and tiny


def test_a_real_surge_fires_and_is_explained() -> None:
    normal = [2, 1, 3, 2, 2, 1, 4, 2, 3, 1, 2, 2, 3, 1, 2, 2, 1, 3, 2, 2, 3, 2, 1, 2, 2, 3, 2, 1]
    [spike] = find_spikes({("pangolin", ""): series(12, normal)}, DAY, **OPTIONS)
    assert (spike.species, spike.count) == ("pangolin", 12)
    assert 1.9 < spike.baseline < 2.2 and spike.p_value < 1e-5
    assert describe(spike, "en", today=DAY).startswith(
        "12 pangolin items today, baseline 2.0 a day"
    )
    assert describe(spike, "vi", today=DAY).startswith("12 tin về tê tê hôm nay, trung bình 2,0")


def test_noise_and_a_busy_but_usual_day_do_not_fire() -> None:
    noisy = [5, 9, 4, 7, 6, 8, 3, 7, 6, 5, 9, 6, 4, 8, 7, 5, 6, 7, 8, 4, 6, 5, 7, 6, 9, 5, 6, 7]
    assert find_spikes({("turtle", ""): series(max(noisy) + 2, noisy)}, DAY, **OPTIONS) == []


def test_zero_baseline_does_not_fire_on_one_item_but_does_on_a_burst() -> None:
    quiet = {("saola", ""): series(1, [0] * 28)}
    assert find_spikes(quiet, DAY, **OPTIONS) == []
    assert find_spikes({("saola", ""): series(4, [0] * 28)}, DAY, **OPTIONS) == []  # < min 5
    assert [s.count for s in find_spikes({("saola", ""): series(6, [0] * 28)}, DAY, **OPTIONS)] == [
        6
    ]


def test_buckets_are_summed_per_province() -> None:
    buckets = [
        {
            "date": "2026-11-23",
            "keys": {"species": "pangolin", "locations": "Móng Cái"},
            "count": 4,
        },
        {
            "date": "2026-11-23",
            "keys": {"species": "pangolin", "locations": "Quảng Ninh"},
            "count": 3,
        },
        {"date": "2026-11-23", "keys": {"species": "pangolin", "locations": "Lào"}, "count": 9},
        {"date": "2026-11-22", "keys": {"species": "pangolin", "locations": "Hạ Long"}, "count": 1},
    ]
    provinces = {
        "Móng Cái": "Quảng Ninh",
        "Quảng Ninh": "Quảng Ninh",
        "Hạ Long": "Quảng Ninh",
        "Lào": None,
    }
    counts = counts_from_buckets(buckets, province_of=provinces)
    assert counts == {("pangolin", "Quảng Ninh"): {DAY: 7, DAY - timedelta(days=1): 1}}


def test_description_names_the_province() -> None:
    spike = Spike(DAY, "elephant", "Hải Phòng", 7, 0.4, 1e-6)
    assert describe(spike, "vi", today=DAY).startswith("7 tin về ngà voi ở Hải Phòng hôm nay")
    assert describe(spike, "en", today=DAY + timedelta(days=1)).startswith(
        "7 elephant/ivory items in Hải Phòng on 2026-11-23"
    )
