"""Vietnamese word segmentation for indexing.

Reads normalised Vietnamese text; writes underthesea's segmentation in its "text" format: words
separated by spaces, the syllables of a compound joined by "_" ("Cơ_quan_chức_năng thu_giữ").
The CRF model ships inside underthesea (no download); it is loaded on first use, once per
process. Text typed without diacritics comes back mostly unsegmented: the taggers work on the
accent-folded copy instead, so nothing depends on this for matching.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

# underthesea's CRF slows down on very long inputs; paragraphs are segmented one by one.
_MAX_CHUNK = 4000
# A sentence ending in a dotted abbreviation ("… tại TP.HCM. Lô hàng …"): underthesea keeps the
# final period in the abbreviation and glues the next word to it ("TP.HCM._Lô"). The period
# that ends the sentence is set apart first ("TP.HCM . Lô").
_ABBREVIATION_END = re.compile(r"(\w\.\w+)\.(?=\s|$)")


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[..., str]:
    from underthesea import word_tokenize

    return word_tokenize


def segment_words(text: str) -> str:
    """Space-separated words, compounds joined by "_"; "" for blank text."""
    tokenize = _tokenizer()
    pieces = []
    for paragraph in text.split("\n"):
        paragraph = _ABBREVIATION_END.sub(r"\1 .", paragraph.strip())
        while paragraph:
            chunk, paragraph = _split(paragraph)
            pieces.append(str(tokenize(chunk, format="text")))
    return " ".join(p for p in pieces if p)


def _split(paragraph: str) -> tuple[str, str]:
    if len(paragraph) <= _MAX_CHUNK:
        return paragraph, ""
    cut = paragraph.rfind(" ", 0, _MAX_CHUNK)
    cut = cut if cut > 0 else _MAX_CHUNK
    return paragraph[:cut], paragraph[cut:].strip()
