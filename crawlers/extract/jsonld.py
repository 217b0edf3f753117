"""schema.org JSON-LD blocks of a page.

Reads the ``<script type="application/ld+json">`` elements of a parsed page; writes the objects
they describe, flattened: top-level lists, ``@graph`` arrays and nested ``mainEntity`` /
``itemListElement`` objects all come out as one list of dicts. CMS output is often sloppy JSON
(raw newlines in strings, trailing commas, HTML comments around it), which is repaired where it
is unambiguous and otherwise skipped: a broken block never hides the rest of the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import html as lxml_html

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_NESTED_KEYS = ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "offers", "item")


def jsonld_objects(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, in document order, nested ones after their parent."""
    objects: list[dict[str, Any]] = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        data = _load(script.text or "")
        if data is not None:
            objects.extend(_flatten(data))
    return objects


def _load(raw: str) -> Any:
    raw = raw.strip()
    raw = raw.removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    if not raw:
        return None
    for candidate in (raw, _TRAILING_COMMA.sub(r"\1", raw)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for element in data:
            yield from _flatten(element)
    elif isinstance(data, dict):
        yield data
        for key in _NESTED_KEYS:
            nested = data.get(key)
            if isinstance(nested, dict | list):
                yield from _flatten(nested)


def types_of(obj: dict[str, Any]) -> set[str]:
    """The object's ``@type`` values without a vocabulary prefix ("schema:Product")."""
    raw = obj.get("@type", [])
    values = raw if isinstance(raw, list) else [raw]
    return {str(value).rsplit(":", 1)[-1].rsplit("/", 1)[-1] for value in values}


def first_of_type(objects: list[dict[str, Any]], wanted: set[str]) -> dict[str, Any] | None:
    for obj in objects:
        if types_of(obj) & wanted:
            return obj
    return None


def text_value(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a string, a list, a number or an object
    with a ``name`` (authors, publishers, places)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        parts = [part for part in (text_value(element) for element in value) if part]
        return ", ".join(dict.fromkeys(parts)) or None
    if isinstance(value, dict):
        for key in ("name", "@value", "text", "streetAddress", "addressLocality"):
            if key in value:
                return text_value(value[key])
    return None
