"""Words as the index sees them: accent-folded (``pipelines.normalize.fold``: lower-case,
diacritics removed, đ → d) and split the way the SQLite FTS5 tokenizer splits them."""

from __future__ import annotations

import re

from pipelines.normalize import fold

__all__ = ["WORD", "fold", "words"]

# A word as the FTS5 unicode61 tokenizer sees it: letters and digits; "_" separates.
WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The folded words of ``text``, split the way the SQLite tokenizer splits them."""
    return WORD.findall(fold(text))
