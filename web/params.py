"""Query-string parameters of the search, export, trends and coverage routes.

Pure functions: read ``(name, value)`` pairs as sent by the browser or an API client; write a
``search.backend.SearchRequest`` or raise ``ParamError`` naming the parameter. The same
parameters drive the page, ``/api/search`` and ``/export.csv``, so a search can be shared,
exported or saved as an alert exactly as seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal
from urllib.parse import urlencode

from crawlers.sources import KINDS
from pipelines.enforcement import ACTIONS as ENFORCEMENT
from search.backend import SearchRequest

LIST_FILTERS = ("species", "kind", "lang", "source", "enforcement", "country", "location")
SCALAR_PARAMS = ("q", "trade", "since", "until", "sort", "min_relevance", "page", "per_page")
MAX_PAGE = 500
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20

Interval = Literal["day", "week"]
_PATTERNS = {
    "species": (re.compile(r"^[a-z0-9_]{1,40}$"), "a species id such as pangolin"),
    "source": (re.compile(r"^[a-z0-9_-]{1,80}$"), "a source name such as vnexpress"),
    "lang": (re.compile(r"^[a-z]{2,3}$"), "an ISO 639-1 code such as vi"),
    "country": (re.compile(r"^[A-Z]{2}$"), "an ISO 3166-1 code such as VN"),
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ParamError(ValueError):
    """A query parameter the search cannot use; the message names it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


@dataclass(frozen=True)
class SearchParams:
    request: SearchRequest
    page: int
    per_page: int
    # the recognised, non-empty parameters in a stable order, to rebuild links from
    pairs: tuple[tuple[str, str], ...]

    def query_string(
        self,
        *,
        drop: Iterable[str] = (),
        toggle: tuple[str, str] | None = None,
        **changes: str | int | None,
    ) -> str:
        """These parameters with ``drop`` removed, ``changes`` set (None removes) and
        ``toggle=(name, value)`` added or removed; changing filters goes back to page 1."""
        dropped = set(drop) | set(changes)
        pairs = [(k, v) for k, v in self.pairs if k not in dropped]
        if toggle is not None:
            if toggle in pairs:
                pairs.remove(toggle)
            else:
                pairs.append(toggle)
            pairs = [(k, v) for k, v in pairs if k != "page"]
        pairs += [(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
        return urlencode(pairs)

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def first(self, name: str) -> str:
        values = self.values(name)
        return values[0] if values else ""


def _date(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ParamError(name, f"{raw!r} is not a date (expected YYYY-MM-DD)") from None


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ParamError(name, f"{raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ParamError(name, f"{value} is out of range ({low}-{high})")
    return value


def _list_value(name: str, raw: str) -> str:
    value = raw.strip()
    if name == "country":
        value = value.upper()
    elif name in ("species", "lang", "source", "kind", "enforcement"):
        value = value.lower()
    if name == "kind" and value not in KINDS:
        raise ParamError(name, f"{raw!r} is not one of {', '.join(KINDS)}")
    if name == "enforcement" and value not in ENFORCEMENT:
        raise ParamError(name, f"{raw!r} is not one of {', '.join(ENFORCEMENT)}")
    if name in _PATTERNS:
        pattern, expected = _PATTERNS[name]
        if not pattern.match(value):
            raise ParamError(name, f"{raw!r} is not {expected}")
    if name == "location" and len(value) > 100:
        raise ParamError(name, "place names are at most 100 characters")
    return value


def parse_search_params(
    items: Sequence[tuple[str, str]], *, default_per_page: int = DEFAULT_PER_PAGE
) -> SearchParams:
    """Build the search request from query parameters. List filters may repeat or hold
    comma-separated values; empty values (blank form fields) are ignored; unknown names
    (such as the UI language) are left to the caller."""
    lists: dict[str, list[str]] = {name: [] for name in LIST_FILTERS}
    scalars: dict[str, str] = {}
    for name, raw in items:
        if name in lists:
            for part in raw.split(","):
                if part.strip():
                    value = _list_value(name, part)
                    if value not in lists[name]:
                        lists[name].append(value)
        elif name in SCALAR_PARAMS and raw.strip():
            scalars[name] = raw.strip()
    query = scalars.get("q", "")
    if len(query) > 500:
        raise ParamError("q", "queries are at most 500 characters")
    trade: bool | None = None
    if "trade" in scalars:
        flag = scalars["trade"].lower()
        if flag not in _TRUE | _FALSE:
            raise ParamError("trade", f"{scalars['trade']!r}: expected 1 or 0")
        trade = flag in _TRUE
    since = _date("since", scalars["since"]) if "since" in scalars else None
    until = _date("until", scalars["until"]) if "until" in scalars else None
    if since and until and since > until:
        raise ParamError("since", f"{since} is after until={until}")
    sort = scalars.get("sort", "relevance")
    if sort not in ("relevance", "newest"):
        raise ParamError("sort", f"{sort!r}: expected relevance or newest")
    min_relevance: float | None = None
    if "min_relevance" in scalars:
        try:
            min_relevance = float(scalars["min_relevance"])
        except ValueError:
            raise ParamError("min_relevance", "expected a number from 0 to 1") from None
        if not 0.0 <= min_relevance <= 1.0:
            raise ParamError("min_relevance", "expected a number from 0 to 1")
    page = _int("page", scalars["page"], 1, MAX_PAGE) if "page" in scalars else 1
    per_page = (
        _int("per_page", scalars["per_page"], 1, MAX_PER_PAGE)
        if "per_page" in scalars
        else default_per_page
    )
    request = SearchRequest(
        query=query,
        species=tuple(lists["species"]),
        kind=tuple(lists["kind"]),
        lang=tuple(lists["lang"]),
        source=tuple(lists["source"]),
        enforcement=tuple(lists["enforcement"]),
        country=tuple(lists["country"]),
        location=tuple(lists["location"]),
        wildlife_trade=trade,
        min_relevance=min_relevance,
        since=since,
        until=until,
        sort="newest" if sort == "newest" else "relevance",
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    pairs: list[tuple[str, str]] = []
    if query:
        pairs.append(("q", query))
    for name in LIST_FILTERS:
        pairs += [(name, value) for value in lists[name]]
    for name in ("trade", "since", "until", "sort", "min_relevance", "per_page", "page"):
        if name in scalars and (name, scalars[name]) != ("sort", "relevance"):
            pairs.append((name, scalars[name]))
    return SearchParams(request=request, page=page, per_page=per_page, pairs=tuple(pairs))


def with_paging(request: SearchRequest, limit: int, offset: int) -> SearchRequest:
    return replace(request, limit=limit, offset=offset, facets=False)


def parse_interval(raw: str | None) -> Interval:
    value = (raw or "week").strip().lower()
    if value == "day":
        return "day"
    if value == "week":
        return "week"
    raise ParamError("interval", f"{raw!r}: expected day or week")
