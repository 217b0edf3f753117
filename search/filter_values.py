"""The values a search filter may take: one vocabulary for the CLI, the API, the web UI and
alert rules, so that ``--species unicorn`` or ``country=Vietnam`` is refused with the list of
valid values instead of quietly matching nothing.

Reads the species vocabulary (``pipelines/vocab/species.toml``: the groups the tagger can
produce), the enforcement actions and source kinds of ``pipelines``, and the ISO 639-1 and
ISO 3166-1 code lists of the ``pycountry`` package; writes nothing. Source names and place names
are open-ended (any slug, any place) and are not checked here. The triage states staff give
items (``TRIAGE_STATES``, plus ``untriaged`` as a filter value) are defined here too, so the
store, the filters, the API and the CLI speak one vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from pipelines.fields import SOURCE_KINDS

__all__ = [
    "CHECKED_FILTERS",
    "LIST_FILTERS",
    "TRIAGE_FILTER_VALUES",
    "TRIAGE_STATES",
    "UNTRIAGED",
    "UnknownFilterValue",
    "check_value",
    "valid_values",
]

# The filters that take a list of values (ORed), by their name in SearchRequest, the web
# parameters, the CLI and alert rules.
LIST_FILTERS = (
    "species",
    "kind",
    "lang",
    "source",
    "enforcement",
    "country",
    "location",
    "triage",
)
# Filters whose values come from a closed vocabulary.
CHECKED_FILTERS = ("species", "kind", "lang", "enforcement", "country", "triage")
# The decisions staff record on an item (search/triage.py stores them); an item without one is
# "untriaged", which the triage filter also accepts.
TRIAGE_STATES = ("relevant", "not_relevant", "follow_up")
UNTRIAGED = "untriaged"
TRIAGE_FILTER_VALUES = (UNTRIAGED, *TRIAGE_STATES)
# Codes listed first in messages: the languages and countries wildwatch watches.
_USUAL = {
    "lang": ("vi", "en", "zh", "th", "km", "lo", "my", "ms", "id"),
    "country": ("VN", "LA", "KH", "TH", "CN", "MY", "ID", "MM", "PH", "SG"),
}
_WHAT = {
    "species": "species id",
    "kind": "source kind",
    "lang": "ISO 639-1 language code",
    "enforcement": "enforcement action",
    "country": "ISO 3166-1 alpha-2 country code",
    "triage": "triage state",
}


class UnknownFilterValue(ValueError):
    """A filter value outside its vocabulary. ``valid`` lists what is accepted (for codes, the
    usual ones first), ``suggestion`` is the code a name stands for ("Vietnam" → "VN")."""

    def __init__(self, field: str, value: str, valid: Sequence[str], suggestion: str | None):
        self.field, self.value, self.valid, self.suggestion = field, value, tuple(valid), suggestion
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(
            f"{field}: {value!r} is not a known {_WHAT[field]}{hint}; valid: {self.shown_valid()}"
        )

    def shown_valid(self) -> str:
        """The valid values as one line: all of them for short lists, for the ISO code lists
        the usual ones and a count of the rest."""
        if self.field in _USUAL:
            usual = _USUAL[self.field]
            return f"{', '.join(usual)}, ... ({len(self.valid)} codes in all)"
        return ", ".join(self.valid)


@cache
def _species() -> tuple[str, ...]:
    from pipelines.vocab_loader import load_vocab

    return tuple(sorted(str(group) for group in load_vocab("species.toml").get("groups", {})))


@cache
def _languages() -> tuple[str, ...]:
    import pycountry

    codes = {str(lang.alpha_2) for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    # "und": what the language detector stores for a text it cannot place (ISO 639-2).
    return tuple(sorted(codes | {"und"}))


@cache
def _countries() -> tuple[str, ...]:
    import pycountry

    return tuple(sorted(str(country.alpha_2) for country in pycountry.countries))


def valid_values(field: str) -> tuple[str, ...]:
    """Every value ``field`` accepts, in their usual order (kinds and actions as the pipeline
    lists them, species and codes sorted)."""
    if field == "species":
        return _species()
    if field == "kind":
        return SOURCE_KINDS
    if field == "enforcement":
        # Imported when asked: the triage vocabulary above is read by search.backend, which
        # every command loads, and the enforcement patterns take a while to compile.
        from pipelines.enforcement import ACTIONS

        return ACTIONS
    if field == "lang":
        return _languages()
    if field == "country":
        return _countries()
    if field == "triage":
        return TRIAGE_FILTER_VALUES
    raise KeyError(field)


def _normalised(field: str, value: str) -> str:
    value = value.strip()
    if field == "triage":  # "not relevant", "follow-up" as people type them
        return "_".join(value.lower().replace("-", " ").split())
    return value.upper() if field == "country" else value.lower()


@cache
def _species_names() -> dict[str, str]:
    # Every name of the vocabulary ("tê tê", "pangolin scales", "Manis javanica") → its group.
    from pipelines.normalize import fold
    from pipelines.vocab_loader import load_vocab

    names: dict[str, str] = {}
    for group, entry in load_vocab("species.toml").get("groups", {}).items():
        for key, terms in entry.items():
            if key in ("no_fold", "products") or not isinstance(terms, list):
                continue
            for term in terms:
                if isinstance(term, str):
                    names.setdefault(fold(term.lower()), str(group))
    return names


def _suggestion(field: str, value: str) -> str | None:
    # "tê tê" → pangolin; "Vietnam", "vietnamese", "VNM", "vie" → their 2-letter code.
    if field == "species":
        from pipelines.normalize import fold

        return _species_names().get(fold(" ".join(value.lower().split())))
    if field not in ("lang", "country") or not value.strip():
        return None
    import pycountry

    table = pycountry.languages if field == "lang" else pycountry.countries
    try:
        found = table.lookup(value.strip())
    except LookupError:
        return None
    code = getattr(found, "alpha_2", None)
    return None if code is None else str(code)


def check_value(field: str, value: str) -> str:
    """``value`` in the form the index compares (lower-case ids, upper-case country codes)
    when ``field`` accepts it; raises ``UnknownFilterValue`` otherwise. Filters outside
    ``CHECKED_FILTERS`` (source, location) are returned stripped."""
    if field not in CHECKED_FILTERS:
        return value.strip()
    normalised = _normalised(field, value)
    valid = valid_values(field)
    if normalised in valid:
        return normalised
    if field in _USUAL:
        usual = _USUAL[field]
        valid = (*usual, *(code for code in valid if code not in usual))
    raise UnknownFilterValue(field, value, valid, _suggestion(field, value))
