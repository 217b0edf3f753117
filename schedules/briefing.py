"""The summary at the top of a morning briefing, and the links that lead back to wildwatch.

Pure functions: read search hits of the digest's window and of the window before it; write
``Summary`` values (counts by species, enforcement action and province, now against the
previous period) and search URLs with a rule's filters and window. The web UI's search page
reads the same parameter names (web/params.py); this module cannot import it (``schedules``
sits below ``web``), so the names are spelled here and a test checks a link against the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from pipelines.places import place_info
from schedules.labels import label
from search.backend import Hit
from search.filter_values import MULTI_VALUE_FILTERS

# Rows per summary table: a briefing is read on a phone before the day starts.
SUMMARY_ROWS = 6
# The search page's multi-value filters, in the order it writes them.
LINK_FILTERS = MULTI_VALUE_FILTERS


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    current: int
    previous: int

    @property
    def change(self) -> str:
        """ "+3", "−2" or "±0": the sign is what a reader scans for."""
        delta = self.current - self.previous
        if delta > 0:
            return f"+{delta}"
        if delta < 0:
            return f"−{-delta}"
        return "±0"


@dataclass(frozen=True)
class Summary:
    total: int  # items in this briefing's window
    previous_total: int  # items in the window of the same length before it
    species: list[CountRow]
    enforcement: list[CountRow]
    provinces: list[CountRow]


def province_of(place: str) -> str | None:
    """The Vietnamese province a place name rolls up to ("Móng Cái" → "Quảng Ninh"); None for
    foreign countries and names the gazetteer does not know."""
    info = place_info(place)
    if info is None or info.country != "VN":
        return None
    return info.province or None


def tally(hits: Iterable[Hit]) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Items per species, per enforcement action and per province (each item counted once
    per value, however often the text names it)."""
    species: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    provinces: Counter[str] = Counter()
    for hit in hits:
        species.update(set(hit.get("species") or []))
        actions.update(set(hit.get("enforcement") or []))
        names = {province_of(p) for p in hit.get("locations") or []}
        provinces.update(name for name in names if name)
    return species, actions, provinces


def _rows(
    current: Counter[str], previous: Counter[str], group: str | None, lang: str
) -> list[CountRow]:
    keys = sorted(current, key=lambda k: (-current[k], k))[:SUMMARY_ROWS]
    return [
        CountRow(k, label(group, k, lang) if group else k, current[k], previous.get(k, 0))
        for k in keys
    ]


def summarise(current: Sequence[Hit], previous: Sequence[Hit], lang: str) -> Summary:
    now_species, now_actions, now_provinces = tally(current)
    before_species, before_actions, before_provinces = tally(previous)
    return Summary(
        total=len(current),
        previous_total=len(previous),
        species=_rows(now_species, before_species, "species", lang),
        enforcement=_rows(now_actions, before_actions, "enforcement", lang),
        provinces=_rows(now_provinces, before_provinces, None, lang),
    )


def search_link(
    public_url: str,
    filters: Mapping[str, object],
    *,
    since: date,
    until: date,
    species: str | None = None,
) -> str:
    """The wildwatch search page showing what a rule matched between two local days
    (inclusive), optionally narrowed to one species, newest first."""
    pairs: list[tuple[str, str]] = []
    query = filters.get("query")
    if isinstance(query, str) and query:
        pairs.append(("q", query))
    for name in LINK_FILTERS:
        raw = filters.get(name) or ()
        values = list(raw) if isinstance(raw, list | tuple) else [raw] if raw else []
        if name == "species" and species and species != "other":
            # The group's species narrows the rule's own species filter to that one.
            values = [species]
        pairs += [(name, str(v)) for v in values]
    if filters.get("wildlife_trade") is True:
        pairs.append(("trade", "1"))
    relevance = filters.get("min_relevance")
    if isinstance(relevance, int | float):
        pairs.append(("min_relevance", f"{relevance:g}"))
    pairs += [("since", since.isoformat()), ("until", until.isoformat()), ("sort", "newest")]
    return f"{public_url}/?{urlencode(pairs)}"
