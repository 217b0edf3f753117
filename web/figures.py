"""The CSV export's price columns, built on the number formatting of ``pipelines.figures``
(which the pages and the e-mail digest share; ``schedules`` may not import ``web``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pipelines.figures import PER_UNIT_FIELDS, as_number, distinct_prices, price_bounds


def _plain(value: float) -> str:
    return f"{value:.0f}"


def csv_prices(prices: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """The price columns of the CSV export, one entry per distinct price in the same order in
    each column ("; " between): as written, đồng ("50000000-250000000" for a range) and đồng
    per unit ("3500000/kg"); an entry is empty when the analysis has no such value. Plain
    digits, so spreadsheets read them as numbers."""
    shown = distinct_prices(prices)
    written, vnd, per_unit = [], [], []
    for price in shown:
        low, high = price_bounds(price)
        ratio = low / high if low is not None and high and low < high else None
        value = as_number(price.get("vnd"))
        written.append(str(price.get("text") or ""))
        vnd.append(
            "" if value is None else (f"{_plain(value * ratio)}-" if ratio else "") + _plain(value)
        )
        unit_value = ""
        for field, kind in PER_UNIT_FIELDS:
            found = as_number(price.get(field))
            if found is not None:
                low_part = f"{_plain(found * ratio)}-" if ratio else ""
                unit_value = f"{low_part}{_plain(found)}/{kind}"
                break
        per_unit.append(unit_value)
    return {
        "prices": "; ".join(written),
        "prices_vnd": "; ".join(vnd),
        "prices_vnd_per_unit": "; ".join(per_unit),
    }
