"""Analysis of one text: the pure function behind ``wildwatch analyze`` and the crawl pipeline.

Reads a text (and optional title, URL, language hint); writes the DESIGN.md analysis fields.
The word-level taggers (language, species, enforcement, trade signal) work on the normalised
title + text (``normalize_text``: NFC, one tone-mark convention, clean whitespace); prices,
quantities, contacts and places are read from the NFC title + text as written, so the ``text``
of a price or quantity quotes the input.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Hashable
from typing import TypeVar

from pipelines.contacts import extract_contacts
from pipelines.enforcement import action_list, find_actions
from pipelines.fields import Analysis, Price, Quantity
from pipelines.language import detect_language
from pipelines.normalize import normalize_text
from pipelines.places import extract_locations
from pipelines.price_context import contextual_prices
from pipelines.prices import located_prices
from pipelines.quantities import extract_quantities
from pipelines.segment import segment_words
from pipelines.settings import analysis_max_chars
from pipelines.species import find_species, species_groups
from pipelines.trade import animal_captures, assess_trade, find_cues

_WEIGHTS = frozenset({"kg", "t", "g", "m3"})
# A text this long that names no wildlife at all is a whole report about something else
# (seafood prices, a stock market, a brand's results): its figures are no wildlife figures.
# Shorter fragments (an ad's body under its title, a quoted line) keep theirs.
_ARTICLE_CHARS = 200
# Cues of a story that is not trade: a rescue, a stray animal, a zoo, a farm, a bite, a law,
# money news.
_NOT_TRADE_CUES = frozenset({"rescue", "stray", "zoo", "farm", "bite", "law", "finance"})
_Found = TypeVar("_Found", Price, Quantity)


def _join(title: str | None, text: str) -> str:
    # A blank line keeps the title a sentence of its own for the sentence-bound rules.
    return f"{title.strip()}\n\n{text}" if title and title.strip() else text


def _without_headline_repeats(
    headline: list[_Found], body: list[_Found], key: Callable[[_Found], Hashable]
) -> list[_Found]:
    # Headlines restate the lead ("Thu giữ 7 tấn vảy tê tê" / "... phát hiện 7 tấn vảy tê tê"):
    # a headline figure the body repeats is one fact, not two. Repeats inside the body stay,
    # "2 con hổ và 2 con gấu" are two.
    in_body = {key(found) for found in body}
    return [found for found in headline if key(found) not in in_body] + body


def _capped(text: str, limit: int) -> str:
    # Cut on whitespace near the limit, so the last word analysed is a whole word.
    if len(text) <= limit:
        return text
    space = text.rfind(" ", limit - 200, limit)
    return text[: space if space > 0 else limit]


def _prices_and_quantities(part: str) -> tuple[list[Price], list[Quantity]]:
    # Prices found once: quantities skip the numbers inside them ("500k/1kg"), fines and pay
    # included ("phạt 50 triệu" is no quantity either).
    located = located_prices(part)
    kept = contextual_prices(part, located)
    priced = [(start, end) for start, end, _ in located + kept]
    return [price for _, _, price in kept], extract_quantities(part, priced)


def _price_key(price: Price) -> Hashable:
    return (round(price["amount"], 6), price["currency"], price.get("per"))


def _quantity_key(quantity: Quantity) -> Hashable:
    return (round(quantity["value"], 6), quantity["unit"])


def analyze(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    lang_hint: str | None = None,
    segment: bool = True,
) -> Analysis:
    """Every analysis field of ``title`` + ``text``. ``segment=False`` skips the Vietnamese word
    segmentation (the slow part) and leaves ``tokens`` empty. ``url`` is accepted for adapters
    that pass it; no rule reads it today. Only the first ``WILDWATCH_ANALYSIS_MAX_CHARS`` of
    ``text`` (and of ``title``) are read; the result then has ``truncated`` set."""
    limit = analysis_max_chars()
    truncated = len(text) > limit or (title is not None and len(title) > limit)
    text, title = _capped(text, limit), None if title is None else _capped(title, limit)
    written = unicodedata.normalize("NFC", _join(title, text))
    normalized = normalize_text(written)
    lang = detect_language(normalized, hint=lang_hint)
    vietnamese = lang == "vi"
    species = find_species(normalized, vietnamese=vietnamese)
    actions = find_actions(normalized, vietnamese=vietnamese)
    cues = find_cues(normalized, vietnamese=vietnamese)
    actions = animal_captures(actions, cues)
    headline = unicodedata.normalize("NFC", title.strip()) if title else ""
    body = unicodedata.normalize("NFC", text)
    headline_prices, headline_quantities = _prices_and_quantities(headline)
    body_prices, body_quantities = _prices_and_quantities(body)
    prices = _without_headline_repeats(headline_prices, body_prices, _price_key)
    quantities = _without_headline_repeats(headline_quantities, body_quantities, _quantity_key)
    # Prices and weights (not head counts: rescues release "25 cá thể") are trade evidence.
    # Offsets of the written text and the normalised one differ a little; near enough here.
    spans = [p["text"] for p in prices] + [q["text"] for q in quantities if q["unit"] in _WEIGHTS]
    evidence = [max(0, normalized.find(span)) for span in spans]
    contacts = extract_contacts(written)
    wildlife_trade, relevance = assess_trade(
        species, actions, cues, evidence, counted_goods=len(quantities), advert=bool(contacts)
    )
    if not wildlife_trade and (
        any(cue.key in _NOT_TRADE_CUES for cue in cues) or len(written) >= _ARTICLE_CHARS
    ):
        # Zoo births, rescues, farms, law explainers: no trade, so no traded prices or goods.
        prices, quantities = [], []
    analysis = Analysis(
        lang=lang,
        wildlife_trade=wildlife_trade,
        relevance=relevance,
        species=species_groups(species),
        enforcement=action_list(actions),
        prices=prices,
        quantities=quantities,
        locations=extract_locations(written),
        contacts=contacts,
        tokens=segment_words(normalized) if segment and vietnamese else "",
    )
    if truncated:
        analysis["truncated"] = True
    return analysis
