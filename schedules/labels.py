"""Display words for tags in e-mails (reads ``schedules/labels.toml``)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LABELS_PATH = Path(__file__).with_name("labels.toml")


@cache
def _labels() -> dict[str, Any]:
    with LABELS_PATH.open("rb") as handle:
        return tomllib.load(handle)


def label(group: str, key: str, lang: str) -> str:
    """The word for ``key`` of ``group`` (species, enforcement, kind) in ``lang``; the key
    itself when the file has none."""
    entry = _labels().get(group, {}).get(key)
    if isinstance(entry, dict):
        return str(entry.get(lang) or entry.get("en") or key)
    return key


def keys(group: str) -> frozenset[str]:
    return frozenset(_labels().get(group, {}))
