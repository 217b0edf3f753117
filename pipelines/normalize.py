"""Text normalisation: the first stage of every analysis and of every search query.

Reads raw text; writes NFC text with one Vietnamese tone-mark convention and clean whitespace,
and an accent-folded copy for matching. ``fold`` keeps the length of an NFC string, so a match
found at offsets in the folded copy quotes the same span of the original.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# Old and new tone placement in open syllables both circulate ("hoà" / "hòa", "thuỷ" / "thủy");
# news sites mostly write the traditional form, so everything is brought to it. The rule only
# applies at the end of a syllable: in "hoàng", "thuyền" both conventions agree.
_TONED_A = "àáảãạ"
_TONED_E = "èéẻẽẹ"
_TONED_Y = "ỳýỷỹỵ"
_PLAIN_TO_TONED = {
    "a": _TONED_A,
    "e": _TONED_E,
    "y": _TONED_Y,
}
_TONE_ON_FIRST = {"o": "òóỏõọ", "u": "ùúủũụ"}


def _build_tone_table() -> dict[str, str]:
    table: dict[str, str] = {}
    pairs = (("o", "a"), ("o", "e"), ("u", "y"))
    for first, second in pairs:
        for tone_index in range(5):
            new = first + _PLAIN_TO_TONED[second][tone_index]
            old = _TONE_ON_FIRST[first][tone_index] + second
            table[new] = old
            table[new.capitalize()] = old.capitalize()
            table[new.upper()] = old.upper()
    return table


_TONE_TABLE = _build_tone_table()
# "oà", "uỷ"... at a syllable end, not after "q" (in "quý" the u belongs to the consonant).
_NEW_STYLE_ALTERNATIVES = "|".join(sorted(map(re.escape, _TONE_TABLE), key=len, reverse=True))
_NEW_STYLE_SYLLABLE_END = re.compile(r"(?<![qQ])(" + _NEW_STYLE_ALTERNATIVES + r")(?!\w)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def normalize_text(text: str) -> str:
    """NFC, entities decoded, zero-width characters removed, traditional tone placement,
    runs of spaces folded to one and blank-line runs to one paragraph break."""
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _NEW_STYLE_SYLLABLE_END.sub(lambda m: _TONE_TABLE[m.group(1)], text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    if char.isascii():
        return char.lower()
    base = unicodedata.normalize("NFD", char)[0]
    return base.lower() if len(base.lower()) == 1 else char


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, diacritics removed, đ → d. For NFC input the result has the same length,
    so offsets carry over between the folded copy and the text."""
    return text.translate(_FOLD_TABLE)
