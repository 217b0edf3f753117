"""Vocabulary files and the term matcher shared by the word-level analysers.

Reads TOML files in ``pipelines/vocab/``; writes nothing. A ``TermMatcher`` finds vocabulary
terms in a text three ways, all on word boundaries and with the same offsets:

* terms with diacritics (or plain Latin terms such as English words) on the lower-cased NFC text;
* the accent-folded copy of multi-syllable terms, plus explicit unaccented forms, on the folded
  text, but only where the text itself is written without diacritics, so "cao họ" never passes
  for "cao hổ" in a carefully accented article;
* terms in scripts written without spaces (Thai, Lao, Khmer, Burmese, Chinese) as substrings.

Overlapping candidates are resolved longest first, so "rắn hổ mang" (a snake) beats "hổ" (a tiger)
and an exclusion phrase such as "hổ phách" (amber) silences the "hổ" inside it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from pipelines.normalize import fold

VOCAB_DIR = Path(__file__).with_name("vocab")

# Scripts written without spaces between words: word boundaries mean nothing there.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff]")
_BLANKS = re.compile(r"\s+")
_ASCII_SPAN = re.compile(r"[\x00-\x7f]*")
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f\W\d_]")
# A Vietnamese syllable without diacritics: onset, glide and nucleus, coda.
VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"(?:[aeiouy]{1,3})"
    r"(?:ng|nh|ch|[cmnpt])?"
)


class VocabError(ValueError):
    """A vocabulary file cannot be used; the message names the file and the key."""


def load_vocab(name: str, directory: Path | None = None) -> dict[str, Any]:
    """Parse ``pipelines/vocab/<name>``; a syntax error names the file and the line."""
    path = (directory or VOCAB_DIR) / name
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise VocabError(f"{path}: vocabulary file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise VocabError(f"{path}: {error}") from None


def string_list(data: dict[str, Any], key: str, where: str) -> list[str]:
    """``data[key]`` as a list of non-empty strings (missing key: empty list)."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise VocabError(f"{where}: '{key}' must be a list of non-empty strings")
    return [v.strip() for v in value]


