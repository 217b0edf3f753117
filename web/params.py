"""Query-string parameters of the search, export, trends and coverage routes.

Pure functions: read ``(name, value)`` pairs as sent by the browser or an API client; write a
``search.backend.SearchRequest`` or raise ``ParamError`` naming the parameter. The same
parameters drive the page, ``/api/search`` and ``/export.csv``, so a search can be shared,
exported or saved as an alert exactly as seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from search.backend import SearchRequest
from search.filter_values import (
    CHECKED_FILTERS,
    PLACE_FILTER,
    UnknownFilterValue,
    check_value,
    valid_values,
)

if TYPE_CHECKING:
    from web.i18n import Translator

LIST_FILTERS = ("species", "kind", "lang", "source", "enforcement", "country", "location", "place")
SCALAR_PARAMS = ("q", "trade", "since", "until", "sort", "min_relevance", "page", "per_page")
MAX_PAGE = 500
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20

Interval = Literal["day", "week"]
# The closed vocabularies the pages list as choices (search.filter_values owns them).
KINDS = valid_values("kind")
ENFORCEMENT = valid_values("enforcement")
SPECIES = valid_values("species")


def species_choices(t: Translator) -> list[tuple[str, str]]:
    """The ids the species filter accepts (the species vocabulary), by label in the reader's
    language; labels of ids the vocabulary lacks are not offered (they would only be refused)."""
    return sorted(((key, t.label("species", key)) for key in SPECIES), key=lambda kv: kv[1])


_SOURCE = re.compile(r"^[a-z0-9_-]{1,80}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ParamError(ValueError):
    """A query parameter the search cannot use; the message names it. ``unknown`` holds the
    details of a filter value outside its vocabulary, so pages can say it in the reader's
    language and the API can list the valid values."""

    def __init__(self, name: str, message: str, unknown: UnknownFilterValue | None = None) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.unknown = unknown


def localized_error(error: ParamError, t: Callable[..., str]) -> str:
    """The error in the reader's language (``t``: a ``web.i18n.Translator``) when it is an
    unknown filter value: the filter's label, the value, the valid values by their labels."""
    unknown = error.unknown
    if unknown is None:
        return str(error)
    label = getattr(t, "label", None)
    field = t(f"f_{unknown.field}")
    if unknown.field in ("lang", "country"):
        usual = unknown.valid[:9]
        message = t(
            "filter_unknown_codes", field=field, value=unknown.value, valid=", ".join(usual)
        )
    else:
        shown = [
            f"{value} ({label(unknown.field, value)})"
            if label and label(unknown.field, value) != value
            else value
            for value in unknown.valid
        ]
        message = t("filter_unknown", field=field, value=unknown.value, valid=", ".join(shown))
    if unknown.suggestion:
        message += " " + t("filter_suggestion", value=unknown.suggestion)
    return message


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
    if name in CHECKED_FILTERS or name == PLACE_FILTER:
        try:
            return check_value(name, value)
        except UnknownFilterValue as error:
            raise ParamError(name, str(error).partition(": ")[2], error) from None
    if name == "source":
        value = value.lower()
        if not _SOURCE.match(value):
            raise ParamError(name, f"{raw!r} is not a source name such as vnexpress")
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
        place=tuple(lists["place"]),
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
