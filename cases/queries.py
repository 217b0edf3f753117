"""Filtering and exporting the case list (pure).

Reads ``Case`` values; writes the cases a filter keeps (species, province, country, status,
"no follow-up reported for N days") in the order the list shows them (latest activity first),
and the CSV rows of an export (one row per case, with the coverage per step).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from cases.features import STEPS
from cases.model import Case


class FilterError(ValueError):
    """A filter value cannot be used; the message names the field."""


@dataclass(frozen=True)
class CaseFilter:
    species: tuple[str, ...] = ()
    province: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    # only cases whose newest report is at least this many days old (and not yet sentenced)
    stale_days: int | None = None
    query: str = ""  # words of the title, places or outlets

    def validate(self) -> None:
        unknown = [s for s in self.status if s not in STEPS]
        if unknown:
            raise FilterError(f"status {unknown[0]!r}: expected one of {', '.join(STEPS)}")
        if self.stale_days is not None and self.stale_days < 0:
            raise FilterError(f"no follow-up for {self.stale_days} days: must be 0 or more")


def _matches(case: Case, wanted: CaseFilter, today: date) -> bool:
    if wanted.species and not set(wanted.species) & set(case.species):
        return False
    if wanted.province and not set(wanted.province) & set(case.provinces):
        return False
    if wanted.country and not {c.upper() for c in wanted.country} & set(case.countries):
        return False
    if wanted.status and case.status not in wanted.status:
        return False
    if wanted.stale_days is not None:
        waited = case.days_without_follow_up(today)
        if waited is None or waited < wanted.stale_days or case.status == "sentence":
            return False
    if wanted.query:
        haystack = " ".join([case.title, *case.places, *case.outlets]).casefold()
        if not all(word in haystack for word in wanted.query.casefold().split()):
            return False
    return True


def filter_cases(cases: Iterable[Case], wanted: CaseFilter, today: date) -> list[Case]:
    """The cases ``wanted`` keeps, latest activity first."""
    wanted.validate()
    kept = [case for case in cases if _matches(case, wanted, today)]
    return sorted(kept, key=lambda c: (c.last_activity or date.min, c.id), reverse=True)


CSV_COLUMNS = (
    "id",
    "title",
    "status",
    "first_date",
    "last_activity",
    "species",
    "provinces",
    "countries",
    "articles",
    "outlets",
    *(f"{step}_outlets" for step in STEPS),
    "url",
)


# Spreadsheet programs run cells that start with these as formulas; titles are scraped, so
# such cells get a leading apostrophe (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(cases: Sequence[Case], public_url: str = "") -> str:
    """The cases as CSV (UTF-8 with a BOM so spreadsheet programs read the diacritics)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for case in cases:
        by_step = {step.step: step for step in case.timeline}
        writer.writerow(
            _cell(value)
            for value in [
                case.id,
                case.title,
                case.status or "",
                case.first_day.isoformat() if case.first_day else "",
                case.last_activity.isoformat() if case.last_activity else "",
                "; ".join(case.species),
                "; ".join(case.provinces),
                "; ".join(case.countries),
                len(case.articles),
                "; ".join(case.outlets),
                *("; ".join(by_step[s].outlets) if s in by_step else "" for s in STEPS),
                f"{public_url.rstrip('/')}/cases/{case.id}",
            ]
        )
    return "\ufeff" + out.getvalue()