def lower_same_length(text: str) -> str:
    """``str.lower`` unless it would change the length (a few letters such as "İ" expand)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def typed_without_accents(text: str, start: int, end: int) -> bool:
    """No non-ASCII letter within a few words either side of ``text[start:end]``: a plain
    "voi" there may be "với" (with), a plain "mua" may be "mưa" (rain)."""
    return not _NON_ASCII_LETTER.search(text, max(0, start - 40), min(len(text), end + 40))


def accent_dependent_terms(terms: Iterable[str]) -> set[str]:
    """The one-syllable words of a Vietnamese term list that could be another syllable with
    its diacritics lost ("mua"); "zalo", "ib", "ship" cannot, so they always count."""
    return {t.lower() for t in terms if t.isascii() and VIETNAMESE_SYLLABLE.fullmatch(t.lower())}


def is_unspaced_script(term: str) -> bool:
    return bool(_UNSPACED.search(term))


class Match(NamedTuple):
    # A named tuple, not a dataclass: a long text yields one per word, and tuples are built
    # several times faster.
    start: int
    end: int
    key: str  # what the term stands for ("" for an exclusion phrase)
    term: str  # the vocabulary form that matched (lower case)
    folded: bool  # found on the accent-folded copy


def _alternation(terms: Iterable[str]) -> str:
    """A regex matching any of ``terms``, longest first, factored as a trie: Python's engine
    tries the alternatives of a flat "a|b|c" one by one at every word start, a trie follows
    only the branch of the next letter (several times faster on a thousand terms)."""
    trie: dict[str, Any] = {}
    for term in set(terms):
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _trie_pattern(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Greedy "?" tries the longer terms first and falls back to this one.
    return f"(?:{body})?" if "" in node else body


def _compile_words(terms: Iterable[str], plural: bool = False) -> re.Pattern[str] | None:
    alternation = _alternation(terms)
    if not alternation:
        return None
    suffix = r"(?:s|es)?" if plural else ""
    # A lookahead finds a candidate at every word start, so "con hổ mang chúa" yields both
    # "con hổ" and "hổ mang chúa" and the longest-first resolution can choose.
    return re.compile(r"(?<!\w)(?=((?:" + alternation + r")" + suffix + r")(?!\w))")


def _compile_substrings(terms: Iterable[str]) -> re.Pattern[str] | None:
    alternation = _alternation(terms)
    return re.compile(r"(?=(" + alternation + r"))") if alternation else None


class TermMatcher:
    """Finds the terms of a vocabulary in texts. ``entries`` maps each term to its key."""

    def __init__(
        self,
        entries: Iterable[tuple[str, str]],
        *,
        plain: Iterable[tuple[str, str]] = (),
        no_fold: Iterable[str] = (),
        plural_terms: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.keys: dict[str, str] = {}
        self.folded_keys: dict[str, str] = {}
        skip_fold = {lower_same_length(t) for t in no_fold}
        word_terms: list[str] = []
        plural_words: list[str] = []
        substrings: list[str] = []
        for term, key in entries:
            low = lower_same_length(term)
            self.keys[low] = key
            if is_unspaced_script(low):
                substrings.append(low)
                continue
            word_terms.append(low)
            # One syllable without its diacritics is too ambiguous ("hổ" → "ho" = to cough,
            # "họ" = they); staff add safe unaccented compounds to `plain` instead.
            if " " in low and low not in skip_fold and fold(low) != low:
                self.folded_keys[fold(low)] = key
        for term, key in plural_terms:
            low = lower_same_length(term)
            self.keys[low] = key
            plural_words.append(low)
        for term, key in plain:
            self.folded_keys[fold(term)] = key
        self._words = _compile_words(word_terms)
        self._plurals = _compile_words(plural_words, plural=True)
        self._folded = _compile_words(self.folded_keys)
        self._substrings = _compile_substrings(substrings)

    @staticmethod
    def _term(found: str) -> str:
        # The vocabulary form of a match: runs of blanks in the text become one space.
        return found if found.isprintable() and "  " not in found else _BLANKS.sub(" ", found)

    def candidates(self, text: str, lowered: str, folded: str, *, use_folded: bool) -> list[Match]:
        """Every candidate match, overlapping ones included."""
        found: list[Match] = []
        for pattern in (self._words, self._substrings):
            if pattern is not None:
                for m in pattern.finditer(lowered):
                    term = self._term(m.group(1))
                    found.append(Match(m.start(1), m.end(1), self.keys[term], term, False))
        if self._plurals is not None:
            for m in self._plurals.finditer(lowered):
                term = self._term(m.group(1))
                base = term if term in self.keys else term.removesuffix("s")
                base = base if base in self.keys else term.removesuffix("es")
                found.append(Match(m.start(1), m.end(1), self.keys[base], base, False))
        if use_folded and self._folded is not None:
            for m in self._folded.finditer(folded):
                start, end = m.start(1), m.end(1)
                # Only spans typed without diacritics: accented text is matched exactly above.
                if _ASCII_SPAN.fullmatch(text, start, end):
                    term = self._term(m.group(1))
                    found.append(Match(start, end, self.folded_keys[term], term, True))
        return found

    def find(self, text: str, *, use_folded: bool = True) -> list[Match]:
        """Non-overlapping matches in text order, the longest winning an overlap."""
        lowered = _lowered(text)
        folded = _folded(text) if use_folded else lowered
        return resolve_overlaps(self.candidates(text, lowered, folded, use_folded=use_folded))


# Several matchers read the same text one after the other: lower-case and fold it once.
@lru_cache(maxsize=16)
def _lowered(text: str) -> str:
    return lower_same_length(text)


@lru_cache(maxsize=16)
def _folded(text: str) -> str:
    return fold(text)


def resolve_overlaps(candidates: list[Match]) -> list[Match]:
    """Keep the longest candidates that do not overlap a longer one; exclusions are kept too
    (key "") so the caller can tell a silenced word from an absent one.

    Taken spans are marked in a bytearray over the text positions: checking and marking a
    candidate costs its own length, so the whole pass is linear in the text (after the sort),
    where comparing each candidate with every taken span was quadratic ("tê tê " x 13 000,
    80 KB, took 6.7 s)."""
    if not candidates:
        return []
    occupied = bytearray(max(match.end for match in candidates))
    taken: list[Match] = []
    # On equal length an exclusion phrase wins, then the exactly written (accented) form.
    ranked = sorted(candidates, key=lambda m: (-(m.end - m.start), m.start, m.key != "", m.folded))
    for match in ranked:
        if 1 in occupied[match.start : match.end]:
            continue
        taken.append(match)
        occupied[match.start : match.end] = b"\x01" * (match.end - match.start)
    return sorted(taken, key=lambda m: m.start)
