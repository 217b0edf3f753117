"""What a digest says: pure functions from search hits to the content of one e-mail.

Reads search hits (search/backend.py ``Hit``) and spikes; writes a ``DigestContent`` that the
templates (schedules/render.py) turn into text and HTML. Near-duplicates (same
``duplicate_of`` group) fold into one entry listing the other sources; entries are grouped by
species, biggest group first, each group capped (WILDWATCH_DIGEST_ITEMS_PER_GROUP) with a link
to the rest in wildwatch. Above the groups: the summary (schedules/briefing.py), the items of
highest relevance and the new enforcement steps. Scraped text is kept as plain text here
(snippets are un-marked and un-escaped into segments) and escaped once, by the HTML template.
Prices and quantities are written as the web writes them (``pipelines.figures``): each price
once, with đồng and per-unit values, numbers grouped in the e-mail's language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from pipelines.figures import distinct_prices, price_view, quantity_view
from schedules.briefing import Summary
from schedules.labels import label
from schedules.spikes import Spike
from search.backend import Hit

_MARK = re.compile(r"(</?mark>)")
_TAGS = re.compile(r"<[^>]*>")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class AlsoReported:
    source: str
    title: str
    url: str | None


@dataclass(frozen=True)
class Entry:
    """One news story or ad: the first copy found, plus the other copies of it."""

    id: str
    title: str
    source: str
    date: str  # already formatted for the e-mail's language
    url: str | None  # None when the stored URL is not http(s): never link to javascript:
    archive_url: str
    snippet: list[tuple[str, bool]]  # plain-text segments, True where the search matched
    prices: list[str]  # each price once, with its value in đồng (per unit where known)
    quantities: list[str]  # as written, with kilograms for tonnes and grams
    places: list[str]
    enforcement: list[str]
    relevance: float
    also: list[AlsoReported] = field(default_factory=list)
    item_ids: tuple[str, ...] = ()  # every copy covered: all are recorded as sent

    @property
    def snippet_text(self) -> str:
        return "".join(text for text, _ in self.snippet)


@dataclass(frozen=True)
class SpeciesGroup:
    species: str
    label: str
    entries: list[Entry]  # the ones shown, most relevant first
    total: int = 0  # stories filed under this species, shown or not
    see_all_url: str = ""  # the search page with the rule, the window and this species

    @property
    def hidden(self) -> int:
        return max(0, self.total - len(self.entries))


@dataclass(frozen=True)
class DigestContent:
    rule_name: str
    lang: str
    day: date
    groups: list[SpeciesGroup]
    spikes: list[str]  # sentences, already in the e-mail's language
    more: int = 0  # matching items left out because the digest was full
    search_url: str = ""  # "see all in wildwatch": the rule's search over the window
    manage_url: str = ""  # the alerts page, to change or pause the rule
    summary: Summary | None = None
    top: list[Entry] = field(default_factory=list)  # highest relevance, any group
    steps: list[Entry] = field(default_factory=list)  # stories reporting enforcement
    covered_ids: tuple[str, ...] = ()  # every item the briefing accounts for, shown or not

    @property
    def entry_count(self) -> int:
        """Stories this briefing reports (counted in its groups, listed or behind a link)."""
        return sum(group.total or len(group.entries) for group in self.groups)

    @property
    def item_ids(self) -> list[str]:
        """Items to record as sent: those listed, and those the groups' links lead to (they
        are counted in the summary, so tomorrow's briefing must not repeat them)."""
        shown = [i for group in self.groups for entry in group.entries for i in entry.item_ids]
        return list(dict.fromkeys([*shown, *self.covered_ids]))

    @property
    def empty(self) -> bool:
        return not self.groups and not self.spikes


def format_day(day: date, lang: str) -> str:
    if lang == "vi":
        return day.strftime("%d/%m/%Y")
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def item_day(hit: Hit, zone: ZoneInfo) -> date | None:
    stamp = hit.get("published_at") or hit.get("fetched_at")
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment.astimezone(zone).date() if moment.tzinfo else moment.date()


def snippet_segments(snippet: str) -> list[tuple[str, bool]]:
    """The backend's snippet (escaped text with <mark>…</mark>) as plain-text segments.
    Any other tag is dropped: the text is re-escaped by the template, never trusted."""
    segments: list[tuple[str, bool]] = []
    marked = False
    for part in _MARK.split(snippet or ""):
        if part == "<mark>":
            marked = True
        elif part == "</mark>":
            marked = False
        elif part:
            text = html.unescape(_TAGS.sub("", part))
            if text:
                segments.append((text, marked))
    return segments


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def fold_duplicates(hits: Sequence[Hit]) -> list[list[Hit]]:
    """Hits grouped by near-duplicate group, each group's earliest fetched copy first; groups
    in the order of their first hit."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        key = hit.get("duplicate_of") or hit["id"]
        groups.setdefault(key, []).append(hit)
    for members in groups.values():
        members.sort(key=lambda h: (h.get("duplicate_of") is not None, h.get("fetched_at") or ""))
    return list(groups.values())


def make_entry(copies: Sequence[Hit], *, lang: str, zone: ZoneInfo, public_url: str) -> Entry:
    main = copies[0]
    day = item_day(main, zone)
    return Entry(
        id=main["id"],
        title=(main.get("title") or "").strip() or (main.get("url") or main["id"]),
        source=main.get("source") or "",
        date=format_day(day, lang) if day else "",
        url=safe_url(main.get("url")),
        archive_url=f"{public_url}/items/{quote(main['id'], safe='')}",
        snippet=snippet_segments(main.get("snippet") or ""),
        prices=[price_text(p, lang) for p in distinct_prices(main.get("prices"))],
        quantities=[
            quantity_text(q, lang) for q in main.get("quantities") or [] if isinstance(q, dict)
        ],
        places=list(dict.fromkeys(main.get("locations") or [])),
        enforcement=[label("enforcement", e, lang) for e in main.get("enforcement") or []],
        relevance=float(main.get("relevance") or 0.0),
        also=[
            AlsoReported(
                source=copy.get("source") or "",
                title=copy.get("title") or "",
                url=safe_url(copy.get("url")),
            )
            for copy in copies[1:]
        ],
        item_ids=tuple(copy["id"] for copy in copies),
    )


def price_text(price: Mapping[str, Any], lang: str) -> str:
    """One price as the web shows it, in a line of text: as written, then its value in đồng
    per kg / individual / piece when it is such a unit price, else in đồng; "≈" when converted
    at a fixed rate from another currency: "1.200 USD (≈ 30.000.000 ₫)", "350k/lạng (=
    3.500.000 ₫/kg)". Partners compare prices in đồng, and per kilogram where they can."""
    view = price_view(price, lang, lambda kind: label("per_unit", kind, lang))
    value = view.per_unit or view.vnd
    if not value:
        return view.written
    return f"{view.written} ({'≈' if view.approx else '='} {value})"


