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
    MULTI_VALUE_FILTERS,
    PLACE_FILTER,
    UnknownFilterValue,
    check_value,
    valid_values,
)
from search.query_language import QuerySyntaxError

if TYPE_CHECKING:
    from web.i18n import Translator

SCALAR_PARAMS = (
    "q",
    "trade",
    "since",
    "until",
    "sort",
    "min_relevance",
    "page",
    "per_page",
    "seen",
    "noted",
)
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
    """A query parameter the search cannot use; the message names it (in English, for the
    API). ``code`` and ``values`` say the same for ``localized_error``; ``unknown`` holds the
    details of a filter value outside its vocabulary, so pages can say it in the reader's
    language and the API can list the valid values."""

    def __init__(
        self,
        name: str,
        message: str,
        unknown: UnknownFilterValue | None = None,
        *,
        code: str = "",
        **values: object,
    ) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.unknown = unknown
        self.code = code
        self.values = values


# Labels of the parameters in messages.toml, for errors shown on pages.
_PARAM_LABELS = {
    "q": "query",
    "since": "since",
    "until": "until",
    "sort": "sort",
    "trade": "trade_only",
    "min_relevance": "relevance",
    "page": "pages",
    "per_page": "pages",
    "interval": "interval",
}


def param_label(name: str, t: Callable[..., str]) -> str:
    """The label a page shows for parameter ``name`` (its filter or field name)."""
    key = f"f_{name}" if name in MULTI_VALUE_FILTERS else _PARAM_LABELS.get(name, name)
    label = t(key)
    return name if label == key else label


def localized_error(error: ParamError, t: Callable[..., str]) -> str:
    """The error in the reader's language (``t``: a ``web.i18n.Translator``): an unknown
    filter value with the filter's label, the value and the valid values by their labels;
    any other problem from its ``code``."""
    unknown = error.unknown
    if unknown is None:
        if not error.code:
            return str(error)
        key = f"errors.param_{error.code}"
        vi = getattr(t, "lang", "") == "vi"
        values = {
            name: (value.strftime("%d/%m/%Y") if vi else value.isoformat())
            if isinstance(value, date)
            else value
            for name, value in error.values.items()
        }
        text = t(key, field=param_label(error.name, t), **values)
        return str(error) if text == key else text
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


def localized_query_error(error: QuerySyntaxError, t: Callable[..., str]) -> str:
    """A search-syntax error in the reader's language, where in the query included."""
    key = f"errors.query_{error.code}"
    text = t(key, position=error.position + 1, **error.values) if error.code else key
    return str(error) if text == key else text


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


# Day first, as Vietnamese (and most non-US) readers write dates: 5/3/2024 is 5 March.
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(raw: str) -> date | None:
    """A date typed as YYYY-MM-DD (the API, links) or DD/MM/YYYY (the Vietnamese form, also
    with "." or "-"); None when it is neither or no such day exists."""
    text = raw.strip()
    day_first = _DAY_FIRST.match(text)
    try:
        if day_first:
            day, month, year = (int(part) for part in day_first.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def _date(name: str, raw: str) -> date:
    found = parse_date(raw)
    if found is None:
        raise ParamError(
            name,
            f"{raw!r} is not a date (expected YYYY-MM-DD or DD/MM/YYYY)",
            code="not_a_date",
            value=raw,
        )
    return found


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ParamError(
            name, f"{raw!r} is not a whole number", code="not_whole", value=raw
        ) from None
    if not low <= value <= high:
        raise ParamError(
            name,
            f"{value} is out of range ({low}-{high})",
            code="out_of_range",
            value=value,
            low=low,
            high=high,
        )
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
            raise ParamError(
                name,
                f"{raw!r} is not a source name such as vnexpress",
                code="bad_source",
                value=raw,
            )
    if name == "location" and len(value) > 100:
        raise ParamError(name, "place names are at most 100 characters", code="too_long", n=100)
    return value


def parse_search_params(
    items: Sequence[tuple[str, str]], *, default_per_page: int = DEFAULT_PER_PAGE
) -> SearchParams:
    """Build the search request from query parameters. List filters may repeat or hold
    comma-separated values; empty values (blank form fields) are ignored; unknown names
    (such as the UI language) are left to the caller."""
    lists: dict[str, list[str]] = {name: [] for name in MULTI_VALUE_FILTERS}
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
        raise ParamError("q", "queries are at most 500 characters", code="too_long", n=500)
    trade, seen, noted = (_flag(name, scalars) for name in ("trade", "seen", "noted"))
    since = _date("since", scalars["since"]) if "since" in scalars else None
    until = _date("until", scalars["until"]) if "until" in scalars else None
    if since and until and since > until:
        raise ParamError(
            "since",
            f"{since} is after until={until}",
            code="since_after_until",
            since=since,
            until=until,
        )
    sort = scalars.get("sort", "relevance")
    if sort not in ("relevance", "newest"):
        raise ParamError(
            "sort", f"{sort!r}: expected relevance or newest", code="bad_sort", value=sort
        )
    min_relevance: float | None = None
    if "min_relevance" in scalars:
        try:
            min_relevance = float(scalars["min_relevance"])
        except ValueError:
            raise ParamError(
                "min_relevance", "expected a number from 0 to 1", code="expected_fraction"
            ) from None
        if not 0.0 <= min_relevance <= 1.0:
            raise ParamError(
                "min_relevance", "expected a number from 0 to 1", code="expected_fraction"
            )
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
        triage=tuple(lists["triage"]),
        seen=seen,
        noted=noted,
        sort="newest" if sort == "newest" else "relevance",
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    pairs: list[tuple[str, str]] = []
    if query:
        pairs.append(("q", query))
    for name in MULTI_VALUE_FILTERS:
        pairs += [(name, value) for value in lists[name]]
    # dates typed as DD/MM/YYYY travel on in links, exports and alerts as YYYY-MM-DD
    if since:
        scalars["since"] = since.isoformat()
    if until:
        scalars["until"] = until.isoformat()
    for name in (
        "trade",
        "seen",
        "noted",
        "since",
        "until",
        "sort",
        "min_relevance",
        "per_page",
        "page",
    ):
        if name in scalars and (name, scalars[name]) != ("sort", "relevance"):
            pairs.append((name, scalars[name]))
    return SearchParams(request=request, page=page, per_page=per_page, pairs=tuple(pairs))


def _flag(name: str, scalars: dict[str, str]) -> bool | None:
    """A yes/no filter (``trade``, ``seen``, ``noted``): 1 or 0, absent for either."""
    if name not in scalars:
        return None
    flag = scalars[name].lower()
    if flag not in _TRUE | _FALSE:
        raise ParamError(name, f"{scalars[name]!r}: expected 1 or 0", code="expected_flag")
    return flag in _TRUE


def with_paging(request: SearchRequest, limit: int, offset: int) -> SearchRequest:
    return replace(request, limit=limit, offset=offset, facets=False)


def parse_interval(raw: str | None) -> Interval:
    value = (raw or "week").strip().lower()
    if value == "day":
        return "day"
    if value == "week":
        return "week"
    raise ParamError("interval", f"{raw!r}: expected day or week", code="bad_interval", value=raw)
