"""Units of weight, count and volume (``pipelines/vocab/units.toml``), shared by quantities and
the "per ..." of unit prices.

Reads the units file once per process; writes ``UnitTable`` (every written form, with its
canonical unit and factor) and looks up the form a match was written in. A bad file fails with
its path and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.numbers import is_unspaced

UNITS_FILE = Path(__file__).with_name("vocab") / "units.toml"


class UnitsFileError(ValueError):
    """units.toml cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class UnitForm:
    form: str  # as written, lower case
    unit: str  # stored unit: kg, t, g, pieces, individuals, m3
    factor: float
    per: str  # how a unit price names it
    kind: str  # weight | volume | count
    english: bool  # an English plural count noun (adjectives may come before it)
    glued: bool = False  # written in a script without spaces: no word boundary after it
    not_followed_by: tuple[str, ...] = ()  # "กิโล" is a kilogram, "กิโลเมตร" a kilometre


@dataclass(frozen=True)
class UnitTable:
    forms: dict[str, UnitForm]
    pattern: re.Pattern[str]  # any form, longest first, at a given position
    singular_pattern: re.Pattern[str]  # forms plus English singulars, for "per horn"
    singulars: dict[str, UnitForm]
    count_exclusions: frozenset[str]
    cover_goods: tuple[str, ...] = ()  # "15 tấn than củi": the declared load hiding the goods


def _form_alternative(form: UnitForm) -> str:
    written = re.escape(form.form).replace(r"\ ", r"[ \-]")
    if form.not_followed_by:
        written += "(?!" + "|".join(map(re.escape, form.not_followed_by)) + ")"
    # Words of spaced scripts, and the glued forms marked `whole_word`, end at a word boundary.
    return written if form.glued else written + r"(?![^\W\d_])"


def _form_regex(forms: dict[str, UnitForm]) -> re.Pattern[str]:
    ordered = sorted(forms, key=len, reverse=True)
    alternation = "|".join(_form_alternative(forms[f]) for f in ordered)
    return re.compile(r"(?P<unit>" + alternation + r")", re.IGNORECASE)


def _singular(form: str) -> list[str]:
    if form.endswith("ies"):
        return [form[:-3] + "y"]
    if form.endswith(("sses", "ches", "shes", "xes")):
        return [form[:-2]]
    if form.endswith("s") and not form.endswith("ss"):
        return [form[:-1]]
    return []


@lru_cache(maxsize=4)
def load_units(path: Path = UNITS_FILE) -> UnitTable:
    """Read the unit vocabulary; a malformed entry names the file and the entry."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UnitsFileError(f"{path}: {error}") from None
    forms: dict[str, UnitForm] = {}
    singulars: dict[str, UnitForm] = {}
    for kind in ("weight", "volume", "count"):
        for index, entry in enumerate(data.get(kind, [])):
            where = f"{path}: [[{kind}]] #{index + 1}"
            try:
                unit = str(entry["unit"])
                factor = float(entry["factor"])
                per = str(entry["per"])
                written = [str(f).lower() for f in entry["forms"]]
                written += [str(f).lower() for f in entry.get("unaccented", [])]
            except (KeyError, TypeError, ValueError) as error:
                raise UnitsFileError(f"{where}: missing or bad key {error}") from None
            if unit not in {"kg", "t", "g", "pieces", "individuals", "m3"}:
                raise UnitsFileError(f"{where}: unknown unit {unit!r}")
            english = bool(entry.get("english", False))
            whole_word = entry.get("whole_word", [])
            not_followed = entry.get("not_followed_by", {})
            if not isinstance(whole_word, list) or not isinstance(not_followed, dict):
                raise UnitsFileError(f"{where}: whole_word must be a list, not_followed_by a table")
            for form in written:
                glued = is_unspaced(form) and form not in whole_word
                after = tuple(str(a) for a in not_followed.get(form, []))
                forms[form] = UnitForm(form, unit, factor, per, kind, english, glued, after)
                for single in _singular(form) if english or kind != "count" else []:
                    singulars.setdefault(single, UnitForm(single, unit, factor, per, kind, english))
    exclusions = data.get("count_exclusions", {}).get("after", [])
    all_singular = {**forms, **singulars}
    return UnitTable(
        forms=forms,
        pattern=_form_regex(forms),
        singular_pattern=_form_regex(all_singular),
        singulars=all_singular,
        count_exclusions=frozenset(str(w).lower() for w in exclusions),
        cover_goods=tuple(
            sorted((str(w).lower() for w in data.get("cover_goods", {}).get("after", [])), key=len)
        ),
    )


def unit_form(table: UnitTable, written: str, *, singular: bool = False) -> UnitForm:
    """The vocabulary entry of a matched unit (spaces and hyphens normalised)."""
    key = re.sub(r"[ \-]+", " ", written.lower())
    source = table.singulars if singular else table.forms
    if key in source:
        return source[key]
    return source[written.lower()]
