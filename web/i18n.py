"""UI language: the message catalogue ``web/messages.toml`` (Vietnamese and English).

Reads that file once; writes nothing. Every label on every page comes from it, and tag values
(species, enforcement actions, kinds, languages, countries, units) are shown through its
groups in the reader's language. Place names are shown in Vietnamese in the Vietnamese UI
(``place_label``): countries by their CLDR name (babel), other foreign places by the Vietnamese
name the gazetteer lists for them (``pipelines.places.place_info``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

MESSAGES_PATH = Path(__file__).with_name("messages.toml")
UI_LANGUAGES = ("vi", "en")
DEFAULT_UI_LANGUAGE = "vi"
LABEL_GROUPS = ("species", "enforcement", "kind", "lang", "country", "unit", "cadence")


class CatalogueError(ValueError):
    """messages.toml is missing a translation or is not valid TOML."""


@cache
def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    """``{group: {key: {lang: text}}}``, checked so that every entry has every UI language."""
    try:
        with MESSAGES_PATH.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{MESSAGES_PATH}: {error}") from None
    for group, entries in data.items():
        for key, entry in entries.items():
            missing = [lang for lang in UI_LANGUAGES if not entry.get(lang)]
            if missing:
                raise CatalogueError(f"{MESSAGES_PATH}: [{group}] {key} lacks {missing}")
    return data


def pick_language(requested: str | None, cookie: str | None) -> str:
    for candidate in (requested, cookie):
        if candidate in UI_LANGUAGES:
            return str(candidate)
    return DEFAULT_UI_LANGUAGE


class Translator:
    """``t("key", n=3)`` for messages, ``t.label("species", "pangolin")`` for tag values."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in UI_LANGUAGES else DEFAULT_UI_LANGUAGE
        self._data = catalogue()

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` of [messages], or ``group.key`` of another group, formatted."""
        group, _, name = key.rpartition(".")
        entry = self._data.get(group or "messages", {}).get(name)
        if entry is None:
            # Visible but not fatal: a missing label must not take a page down.
            return key
        text = entry[self.lang]
        return text.format(**values) if values else text

    def label(self, group: str, key: str | None) -> str:
        if key is None:
            return ""
        entry = self._data.get(group, {}).get(key)
        if entry is None:
            # Source names, places and ids the catalogue does not know are shown as stored.
            return key
        return entry[self.lang]

    def labels(self, group: str) -> dict[str, str]:
        return {key: entry[self.lang] for key, entry in self._data.get(group, {}).items()}


# A name written in Vietnamese: Latin letters with at least one Vietnamese diacritic or đ.
# (decomposed: breve, circumflex, horn and the five tones; đ has no decomposition)
_VIETNAMESE_MARKS = re.compile(r"[đĐ\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323]")
_LATIN_ONLY = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f' .\-]+$")


def _written_in_vietnamese(alias: str) -> bool:
    decomposed = unicodedata.normalize("NFD", alias)
    return bool(_LATIN_ONLY.match(decomposed) and _VIETNAMESE_MARKS.search(decomposed))


@lru_cache(maxsize=4096)
def place_label(name: str, lang: str) -> str:
    """A canonical place name (Vietnamese places in Vietnamese, foreign ones in English) in
    the UI language: in Vietnamese, countries by their CLDR name ("Cambodia" → "Campuchia"),
    other foreign places by the gazetteer's first Vietnamese alias ("Bangkok" → "Băng Cốc");
    unknown names and Vietnamese places as stored."""
    if lang != "vi":
        return name
    from pipelines.places import place_info

    info = place_info(name)
    if info is None or info.country == "VN":
        return name
    if info.kind == "country" and info.country:
        cldr = _cldr_territories("vi").get(info.country)
        if cldr:
            return cldr
    for alias in info.aliases:
        if alias[:1] not in "=^@~" and _written_in_vietnamese(alias):
            return alias[:1].upper() + alias[1:]
    return name


@cache
def _cldr_territories(lang: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale(lang).territories)
