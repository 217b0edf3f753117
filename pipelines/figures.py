"""Numbers as a reader compares them: grouped in the UI language, prices in đồng and per unit,
quantities in kilograms.

Pure functions. Read the ``prices`` and ``quantities`` an analysis stored (``pipelines.fields``:
``amount``, ``currency``, ``text``, ``vnd``, ``per``, ``min``/``max``, ``vnd_per_kg``,
``vnd_per_individual``, ``vnd_per_piece``; ``value``, ``unit``, ``text``); write the strings the
pages show. Items indexed before an analysis field existed lack it and are shown with what they
have: nothing is recomputed here except the kilogram form of a weight.

Why in ``pipelines``: the web pages and the e-mail digest (``schedules``) must show a price the
same way, and ``schedules`` may not import ``web``. This is the lowest layer both import; the
functions read exactly the fields this layer's analysis writes (``pipelines.fields``,
``pipelines.price_context``), need nothing above it, and words that differ per reader (unit
names) come in from the caller, so each upper layer keeps its own catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Weights the analysis writes in tonnes or grams, in kilograms (DESIGN.md units: kg, t, g).
KG_PER_UNIT = {"kg": 1.0, "t": 1000.0, "g": 0.001}
# The per-unit values of a unit price, most comparable first (pipelines.price_context).
PER_UNIT_FIELDS = (
    ("vnd_per_kg", "kg"),
    ("vnd_per_individual", "individual"),
    ("vnd_per_piece", "piece"),
)
_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}  # (thousands, decimal)


def format_number(value: float, lang: str, *, decimals: int = 2) -> str:
    """``value`` grouped as the UI language writes it: 1.500.000,5 (vi), 1,500,000.5 (en);
    trailing zero decimals dropped."""
    thousands, decimal = _SEPARATORS.get(lang, _SEPARATORS["en"])
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


# Compact magnitudes as each language abbreviates them in prices: "1,5 tr" (triệu), "2 tỷ".
_MAGNITUDES = ((1e9, "tỷ", "B"), (1e6, "tr", "M"), (1e3, "nghìn", "k"))


def format_compact(value: float, lang: str) -> str:
    """Three significant digits and a magnitude word, for chart axes and tooltips where a
    full amount does not fit: 1.500.000 → "1,5 tr" (vi), "1.5M" (en); 800.000 → "800 nghìn",
    "800k"; below a thousand the number itself."""
    rounded = float(f"{value:.3g}")  # 999.950 → 1.000.000: the magnitude follows the rounding
    for size, vi_word, en_suffix in _MAGNITUDES:
        if abs(rounded) >= size:
            scaled = format_number(rounded / size, lang)
            return f"{scaled} {vi_word}" if lang == "vi" else f"{scaled}{en_suffix}"
    return format_number(round(value), lang, decimals=0)


def format_vnd(value: float, lang: str) -> str:
    """Đồng, whole: 1.500.000 ₫ (vi), 1,500,000 VND (en)."""
    grouped = format_number(round(value), lang, decimals=0)
    return f"{grouped} ₫" if lang == "vi" else f"{grouped} VND"


def format_vnd_range(low: float | None, high: float, lang: str) -> str:
    """One amount, or a range "50.000.000–250.000.000 ₫" with the currency written once."""
    if low is None or round(low) == round(high):
        return format_vnd(high, lang)
    unit = "₫" if lang == "vi" else "VND"
    low_text = format_number(round(low), lang, decimals=0)
    high_text = format_number(round(high), lang, decimals=0)
    return f"{low_text}–{high_text} {unit}"


def as_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class PriceView:
    """One price as the pages show it."""

    written: str  # the span as written on the page
    amount: str  # the amount (or range) in its own currency: "50–250 triệu" → "50.000.000–…"
    vnd: str  # ≈ value in đồng ("" when no rate is known)
    per_unit: str  # ≈ đồng per kg / individual / piece ("" when not such a unit price)
    is_range: bool
    approx: bool  # converted at a fixed rate (not written in đồng): shown with "≈", else "="


def price_bounds(price: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """(low, high) of a price: its range, or its amount twice."""
    amount = as_number(price.get("amount"))
    low, high = as_number(price.get("min")), as_number(price.get("max"))
    if low is not None and high is not None and low < high:
        return low, high
    return amount, amount


def price_view(price: Mapping[str, Any], lang: str, per_label: Callable[[str], str]) -> PriceView:
    """The strings of one stored price; ``per_label`` names a per-unit kind ("kg",
    "individual", "piece") in the UI language."""
    low, high = price_bounds(price)
    currency = str(price.get("currency") or "")
    is_range = low is not None and high is not None and low < high
    amount = ""
    if high is not None:
        bounds = (low, high) if is_range and low is not None else (high,)
        amount = "–".join(format_number(v, lang) for v in bounds)
        amount += f" {currency}" if currency else ""
    vnd_value = as_number(price.get("vnd"))
    # the range in đồng: ``vnd`` is the value of ``amount``, the upper bound
    ratio = low / high if is_range and low is not None and high else None
    vnd = ""
    if vnd_value is not None:
        vnd = format_vnd_range(vnd_value * ratio if ratio else None, vnd_value, lang)
    per_unit = ""
    for field, kind in PER_UNIT_FIELDS:
        value = as_number(price.get(field))
        if value is not None:
            per_unit = f"{format_vnd_range(value * ratio if ratio else None, value, lang)}"
            per_unit += f"/{per_label(kind)}"
            break
    return PriceView(
        written=str(price.get("text") or amount),
        amount=amount,
        vnd=vnd,
        per_unit=per_unit,
        is_range=is_range,
        approx=currency != "VND",
    )


def distinct_prices(prices: Iterable[Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
    """The prices to show, each once: a price without a unit whose amount and currency a unit
    price of the same item also has ("350k" next to "350k/lạng") is that unit price written
    again, and exact repeats are dropped. Items analysed before the analysis merged these are
    shown as it would show them now."""
    kept = [p for p in prices or () if isinstance(p, Mapping)]
    with_unit = {(p.get("amount"), p.get("currency")) for p in kept if p.get("per")}
    seen: set[tuple[object, ...]] = set()
    result = []
    for price in kept:
        key = (price.get("amount"), price.get("currency"), price.get("per"), price.get("min"))
        if key in seen:
            continue
        if not price.get("per") and (price.get("amount"), price.get("currency")) in with_unit:
            continue
        seen.add(key)
        result.append(price)
    return result


@dataclass(frozen=True)
class QuantityView:
    written: str  # as written: "7 tấn"
    value: str  # in its unit, localised: "7 tấn"
    kg: str  # the weight in kilograms when the unit is t or g: "7.000 kg" ("" otherwise)


def quantity_kg(quantity: Mapping[str, Any]) -> float | None:
    """The weight of a quantity in kilograms; None for counts and volumes."""
    value = as_number(quantity.get("value"))
    factor = KG_PER_UNIT.get(str(quantity.get("unit")))
    if value is None or factor is None:
        return None
    return round(value * factor, 6)


def quantity_view(
    quantity: Mapping[str, Any], lang: str, unit_label: Callable[[str], str]
) -> QuantityView:
    unit = str(quantity.get("unit") or "")
    value = as_number(quantity.get("value"))
    shown = (
        f"{format_number(value, lang, decimals=3)} {unit_label(unit)}" if value is not None else ""
    )
    kg = quantity_kg(quantity)
    kg_text = f"{format_number(kg, lang, decimals=3)} kg" if kg is not None and unit != "kg" else ""
    return QuantityView(written=str(quantity.get("text") or shown), value=shown, kg=kg_text)
