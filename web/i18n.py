"""UI language: the message catalogue ``web/messages.toml`` (Vietnamese and English).

Reads that file once; writes nothing. Every label on every page comes from it, and tag values
(species, enforcement actions, kinds, languages, countries, units) are shown through its
groups in the reader's language.
"""

from __future__ import annotations

import tomllib
from functools import cache
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
        entry = self._data["messages"].get(key)
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
