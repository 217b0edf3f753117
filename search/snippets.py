"""Highlighted snippets of search hits.

Reads a document's text and the positive phrases of the query; writes a short HTML fragment:
the text HTML-escaped, with ``<mark>…</mark>`` around the words that matched. Matching happens
on the accent-folded copy (same length as the NFC text, see ``search.folding``), so a query typed
without diacritics marks the accented words. Scraped text is hostile: every character of it is
escaped, and the only tags in the result are the ``<mark>`` tags written here.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from search.folding import fold
from search.query_language import Phrase

SNIPPET_CHARS = 240
_LEAD_CHARS = 60  # context kept before the first match


@lru_cache(maxsize=256)
def _pattern(phrases: tuple[Phrase, ...]) -> re.Pattern[str] | None:
    alternatives = []
    for phrase in phrases:
        parts = [re.escape(word) for word in phrase.words]
        if phrase.prefix:
            parts[-1] += r"[^\W_]*"
        # Between the words of a phrase the tokenizer skips any separator run.
        alternatives.append(r"[\W_]+".join(parts))
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


def snippet(text: str, phrases: list[Phrase], size: int = SNIPPET_CHARS) -> str:
    """An escaped excerpt of ``text`` of about ``size`` characters around the first match,
    with every match in it marked; the start of the text when nothing matches."""
    text = unicodedata.normalize("NFC", text)
    pattern = _pattern(tuple(phrases))
    matches = list(pattern.finditer(fold(text))) if pattern is not None else []
    start = 0
    if matches:
        start = max(0, matches[0].start() - _LEAD_CHARS)
        if start:
            # Begin on a word boundary so the excerpt does not open with half a word.
            space = text.find(" ", start, matches[0].start())
            start = space + 1 if space >= 0 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start + size // 2, end)
        end = space if space > 0 else end
    pieces: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for match in matches:
        if match.start() < start or match.start() >= end:
            continue
        match_end = min(match.end(), end)
        pieces.append(html.escape(text[cursor : match.start()]))
        pieces.append("<mark>" + html.escape(text[match.start() : match_end]) + "</mark>")
        cursor = match_end
    pieces.append(html.escape(text[cursor:end]))
    if end < len(text):
        pieces.append("…")
    return " ".join("".join(pieces).split())
