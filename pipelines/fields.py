"""Types of the analysis fields (DESIGN.md "Analysis of one text").

Shared by the analysers that fill them and by ``search.document`` that stores them; kept free of
any heavy import so the search side can use them without loading NLP models.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

# What kind of source an item comes from (sources.toml ``kind``, import ``kind``, the filter).
SOURCE_KINDS = ("news", "marketplace", "social")


class Price(TypedDict):
    amount: float
    currency: str  # ISO 4217
    text: str  # the span exactly as written in the input
    vnd: float | None  # amount in đồng from pipelines/vocab/exchange_rates.toml; None if unknown
    # unit of a unit price ("kg", "100g" for a lạng, "individual", ...); None for a total
    per: NotRequired[str | None]
    # a range ("50 - 250 triệu đồng/kg"): its bounds; ``amount`` is the upper one
    min: NotRequired[float]
    max: NotRequired[float]
    # đồng per kilogram / individual / piece of a unit price; None when not such a unit price
    vnd_per_kg: NotRequired[float | None]
    vnd_per_individual: NotRequired[float | None]
    vnd_per_piece: NotRequired[float | None]


class Quantity(TypedDict):
    value: float
    unit: str  # kg, t, g, pieces, individuals, m3
    text: str


class Contact(TypedDict):
    type: str  # phone | zalo | facebook | telegram | email
    value: str  # phones (and Zalo numbers) in E.164


class Analysis(TypedDict):
    lang: str  # ISO 639-1
    wildlife_trade: bool
    relevance: float  # 0..1
    species: list[str]
    enforcement: list[str]  # seizure, arrest, prosecution, trial, sentence
    prices: list[Price]
    quantities: list[Quantity]
    locations: list[str]
    contacts: list[Contact]
    tokens: str  # Vietnamese word segmentation ("" for other languages or segment=False)
    # present (True) only when the text was longer than WILDWATCH_ANALYSIS_MAX_CHARS and only
    # its beginning was analysed
    truncated: NotRequired[bool]