def quantity_text(quantity: Mapping[str, Any], lang: str) -> str:
    """A quantity as written, with its weight in kilograms when written in tonnes or grams:
    "2 tấn (= 2.000 kg)"."""
    view = quantity_view(quantity, lang, lambda unit: label("unit", unit, lang))
    return f"{view.written} (= {view.kg})" if view.kg else view.written


def primary_species(hit: Hit, preferred: Sequence[str]) -> str:
    """The species an entry is filed under: the first of the rule's species the item has,
    else the item's first species, else "other"."""
    species = list(hit.get("species") or [])
    for wanted in preferred:
        if wanted in species:
            return wanted
    return species[0] if species else "other"


def build_content(
    hits: Sequence[Hit],
    *,
    rule_name: str,
    rule_species: Sequence[str],
    lang: str,
    day: date,
    zone: ZoneInfo,
    public_url: str,
    spikes: Sequence[Spike] = (),
    max_entries: int | None = None,
    search_url: str = "",
    per_group: int | None = None,
    group_url: Callable[[str], str] | None = None,
    summary: Summary | None = None,
    top_count: int = 5,
) -> DigestContent:
    """The digest of ``hits`` (new items of the window). ``max_entries`` caps the stories
    read at all (the rest wait, unrecorded); ``per_group`` caps the stories listed per
    species, the others being counted and reachable through ``group_url(species)``."""
    from schedules.spikes import describe

    folded = fold_duplicates(hits)
    more = 0
    if max_entries is not None and len(folded) > max_entries:
        more = sum(len(copies) for copies in folded[max_entries:])
        folded = folded[:max_entries]
    by_species: dict[str, list[Entry]] = {}
    for copies in folded:
        species = primary_species(copies[0], rule_species)
        entry = make_entry(copies, lang=lang, zone=zone, public_url=public_url)
        by_species.setdefault(species, []).append(entry)
    # Biggest group first; "other" always last, it is the least specific.
    order = sorted(by_species, key=lambda s: (s == "other", -len(by_species[s]), s))
    groups: list[SpeciesGroup] = []
    covered: list[str] = []
    for species in order:
        entries = by_species[species]
        # Most relevant first within a group: what a capped group shows is what matters most.
        ranked = sorted(entries, key=lambda e: -e.relevance)
        shown = ranked[:per_group] if per_group is not None else ranked
        covered += [i for e in ranked[len(shown) :] for i in e.item_ids]
        groups.append(
            SpeciesGroup(
                species,
                label("species", species, lang),
                shown,
                total=len(entries),
                see_all_url=group_url(species) if group_url else "",
            )
        )
    every = [entry for entries in by_species.values() for entry in entries]
    top = sorted(every, key=lambda e: -e.relevance)[:top_count]
    steps = sorted(
        (e for e in every if e.enforcement), key=lambda e: (-len(e.enforcement), -e.relevance)
    )[:top_count]
    return DigestContent(
        rule_name=rule_name,
        lang=lang,
        day=day,
        groups=groups,
        spikes=[describe(spike, lang, today=day) for spike in spikes],
        more=more,
        search_url=search_url,
        manage_url=f"{public_url}/alerts",
        summary=summary,
        top=top if len(every) > top_count else [],
        steps=steps,
        covered_ids=tuple(covered),
    )


def subject_line(content: DigestContent, *, immediate: bool = False) -> str:
    """E.g. "[wildwatch] 12 tin mới: tê tê 5, ngà voi 3 — 23/11/2026"."""
    counts = ", ".join(
        f"{group.label} {group.total or len(group.entries)}"
        for group in content.groups
        if group.species != "other"
    )
    day = format_day(content.day, content.lang)
    n = content.entry_count
    if content.lang == "vi":
        what = "tin quan trọng" if immediate else "tin mới"
        head = f"{n} {what}" if n else f"{len(content.spikes)} đột biến"
    else:
        what = "important" if immediate else "new"
        noun = "item" if n == 1 else "items"
        head = f"{n} {what} {noun}" if n else f"{len(content.spikes)} spike(s)"
    return f"[wildwatch] {head}" + (f": {counts}" if counts else "") + f" — {day}"
